"""Issue 14 §5: request attachments move onto documents.Attachment (kind "request").

The files stay where they are; the new rows point at them. Their type is taken from the file's
extension (these files were never sniffed): only the types an attachment may have keep theirs,
anything else becomes application/octet-stream and is only ever offered as a download.
"""

import mimetypes

from django.db import migrations

KNOWN = {
    "image/jpeg",
    "image/png",
    "image/webp",
    "application/pdf",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def _mime(name: str) -> str:
    guessed = mimetypes.guess_type(name or "")[0]
    return guessed if guessed in KNOWN else "application/octet-stream"


def forward(apps, schema_editor):
    RequestAttachment = apps.get_model("servicedesk", "RequestAttachment")
    Attachment = apps.get_model("documents", "Attachment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    subject, _created = ContentType.objects.get_or_create(app_label="servicedesk", model="servicerequest")
    rows = [
        Attachment(
            content_type=subject,
            object_id=old.request_id,
            kind="request",
            file=old.file.name,
            name=old.name or old.file.name.rsplit("/", 1)[-1],
            mime_type=_mime(old.name or old.file.name),
            size=old.size,
            uploaded_at=old.uploaded_at,
            uploaded_by_id=old.uploaded_by_id,
        )
        for old in RequestAttachment.objects.order_by("pk").iterator()
    ]
    Attachment.objects.bulk_create(rows, batch_size=500)


def backward(apps, schema_editor):
    RequestAttachment = apps.get_model("servicedesk", "RequestAttachment")
    Attachment = apps.get_model("documents", "Attachment")
    rows = Attachment.objects.filter(content_type__app_label="servicedesk", kind="request").order_by("pk")
    RequestAttachment.objects.bulk_create(
        [
            RequestAttachment(
                request_id=new.object_id,
                file=new.file.name,
                name=new.name,
                size=new.size,
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
        ("servicedesk", "0005_request_waiting"),
    ]

    operations = [migrations.RunPython(forward, backward)]
