"""Issue 14 §5: site photos of service sheets move onto documents.Attachment (kind "site_photo").

The files stay where they are; the new rows point at them. The photos were checked with Pillow
when they were taken; their type is taken from the file's extension here (JPEG if unknown),
their size from the storage (0 if the file is missing). Thumbnails are made when first shown.
"""

import mimetypes

from django.core.files.storage import default_storage
from django.db import migrations

IMAGES = {"image/jpeg", "image/png", "image/webp"}


def _size(name: str) -> int:
    try:
        return default_storage.size(name)
    except (OSError, NotImplementedError):
        return 0


def forward(apps, schema_editor):
    SheetPhoto = apps.get_model("fieldservice", "SheetPhoto")
    Attachment = apps.get_model("documents", "Attachment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    subject, _created = ContentType.objects.get_or_create(app_label="fieldservice", model="servicesheet")
    rows = []
    for old in SheetPhoto.objects.order_by("pk").iterator():
        guessed = mimetypes.guess_type(old.file.name)[0]
        rows.append(
            Attachment(
                content_type=subject,
                object_id=old.sheet_id,
                kind="site_photo",
                file=old.file.name,
                name=old.file.name.rsplit("/", 1)[-1][:200],
                mime_type=guessed if guessed in IMAGES else "image/jpeg",
                size=_size(old.file.name),
                uploaded_at=old.uploaded_at,
                uploaded_by_id=old.uploaded_by_id,
            )
        )
    Attachment.objects.bulk_create(rows, batch_size=500)


def backward(apps, schema_editor):
    SheetPhoto = apps.get_model("fieldservice", "SheetPhoto")
    Attachment = apps.get_model("documents", "Attachment")
    rows = Attachment.objects.filter(content_type__app_label="fieldservice", kind="site_photo").order_by("pk")
    SheetPhoto.objects.bulk_create(
        [
            SheetPhoto(
                sheet_id=new.object_id,
                file=new.file.name,
                uploaded_at=new.uploaded_at,
                uploaded_by_id=new.uploaded_by_id,
            )
            for new in rows.iterator()
        ],
        batch_size=500,
    )
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("documents", "0001_initial"),
        ("fieldservice", "0002_workorder_waiting"),
    ]

    operations = [migrations.RunPython(forward, backward)]
