"""One attachment model for every domain (issue 14 §5): a file kept with its subject.

The subject is any row (generic relation: `content_type` + `object_id`); the domain picks the
`kind` ("request", "site_photo", "doa_photo" …, see `kefu.documents.attachments.KINDS`). The
stored name is random: the original one is `name`, so nothing can be found by guessing.
"""

import os
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.models import SoftDeletable

# The images we keep, show inline and make thumbnails of (never SVG: it can carry script).
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def _stored_name(instance: "Attachment", filename: str) -> str:
    at = timezone.localtime(instance.uploaded_at or timezone.now())
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"attachments/{instance.kind}/{at:%Y/%m}/{uuid.uuid4().hex}{ext}"


def _thumbnail_name(instance: "Attachment", filename: str) -> str:
    at = timezone.localtime(instance.uploaded_at or timezone.now())
    return f"attachments/thumbnails/{at:%Y/%m}/{uuid.uuid4().hex}.jpg"


class Attachment(SoftDeletable):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("类别"), max_length=30)
    file = models.FileField(_("文件"), upload_to=_stored_name, max_length=255)
    name = models.CharField(_("文件名"), max_length=200)
    mime_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    thumbnail = models.FileField(_("缩略图"), upload_to=_thumbnail_name, max_length=255, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["id"]
        indexes = [models.Index(fields=["content_type", "object_id", "kind"], name="attachment_subject")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.mime_type in IMAGE_TYPES

    @property
    def url(self) -> str:
        return reverse("documents:file", args=[self.pk])

    @property
    def thumbnail_url(self) -> str:
        """The small picture of an image (the original until the thumbnail job has run); "" for others."""
        return reverse("documents:thumbnail", args=[self.pk]) if self.is_image else ""
