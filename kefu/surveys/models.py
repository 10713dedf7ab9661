"""Satisfaction surveys (满意度调查, RV-7) and the rectification items (整改) an unsatisfied answer opens."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.org import roles

# Who sees every survey and rectification, and follows them up.
MANAGER_ROLES = frozenset(
    {
        roles.ADMIN,
        roles.SERVICE_MANAGER,
        roles.QUALITY,
        roles.DEPT_HEAD,
        roles.GENERAL_MANAGER,
        roles.AFTERSALES_MANAGER,
    }
)
# Who records an answer given on the phone.
ENTRY_ROLES = frozenset({roles.SERVICE_DESK, roles.CUSTOMER_REP, roles.CALL_CENTER, roles.HOTLINE}) | MANAGER_ROLES
UNSATISFIED_MAX = 2  # a rating of 1 or 2 (of 5) is unsatisfied


def manages_surveys(user) -> bool:
    return (
        user.is_authenticated and not user.is_external and (user.is_superuser or bool(user.role_keys & MANAGER_ROLES))
    )


def is_staff(user) -> bool:
    return user.is_authenticated and not user.is_external and (user.is_superuser or user.has_internal_role)


class SurveyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Managers and the people who enter answers see all; other staff the surveys of their own service."""
        if manages_surveys(user) or (is_staff(user) and user.role_keys & ENTRY_ROLES):
            return self
        if is_staff(user):
            return self.filter(served_by=user)
        return self.none()


class Survey(models.Model):
    """满意度调查: one per handled subject (a request, a work order …), answered once (RV-7)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待评价")
        ANSWERED = "answered", _("已评价")

    class Channel(models.TextChoices):
        LINK = "link", _("链接自助评价")
        PHONE = "phone", _("电话录入")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=40)
    subject = GenericForeignKey("content_type", "object_id")
    subject_label = models.CharField(_("调查事项"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="surveys"
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("服务人员"), on_delete=models.PROTECT, related_name="surveys_served"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    rating = models.PositiveSmallIntegerField(
        _("评分"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("意见"), blank=True)
    problem = models.BooleanField(_("存在问题"), default=False)
    channel = models.CharField(_("评价方式"), max_length=10, choices=Channel.choices, blank=True)
    answered_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发起时间"))
    expires_at = models.DateTimeField(_("链接有效期至"))

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="surveys_one_per_subject"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="surveys_rating_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-id"], name="surveys_status"),
            models.Index(fields=["served_by", "-id"], name="surveys_served"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.subject_label}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:detail", args=[self.pk])

    @property
    def unsatisfied(self) -> bool:
        return self.status == self.Status.ANSWERED and (self.problem or (self.rating or 5) <= UNSATISFIED_MAX)


class RectificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        if manages_surveys(user):
            return self
        if is_staff(user):
            return self.filter(owner=user)
        return self.none()


class Rectification(models.Model):
    """整改: opened for whoever served when a customer is unsatisfied (RV-7); due on a clock."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        DONE = "done", _("已整改")

    survey = models.OneToOneField(
        Survey, verbose_name=_("满意度调查"), on_delete=models.PROTECT, related_name="rectification"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="rectifications"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("整改责任人"), on_delete=models.PROTECT, related_name="rectifications"
    )
    reason = models.TextField(_("客户意见"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    action_taken = models.TextField(_("整改措施"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改")
        verbose_name_plural = _("整改")
        ordering = ["-id"]
        indexes = [models.Index(fields=["owner", "status"], name="surveys_rect_owner")]

    def __str__(self) -> str:
        return f"{_('整改')} · {self.customer}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:detail", args=[self.survey_id])
