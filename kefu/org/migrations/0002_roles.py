"""Create one group per role key. Keys are stable; labels live in kefu.org.roles."""

from django.db import migrations

ROLE_KEYS = [
    "admin",
    "sales",
    "first_visit",
    "customer_rep",
    "service_desk",
    "hotline",
    "service_manager",
    "field_engineer",
    "impl_director",
    "project_manager",
    "consultant",
    "quality",
    "dept_head",
    "general_manager",
    "call_center",
    "station_master",
    "station_engineer",
    "parts_group",
    "aftersales_manager",
    "finance",
    "customer",
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for key in ROLE_KEYS:
        Group.objects.get_or_create(name=key)


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
