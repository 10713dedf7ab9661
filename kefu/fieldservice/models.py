"""Onsite service (OS-1..OS-9): work orders, appointments, service sheets, escalations, QA samples.

A work order is assigned to one engineer today. The network variant (RS-*) adds an
`assignee_station` foreign key beside `engineer`; `WorkOrderQuerySet.visible_to` is the one
place that then grows a station branch.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.models import AliveManager, AliveQuerySet, SoftDeletable
from kefu.deadlines.models import Waitable
from kefu.documents.models import Attachment
from kefu.org import roles

USER = settings.AUTH_USER_MODEL

# Roles that see every work order (the office side of onsite service).
OFFICE_ROLES = frozenset(
    {
        roles.ADMIN,
        roles.SERVICE_MANAGER,
        roles.AFTERSALES_MANAGER,
        roles.SERVICE_DESK,
        roles.QUALITY,
        roles.DEPT_HEAD,
        roles.GENERAL_MANAGER,
    }
)


def sees_all_orders(user) -> bool:
    return user.is_authenticated and not user.is_external and (user.is_superuser or bool(user.role_keys & OFFICE_ROLES))


class WorkOrderQuerySet(AliveQuerySet):
    def visible_to(self, user):
        """Office roles see all; a field engineer only the orders dispatched to them; stations none (QS-6)."""
        if not user.is_authenticated or user.is_external:
            return self.none()
        if sees_all_orders(user):
            return self
        if user.has_role(roles.FIELD_ENGINEER):
            return self.filter(engineer=user)
        return self.none()


class WorkOrder(SoftDeletable, Waitable):
    """派工单 (OS-1..OS-5): one onsite job from the request to the written-off, signed sheet."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待核实")
        RETURNED = "returned", _("已退回")
        VERIFIED = "verified", _("待派发")
        DISPATCHED = "dispatched", _("已派发")
        CONFIRMED = "confirmed", _("已确认")
        SCHEDULED = "scheduled", _("已预约")
        ON_SITE = "on_site", _("服务中")
        COMPLETED = "completed", _("待签字")
        SIGNED = "signed", _("已签字")
        WRITTEN_OFF = "written_off", _("已核销")
        ESCALATED = "escalated", _("已升级")
        CLOSED = "closed", _("已关闭")

    number = models.CharField(_("编号"), max_length=20, unique=True, null=True, blank=True)
    request = models.ForeignKey(
        "servicedesk.ServiceRequest", verbose_name=_("服务请求"), on_delete=models.PROTECT, related_name="work_orders"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="work_orders"
    )
    previous = models.ForeignKey(
        "self", verbose_name=_("上次派工"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=15, choices=Status.choices, default=Status.REQUESTED)
    reason = models.TextField(_("上门原因"))
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    verify_note = models.CharField(_("核实说明"), max_length=500, blank=True)
    engineer = models.ForeignKey(
        USER, verbose_name=_("服务工程师"), null=True, blank=True, on_delete=models.PROTECT, related_name="work_orders"
    )
    created_at = models.DateTimeField(_("申请时间"))
    created_by = models.ForeignKey(USER, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派发时间"), null=True, blank=True)
    dispatched_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    appointment_start = models.DateTimeField(_("预约开始"), null=True, blank=True, db_index=True)
    appointment_end = models.DateTimeField(_("预约结束"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("到达时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    written_off_at = models.DateTimeField(_("核销时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("修改时间"))

    objects = AliveManager.from_queryset(WorkOrderQuerySet)()
    all_objects = models.Manager.from_queryset(WorkOrderQuerySet)()

    class Meta:
        verbose_name = _("派工单")
        verbose_name_plural = _("派工单")
        ordering = ["-created_at", "-id"]
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["status", "created_at"], name="wo_board"),
            models.Index(fields=["engineer", "status", "appointment_start"], name="wo_engineer_day"),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.customer.name if self.customer_id else ''}"

    def get_absolute_url(self) -> str:
        return reverse("fieldservice:detail", args=[self.pk])


class EngineerProfile(models.Model):
    """What the dispatch board shows of an engineer besides load: skills and region (OS-1)."""

    user = models.OneToOneField(USER, on_delete=models.PROTECT, related_name="field_profile")
    skills = models.CharField(_("技能"), max_length=200, blank=True)
    region = models.ForeignKey(
        "org.Region", verbose_name=_("服务区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("工程师档案")
        verbose_name_plural = _("工程师档案")

    def __str__(self) -> str:
        return f"{self.user} {self.skills}"


class Appointment(models.Model):
    """预约 (OS-2): each agreed time is kept; a missed one keeps its reason."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField(_("开始"))
    end = models.DateTimeField(_("结束"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    missed_reason = models.CharField(_("爽约原因"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {timezone.localtime(self.start):%Y-%m-%d %H:%M}"


class ServiceSheet(models.Model):
    """客户服务单 (OS-3, OS-4, OS-6): what was done on site, signed by the customer."""

    class Outcome(models.TextChoices):
        SOLVED = "solved", _("已解决")
        PARTLY = "partly", _("部分解决")
        NOT_SOLVED = "not_solved", _("未解决")

    order = models.OneToOneField(WorkOrder, on_delete=models.PROTECT, related_name="sheet")
    backup_done = models.BooleanField(_("已备份客户数据"), default=False)
    backup_location = models.CharField(_("备份位置"), max_length=300, blank=True)
    phenomenon = models.TextField(_("问题现象"))
    cause = models.TextField(_("原因"), blank=True)
    method = models.TextField(_("解决办法"), blank=True)
    steps = models.TextField(_("解决步骤"), blank=True)
    prevention = models.TextField(_("预防建议"), blank=True)
    parts_used = models.TextField(_("使用配件"), blank=True)
    minutes_spent = models.PositiveIntegerField(_("服务用时（分钟）"), default=0)
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices)
    signer_name = models.CharField(_("签字人"), max_length=50, blank=True)
    signature = models.FileField(_("签名"), upload_to="sheets/signatures/%Y/%m/", blank=True)
    paper_photo = models.FileField(_("签字纸质单照片"), upload_to="sheets/paper/%Y/%m/", blank=True)
    pdf = models.FileField(_("服务单 PDF"), upload_to="sheets/pdf/%Y/%m/", blank=True)
    filled_at = models.DateTimeField(_("填写时间"))
    filled_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    archived_at = models.DateTimeField(_("存档时间"), null=True, blank=True)
    archived_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    return_visit_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    return_visit_note = models.TextField(_("回访记录"), blank=True)
    # The engineer's site photos (OS-3): kefu.documents, kind "site_photo".
    photos = GenericRelation(Attachment, related_query_name="service_sheet")

    class Meta:
        verbose_name = _("服务单")
        verbose_name_plural = _("服务单")
        indexes = [models.Index(fields=["signed_at"], name="sheet_signed")]

    def __str__(self) -> str:
        return f"{_('服务单')} {self.order}"

    def get_absolute_url(self) -> str:
        return reverse("fieldservice:detail", args=[self.order_id])

    def visit_contact(self):
        """Whom the next-day return visit calls (RV-2, kefu.visits): who reported the problem."""
        return self.order.request.contact


class Escalation(models.Model):
    """升级 (OS-5, OS-8): a problem handed to the vendor, headquarters or (via purchasing) a supplier."""

    class Target(models.TextChoices):
        VENDOR = "vendor", _("厂商")
        HEADQUARTERS = "hq", _("总部")
        SUPPLIER = "supplier", _("供应商（经采购）")

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="escalations")
    target = models.CharField(_("升级对象"), max_length=10, choices=Target.choices)
    party = models.CharField(_("对方名称"), max_length=100, blank=True)
    note = models.TextField(_("问题说明"))
    opened_at = models.DateTimeField(_("升级时间"))
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(_("答复/结果"), blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("升级")
        verbose_name_plural = _("升级")

    def __str__(self) -> str:
        return f"{self.get_target_display()} {self.order}"

    def get_absolute_url(self) -> str:
        return reverse("fieldservice:detail", args=[self.order_id])


class Consultation(models.Model):
    """会诊 (OS-9): the after-sales department assigns the right people; the result is recorded."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="consultations")
    topic = models.CharField(_("议题"), max_length=300)
    participants = models.ManyToManyField(USER, verbose_name=_("参加人员"), related_name="+")
    organised_at = models.DateTimeField(_("组织时间"))
    organised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    result = models.TextField(_("会诊结果"), blank=True)
    result_at = models.DateTimeField(_("结果时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("会诊")
        verbose_name_plural = _("会诊")

    def __str__(self) -> str:
        return self.topic

    def get_absolute_url(self) -> str:
        return reverse("fieldservice:detail", args=[self.order_id])


class QASample(models.Model):
    """QA库 (OS-7, KB-4): a service sheet picked in a week's sample, with a reviewer's verdict."""

    class Verdict(models.TextChoices):
        GOOD = "good", _("规范")
        ACCEPTABLE = "acceptable", _("基本规范")
        POOR = "poor", _("需整改")

    sheet = models.OneToOneField(ServiceSheet, on_delete=models.PROTECT, related_name="qa_sample")
    week = models.DateField(_("周（周一）"), db_index=True)
    proposed = models.BooleanField(_("系统推荐"), default=False)
    picked_at = models.DateTimeField(_("抽取时间"))
    picked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(_("评审结论"), max_length=12, choices=Verdict.choices, blank=True)
    comment = models.TextField(_("评审意见"), blank=True)
    reviewed_at = models.DateTimeField(_("评审时间"), null=True, blank=True)
    reviewer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("QA库条目")
        verbose_name_plural = _("QA库")
        ordering = ["-week", "id"]

    def __str__(self) -> str:
        return f"QA {self.week} {self.sheet}"

    def get_absolute_url(self) -> str:
        return reverse("fieldservice:detail", args=[self.sheet.order_id])
