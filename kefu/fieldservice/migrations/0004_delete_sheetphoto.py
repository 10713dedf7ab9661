from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("fieldservice", "0003_photos_to_documents"),
    ]

    operations = [
        migrations.DeleteModel(
            name="SheetPhoto",
        ),
    ]
