"""The rule table as shipped (FB-1): categories and keywords, editable in the admin afterwards."""

from django.db import migrations


def forwards(apps, schema_editor):
    from kefu.feedback.defaults import install

    install(apps.get_model("feedback", "Category"))


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
