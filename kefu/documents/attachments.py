"""Attachments (issue 14 §5): one way to keep a file with a subject, check it and serve it.

A domain attaches inside its own transition, after its permission check, and registers once
who may see the files of its subjects:

    attachments.register_subject("servicedesk.servicerequest", may_see=selectors.may_see_request)
    attachments.attach_all(req, request.FILES.getlist("files"), kind="request", by=by, now=now)

The type is read from the content (Pillow for images, magic bytes for PDF and Office files, a
text check), never from the name or the browser's word; each kind (`KINDS`) allows some types,
a size and a number per subject. Files are served only by `kefu.documents.views` to a user the
subject's domain says may see it; nothing is under a public URL.
"""

import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageDraw, UnidentifiedImageError

from kefu import jobs
from kefu.core.errors import Invalid
from kefu.core.words import join
from kefu.documents import tasks
from kefu.documents.models import IMAGE_TYPES, Attachment

MB = 1024 * 1024
JPEG, PNG, WEBP = "image/jpeg", "image/png", "image/webp"
PDF = "application/pdf"
TEXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# What each type is called in a message, and the extension its stored copy gets.
LABELS = {JPEG: "JPG", PNG: "PNG", WEBP: "WebP", PDF: "PDF", TEXT: _("文本"), DOCX: "Word", XLSX: "Excel", PPTX: "PPT"}
EXTENSIONS = {JPEG: ".jpg", PNG: ".png", WEBP: ".webp", PDF: ".pdf", TEXT: ".txt", DOCX: ".docx", XLSX: ".xlsx"}
EXTENSIONS[PPTX] = ".pptx"
IMAGES = IMAGE_TYPES
DOCUMENTS = IMAGES | {PDF, TEXT, DOCX, XLSX, PPTX}
MAX_PIXELS = 64_000_000  # a 64-megapixel photo; beyond that a "photo" is a decompression bomb

TYPE_REFUSED = _("“%(name)s”不是允许的文件类型，只能上传 %(types)s。")
TOO_BIG = _("“%(name)s”超过 %(mb)d MB，无法上传。")
TOO_MANY = _("最多只能上传 %(n)d 个文件，“%(name)s”超出了数量。")
EMPTY = _("“%(name)s”是空文件。")
IMAGE_TOO_LARGE = _("“%(name)s”的像素过大，请缩小后再上传。")


@dataclass(frozen=True)
class Kind:
    """What a kind of attachment may be: its types, the largest file, how many per subject."""

    types: frozenset
    max_size: int = 10 * MB
    max_count: int = 12


KINDS: dict[str, Kind] = {
    # Service desk (SR-1): what the customer or the desk attaches to a request.
    "request": Kind(DOCUMENTS, max_size=10 * MB, max_count=10),
    # Field service (OS-3): the engineer's site photos of a service sheet.
    "site_photo": Kind(IMAGES, max_size=10 * MB, max_count=12),
    # Ready for the next domains: daily-log photos, DOA photos, identification sheets (scans).
    "daily_log_photo": Kind(IMAGES, max_size=10 * MB, max_count=20),
    "doa_photo": Kind(IMAGES, max_size=10 * MB, max_count=12),
    "id_sheet": Kind(IMAGES | {PDF}, max_size=10 * MB, max_count=5),
    # Implementation projects (PRJ-1..PRJ-7): task-book and request documents, signed scans,
    # the photo of a daily log confirmed on paper.
    "project_document": Kind(DOCUMENTS, max_size=20 * MB, max_count=30),
    "signed_scan": Kind(IMAGES | {PDF}, max_size=10 * MB, max_count=5),
    "log_confirmation": Kind(IMAGES, max_size=10 * MB, max_count=3),
}


# --- Who may see a subject's files ----------------------------------------------------------

_SUBJECTS: dict[str, Callable[[object, models.Model], bool]] = {}


def register_subject(label: str, *, may_see: Callable[[object, models.Model], bool]) -> None:
    """`label` is "app.model" of the subject; `may_see(user, subject)` says whether the user may
    see that subject (and so its files). Called from the domain's AppConfig.ready()."""
    _SUBJECTS[label.lower()] = may_see


def may_see(user, attachment: Attachment) -> bool:
    """True if the subject's domain lets this user see the subject; False for an unknown subject."""
    check = _SUBJECTS.get(f"{attachment.content_type.app_label}.{attachment.content_type.model}")
    if check is None or not user.is_authenticated:
        return False
    subject = attachment.content_type.model_class()._base_manager.filter(pk=attachment.object_id).first()
    return subject is not None and bool(check(user, subject))


def of(subject: models.Model, *, kind: str | None = None):
    """The live attachments of a subject, oldest first (of one kind, if given)."""
    qs = Attachment.objects.filter(content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk)
    return qs.filter(kind=kind) if kind else qs


# --- Checking and keeping a file ------------------------------------------------------------


# Beginnings of binary formats: a file that starts like one of them is never text, even where
# its bytes happen to decode (b"\x89P" is a GB18030 character): a broken image is refused.
BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF")  # (executables carry NUL bytes)


def _is_text(head: bytes, *, cut: bool) -> bool:
    """Plain text (a log, a CSV): no control bytes but tab, newlines, form feed and escape, and
    UTF-8 or GB18030 (what Chinese Windows writes). Where `head` is only the beginning of the
    file (`cut`), its last character may be cut in two."""
    if head.startswith(BINARY_MAGIC) or any(b < 0x20 and b not in b"\t\n\r\x0c\x1b" for b in head):
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            if not cut or exc.start < len(head) - 4:
                continue
        return True
    return False


def _office(upload) -> str | None:
    """A Word, Excel or PowerPoint file (OOXML: a zip with [Content_Types].xml and its part),
    without macros."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names or any(n.endswith("vbaProject.bin") for n in names):
        return None  # not OOXML, or a macro-enabled file (.docm, .xlsm) under a harmless name
    for prefix, mime in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
        if any(n.startswith(prefix) for n in names):
            return mime
    return None


def sniff(upload) -> tuple[str | None, tuple[int, int] | None]:
    """(the MIME type read from the content, the image's size in pixels) — (None, None) if the
    content is none of the types we know. The name and the browser's content type are ignored."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return PDF, None
        if head.startswith(b"PK\x03\x04"):
            return _office(upload), None
        try:
            # Only the formats we accept are tried (a phone's MPO comes through JPEG); verify() reads
            # the structure, not the pixels.
            with Image.open(upload, formats=["JPEG", "PNG", "WEBP"]) as image:
                fmt, size = image.format, image.size
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            pass
        else:
            return {"JPEG": JPEG, "MPO": JPEG, "PNG": PNG, "WEBP": WEBP}[fmt], size
        return (TEXT if head and _is_text(head, cut=len(head) < upload.size) else None), None
    finally:
        upload.seek(0)


def _upload_name(upload) -> str:
    return (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][:200] or "file"


def check(upload, *, kind: str, field: str = "files") -> str:
    """The upload's MIME type if it may be an attachment of `kind`; Invalid naming the file otherwise."""
    rules = KINDS[kind]
    name = _upload_name(upload)
    if upload.size > rules.max_size:
        raise Invalid(TOO_BIG % {"name": name, "mb": rules.max_size // MB}, field=field)
    if not upload.size:
        raise Invalid(EMPTY % {"name": name}, field=field)
    mime, pixels = sniff(upload)
    if mime not in rules.types:
        types = join(sorted({str(LABELS[t]) for t in rules.types}))
        raise Invalid(TYPE_REFUSED % {"name": name, "types": types}, field=field)
    if pixels and pixels[0] * pixels[1] > MAX_PIXELS:
        raise Invalid(IMAGE_TOO_LARGE % {"name": name}, field=field)
    return mime


def attach_all(subject: models.Model, uploads: Iterable, *, kind: str, by, now: datetime, field: str = "files"):
    """Keep several uploads with `subject`: all are checked first (count, size, type), then kept,
    so one bad file keeps none. Call it inside the domain's transition, after its permission check."""
    uploads = list(uploads)
    rules = KINDS[kind]
    already = of(subject, kind=kind).count() if uploads else 0
    if already + len(uploads) > rules.max_count:
        name = _upload_name(uploads[max(rules.max_count - already, 0)])
        raise Invalid(TOO_MANY % {"n": rules.max_count, "name": name}, field=field)
    types = [check(upload, kind=kind, field=field) for upload in uploads]
    return [
        _keep(subject, upload, mime, kind=kind, by=by, now=now) for upload, mime in zip(uploads, types, strict=True)
    ]


def attach(subject: models.Model, upload, *, kind: str, by, now: datetime, field: str = "files") -> Attachment:
    """Keep one upload with `subject` (kind, size and count checked); Invalid naming the file otherwise."""
    return attach_all(subject, [upload], kind=kind, by=by, now=now, field=field)[0]


def _keep(subject, upload, mime: str, *, kind: str, by, now: datetime) -> Attachment:
    item = Attachment(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        kind=kind,
        name=_upload_name(upload),
        mime_type=mime,
        size=upload.size,
        uploaded_at=now,
        uploaded_by=by,
    )
    upload.seek(0)
    item.file.save(f"file{EXTENSIONS[mime]}", upload, save=False)
    item.save()
    if item.is_image:
        # After commit, as a job: decoding a 10 MB photo takes up to a few tenths of a second, and
        # twelve of them inside the transition would hold SQLite's write lock for seconds. Until
        # the job has run (or if the broker was down) the thumbnail view makes it when first asked.
        jobs.enqueue(tasks.make_thumbnail, item.pk)
    return item


def sample_png(size: tuple[int, int] = (64, 48)) -> bytes:
    """A real PNG (a screen with a window on it), for the demo data and the tests."""
    image = Image.new("RGB", size, (40, 110, 200))
    w, h = size
    ImageDraw.Draw(image).rectangle([w // 8, h // 6, w * 7 // 8, h * 5 // 6], fill="white", outline="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
