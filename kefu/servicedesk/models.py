"""Service desk (SR, HL): requests, their steps, hotline records, the duty roster, handovers, call logs."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.models import AliveManager, AliveQuerySet, SoftDeletable
from kefu.customers.models import reads_archive, scoped, sees_by_relation
from kefu.deadlines.models import Waitable
from kefu.documents.models import Attachment
from kefu.fieldservice.models import WorkOrder
from kefu.org import roles
from kefu.search.models import SearchableModel

USER = settings.AUTH_USER_MODEL


def is_desk_staff(user) -> bool:
    """Company staff who work with customers see every request (the archive roles)."""
    return user.is_authenticated and not user.is_external and reads_archive(user)


def sees_own_visits_only(user) -> bool:
    """A field engineer (without an archive role) sees the requests of the orders dispatched
    to them and nothing else of the desk (QS-6)."""
    return sees_by_relation(user) and user.has_role(roles.FIELD_ENGINEER)


# Statuses of a request still being handled (closed and withdrawn are done).
OPEN_STATUSES = ("new", "in_progress", "shelved", "onsite", "solved")
_ALIVE = models.Q(deleted_at__isnull=True)
_OPEN = models.Q(deleted_at__isnull=True, status__in=OPEN_STATUSES)


class ServiceRequestQuerySet(AliveQuerySet):
    def visible_to(self, user):
        """Staff of the archive roles see all; a portal user its organisation's; a field engineer
        those with an order dispatched to them; stations none (QS-6)."""
        if sees_own_visits_only(user):
            return self.filter(pk__in=WorkOrder.all_objects.filter(engineer=user).values("request_id"))
        return scoped(self, user, "customer__")


class ServiceRequest(SoftDeletable, SearchableModel, Waitable):
    """服务请求 (SR-1..SR-7): one customer problem from intake to the customer's confirmation."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("电话")
        EMAIL = "email", _("邮件")
        PORTAL = "portal", _("客户门户")
        CHAT = "chat", _("QQ/微信/在线")
        API = "api", _("接口")

    class Type(models.TextChoices):
        CONSULTATION = "consultation", _("产品咨询")
        FAULT = "fault", _("故障请求")
        COMPLAINT = "complaint", _("客户投诉")
        OTHER = "other", _("其他问题")

    class Priority(models.TextChoices):
        URGENT = "urgent", _("紧急")
        HIGH = "high", _("高")
        MEDIUM = "medium", _("中")
        LOW = "low", _("低")

    class Status(models.TextChoices):
        NEW = "new", _("待响应")
        IN_PROGRESS = "in_progress", _("处理中")
        SHELVED = "shelved", _("搁置")
        ONSITE = "onsite", _("待上门")
        SOLVED = "solved", _("待客户确认")
        CLOSED = "closed", _("已关闭")
        WITHDRAWN = "withdrawn", _("已撤销")

    class Confirmation(models.TextChoices):
        PHONE = "phone", _("电话确认")
        EMAIL = "email", _("邮件确认")
        CHAT = "chat", _("QQ/微信确认")
        SIGNATURE = "signature", _("现场签字")
        PORTAL = "portal", _("客户门户确认")

    class Withdrawal(models.TextChoices):
        NONE = "", _("无")
        REQUESTED = "requested", _("待呼叫中心审核")
        REJECTED = "rejected", _("审核未通过")
        APPROVED = "approved", _("已审核撤销")

    # As SoftDeletable's, without its single-column index: every list index here is partial on
    # "deleted_at IS NULL", and SQLite, offered that index for the live-rows condition, read
    # all live requests through it and sorted them (1.9 s at 200,000) instead of walking sr_newest.
    deleted_at = models.DateTimeField(_("删除时间"), null=True, blank=True)
    number = models.CharField(_("编号"), max_length=20, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="service_requests"
    )
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("联系人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    caller = models.CharField(_("来电人/提出人"), max_length=50, blank=True)
    caller_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    channel = models.CharField(_("来源渠道"), max_length=10, choices=Channel.choices)
    type = models.CharField(_("类型"), max_length=15, choices=Type.choices, default=Type.FAULT)
    priority = models.CharField(_("优先级"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(_("状态"), max_length=15, choices=Status.choices, default=Status.NEW)
    title = models.CharField(_("标题"), max_length=200)
    product = models.CharField(_("产品/版本"), max_length=100, blank=True)
    # The service sheet (客户服务单, SR-6).
    phenomenon = models.TextField(_("问题现象"))
    cause = models.TextField(_("原因"), blank=True)
    method = models.TextField(_("处理方法"), blank=True)
    result = models.TextField(_("处理结果"), blank=True)
    prevention = models.TextField(_("预防建议"), blank=True)
    needs_onsite = models.BooleanField(_("需要上门"), default=False)
    owner = models.ForeignKey(
        USER,
        verbose_name=_("首问负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_requests",
    )
    created_at = models.DateTimeField(_("受理时间"))
    created_by = models.ForeignKey(USER, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    first_response_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    first_response_due = models.DateTimeField(_("首次响应时限"), null=True, blank=True)
    solved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    confirmed_via = models.CharField(_("确认方式"), max_length=10, choices=Confirmation.choices, blank=True)
    confirmation_note = models.CharField(_("确认说明"), max_length=500, blank=True)
    reopened = models.PositiveSmallIntegerField(_("重开次数"), default=0)
    withdrawal = models.CharField(_("撤销审核"), max_length=10, choices=Withdrawal.choices, blank=True, default="")
    withdrawal_reason = models.CharField(_("撤销原因"), max_length=500, blank=True)
    withdrawal_requested_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("修改时间"))

    # Files the customer or the desk attached (SR-1): kefu.documents, kind "request".
    attachments = GenericRelation(Attachment, related_query_name="service_request")

    objects = AliveManager.from_queryset(ServiceRequestQuerySet)()
    all_objects = models.Manager.from_queryset(ServiceRequestQuerySet)()

    class Meta:
        verbose_name = _("服务请求")
        verbose_name_plural = _("服务请求")
        ordering = ["-created_at", "-id"]
        base_manager_name = "all_objects"
        # The list (SR, QS-5) shows live requests newest first. Each usual filter has an index
        # in that order, so a page reads ~31 index entries instead of sorting 1,000,000 rows;
        # "open" requests are a few percent of the table, so their partial indexes stay small.
        # "Overdue" is read from the clocks (their indexes by subject and by state and due
        # time), see selectors.requests_for.
        indexes = [
            models.Index(fields=["-created_at", "-id"], condition=_ALIVE, name="sr_newest"),
            models.Index(fields=["status", "-created_at", "-id"], condition=_ALIVE, name="sr_status_newest"),
            models.Index(fields=["owner", "-created_at", "-id"], condition=_ALIVE, name="sr_owner_newest"),
            models.Index(fields=["owner", "status", "-created_at"], condition=_ALIVE, name="sr_owner_status"),
            models.Index(fields=["priority", "status", "-created_at"], condition=_ALIVE, name="sr_priority_status"),
            models.Index(fields=["-created_at", "-id"], condition=_OPEN, name="sr_open_newest"),
            models.Index(fields=["owner", "-created_at", "-id"], condition=_OPEN, name="sr_open_owner"),
            models.Index(fields=["customer", "-created_at"], name="sr_customer_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("servicedesk:detail", args=[self.pk])

    def search_text(self) -> str:
        return " ".join(filter(None, [self.number, self.title, self.phenomenon, self.product]))

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.CLOSED, self.Status.WITHDRAWN)

    def visit_contact(self):
        """Whom a return visit after this request calls (kefu.visits): who reported it."""
        return self.contact


class RequestStep(models.Model):
    """One step of the handling (SR-4): assessment, diagnosis, solution, implementation, verification."""

    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", _("初步评估")
        DIAGNOSIS = "diagnosis", _("详细诊断")
        SOLUTION = "solution", _("制定解决方案")
        IMPLEMENTATION = "implementation", _("实施解决方案")
        VERIFICATION = "verification", _("验证结果")
        NOTE = "note", _("处理记录")

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(_("步骤"), max_length=20, choices=Kind.choices)
    notes = models.TextField(_("说明"))
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(USER, verbose_name=_("处理人"), on_delete=models.PROTECT, related_name="+")
    visible_to_customer = models.BooleanField(_("客户可见"), default=True)

    class Meta:
        verbose_name = _("处理步骤")
        verbose_name_plural = _("处理步骤")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["request", "at"], name="sr_step_request")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


class HotlineRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if is_desk_staff(user) else self.none()


class HotlineRecord(models.Model):
    """热线记录 (HL-3..HL-7): one call about a request and how it ended."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("处理中")
        SOLVED = "solved", _("电话解决")
        SHELVED = "shelved", _("搁置待回拨")
        ONSITE = "onsite", _("需上门")

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="hotline_records")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    engineer = models.ForeignKey(USER, verbose_name=_("值班工程师"), on_delete=models.PROTECT, related_name="+")
    caller = models.CharField(_("来电人"), max_length=50, blank=True)
    caller_phone = models.CharField(_("来电号码"), max_length=40, blank=True)
    product = models.CharField(_("产品/版本"), max_length=100, blank=True)
    phenomenon = models.TextField(_("问题现象"))
    answer = models.TextField(_("答复"), blank=True)
    steps = models.TextField(_("处理步骤"), blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    started_at = models.DateTimeField(_("来电时间"))
    callback_promised = models.BooleanField(_("承诺回拨"), default=False)
    called_back_at = models.DateTimeField(_("回拨时间"), null=True, blank=True)
    # HL-7: unsolved records go to the service manager, who tracks each to a closed loop.
    submitted_to = models.ForeignKey(
        USER, verbose_name=_("提交给"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    loop_closed_at = models.DateTimeField(_("闭环时间"), null=True, blank=True)
    loop_note = models.CharField(_("闭环说明"), max_length=500, blank=True)

    objects = HotlineRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("热线记录")
        verbose_name_plural = _("热线记录")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="hl_newest"),
            models.Index(fields=["outcome", "submitted_at"], name="hl_unsolved"),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.started_at):%Y-%m-%d %H:%M} {self.caller}"

    def get_absolute_url(self) -> str:
        return self.request.get_absolute_url()


class DutyShiftQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if is_desk_staff(user) else self.none()

    def on_duty(self, now):
        return self.filter(starts_at__lte=now, ends_at__gt=now)


class DutyShift(models.Model):
    """值班 (HL-1): one engineer answers the hotline from `starts_at` to `ends_at`."""

    engineer = models.ForeignKey(USER, verbose_name=_("值班人员"), on_delete=models.PROTECT, related_name="duty_shifts")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    planned_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    ready_at = models.DateTimeField(_("到岗就绪时间"), null=True, blank=True)
    taken_over_at = models.DateTimeField(_("交接时间"), null=True, blank=True)

    objects = DutyShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("值班")
        verbose_name_plural = _("值班")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="duty_window")]
        constraints = [
            models.UniqueConstraint(fields=["engineer", "starts_at"], name="duty_one_shift_per_start"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="duty_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.engineer} {timezone.localtime(self.starts_at):%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        """The duty roster's week of this shift, where it is taken over (HL-1, HL-2)."""
        return f"{reverse('servicedesk:duty')}?week={timezone.localdate(self.starts_at).isoformat()}"


class Handover(models.Model):
    """交接 (HL-2): the engineer on duty took over the previous shift's open items."""

    shift = models.OneToOneField(DutyShift, on_delete=models.PROTECT, related_name="handover")
    previous = models.ForeignKey(DutyShift, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("交接时间"))
    items = models.ManyToManyField(ServiceRequest, blank=True, related_name="+")
    note = models.TextField(_("交接说明"), blank=True)

    class Meta:
        verbose_name = _("交接")
        verbose_name_plural = _("交接")

    def __str__(self) -> str:
        return f"{self.shift} {timezone.localtime(self.at):%H:%M}"


class CallLogQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if is_desk_staff(user) else self.none()


class CallLog(models.Model):
    """One incoming call (HL-8): answered or not, logged by hand or imported from the phone system."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("手工登记")
        IMPORT = "import", _("话单导入")

    at = models.DateTimeField(_("来电时间"))
    caller_phone = models.CharField(_("来电号码"), max_length=40, blank=True)
    engineer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered = models.BooleanField(_("已接通"))
    duration = models.PositiveIntegerField(_("通话秒数"), default=0)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    external_id = models.CharField(_("话单编号"), max_length=64, null=True, blank=True, unique=True)

    objects = CallLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("来电记录")
        verbose_name_plural = _("来电记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["at"], name="calllog_at")]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.caller_phone}"
