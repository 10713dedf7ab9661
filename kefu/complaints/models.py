"""Complaints and customer crises (CP-1..CP-9): the complaint, its corrective actions, the
vendor escalations and the monthly analysis report's publication."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.org import roles

# Who works the complaints of the whole company (CP-2 … CP-8).
SUPERVISOR_ROLES = frozenset({roles.QUALITY})
OVERSEER_ROLES = frozenset(
    {roles.ADMIN, roles.QUALITY, roles.GENERAL_MANAGER, roles.SERVICE_MANAGER, roles.AFTERSALES_MANAGER}
)
# Headquarters of the station network (CP-9): coordinates a station's crisis.
HEADQUARTERS_ROLES = frozenset({roles.AFTERSALES_MANAGER, roles.SERVICE_MANAGER})


def oversees(user) -> bool:
    return (
        user.is_authenticated and not user.is_external and (user.is_superuser or bool(user.role_keys & OVERSEER_ROLES))
    )


class ComplaintQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The supervisor, the GM and the service managers see every complaint; a department head
        their department's; a responsible person or CAPA owner theirs; a station only its own
        crises (CP-9); customers none (their requests show the outcome)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_station_user:
            return self.filter(station_id=user.station_id) if user.station_id else self.none()
        if user.is_external:
            return self.none()
        if oversees(user):
            return self
        mine = models.Q(responsible=user) | models.Q(actions__owner=user) | models.Q(received_by=user)
        if roles.DEPT_HEAD in user.role_keys and user.department_id:
            mine |= models.Q(department_id=user.department_id) | models.Q(department__head=user)
        else:
            mine |= models.Q(department__head=user)
        return self.filter(pk__in=self.model.objects.filter(mine).values("pk"))

    def counted(self):
        """Complaints that count in the figures (CP-2): not those found outside the contract's
        promised service, and not those still awaiting review."""
        return self.exclude(status__in=[Complaint.Status.NEW, Complaint.Status.INVALID])

    def open(self):
        return self.exclude(status__in=[Complaint.Status.INVALID, Complaint.Status.CLOSED])


class Complaint(models.Model):
    """客户投诉 (CP-1): from the customer directly or transferred from the vendor (厂商转来)."""

    class Source(models.TextChoices):
        CUSTOMER = "customer", _("客户直接投诉")
        VENDOR = "vendor", _("厂商转来")

    class Channel(models.TextChoices):
        HOTLINE = "hotline", _("热线电话")
        PORTAL = "portal", _("客户门户")
        EMAIL = "email", _("电子邮件")
        REQUEST = "request", _("投诉类服务请求")
        SURVEY = "survey", _("满意度调查不满意")
        STATION = "station", _("维修站上报")
        VENDOR = "vendor", _("厂商转交")

    class Type(models.TextChoices):
        ATTITUDE = "attitude", _("服务态度")
        TIMELINESS = "timeliness", _("响应不及时")
        REPAIR = "repair", _("维修质量")
        PRODUCT = "product", _("产品质量")
        RULES = "rules", _("违反服务规范")
        CHARGE = "charge", _("收费问题")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        NEW = "new", _("待审核")
        INVALID = "invalid", _("不成立（已归档）")
        ASSIGNED = "assigned", _("待责任部门处理")
        HANDLING = "handling", _("处理中")
        AT_STATION = "at_station", _("维修站处理中")
        HQ_HELP = "hq_help", _("总部协调中")
        RESULT = "result", _("待验证")
        ESCALATED = "escalated", _("已升级厂商")
        CLOSED = "closed", _("已关闭")

    class Remedy(models.TextChoices):
        SERVICE = "service", _("再次服务")
        APOLOGY = "apology", _("道歉")
        COMPENSATION = "compensation", _("补偿")

    class Compensation(models.TextChoices):
        NONE = "", _("无需审批")
        PENDING = "pending", _("审批中")
        APPROVED = "approved", _("已批准")
        RETURNED = "returned", _("已退回")

    class Crisis(models.TextChoices):
        NONE = "", _("无")
        ORDINARY = "ordinary", _("普通危机")
        POTENTIAL = "potential", _("潜在危机")
        SERIOUS = "serious", _("严重危机")

    number = models.CharField(_("编号"), max_length=20, unique=True, null=True, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.CUSTOMER)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, default=Channel.HOTLINE)
    vendor_ref = models.CharField(_("厂商编号"), max_length=50, blank=True)
    vendor_contact = models.CharField(_("厂商联系人"), max_length=100, blank=True)
    vendor_email = models.EmailField(_("厂商邮箱"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="complaints"
    )
    contact_name = models.CharField(_("投诉人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    # What the complaint is about: a request, a work order, a station … (CP-1).
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("关联对象类型"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.CharField(_("关联对象"), max_length=40, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_label = models.CharField(_("关联事项"), max_length=200, blank=True)
    station = models.ForeignKey(
        "org.Station",
        verbose_name=_("维修站"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    type = models.CharField(_("投诉类型"), max_length=12, choices=Type.choices, default=Type.OTHER)
    title = models.CharField(_("投诉事项"), max_length=200)
    content = models.TextField(_("投诉内容"))
    product = models.CharField(_("产品"), max_length=100, blank=True)
    happened_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    served_by = models.CharField(_("服务人员"), max_length=100, blank=True)
    customer_asks = models.TextField(_("客户要求"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NEW)
    # Validity review (CP-2).
    valid = models.BooleanField(_("投诉成立"), null=True)
    explanation = models.TextField(_("向客户的解释"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # Handling (CP-3).
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_responsible",
    )
    cause = models.TextField(_("原因分析"), blank=True)
    measures = models.TextField(_("处理措施"), blank=True)
    remedy = models.CharField(_("处理方式"), max_length=12, choices=Remedy.choices, blank=True)
    compensation_amount = models.DecimalField(
        _("补偿金额"), max_digits=10, decimal_places=2, default=Decimal("0"), blank=True
    )
    compensation = models.CharField(
        _("补偿审批"), max_length=10, choices=Compensation.choices, default=Compensation.NONE, blank=True
    )
    contact_record = models.TextField(_("联系客户记录"), blank=True)
    contacted_at = models.DateTimeField(_("联系客户时间"), null=True, blank=True)
    result = models.TextField(_("处理结果"), blank=True)
    result_at = models.DateTimeField(_("结果反馈时间"), null=True, blank=True)
    # Key / VIP customers (CP-4).
    gm_flag = models.BooleanField(_("总经理关注"), default=False)
    gm_contact = models.TextField(_("总经理联系记录"), blank=True)
    gm_contacted_at = models.DateTimeField(_("总经理联系时间"), null=True, blank=True)
    # Verification (CP-5).
    satisfied = models.BooleanField(_("客户满意"), null=True)
    verification = models.TextField(_("验证意见"), blank=True)
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    # Vendor feedback (CP-7).
    vendor_feedback = models.TextField(_("反馈厂商内容"), blank=True)
    vendor_fed_back_at = models.DateTimeField(_("反馈厂商时间"), null=True, blank=True)
    # Crisis in the station network (CP-9).
    crisis_level = models.CharField(_("危机级别"), max_length=10, choices=Crisis.choices, default="", blank=True)
    media_exposure = models.BooleanField(_("媒体曝光"), default=False)
    station_report = models.TextField(_("维修站处理情况"), blank=True)
    help_request = models.TextField(_("请求总部协助"), blank=True)
    hq_solution = models.TextField(_("总部解决方案"), blank=True)
    crisis_raised_at = models.DateTimeField(_("升级为严重危机时间"), null=True, blank=True)
    crisis_archived_at = models.DateTimeField(_("危机归档时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("受理时间"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("修改时间"))

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户投诉")
        verbose_name_plural = _("客户投诉")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "-id"], name="complaints_status"),
            models.Index(fields=["received_at", "-id"], name="complaints_received"),
            models.Index(fields=["department", "-id"], name="complaints_department"),
            models.Index(fields=["station", "-id"], name="complaints_station"),
            models.Index(fields=["customer", "-id"], name="complaints_customer"),
            models.Index(fields=["subject_type", "subject_id"], name="complaints_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("complaints:detail", args=[self.pk])

    @property
    def is_crisis(self) -> bool:
        return bool(self.station_id and self.crisis_level)


class CorrectiveAction(models.Model):
    """纠正预防措施 (CP-6): owner, due date (a clock), evidence when done, the supervisor's check."""

    class Kind(models.TextChoices):
        CORRECTIVE = "corrective", _("纠正措施")
        PREVENTIVE = "preventive", _("预防措施")

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        DONE = "done", _("待检查")
        CHECKED = "checked", _("已验证关闭")

    complaint = models.ForeignKey(Complaint, verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices, default=Kind.CORRECTIVE)
    description = models.TextField(_("措施内容"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="capa_owned"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField(_("完成证据"), blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    check_note = models.TextField(_("检查意见"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("修改时间"))

    class Meta:
        verbose_name = _("纠正预防措施")
        verbose_name_plural = _("纠正预防措施")
        ordering = ["id"]
        indexes = [models.Index(fields=["owner", "status"], name="complaints_capa_owner")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.complaint}"

    def get_absolute_url(self) -> str:
        return reverse("complaints:detail", args=[self.complaint_id])


class VendorEscalation(models.Model):
    """Escalation to the vendor's service development department (CP-5): an outside party, so a
    record of whom we told, what was sent and what the vendor answered, until it is solved."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="escalations"
    )
    contact = models.CharField(_("厂商联系人"), max_length=100)
    sent = models.TextField(_("发送内容"))
    sent_at = models.DateTimeField(_("发送时间"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(_("厂商答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    solved = models.BooleanField(_("已解决"), default=False)

    class Meta:
        verbose_name = _("厂商升级记录")
        verbose_name_plural = _("厂商升级记录")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.complaint} → {self.contact}"


class MonthlyReport(models.Model):
    """《客户投诉分析报告》 of one month (CP-8): due on the 3rd working day of the next month (a
    clock on the supervisor), published to every department head and the general manager."""

    month = models.DateField(_("月份"), unique=True)  # the first day of the month
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("质量监督员"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(_("分析结论"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("月度投诉分析报告")
        verbose_name_plural = _("月度投诉分析报告")
        ordering = ["-month"]

    def __str__(self) -> str:
        return str(_("%(m)s 客户投诉分析报告") % {"m": self.month.strftime("%Y-%m")})

    def get_absolute_url(self) -> str:
        return reverse("complaints:monthly", args=[self.month.strftime("%Y-%m")])
