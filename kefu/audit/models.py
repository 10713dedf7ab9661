"""Audit events: what happened, to what, by whom, from which state to which (QS-1)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.audit import verbs


class Event(models.Model):
    """One business event, written by a workflow function inside its transaction.

    Append-only: there is no update or delete path in the code or the admin.
    """

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Kept as text too, so the record stays readable if the user is renamed or deactivated.
    actor_name = models.CharField(_("操作人姓名"), max_length=100, blank=True)
    verb = models.CharField(_("动作"), max_length=50)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("对象"), max_length=200)
    before = models.CharField(_("变更前"), max_length=100, blank=True)
    after = models.CharField(_("变更后"), max_length=100, blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.actor_name} {self.verb_label} {self.object_repr}"

    @property
    def domain(self) -> str:
        """The app of the subject: the verb's namespace (issue 14 §1). From the content-type cache."""
        return ContentType.objects.get_for_id(self.content_type_id).app_label

    @property
    def verb_label(self) -> str:
        """What the verb is called in the user's language (its label in the subject's domain), never its code."""
        return verbs.verb_label(self.verb, self.domain)
