"""Existing rules get the calendar source and manager role of the defaults table, edited or not:
an administrator has never set these two fields, so there is nothing of theirs to keep."""

from django.db import migrations


def forwards(apps, schema_editor):
    from kefu.deadlines.defaults import BY_KEY

    Rule = apps.get_model("deadlines", "DeadlineRule")
    for rule in Rule.objects.all():
        default = BY_KEY.get(rule.key)
        if default is not None:
            Rule.objects.filter(pk=rule.pk).update(
                calendar_source=default.calendar_source, manager_role=default.manager_role
            )


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0003_rule_calendar_source_manager_role")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
