"""Report subscriptions (issue 15): who gets which report, when, and each delivery made."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.deadlines.models import WEEKDAY_LABELS

USER = settings.AUTH_USER_MODEL


class Subscription(models.Model):
    """A report sent by email on a schedule, e.g. the KPI dashboard of last week every Monday
    09:00, or of last month on the 1st. The report is computed as its owner sees it."""

    class Every(models.TextChoices):
        WEEK = "week", _("每周（报上周）")
        MONTH = "month", _("每月（报上月）")

    report = models.CharField(_("报表"), max_length=50)
    every = models.CharField(_("周期"), max_length=10, choices=Every.choices)
    weekday = models.PositiveSmallIntegerField(
        _("星期"), choices=list(enumerate(WEEKDAY_LABELS)), default=0, validators=[MaxValueValidator(6)]
    )
    day = models.PositiveSmallIntegerField(
        _("每月几日"), default=1, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    at = models.TimeField(_("发送时刻"))
    # The report's due date, read from a deadline rule counting from the send time (e.g. read
    # and answered by start of work on the next working day); blank: none.
    due_rule = models.CharField(_("阅读时限规则"), max_length=100, blank=True)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    owner = models.ForeignKey(USER, verbose_name=_("订阅人"), on_delete=models.PROTECT, related_name="+")
    recipients = models.ManyToManyField(USER, verbose_name=_("接收人"), related_name="report_subscriptions")
    addresses = models.TextField(_("其他邮箱"), blank=True, help_text=_("每行一个"))
    active = models.BooleanField(_("启用"), default=True)
    # The next slot to send; the job claims a slot by moving this forward with a conditional
    # UPDATE, so two workers never both take it.
    next_run_at = models.DateTimeField(_("下次发送"), db_index=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("报表订阅")
        verbose_name_plural = _("报表订阅")
        ordering = ["next_run_at", "id"]

    def __str__(self) -> str:
        return f"{self.report} {self.get_every_display()}"

    @property
    def address_list(self) -> list[str]:
        return [a.strip() for a in self.addresses.splitlines() if a.strip()]


class Delivery(models.Model):
    """One send of a subscription: one per slot (unique), rendered and handed to the outbox once."""

    # A delivery's step in the job (a claim, like the outbox's), not a business status.
    class Step(models.TextChoices):
        PENDING = "pending", _("待生成")
        RENDERING = "rendering", _("生成中")
        SENT = "sent", _("已交付发送")

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="deliveries")
    slot = models.DateTimeField(_("计划发送时间"))
    period = models.CharField(_("报表周期"), max_length=40)
    due_at = models.DateTimeField(_("阅读时限"), null=True, blank=True)
    step = models.CharField(_("进度"), max_length=10, choices=Step.choices, default=Step.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="reports/%Y/%m/", blank=True)
    xlsx = models.FileField(_("Excel"), upload_to="reports/%Y/%m/", blank=True)
    sent_at = models.DateTimeField(_("交付时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("报表发送记录")
        verbose_name_plural = _("报表发送记录")
        ordering = ["-slot", "-id"]
        constraints = [models.UniqueConstraint(fields=["subscription", "slot"], name="reports_one_delivery_per_slot")]
        indexes = [models.Index(fields=["step", "claimed_at"], name="reports_delivery_pending")]

    def __str__(self) -> str:
        return f"{self.subscription} {self.period}"


# --- daily aggregates (kefu.reports.aggregates) ----------------------------------------------


class DailyAggregate(models.Model):
    """One pre-counted row of a day: `part` of `whole` (a rate's numerator and denominator; a
    plain count has whole = part) of one `metric`, split by `bin` where a figure needs it (an
    outcome, a rating, whole hours). A domain's store subclasses it with its own dimensions
    (the person whose work it is, a station, a product …)."""

    day = models.DateField(_("日期"))
    metric = models.CharField(_("指标"), max_length=60)
    bin = models.CharField(_("分组"), max_length=30, blank=True, default="")
    part = models.PositiveBigIntegerField(_("分子"), default=0)
    whole = models.PositiveBigIntegerField(_("分母"), default=0)

    class Meta:
        abstract = True


class AggregateDay(models.Model):
    """When a store's day was last built, and the claim of the worker building it now (a
    conditional UPDATE, like a subscription's slot: two workers never both build a day)."""

    store = models.CharField(_("汇总"), max_length=40)
    day = models.DateField(_("日期"))
    built_at = models.DateTimeField(_("汇总时间"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    claim = models.CharField(max_length=32, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("每日汇总")
        verbose_name_plural = _("每日汇总")
        ordering = ["store", "day"]
        constraints = [models.UniqueConstraint(fields=["store", "day"], name="reports_one_aggregate_day")]

    def __str__(self) -> str:
        return f"{self.store} {self.day}"
