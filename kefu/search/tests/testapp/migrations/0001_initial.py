import django.contrib.postgres.search
from django.db import migrations, models

from kefu.search.migrations import AddSearchIndex


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Note",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("search_tokens", models.TextField(blank=True, default="", editable=False, verbose_name="检索词")),
                ("search_vector", django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ("title", models.CharField(max_length=200)),
                ("body", models.TextField(blank=True)),
            ],
            options={"abstract": False},
        ),
        AddSearchIndex("Note"),
    ]
