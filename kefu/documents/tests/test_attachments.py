"""Issue 14 §5: one attachment model: sniffed types, size and count limits, thumbnails, safe serving."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from kefu.core.errors import Invalid
from kefu.customers.tests.factories import new_customer, portal_user_of
from kefu.documents import attachments
from kefu.documents.attachments import MB, sample_png
from kefu.documents.models import Attachment
from kefu.fieldservice import workflow
from kefu.fieldservice.tests.factories import SHEET, new_order, people
from kefu.servicedesk.models import ServiceRequest
from kefu.servicedesk.tests.factories import hotline_engineer, new_request

pytestmark = pytest.mark.django_db

EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def jpeg(size=(1600, 1200), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG", quality=85)
    return out.getvalue()


def docx(*, macros: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def request_of_customer(now):
    """A customer's request with its portal user, and the hotline engineer who took it."""
    hotline = hotline_engineer()
    customer = new_customer(now=now)
    return new_request(customer, by=hotline, now=now), hotline


# --- Types are read from the content ---------------------------------------------------------


def test_issue14_5_a_renamed_exe_is_refused_naming_the_file(request_of_customer, now):
    req, hotline = request_of_customer
    for kind in ("site_photo", "request"):
        with pytest.raises(Invalid) as exc:
            attachments.attach(req, upload("现场照片.jpg", EXE, "image/jpeg"), kind=kind, by=hotline, now=now)
        assert "现场照片.jpg" in str(exc.value.message) and exc.value.field == "files"
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [
        ("截图.png", sample_png(), "image/png"),
        ("photo", jpeg((64, 48)), "image/jpeg"),  # no extension: the content says what it is
        ("报价单.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf"),
        ("说明.docx", docx(), attachments.DOCX),
        ("日志.txt", "2025-11-24 10:00 打印失败\r\n".encode(), "text/plain"),
        ("日志-gbk.log", "打印失败，错误码 0x1F".encode("gb18030"), "text/plain"),
    ],
)
def test_issue14_5_request_attachments_keep_the_sniffed_type(request_of_customer, now, name, data, mime):
    req, hotline = request_of_customer
    item = attachments.attach(req, upload(name, data, "application/x-anything"), kind="request", by=hotline, now=now)
    assert (item.name, item.mime_type, item.size, item.kind) == (name, mime, len(data), "request")
    assert item.subject == req and list(req.attachments.all()) == [item]
    assert item.file.name.startswith("attachments/request/2025/11/") and name not in item.file.name
    assert item.file.read() == data


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG....",  # starts like a PNG, is none
        b"%PDF-1.4",  # a PDF is no site photo
        docx(),
        b"just text",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>" + b"\x00",
    ],
)
def test_issue14_5_site_photos_are_images_only(request_of_customer, now, data):
    req, hotline = request_of_customer
    with pytest.raises(Invalid) as exc:
        attachments.attach(req, upload("IMG_0001.jpg", data, "image/jpeg"), kind="site_photo", by=hotline, now=now)
    assert exc.value.message == attachments.TYPE_REFUSED % {"name": "IMG_0001.jpg", "types": "JPG、PNG、WebP"}


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("截图.png", b"\x89PNG\r\n"),  # a broken image is no text, though b"\x89P" decodes as GB18030
        ("说明.docx", docx(macros=True)),  # a macro-enabled document under a harmless name
        ("资料.zip", b"PK\x03\x04" + b"\x00" * 40),  # an archive (could carry anything)
        ("日志.txt", "正常的开头".encode() + b"\xff\xfe"),  # ends in bytes no text has
    ],
)
def test_issue14_5_request_attachments_refuse_what_is_not_a_document(request_of_customer, now, name, data):
    req, hotline = request_of_customer
    with pytest.raises(Invalid) as exc:
        attachments.attach(req, upload(name, data), kind="request", by=hotline, now=now)
    assert name in str(exc.value.message)


# --- Size and count limits per kind ----------------------------------------------------------


def test_issue14_5_size_limit_per_kind(request_of_customer, now):
    req, hotline = request_of_customer
    big = upload("大文件.txt", b"a" * (10 * MB + 1), "text/plain")
    with pytest.raises(Invalid) as exc:
        attachments.attach(req, big, kind="request", by=hotline, now=now)
    assert exc.value.message == attachments.TOO_BIG % {"name": "大文件.txt", "mb": 10}
    with pytest.raises(Invalid) as exc:
        attachments.attach(req, upload("空.txt", b""), kind="request", by=hotline, now=now)
    assert exc.value.message == attachments.EMPTY % {"name": "空.txt"}
    just = upload("刚好.txt", b"a" * (10 * MB), "text/plain")
    assert attachments.attach(req, just, kind="request", by=hotline, now=now).size == 10 * MB


def test_issue14_5_count_limit_per_subject_and_kind(request_of_customer, now):
    req, hotline = request_of_customer
    limit = attachments.KINDS["request"].max_count
    attachments.attach_all(
        req, [upload(f"日志{i}.txt", b"line\n") for i in range(limit - 1)], kind="request", by=hotline, now=now
    )
    # Two more than fit: neither is kept, and the message names the first one over the limit.
    with pytest.raises(Invalid) as exc:
        attachments.attach_all(
            req, [upload("第十个.txt", b"x\n"), upload("第十一个.txt", b"y\n")], kind="request", by=hotline, now=now
        )
    assert exc.value.message == attachments.TOO_MANY % {"n": limit, "name": "第十一个.txt"}
    assert req.attachments.count() == limit - 1
    attachments.attach(req, upload("第十个.txt", b"x\n"), kind="request", by=hotline, now=now)
    assert attachments.of(req, kind="request").count() == limit
    # Another kind on the same subject counts on its own.
    attachments.attach(req, upload("现场.png", sample_png()), kind="site_photo", by=hotline, now=now)


def test_issue14_5_one_bad_file_keeps_none(request_of_customer, now):
    req, hotline = request_of_customer
    with pytest.raises(Invalid, match=r"setup\.jpg"):
        attachments.attach_all(
            req, [upload("好.png", sample_png()), upload("setup.jpg", EXE)], kind="request", by=hotline, now=now
        )
    assert not Attachment.objects.exists()


# --- Thumbnails ------------------------------------------------------------------------------


def test_issue14_5_thumbnail_made_after_commit_for_an_image(
    request_of_customer, now, client, django_capture_on_commit_callbacks
):
    req, hotline = request_of_customer
    with django_capture_on_commit_callbacks(execute=True):
        photo = attachments.attach(req, upload("现场.jpg", jpeg()), kind="request", by=hotline, now=now)
        text = attachments.attach(req, upload("日志.txt", b"ok\n"), kind="request", by=hotline, now=now)
    photo.refresh_from_db()
    text.refresh_from_db()
    assert photo.thumbnail and not text.thumbnail
    with photo.thumbnail.open("rb") as fh, Image.open(fh) as thumb:
        assert thumb.format == "JPEG" and thumb.size == (320, 240)
    client.force_login(hotline)
    response = client.get(photo.thumbnail_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert text.thumbnail_url == "" and client.get(reverse("documents:thumbnail", args=[text.pk])).status_code == 404


def test_issue14_5_thumbnail_made_when_first_shown_if_the_job_did_not_run(request_of_customer, now, client):
    req, hotline = request_of_customer
    photo = attachments.attach(req, upload("截图.png", sample_png()), kind="request", by=hotline, now=now)
    assert not photo.thumbnail  # the transaction has not committed: no job ran
    client.force_login(hotline)
    response = client.get(photo.thumbnail_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    photo.refresh_from_db()
    assert photo.thumbnail


# --- Serving: only to who may see the subject -------------------------------------------------


def test_issue14_5_the_subjects_viewer_gets_the_file_others_404_anonymous_login(
    request_of_customer, now, client, make_user, station_a
):
    req, hotline = request_of_customer
    picture = attachments.attach(req, upload("截图 1.png", sample_png()), kind="request", by=hotline, now=now)
    sheet = attachments.attach(req, upload("报价单.pdf", b"%PDF-1.4 x"), kind="request", by=hotline, now=now)
    url = reverse("documents:file", args=[picture.pk])
    assert url == picture.url

    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    client.force_login(portal_user_of(req.customer, make_user))
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == sample_png()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "inline; filename=\"__ 1.png\"; filename*=UTF-8''%E6%88%AA%E5%9B%BE%201.png"
    )
    response = client.get(sheet.url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; ")
    assert "filename*=UTF-8''%E6%8A%A5%E4%BB%B7%E5%8D%95.pdf" in response["Content-Disposition"]

    other_customer = portal_user_of(new_customer(now=now), make_user)
    station = make_user("station_master", station=station_a)
    for stranger in (other_customer, station):
        client.force_login(stranger)
        assert client.get(url).status_code == 404
        assert client.get(picture.thumbnail_url).status_code == 404
    client.force_login(hotline)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


def test_issue14_5_unknown_subject_deleted_file_and_media_urls_are_404(request_of_customer, now, client, admin_user):
    req, hotline = request_of_customer
    # A subject no domain registered (a customer): nobody is served its files, not even an admin.
    loose = attachments.attach(req.customer, upload("a.png", sample_png()), kind="id_sheet", by=hotline, now=now)
    client.force_login(admin_user)
    assert client.get(loose.url).status_code == 404
    gone = attachments.attach(req, upload("b.png", sample_png()), kind="request", by=hotline, now=now)
    gone.mark_deleted(by=hotline, reason="传错了", now=now)
    gone.save()
    assert client.get(gone.url).status_code == 404
    assert list(req.attachments.all()) == []
    # Nothing serves MEDIA_ROOT: a guessed media URL finds nothing.
    assert client.get(f"/media/{gone.file.name}").status_code == 404


def test_issue14_5_os3_site_photos_only_to_who_may_see_the_order(now, client, make_user):
    manager, engineer, hotline = people()
    order = new_order(now=now, manager=manager, engineer=engineer, hotline=hotline, until="on_site")
    workflow.complete(order, data=SHEET, photos=[upload("现场.png", sample_png(), "image/png")], by=engineer, now=now)
    photo = order.sheet.photos.get()
    assert (photo.kind, photo.mime_type, photo.name) == ("site_photo", "image/png", "现场.png")
    client.force_login(engineer)
    assert client.get(photo.url).status_code == 200
    page = client.get(reverse("fieldservice:detail", args=[order.pk])).content.decode()
    assert photo.thumbnail_url in page and photo.url in page
    for stranger in (make_user("field_engineer"), portal_user_of(order.customer, make_user)):
        client.force_login(stranger)
        assert client.get(photo.url).status_code == 404


def test_issue14_5_os3_a_bad_site_photo_is_refused_before_the_sheet(now):
    manager, engineer, hotline = people()
    order = new_order(now=now, manager=manager, engineer=engineer, hotline=hotline, until="on_site")
    with pytest.raises(Invalid) as exc:
        workflow.complete(order, data=SHEET, photos=[upload("setup.jpg", EXE, "image/jpeg")], by=engineer, now=now)
    assert exc.value.field == "photos" and "setup.jpg" in str(exc.value.message)
    order.refresh_from_db()
    assert order.status == "on_site" and not Attachment.objects.exists()


def test_issue14_5_sr1_portal_upload_is_listed_and_served(client, make_user, now):
    hotline_engineer()
    customer = new_customer(now=now)
    user = portal_user_of(customer, make_user)
    client.force_login(user)
    response = client.post(
        reverse("portal:new"),
        {"phenomenon": "无法登录", "files": [upload("截图.png", sample_png()), upload("日志.txt", b"error 42\n")]},
    )
    assert response.status_code == 302
    req = ServiceRequest.objects.get(customer=customer)
    picture, log = req.attachments.all()
    page = client.get(reverse("portal:detail", args=[req.pk])).content.decode()
    assert picture.thumbnail_url in page and log.url in page and "日志.txt" in page
    assert client.get(log.url)["Content-Disposition"].startswith("attachment; ")


def test_issue14_5_sr1_portal_refuses_an_exe_and_keeps_what_was_typed(client, make_user, now):
    hotline_engineer()
    customer = new_customer(now=now)
    client.force_login(portal_user_of(customer, make_user))
    response = client.post(
        reverse("portal:new"), {"title": "打不开", "phenomenon": "双击没反应", "files": upload("补丁.jpg", EXE)}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "补丁.jpg" in html and "双击没反应" in html
    assert not ServiceRequest.objects.filter(customer=customer).exists()
