"""A rule's parameters as a value (what a clock copies at start) and its due date (CAL-3).

Pure: no database. The dates come from `clockmath`; this module only chooses which
function a kind uses and checks the parameters, with Chinese messages for the user.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta

from django.utils.translation import gettext_lazy as _

from kefu.core.errors import Invalid
from kefu.deadlines import clockmath
from kefu.deadlines.clockmath import WALL_CLOCK_KINDS, CalendarSnapshot, Kind

UNKNOWN_KIND = _("未知的计时类型：%(kind)s")
AMOUNT_REQUIRED = _("请填写大于 0 的数量。")
UNIT_NOT_ALLOWED = _("该计时类型不能使用单位“%(unit)s”。")
WEEKDAY_REQUIRED = _("请选择星期（0=周一 … 6=周日）。")
DAY_REQUIRED = _("请填写每月几日（1–31）。")
TIME_REQUIRED = _("请填写时刻（如 12:00）。")
RATIO_OUT_OF_RANGE = _("预警比例必须在 0.05 到 0.99 之间。")
AMOUNT_TOO_BIG = _("数量过大：该计时类型最多 %(max)s。")

DESCRIBE_AMOUNT = _("%(n)s %(unit)s（%(kind)s）")
DESCRIBE_WORKING_DAYS = _("%(n)s 个工作日")
DESCRIBE_WORKING_DAYS_CUTOFF = _("%(n)s 个工作日（%(cutoff)s 前开始的当天算第 1 天）")
DESCRIBE_WEEKDAY_START = _("每%(weekday)s上班前")
DESCRIBE_WEEKDAY_TIME = _("每%(weekday)s %(at)s 前")
DESCRIBE_DAY_OF_MONTH = _("每月 %(day)s 日 %(at)s 前")
DESCRIBE_NTH_NEXT_MONTH = _("下月第 %(n)s 个工作日下班前")

MINUTES_PER_UNIT = {"minutes": 1, "hours": 60, "days": 24 * 60}
UNITS_BY_KIND = {
    Kind.ELAPSED: {"minutes", "hours", "days"},
    Kind.WORKING_TIME: {"minutes", "hours"},
}
AMOUNT_KINDS = {Kind.ELAPSED, Kind.WORKING_TIME, Kind.WORKING_DAYS, Kind.NTH_WORKING_DAY_NEXT_MONTH}
# The longest a business deadline can be (bounded work per request: a rule or a preview of a
# billion hours would keep a worker busy until it is killed). In minutes for the time kinds.
MAX_MINUTES = {Kind.ELAPSED: 2 * 366 * 24 * 60, Kind.WORKING_TIME: 4000 * 60}
MAX_COUNT = {Kind.WORKING_DAYS: 500, Kind.NTH_WORKING_DAY_NEXT_MONTH: 23}
MAX_LABELS = {
    Kind.ELAPSED: _("2 年"),
    Kind.WORKING_TIME: _("4000 个工作小时"),
    Kind.WORKING_DAYS: _("500 个工作日"),
    Kind.NTH_WORKING_DAY_NEXT_MONTH: _("第 23 个工作日"),
}


def _time_str(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


@dataclass(frozen=True)
class RuleSpec:
    """The parameters of one rule: enough to compute a due date from a start instant."""

    kind: Kind
    amount: int | None = None
    unit: str = ""
    weekday: int | None = None
    at: time | None = None
    day: int | None = None
    cutoff: time | None = None

    @classmethod
    def create(cls, kind: str, **params) -> RuleSpec:
        """Build and validate; raises Invalid with a Chinese message on a bad parameter."""
        try:
            kind = Kind(kind)
        except ValueError:
            raise Invalid(UNKNOWN_KIND % {"kind": kind}, field="kind") from None
        spec = cls(kind=kind, **params)
        spec.validate()
        return spec

    @classmethod
    def of_rule(cls, rule) -> RuleSpec:
        return cls.create(
            rule.kind,
            amount=rule.amount,
            unit=rule.unit or "",
            weekday=rule.weekday,
            at=rule.at,
            day=rule.day,
            cutoff=rule.cutoff,
        )

    def validate(self) -> None:
        kind = self.kind
        if kind in AMOUNT_KINDS and (self.amount is None or self.amount <= 0):
            raise Invalid(AMOUNT_REQUIRED, field="amount")
        if kind in UNITS_BY_KIND and self.unit not in UNITS_BY_KIND[kind]:
            raise Invalid(UNIT_NOT_ALLOWED % {"unit": self.unit or "—"}, field="unit")
        if (kind in MAX_MINUTES and self.minutes > MAX_MINUTES[kind]) or (
            kind in MAX_COUNT and (self.amount or 0) > MAX_COUNT[kind]
        ):
            raise Invalid(AMOUNT_TOO_BIG % {"max": MAX_LABELS[kind]}, field="amount")
        if kind == Kind.WEEKDAY_TIME and (self.weekday is None or not 0 <= self.weekday <= 6):
            raise Invalid(WEEKDAY_REQUIRED, field="weekday")
        if kind == Kind.DAY_OF_MONTH:
            if self.day is None or not 1 <= self.day <= 31:
                raise Invalid(DAY_REQUIRED, field="day")
            if self.at is None:
                raise Invalid(TIME_REQUIRED, field="at")

    @property
    def minutes(self) -> int:
        return (self.amount or 0) * MINUTES_PER_UNIT.get(self.unit, 1)

    def due(self, cal: CalendarSnapshot, start: datetime) -> datetime:
        """The due instant of a clock of this spec started at `start` on `cal`."""
        kind = self.kind
        if kind == Kind.ELAPSED:
            return clockmath.elapsed(start, self.minutes, tz=cal.tz)
        if kind == Kind.WORKING_TIME:
            return clockmath.add_working_time(cal, start, self.minutes)
        if kind == Kind.WORKING_DAYS:
            return self._working_days(cal, start)
        if kind == Kind.NEXT_WORK_START:
            return clockmath.next_work_start(cal, start)
        if kind == Kind.WEEKDAY_TIME:
            return clockmath.next_weekday_time(cal, start, self.weekday, self.at)
        if kind == Kind.DAY_OF_MONTH:
            return clockmath.day_of_month(cal, start, self.day, self.at)
        return clockmath.nth_working_day_of_next_month(cal, start, self.amount)

    def _working_days(self, cal: CalendarSnapshot, start: datetime) -> datetime:
        # PT-2 "shipped the same day if received before 12:00": before the cut-off the day
        # of the start is the first working day, i.e. count from the day before it.
        if self.cutoff is not None:
            local = start.astimezone(cal.tz)
            if local.time() < self.cutoff:
                day_before = datetime.combine(local.date() - timedelta(days=1), time(12), tzinfo=cal.tz)
                due = clockmath.end_of_nth_working_day(cal, day_before, self.amount)
                if due > start:
                    return due
        return clockmath.end_of_nth_working_day(cal, start, self.amount)

    def warn_point(self, cal: CalendarSnapshot, start: datetime, due: datetime, ratio: float) -> datetime:
        """When `ratio` of the time is used: of working time for calendar kinds, else wall time.

        Kinds whose window holds no working time (次日上班前 started after work) fall back to
        wall-clock time, or the warning would fire the moment the clock starts.
        """
        if self.kind not in WALL_CLOCK_KINDS:
            total = clockmath.working_time_between(cal, start, due)
            if total > 0:
                return clockmath.add_working_time(cal, start, total * ratio / 60)
        return start + (due - start) * ratio

    def to_json(self) -> dict:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["at"] = _time_str(self.at)
        data["cutoff"] = _time_str(self.cutoff)
        return data

    @classmethod
    def from_json(cls, data: dict) -> RuleSpec:
        return cls(
            kind=Kind(data["kind"]),
            amount=data.get("amount"),
            unit=data.get("unit") or "",
            weekday=data.get("weekday"),
            at=time.fromisoformat(data["at"]) if data.get("at") else None,
            day=data.get("day"),
            cutoff=time.fromisoformat(data["cutoff"]) if data.get("cutoff") else None,
        )

    def describe(self) -> str:
        """A short description for lists and the editor: “3 小时（工作时间）”, “每周三 12:00 前” …"""
        from kefu.deadlines.models import KIND_LABELS, WEEKDAY_LABELS, Unit

        kind = self.kind
        if kind in UNITS_BY_KIND:
            return str(DESCRIBE_AMOUNT % {"n": self.amount, "unit": Unit(self.unit).label, "kind": KIND_LABELS[kind]})
        if kind == Kind.WORKING_DAYS:
            if self.cutoff is not None:
                return str(DESCRIBE_WORKING_DAYS_CUTOFF % {"n": self.amount, "cutoff": _time_str(self.cutoff)})
            return str(DESCRIBE_WORKING_DAYS % {"n": self.amount})
        if kind == Kind.WEEKDAY_TIME:
            if self.at is None:
                return str(DESCRIBE_WEEKDAY_START % {"weekday": WEEKDAY_LABELS[self.weekday]})
            return str(DESCRIBE_WEEKDAY_TIME % {"weekday": WEEKDAY_LABELS[self.weekday], "at": _time_str(self.at)})
        if kind == Kind.DAY_OF_MONTH:
            return str(DESCRIBE_DAY_OF_MONTH % {"day": self.day, "at": _time_str(self.at)})
        if kind == Kind.NTH_WORKING_DAY_NEXT_MONTH:
            return str(DESCRIBE_NTH_NEXT_MONTH % {"n": self.amount})
        return str(KIND_LABELS[kind])
