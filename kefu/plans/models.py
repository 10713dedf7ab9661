"""Customer service plan (PLAN-1..PLAN-3): written from the contract, approved, signed."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kefu.org import roles

READER_ROLES = frozenset(
    {
        roles.ADMIN,
        roles.CUSTOMER_REP,
        roles.DEPT_HEAD,
        roles.SERVICE_DESK,
        roles.SERVICE_MANAGER,
        roles.GENERAL_MANAGER,
        roles.FIRST_VISIT,
    }
)


class ServicePlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Customer relations staff see all plans; a portal user its organisation's approved plans."""
        if not user.is_authenticated:
            return self.none()
        if user.is_customer_user:
            return self.filter(
                customer__contacts__portal_user=user,
                status__in=[ServicePlan.Status.APPROVED, ServicePlan.Status.SIGNED],
            )
        if user.is_external:
            return self.none()
        if user.is_superuser or user.role_keys & READER_ROLES:
            return self
        return self.none()


class ServicePlan(models.Model):
    """客户服务计划: content, period, return-visit frequency and requirements (seed 002)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审批")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已批准")
        SIGNED = "signed", _("客户已签字")

    class Frequency(models.IntegerChoices):
        MONTHLY = 1, _("每月一次")
        BIMONTHLY = 2, _("每两个月一次")
        QUARTERLY = 3, _("每季度一次")
        HALF_YEARLY = 6, _("每半年一次")
        YEARLY = 12, _("每年一次")

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="service_plans"
    )
    contract = models.ForeignKey(
        "customers.Contract",
        verbose_name=_("合同"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_plans",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("编写人"), on_delete=models.PROTECT, related_name="service_plans"
    )
    content = models.TextField(_("服务内容"))
    period_start = models.DateField(_("服务期限自"))
    period_end = models.DateField(_("服务期限至"))
    visit_frequency = models.PositiveSmallIntegerField(
        _("回访频度"), choices=Frequency.choices, default=Frequency.BIMONTHLY
    )
    visit_channel = models.CharField(_("回访方式"), max_length=10, default="phone")
    requirements = models.TextField(_("服务要求"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("编写时间"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    signer_name = models.CharField(_("签字人"), max_length=50, blank=True)
    signature = models.FileField(_("签名"), upload_to="plans/signatures/%Y/%m/", blank=True)
    signed_scan = models.FileField(_("签字扫描件"), upload_to="plans/scans/%Y/%m/", blank=True)
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ServicePlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户服务计划")
        verbose_name_plural = _("客户服务计划")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="plans_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="plans_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", args=[self.pk])
