"""Issue 14 §5: request attachments and site photos move onto documents.Attachment and back,
pointing at the same files (the data migrations of servicedesk 0006 and fieldservice 0003)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kefu.documents import attachments
from kefu.documents.attachments import sample_png
from kefu.documents.models import Attachment
from kefu.fieldservice import workflow
from kefu.fieldservice.tests.factories import SHEET, new_order, people

BEFORE = [("servicedesk", "0005_request_waiting"), ("fieldservice", "0002_workorder_waiting")]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_issue14_5_old_rows_are_copied_both_ways_with_their_files(settings, tmp_path, now):
    settings.MEDIA_ROOT = tmp_path
    manager, engineer, hotline = people()
    order = new_order(now=now, manager=manager, engineer=engineer, hotline=hotline, until="on_site")
    photo = SimpleUploadedFile("现场.png", sample_png(), "image/png")
    workflow.complete(order, data=SHEET, photos=[photo], by=engineer, now=now)
    req = order.request
    log = attachments.attach(req, SimpleUploadedFile("日志.txt", b"error 42\n"), kind="request", by=hotline, now=now)
    site = order.sheet.photos.get()
    expected = {(a.kind, a.object_id, a.file.name, a.size, a.uploaded_by_id) for a in (log, site)}

    try:
        old = _migrate(BEFORE).loader.project_state(BEFORE).apps
        assert not Attachment.objects.exists()
        (back,) = old.get_model("servicedesk", "RequestAttachment").objects.all()
        assert (back.request_id, back.file.name, back.name, back.size) == (req.pk, log.file.name, "日志.txt", 9)
        (back_photo,) = old.get_model("fieldservice", "SheetPhoto").objects.all()
        assert (back_photo.sheet_id, back_photo.file.name) == (order.sheet.pk, site.file.name)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    again = list(Attachment.objects.order_by("kind"))
    assert {(a.kind, a.object_id, a.file.name, a.size, a.uploaded_by_id) for a in again} == expected
    assert [(a.name, a.mime_type, a.subject) for a in again] == [
        ("日志.txt", "text/plain", req),
        (site.file.name.rsplit("/", 1)[-1], "image/png", order.sheet),
    ]
    assert again[0].file.read() == b"error 42\n"
