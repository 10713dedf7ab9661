"""Approval chains (shared fitting): an ordered list of steps on any subject, each decided by
whoever the chain names (a role, or a relation to the subject), each on a deadline clock.

The approvals app never changes another domain's status: the chain's callbacks, registered by
the subject's domain (`kefu.approvals.chains.define`), make the subject's own move.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class ApprovalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The submitter, every decider of any step, and administrators see an approval."""
        if not user.is_authenticated or user.is_external:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(models.Q(submitted_by=user) | models.Q(steps__deciders=user)).distinct()


class Approval(models.Model):
    """审批: one chain run on one subject; a returned approval is revised and resubmitted as the
    next round of the same approval, so its history stays in one place."""

    class Status(models.TextChoices):
        PENDING = "pending", _("审批中")
        APPROVED = "approved", _("已批准")
        RETURNED = "returned", _("已退回修改")
        REJECTED = "rejected", _("已驳回")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    subject_label = models.CharField(_("审批事项"), max_length=200)
    chain = models.CharField(_("审批流程"), max_length=100)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    note = models.TextField(_("提交说明"), blank=True)
    submitted_by = models.ForeignKey(USER, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"))
    decided_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ApprovalQuerySet.as_manager()

    class Meta:
        verbose_name = _("审批")
        verbose_name_plural = _("审批")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "chain"], name="approval_subject")]
        constraints = [
            # One approval per subject and chain: a resubmission is its next round, not a second one.
            models.UniqueConstraint(fields=["content_type", "object_id", "chain"], name="approval_one_per_subject")
        ]

    def __str__(self) -> str:
        return f"{self.subject_label} · {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        subject = self.subject
        url = getattr(subject, "get_absolute_url", None)
        return url() if url else "/approvals/"


class ApprovalStep(models.Model):
    """One step of one round: who may decide, the verdict, the reason."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("未开始")
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("同意")
        RETURNED = "returned", _("退回修改")
        REJECTED = "rejected", _("驳回")
        SKIPPED = "skipped", _("未审批")

    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="steps")
    round = models.PositiveSmallIntegerField(_("轮次"))
    order = models.PositiveSmallIntegerField(_("顺序"))
    label = models.CharField(_("审批环节"), max_length=100)
    rule = models.CharField(_("时限规则"), max_length=100)
    deciders = models.ManyToManyField(USER, verbose_name=_("审批人"), related_name="approval_steps", blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.WAITING)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    reason = models.TextField(_("意见"), blank=True)

    class Meta:
        verbose_name = _("审批环节")
        verbose_name_plural = _("审批环节")
        ordering = ["approval", "round", "order"]
        indexes = [models.Index(fields=["status", "approval"], name="approval_step_status")]
        constraints = [models.UniqueConstraint(fields=["approval", "round", "order"], name="approval_step_unique")]

    def __str__(self) -> str:
        return f"{self.approval.subject_label} · {self.label}"

    def get_absolute_url(self) -> str:
        # A step's clock and notice lead to the approval page, where it is decided (no query).
        return reverse("approvals:detail", args=[self.approval_id])
