"""Signatures and photos: one decoder and one check for every domain (OS-3, OS-4, PLAN-3).

A drawn signature arrives as a PNG data URL from signature_pad; it must really be a PNG of a
sensible size. A photo must really be an image (JPEG, PNG or WebP), not a renamed file.
Pillow reads the header only: nothing is decoded beyond what the check needs.
"""

import base64
import binascii
import io

from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageDraw, UnidentifiedImageError

from kefu.core.errors import Invalid

BAD_SIGNATURE = _("签名图片无法读取，请重新签名。")
BAD_PHOTO = _("照片须为 JPG、PNG 或 WebP 图片，且不超过 10 MB：%(name)s")

MAX_SIGNATURE = 1024 * 1024
SIGNATURE_SIZE = ((50, 20), (4000, 4000))  # (min width, min height), (max width, max height)
MAX_PHOTO = 10 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: what many phone cameras write as .jpg
THUMBNAIL = (320, 240)


def signature_png(data_url: str, *, field: str = "signature") -> bytes:
    """The PNG bytes of a drawn signature (`data:image/png;base64,…`), checked; Invalid otherwise."""
    header, _sep, payload = (data_url or "").partition(",")
    if not header.startswith("data:image/png;base64") or not payload or len(payload) > MAX_SIGNATURE * 4 // 3 + 4:
        raise Invalid(BAD_SIGNATURE, field=field)
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(BAD_SIGNATURE, field=field) from None
    if not raw.startswith(b"\x89PNG\r\n\x1a\n") or len(raw) > MAX_SIGNATURE:
        raise Invalid(BAD_SIGNATURE, field=field)
    try:
        with Image.open(io.BytesIO(raw)) as image:
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Invalid(BAD_SIGNATURE, field=field) from None
    (min_w, min_h), (max_w, max_h) = SIGNATURE_SIZE
    if not (min_w <= width <= max_w and min_h <= height <= max_h):
        raise Invalid(BAD_SIGNATURE, field=field)
    return raw


def check_photo(upload, *, field: str = "photos") -> None:
    """A photo upload is an image of an allowed format and size; Invalid naming the file otherwise."""
    name = getattr(upload, "name", "") or ""
    if upload.size > MAX_PHOTO:
        raise Invalid(BAD_PHOTO % {"name": name}, field=field)
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Invalid(BAD_PHOTO % {"name": name}, field=field) from None
    finally:
        upload.seek(0)
    if kind not in PHOTO_FORMATS:
        raise Invalid(BAD_PHOTO % {"name": name}, field=field)


def thumbnail_data_url(stored_file, size: tuple[int, int] = THUMBNAIL) -> str:
    """A small JPEG of a stored image as a data URL (for a PDF); "" if it cannot be read."""
    try:
        with stored_file.open("rb") as fh, Image.open(fh) as image:
            image.thumbnail(size)
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, ValueError):
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


def data_url(stored_file) -> str:
    """A stored PNG or JPEG (a signature, a photo of a paper sheet) as a data URL; "" if missing."""
    try:
        with stored_file.open("rb") as fh:
            raw = fh.read()
    except (OSError, ValueError):
        return ""
    kind = "png" if raw[:4] == b"\x89PNG" else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(raw).decode()}"


def sample_signature() -> str:
    """A drawn signature as signature_pad sends it (a PNG data URL of one stroke), for the demo
    data and the tests."""
    image = Image.new("RGB", (300, 100), "white")
    ImageDraw.Draw(image).line([(20, 70), (80, 20), (140, 80), (200, 35), (280, 60)], fill="black", width=5)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
