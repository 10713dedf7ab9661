from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0006_attachments_to_documents"),
    ]

    operations = [
        migrations.DeleteModel(
            name="RequestAttachment",
        ),
    ]
