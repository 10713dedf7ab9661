"""Thumbnails of image attachments: a small JPEG, made once, after the upload has committed."""

import io
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from kefu.documents.images import THUMBNAIL
from kefu.documents.models import IMAGE_TYPES, Attachment

log = logging.getLogger(__name__)


def jpeg(stored_file, size: tuple[int, int] = THUMBNAIL) -> bytes:
    """A stored image as a small JPEG, turned upright (phones store the camera's orientation in
    EXIF) and flattened on white; b"" if it cannot be decoded."""
    try:
        with stored_file.open("rb") as fh, Image.open(fh) as image:
            image.draft("RGB", size)  # JPEG: decode at 1/2…1/8 scale, a fraction of the work
            image = ImageOps.exif_transpose(image)
            image.thumbnail(size)
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                flat = Image.new("RGB", image.size, "white")
                flat.paste(image, mask=image.getchannel("A"))
                image = flat
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        log.warning("no thumbnail for %s: %s", stored_file.name, exc)
        return b""
    return out.getvalue()


def make(attachment_id: int) -> bool:
    """Make and keep the thumbnail of an image attachment that has none; True if one was written.

    Safe to run twice or in two workers at once: the file is attached with a conditional UPDATE
    and the loser's copy is removed."""
    item = Attachment.objects.filter(pk=attachment_id, thumbnail="", mime_type__in=IMAGE_TYPES).first()
    if item is None:
        return False
    data = jpeg(item.file)
    if not data:
        return False
    field = item.thumbnail.field
    name = field.storage.save(field.generate_filename(item, "thumbnail.jpg"), ContentFile(data))
    with transaction.atomic():
        written = Attachment.objects.filter(pk=attachment_id, thumbnail="").update(thumbnail=name)
    if not written:
        field.storage.delete(name)
    return bool(written)
