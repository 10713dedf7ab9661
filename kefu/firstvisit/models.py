"""First visit after signing (FV-1..FV-6): the task, the needs heard, the email template."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kefu.org import roles
from kefu.search.models import SearchableModel

# Roles that follow first visits (the specialists, their head, sales who handed over, managers).
VIEW_ROLES = frozenset(
    {
        roles.ADMIN,
        roles.FIRST_VISIT,
        roles.CUSTOMER_REP,
        roles.DEPT_HEAD,
        roles.SALES,
        roles.GENERAL_MANAGER,
    }
)


def sees_first_visits(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(user.role_keys & VIEW_ROLES)) and not user.is_external


class FirstVisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if sees_first_visits(user) else self.none()


class FirstVisit(SearchableModel):
    """首访: the call after signing that verifies the archive and captures needs."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待首访")
        RETRY = "retry", _("未完成，待再次联系")
        COMPLETED = "completed", _("已完成")

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="first_visits"
    )
    contract = models.OneToOneField(
        "customers.Contract", verbose_name=_("合同"), on_delete=models.PROTECT, related_name="first_visit"
    )
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("首访专员"),
        null=True,
        on_delete=models.PROTECT,
        related_name="first_visits",
    )
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("移交人"), on_delete=models.PROTECT, related_name="+"
    )
    handed_over_at = models.DateTimeField(_("移交时间"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    verified_fields = models.JSONField(_("已核实项"), default=list, blank=True)
    process_explained_at = models.DateTimeField(_("已告知服务流程"), null=True, blank=True)
    process_email_sent_at = models.DateTimeField(_("服务流程邮件发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("未接通/未完成次数"), default=0)
    not_completed_reason = models.CharField(_("未完成原因"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("下次联系时间"), null=True, blank=True)
    summary = models.TextField(_("首访记录"), blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = FirstVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("首访")
        verbose_name_plural = _("首访")
        ordering = ["-handed_over_at", "-id"]
        indexes = [
            models.Index(fields=["specialist", "status"], name="firstvisit_mine"),
            models.Index(fields=["status", "-handed_over_at"], name="firstvisit_status"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.contract}"

    def get_absolute_url(self) -> str:
        return reverse("firstvisit:detail", args=[self.pk])

    def search_text(self) -> str:
        parts = [
            self.customer.name,
            self.customer.short_name,
            self.contract.number,
            self.summary,
            self.not_completed_reason,
        ]
        if self.pk:
            parts += [n.content for n in self.needs.all()]
        return " ".join(filter(None, parts))


class NeedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """First-visit staff see all needs; a department head those submitted to their departments."""
        if sees_first_visits(user):
            return self
        if user.is_authenticated and not user.is_external:
            return self.filter(department__head=user, status=Need.Status.SUBMITTED)
        return self.none()


class Need(models.Model):
    """需求: something the customer wants, tagged with the department that serves it (FV-5)."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("已记录，待提交")
        SUBMITTED = "submitted", _("已提交部门负责人")

    first_visit = models.ForeignKey(FirstVisit, on_delete=models.PROTECT, related_name="needs")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="needs")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("负责部门"), on_delete=models.PROTECT, related_name="needs"
    )
    content = models.TextField(_("需求内容"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RECORDED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"))
    submitted_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交给"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs_received",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["department", "status", "-recorded_at"], name="firstvisit_need_dept")]

    def __str__(self) -> str:
        return self.content[:50]

    def get_absolute_url(self) -> str:
        return reverse("firstvisit:need", args=[self.pk])


class EmailTemplate(models.Model):
    """An editable email (FV-4): Django template syntax with {{ customer }}, {{ contact }}, {{ company }},
    and {{ response.urgent|high|medium|low }}, the first-response limits read from the deadline rules."""

    key = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    subject = models.CharField(_("邮件标题"), max_length=200)
    body = models.TextField(_("邮件正文"))
    updated_at = models.DateTimeField(_("修改时间"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("邮件模板")
        verbose_name_plural = _("邮件模板")

    def __str__(self) -> str:
        return self.name
