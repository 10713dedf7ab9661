"""Report periods (issue 15): a day, a week (Monday to Sunday), a month, a quarter or a custom
range of dates, on the company calendar's time zone (the deadline engine's `office` calendar).

A period is a half-open range of instants [start, end); `back(n)` walks to earlier periods of
the same kind (a custom range: the same number of days), which the trends use.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import Invalid
from kefu.deadlines.models import WorkCalendar

DAY, WEEK, MONTH, QUARTER, CUSTOM = "day", "week", "month", "quarter", "custom"
KIND_LABELS = {DAY: _("日"), WEEK: _("周"), MONTH: _("月"), QUARTER: _("季度"), CUSTOM: _("自定义")}
BAD_DATE = _("日期格式不正确，请按 年-月-日 填写（如 2025-11-24）。")
BAD_KIND = _("统计周期只能是日、周、月、季度或自定义。")
BAD_RANGE = _("结束日期不能早于开始日期。")
TOO_LONG = _("自定义周期最长 366 天。")
COMPANY_CALENDAR = "office"


def company_zone() -> ZoneInfo:
    """The company calendar's time zone (the deadline engine's office calendar), else TIME_ZONE."""
    tz = WorkCalendar.objects.filter(code=COMPANY_CALENDAR).values_list("tz", flat=True).first()
    return ZoneInfo(tz or settings.TIME_ZONE)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str
    first: date  # the first day, inclusive
    last: date  # the last day, inclusive
    tz: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=self.tz)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=self.tz)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def back(self, n: int = 1) -> "Period":
        """The period `n` steps before this one, of the same kind."""
        if self.kind == DAY:
            first = self.first - timedelta(days=n)
            return Period(DAY, first, first, self.tz)
        if self.kind == WEEK:
            first = self.first - timedelta(weeks=n)
            return Period(WEEK, first, first + timedelta(days=6), self.tz)
        if self.kind in (MONTH, QUARTER):
            step = 1 if self.kind == MONTH else 3
            first = _add_months(self.first, -n * step)
            return Period(self.kind, first, _add_months(first, step) - timedelta(days=1), self.tz)
        first = self.first - timedelta(days=n * self.days)
        return Period(CUSTOM, first, first + timedelta(days=self.days - 1), self.tz)

    def trend(self, count: int = 12) -> list["Period"]:
        """The last `count` periods, oldest first, this one last."""
        return [self.back(n) for n in range(count - 1, -1, -1)]

    @property
    def label(self) -> str:
        if self.kind == DAY:
            return self.first.isoformat()
        if self.kind == WEEK:
            year, week, _day = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == MONTH:
            return f"{self.first:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return f"{self.first.isoformat()}~{self.last.isoformat()}"

    @property
    def short_label(self) -> str:
        """For a chart's axis."""
        if self.kind == DAY:
            return f"{self.first:%m-%d}"
        if self.kind == WEEK:
            return f"{self.first:%m-%d}"
        return self.label

    def params(self) -> dict[str, str]:
        """The GET parameters that select this period again (the page's URL)."""
        if self.kind == CUSTOM:
            return {"period": CUSTOM, "from": self.first.isoformat(), "to": self.last.isoformat()}
        return {"period": self.kind, "on": self.first.isoformat()}

    def dates(self) -> dict[str, str]:
        """The `from` / `to` filters of a list page (drill-down)."""
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def containing(kind: str, day: date, tz: ZoneInfo) -> Period:
    """The period of `kind` that contains `day`."""
    if kind == DAY:
        return Period(DAY, day, day, tz)
    if kind == WEEK:
        first = day - timedelta(days=day.weekday())
        return Period(WEEK, first, first + timedelta(days=6), tz)
    if kind == MONTH:
        first = day.replace(day=1)
        return Period(MONTH, first, _add_months(first, 1) - timedelta(days=1), tz)
    if kind == QUARTER:
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(QUARTER, first, _add_months(first, 3) - timedelta(days=1), tz)
    raise Invalid(BAD_KIND, field="period")


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise Invalid(BAD_DATE, field=field) from exc


def parse(params, *, now: datetime, default: str = MONTH, tz: ZoneInfo | None = None) -> Period:
    """The period a page asks for: `period` (day/week/month/quarter/custom), `on` (a day in
    it, default today) or, for custom, `from` and `to`. Bad input is `Invalid` (Chinese)."""
    tz = tz or company_zone()
    today = now.astimezone(tz).date()
    kind = (params.get("period") or default).strip()
    if kind not in KIND_LABELS:
        raise Invalid(BAD_KIND, field="period")
    if kind == CUSTOM:
        first = _date(params.get("from") or "", "from")
        last = _date(params.get("to") or "", "to")
        if last < first:
            raise Invalid(BAD_RANGE, field="to")
        if (last - first).days >= 366:
            raise Invalid(TOO_LONG, field="to")
        return Period(CUSTOM, first, last, tz)
    on = params.get("on") or ""
    return containing(kind, _date(on, "on") if on.strip() else today, tz)


def shortcuts(*, now: datetime, tz: ZoneInfo) -> list[tuple[str, Period]]:
    """The quick choices of the page: today, this/last week, this/last month, this quarter."""
    today = now.astimezone(tz).date()
    week = containing(WEEK, today, tz)
    month = containing(MONTH, today, tz)
    return [
        (str(_("今天")), containing(DAY, today, tz)),
        (str(_("本周")), week),
        (str(_("上周")), week.back()),
        (str(_("本月")), month),
        (str(_("上月")), month.back()),
        (str(_("本季度")), containing(QUARTER, today, tz)),
    ]
