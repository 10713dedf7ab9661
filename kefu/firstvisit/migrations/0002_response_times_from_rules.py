"""FV-4: the service-process email reads the response times from the deadline rules (issue 12 §7).

Stored templates that still carry the old hard-coded sentence get the variables instead; a
sentence an administrator rewrote is left as it is.
"""

from django.db import migrations

OLD = "紧急问题 2 小时内、一般问题 6 小时内首次响应"
NEW = "紧急问题 {{ response.urgent }}内、一般问题 {{ response.medium }}内首次响应"


def forwards(apps, schema_editor):
    EmailTemplate = apps.get_model("firstvisit", "EmailTemplate")
    for template in EmailTemplate.objects.filter(key="service_process", body__contains=OLD):
        template.body = template.body.replace(OLD, NEW)
        template.save(update_fields=["body"])


def backwards(apps, schema_editor):
    EmailTemplate = apps.get_model("firstvisit", "EmailTemplate")
    for template in EmailTemplate.objects.filter(key="service_process", body__contains=NEW):
        template.body = template.body.replace(NEW, OLD)
        template.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("firstvisit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
