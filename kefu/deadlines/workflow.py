"""Administrator edits of calendars and rules. Each is one transaction with its audit event.

A calendar edit bumps the calendar's version (every process rebuilds its snapshot) and
queues the recompute of the clocks it affects, after commit (CAL-1, CAL-2). A rule edit
applies to clocks started after it: running clocks keep the parameters they started with.
"""

from datetime import date, datetime, time

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kefu import jobs
from kefu.audit import verbs
from kefu.audit.service import record
from kefu.core.errors import Invalid
from kefu.core.permissions import require
from kefu.deadlines import calendars
from kefu.deadlines.clockmath import CalendarSnapshot, is_working_day
from kefu.deadlines.models import (
    WEEKDAY_LABELS,
    CalendarDay,
    DeadlineRule,
    EscalationLevel,
    WorkCalendar,
    WorkingInterval,
)
from kefu.deadlines.spec import RATIO_OUT_OF_RANGE, RuleSpec
from kefu.org.models import User

NOT_OBSERVING_HOLIDAYS = _("该日历不执行法定节假日，无需导入。")
YEAR_NOT_IN_PACKAGE = _(
    "chinesecalendar 尚未包含 %(year)s 年的节假日安排（已覆盖至 %(last)s 年），请按国务院通知手工设置后确认。"
)
YEAR_ALREADY_OFFICIAL = _("%(year)s 年的安排已是正式安排。")
BAD_HOURS = _("%(day)s的工作时段有误：时段须按时间先后排列、互不重叠，且结束晚于开始。")
NO_WORKING_TIME = _("日历至少需要一个工作时段。")
LEVEL_NOTIFY_UNKNOWN = _("未知的通知对象：%(notify)s")
WORKING = _("工作日")
OFF = _("休息日")

verbs.register(
    "deadlines",
    calendar_day=_("调整日历"),
    calendar_hours=_("修改工作时段"),
    calendar_import=_("导入节假日安排"),
    calendar_confirm=_("确认年度安排"),
    rule_update=_("修改时限规则"),
    rule_escalations=_("修改升级级别"),
)


def _recompute_later(calendar: WorkCalendar, first: date | None = None, last: date | None = None) -> None:
    from kefu.deadlines.tasks import recompute_calendar

    jobs.enqueue(
        recompute_calendar,
        calendar.pk,
        first.isoformat() if first else None,
        last.isoformat() if last else None,
    )


def _locked(calendar: WorkCalendar) -> WorkCalendar:
    return WorkCalendar.objects.select_for_update().get(pk=calendar.pk)


def set_day(
    calendar: WorkCalendar, day: date, *, working: bool, name: str = "", by: User, now: datetime
) -> CalendarDay:
    """Declare `day` a working day or a day off in this calendar (CAL-1).

    The administrator's choice is kept as an override row, so a later re-import of the
    official schedule never undoes it.
    """
    require(by, "deadlines.change_calendar", calendar)
    with transaction.atomic():
        calendar = _locked(calendar)
        before = is_working_day(calendars.snapshot(calendar), day)
        kind = CalendarDay.Kind.WORKDAY if working else CalendarDay.Kind.HOLIDAY
        row, _created = CalendarDay.objects.update_or_create(
            calendar=calendar,
            date=day,
            defaults={"kind": kind, "name": name.strip()[:50], "source": CalendarDay.Source.ADMIN},
        )
        calendars.bump_version(calendar, now=now)
        record(
            calendar,
            "calendar_day",
            by=by,
            at=now,
            before=f"{day} {WORKING if before else OFF}",
            after=f"{day} {WORKING if working else OFF}",
            data={"date": day, "kind": kind, "name": row.name, "version": calendar.version},
        )
        _recompute_later(calendar, day, day)
    return row


def toggle_day(calendar: WorkCalendar, day: date, *, by: User, now: datetime, name: str = "") -> CalendarDay:
    """Flip a day between working day and day off (the click in the month grid)."""
    working = is_working_day(calendars.snapshot(calendars.fresh(calendar)), day)
    return set_day(calendar, day, working=not working, name=name, by=by, now=now)


def set_hours(
    calendar: WorkCalendar, weekly: list[list[tuple[time, time]]], *, by: User, now: datetime
) -> WorkCalendar:
    """Replace the weekly working intervals (CAL-2); every open clock on it is recomputed."""
    require(by, "deadlines.change_calendar", calendar)
    for weekday, intervals in enumerate(weekly):
        try:
            CalendarSnapshot.build("UTC", [intervals] + [()] * 6)
        except ValueError:
            raise Invalid(BAD_HOURS % {"day": WEEKDAY_LABELS[weekday]}, field=f"day_{weekday}") from None
    if not any(weekly):
        raise Invalid(NO_WORKING_TIME)
    with transaction.atomic():
        calendar = _locked(calendar)
        before = _hours_text(calendar)
        WorkingInterval.objects.filter(calendar=calendar).delete()
        WorkingInterval.objects.bulk_create(
            WorkingInterval(calendar=calendar, weekday=weekday, start=start, end=end)
            for weekday, intervals in enumerate(weekly)
            for start, end in intervals
        )
        calendars.bump_version(calendar, now=now)
        after = _hours_text(calendar)
        record(
            calendar, "calendar_hours", by=by, at=now, before=before, after=after, data={"version": calendar.version}
        )
        _recompute_later(calendar)
    return calendar


def _hours_text(calendar: WorkCalendar) -> str:
    rows = WorkingInterval.objects.filter(calendar=calendar).order_by("weekday", "start")
    return "; ".join(f"{r.weekday + 1}:{r.start:%H:%M}-{r.end:%H:%M}" for r in rows)


def import_year(calendar: WorkCalendar, year: int, *, by: User, now: datetime) -> int:
    """Load a year's statutory holidays and 调休 days from chinesecalendar (CAL-1)."""
    require(by, "deadlines.change_calendar", calendar)
    if not calendar.observes_holidays:
        raise Invalid(NOT_OBSERVING_HOLIDAYS)
    if not calendars.package_days(year):
        raise Invalid(YEAR_NOT_IN_PACKAGE % {"year": year, "last": calendars.package_years()[-1]}, field="year")
    with transaction.atomic():
        calendar = _locked(calendar)
        written = calendars.write_package_year(calendar, year)
        calendar.save(update_fields=["official_years"])
        calendars.bump_version(calendar, now=now)
        record(calendar, "calendar_import", by=by, at=now, after=str(year), data={"year": year, "days": written})
        _recompute_later(calendar, date(year, 1, 1), date(year, 12, 31))
    return written


def confirm_year(calendar: WorkCalendar, year: int, *, by: User, now: datetime) -> WorkCalendar:
    """The administrator entered the State Council's schedule by hand: the year is official."""
    require(by, "deadlines.change_calendar", calendar)
    with transaction.atomic():
        calendar = _locked(calendar)
        if year in calendar.official_years:
            raise Invalid(YEAR_ALREADY_OFFICIAL % {"year": year}, field="year")
        calendar.official_years = sorted([*calendar.official_years, year])
        calendar.save(update_fields=["official_years"])
        calendars.bump_version(calendar, now=now)
        record(calendar, "calendar_confirm", by=by, at=now, after=str(year), data={"year": year})
    return calendar


RULE_FIELDS = (
    "name_zh",
    "name_en",
    "kind",
    "amount",
    "unit",
    "weekday",
    "at",
    "day",
    "cutoff",
    "calendar",
    "calendar_source",
    "manager_role",
    "enabled",
)


def update_rule(rule: DeadlineRule, *, by: User, now: datetime, **changes) -> DeadlineRule:
    """Edit a rule (CAL-3). Applies to clocks started after it; audited and kept in history."""
    require(by, "deadlines.change_rule", rule)
    unknown = set(changes) - {*RULE_FIELDS, "warn_ratio"}
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        rule = DeadlineRule.objects.select_for_update().get(pk=rule.pk)
        before = RuleSpec.of_rule(rule).describe()
        old = {k: getattr(rule, k) for k in changes}
        for k, v in changes.items():
            setattr(rule, k, v)
        spec = RuleSpec.create(
            rule.kind,
            amount=rule.amount,
            unit=rule.unit or "",
            weekday=rule.weekday,
            at=rule.at,
            day=rule.day,
            cutoff=rule.cutoff,
        )
        if rule.warn_ratio is not None and not 0.05 <= rule.warn_ratio <= 0.99:
            raise Invalid(RATIO_OUT_OF_RANGE, field="warn_ratio")
        changed = {k: [str(old[k]), str(v)] for k, v in changes.items() if old[k] != v}
        if not changed:
            return rule
        rule.customized = True
        rule.updated_at = now
        rule._change_reason = "rule_update"
        rule.save()
        record(rule, "rule_update", by=by, at=now, before=before, after=spec.describe(), data={"changes": changed})
    return rule


def save_rule(
    rule: DeadlineRule, *, changes: dict, levels: list[tuple[int, str]], by: User, now: datetime
) -> DeadlineRule:
    """The rule editor's save (CAL-3): the rule's fields and its escalation levels, both or neither."""
    with transaction.atomic():
        update_rule(rule, by=by, now=now, **changes)
        return set_escalations(rule, levels, by=by, now=now)


def set_escalations(rule: DeadlineRule, levels: list[tuple[int, str]], *, by: User, now: datetime) -> DeadlineRule:
    """Replace the rule's escalation levels; clocks started later use them."""
    require(by, "deadlines.change_rule", rule)
    for _offset, notify in levels:
        if notify not in EscalationLevel.Notify.values:
            raise Invalid(LEVEL_NOTIFY_UNKNOWN % {"notify": notify}, field="notify")
    wanted = sorted(set(levels))
    with transaction.atomic():
        rule = DeadlineRule.objects.select_for_update().get(pk=rule.pk)
        current = sorted(rule.escalations.values_list("offset_minutes", "notify"))
        if current == wanted:
            return rule
        rule.escalations.all().delete()
        EscalationLevel.objects.bulk_create(EscalationLevel(rule=rule, offset_minutes=o, notify=n) for o, n in wanted)
        DeadlineRule.objects.filter(pk=rule.pk).update(customized=True, updated_at=now)
        record(
            rule,
            "rule_escalations",
            by=by,
            at=now,
            before=", ".join(f"{o:+d}:{n}" for o, n in current),
            after=", ".join(f"{o:+d}:{n}" for o, n in wanted),
        )
    return rule
