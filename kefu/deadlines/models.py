"""Working calendars, deadline rules and clocks (CAL-1..CAL-5).

The maths lives in `clockmath` (pure); these tables hold what it reads (calendars), what an
administrator edits (rules) and what the breach scan reads (clocks, indexed on due times).
"""

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kefu.deadlines.clockmath import Kind
from kefu.org import roles

UNKNOWN_TIME_ZONE = _("未知时区：%(tz)s")
INTERVAL_ENDS_BEFORE_START = _("结束时间必须晚于开始时间。")

WEEKDAY_LABELS = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(UNKNOWN_TIME_ZONE, params={"tz": value}) from exc


class WorkCalendar(models.Model):
    """A working calendar: weekly hours plus per-date overrides (CAL-1, CAL-2).

    `version` goes up on every change (and `revision` gets a new random value), so each
    process's cached snapshot, keyed by id and revision, is rebuilt after an edit made by
    any other process.
    """

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    tz = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone])
    observes_holidays = models.BooleanField(
        _("执行法定节假日"),
        default=True,
        help_text=_("是：法定节假日休息、调休日上班；否：节假日照常按每周时间工作（如 7×12 热线）。"),
    )
    # Years whose official schedule (State Council) is loaded; other years are provisional.
    official_years = models.JSONField(_("已公布年份"), default=list, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    # Changes with every version; the snapshot cache is keyed by it, so a version number
    # reused after a rolled-back edit can never serve a snapshot of that edit.
    revision = models.UUIDField(default=uuid.uuid4, editable=False)
    updated_at = models.DateTimeField(_("修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def is_provisional_year(self, year: int) -> bool:
        return self.observes_holidays and year not in self.official_years


class WorkingInterval(models.Model):
    """One working interval of one weekday, e.g. Monday 09:00–12:00 (CAL-2)."""

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="intervals")
    weekday = models.PositiveSmallIntegerField(
        _("星期"), choices=list(enumerate(WEEKDAY_LABELS)), validators=[MaxValueValidator(6)]
    )
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))

    class Meta:
        verbose_name = _("工作时段")
        verbose_name_plural = _("工作时段")
        ordering = ["calendar", "weekday", "start"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "weekday", "start"], name="deadlines_interval_unique_start"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="deadlines_interval_positive"),
        ]

    def __str__(self) -> str:
        return f"{WEEKDAY_LABELS[self.weekday]} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationError({"end": INTERVAL_ENDS_BEFORE_START})


class CalendarDay(models.Model):
    """A date that differs from the weekly hours: a holiday off or an adjusted working day (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("休息日")
        WORKDAY = "workday", _("工作日")

    class Source(models.TextChoices):
        PACKAGE = "package", _("国务院安排（chinesecalendar）")
        ADMIN = "admin", _("管理员设置")

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.ADMIN)

    class Meta:
        verbose_name = _("日历调整日")
        verbose_name_plural = _("日历调整日")
        ordering = ["calendar", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="deadlines_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class Unit(models.TextChoices):
    MINUTES = "minutes", _("分钟")
    HOURS = "hours", _("小时")
    DAYS = "days", _("天")


KIND_LABELS = {
    Kind.ELAPSED: _("自然时间"),
    Kind.WORKING_TIME: _("工作时间"),
    Kind.WORKING_DAYS: _("工作日（第 N 个工作日下班前）"),
    Kind.NEXT_WORK_START: _("次日上班前"),
    Kind.WEEKDAY_TIME: _("每周某日某时前"),
    Kind.DAY_OF_MONTH: _("每月某日某时前"),
    Kind.NTH_WORKING_DAY_NEXT_MONTH: _("下月第 N 个工作日下班前"),
}
KIND_CHOICES = [(k.value, v) for k, v in KIND_LABELS.items()]


class DeadlineRuleQuerySet(models.QuerySet):
    def update(self, **fields):
        # Every change gets a new revision, also a bulk one, so no process keeps a stale copy.
        fields.setdefault("revision", uuid.uuid4())
        return super().update(**fields)


class CalendarSource(models.TextChoices):
    """Whose working calendar a rule's clocks count on (CAL-2); see `clocks.calendar_for`."""

    RULE = "rule", _("规则的日历（对客户承诺的服务时间，如热线）")
    OWNER = "owner", _("负责人的日历（本人、其维修站或部门；都没有时用规则的日历）")


class DeadlineRule(models.Model):
    """A configurable time limit of the catalogue (CAL-3). A change applies to new clocks only."""

    key = models.CharField(_("规则键"), max_length=100, unique=True)
    requirement = models.CharField(_("需求编号"), max_length=20)
    name_zh = models.CharField(_("中文名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200)
    kind = models.CharField(_("计时类型"), max_length=40, choices=KIND_CHOICES)
    amount = models.PositiveIntegerField(_("数量"), null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=10, choices=Unit.choices, blank=True)
    weekday = models.PositiveSmallIntegerField(
        _("星期"), choices=list(enumerate(WEEKDAY_LABELS)), null=True, blank=True, validators=[MaxValueValidator(6)]
    )
    at = models.TimeField(
        _("时刻"), null=True, blank=True, help_text=_("每周/每月规则的时刻；每周规则留空表示“上班前”。")
    )
    day = models.PositiveSmallIntegerField(
        _("每月几日"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    cutoff = models.TimeField(
        _("当日截止时刻"), null=True, blank=True, help_text=_("工作日规则：此时刻前开始的，当天算第 1 个工作日。")
    )
    calendar = models.ForeignKey(WorkCalendar, verbose_name=_("工作日历"), on_delete=models.PROTECT, related_name="+")
    calendar_source = models.CharField(
        _("计时日历"), max_length=10, choices=CalendarSource.choices, default=CalendarSource.OWNER
    )
    # A clock nobody owns (a request that came in with nobody on duty) is never a breach that
    # tells nobody: its warnings, breach and escalations go to the holders of this role.
    manager_role = models.CharField(
        _("无负责人时通知"), max_length=30, choices=list(roles.ROLE_LABELS.items()), blank=True
    )
    enabled = models.BooleanField(_("启用"), default=True)
    warn_ratio = models.FloatField(
        _("预警比例"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.05), MaxValueValidator(0.99)],
        help_text=_("已用时间达到此比例时提醒负责人；留空使用系统默认值。"),
    )
    # Set when an administrator edits the rule: syncing the defaults table never overwrites it.
    customized = models.BooleanField(_("已由管理员修改"), default=False)
    updated_at = models.DateTimeField(_("修改时间"), null=True, blank=True)
    # New on every change of the rule or its levels: processes that keep the rule in memory
    # (clocks.get_rule) compare it to know theirs is still the current one.
    revision = models.UUIDField(default=uuid.uuid4, editable=False)
    history = HistoricalRecords(excluded_fields=["revision"])  # a technical stamp, not a change

    objects = DeadlineRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.revision = uuid.uuid4()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "revision"}
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        """The rule's name in the active language: its English field in the English UI (issue 12 §7)."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name_zh

    @classmethod
    def bump_revision(cls, rule_id: int) -> None:
        cls.objects.filter(pk=rule_id).update(revision=uuid.uuid4())

    @property
    def effective_warn_ratio(self) -> float:
        return self.warn_ratio if self.warn_ratio is not None else settings.KEFU_DEADLINE_WARN_RATIO


class EscalationLevel(models.Model):
    """Whom to notify how long before (negative) or after the due time; fires once per clock."""

    class Notify(models.TextChoices):
        OWNER = "owner", _("负责人")
        MANAGER = "manager", _("直属上级")
        DEPARTMENT_HEAD = "department_head", _("部门负责人")

    rule = models.ForeignKey(DeadlineRule, on_delete=models.CASCADE, related_name="escalations")
    offset_minutes = models.IntegerField(
        _("相对截止时间（分钟）"), help_text=_("负数为截止前，0 为到期时，正数为超时后。")
    )
    notify = models.CharField(_("通知"), max_length=20, choices=Notify.choices)

    class Meta:
        verbose_name = _("升级级别")
        verbose_name_plural = _("升级级别")
        ordering = ["rule", "offset_minutes", "notify"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "offset_minutes", "notify"], name="deadlines_escalation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.offset_minutes:+d} min → {self.get_notify_display()}"

    # Bulk writes (set_escalations, defaults.sync) bump the rule's revision themselves.
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        DeadlineRule.bump_revision(self.rule_id)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        DeadlineRule.bump_revision(self.rule_id)
        return result


class ClockState(models.TextChoices):
    RUNNING = "running", _("计时中")
    PAUSED = "paused", _("已暂停")
    MET = "met", _("已完成")
    BREACHED = "breached", _("已超时")


OPEN_STATES = (ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED)
# The open clocks as the partial index `deadlines_clock_one_open` states them, literally: SQLite
# reads a partial index only for its own condition written out (not `state IN (?, ?, ?)`), and
# the open clocks are a few thousand among millions (`Clock.objects.open()`).
OPEN_CONDITION = "\"deadlines_clock\".\"state\" IN ('running', 'paused', 'breached')"


class Clock(models.Model):
    """One running obligation on one subject (CAL-3..CAL-5).

    The rule's parameters and escalation levels are copied at start (`spec`, `escalations`),
    so an edit of the rule applies to clocks started after it and a resume or a calendar
    recompute of this clock uses the parameters it started with. `pauses` keeps every
    finished pause, so a recompute replays them on the new calendar and loses none.
    """

    # Foreign keys led by a composite index below need no index of their own.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    rule = models.ForeignKey(DeadlineRule, verbose_name=_("时限规则"), on_delete=models.PROTECT, related_name="clocks")
    calendar = models.ForeignKey(
        WorkCalendar, verbose_name=_("工作日历"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clocks",
        db_index=False,
    )
    kind = models.CharField(_("计时类型"), max_length=40, choices=KIND_CHOICES)
    spec = models.JSONField(_("规则参数"))
    escalations = models.JSONField(_("升级级别"), default=list, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    started_at = models.DateTimeField(_("开始时间"))
    due_at = models.DateTimeField(_("截止时间"))
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    warned_at = models.DateTimeField(_("已预警时间"), null=True, blank=True)
    next_escalation_at = models.DateTimeField(_("下次升级时间"), null=True, blank=True)
    escalated_through = models.IntegerField(_("已升级至（分钟）"), null=True, blank=True)
    paused_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    # Why it is paused now ("等待客户：…"), shown in the clock panel (CAL-4).
    pause_reason = models.CharField(_("暂停原因"), max_length=300, blank=True)
    paused_for = models.DurationField(_("累计暂停"), default=timedelta)
    pauses = models.JSONField(_("暂停记录"), default=list, blank=True)
    met_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    breached_at = models.DateTimeField(_("超时时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("计时")
        verbose_name_plural = _("计时")
        ordering = ["due_at", "id"]
        indexes = [
            # The breach scan: running clocks by due time.
            models.Index(fields=["state", "due_at"], name="deadlines_clock_scan"),
            # The workbench: an owner's open clocks by due time. With `id` the index covers
            # the ids of a page, so only that page's rows are read from the table.
            models.Index(fields=["owner", "state", "due_at", "id"], name="deadlines_clock_owner"),
            models.Index(fields=["state", "warn_at"], name="deadlines_clock_warn"),
            models.Index(fields=["state", "next_escalation_at"], name="deadlines_clock_escalation"),
            models.Index(fields=["content_type", "object_id"], name="deadlines_clock_subject"),
            models.Index(fields=["calendar", "state", "due_at"], name="deadlines_clock_calendar"),
            # Reports (issue 15): the compliance of a rule's clocks started in a period.
            models.Index(fields=["rule", "started_at"], name="deadlines_clock_rule_started"),
        ]
        constraints = [
            # One open clock per subject and rule: two concurrent starts cannot both win.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "rule"],
                condition=models.Q(state__in=["running", "paused", "breached"]),
                name="deadlines_clock_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}:{self.content_type_id}:{self.object_id} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ScanRun(models.Model):
    """One tick of the breach scan (CAL-5) as a worker ran it: the Celery message (task id),
    the worker, when, and how many clocks each step handled.

    The task id is unique, so a message delivered twice (`acks_late` after a lost worker) runs
    the scan once; with one beat, one row per tick is the proof that several workers did not
    scan the same tick twice (scripts/topology.sh counts them). Kept for a week.
    """

    task_id = models.CharField(_("任务标识"), max_length=64, unique=True, null=True, blank=True)
    worker = models.CharField(_("执行者"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    breached = models.PositiveIntegerField(_("超时"), default=0)
    warned = models.PositiveIntegerField(_("预警"), default=0)
    escalated = models.PositiveIntegerField(_("升级"), default=0)

    class Meta:
        verbose_name = _("超时扫描记录")
        verbose_name_plural = _("超时扫描记录")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.worker}"


class WaitingFor(models.TextChoices):
    """Why an item's clocks are paused (CAL-4); every domain with a wait uses these."""

    CUSTOMER = "customer", _("等待客户")
    PART = "part", _("等待备件")


class Waitable(models.Model):
    """Fields of an item that can wait for the customer or a part (CAL-4): set and cleared by
    `kefu.deadlines.waiting` only, which pauses and resumes the item's clocks with them."""

    waiting_for = models.CharField(_("等待"), max_length=10, choices=WaitingFor.choices, blank=True, default="")
    waiting_note = models.CharField(_("等待说明"), max_length=300, blank=True)
    waiting_since = models.DateTimeField(_("等待开始"), null=True, blank=True)

    class Meta:
        abstract = True
