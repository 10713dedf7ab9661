"""Scoped reads of the deadline engine: the workbench query, rules, a calendar month."""

import calendar as stdlib_calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from kefu.deadlines import calendars
from kefu.deadlines.clockmath import is_working_day
from kefu.deadlines.models import OPEN_STATES, CalendarDay, Clock, ClockState, DeadlineRule, WorkCalendar
from kefu.org.models import User

SOON = timedelta(hours=1)
# What a list of clocks shows: the JSON parameters stay in the database.
LIST_FIELDS = (
    "content_type_id",
    "object_id",
    "kind",
    "state",
    "started_at",
    "due_at",
    "paused_at",
    "breached_at",
    "rule__key",
    "rule__name_zh",
    "rule__name_en",
    "rule__requirement",
    "owner__username",
    "owner__name",
    "owner__first_name",
    "owner__last_name",
    "content_type__app_label",
    "content_type__model",
)


def can_see_team(user) -> bool:
    return user.has_perm("deadlines.view_team_clocks")


def clocks_for(user, *, team: bool = False, kind: str | None = None, rule: str | None = None, state: str | None = None):
    """Open clocks of `user` (or of the team a manager leads), by due time (RPT-1).

    A plain filtered queryset, for counting and for the ids of a page; `rows()` loads the
    rows to show. A team is the user, the users whose manager they are, and the members of
    the departments they head.
    """
    if not user.is_authenticated:
        return Clock.objects.none()
    if team and can_see_team(user):
        # The team's ids first: `owner IN (…)` walks the (owner, state, due_at, id) index,
        # where an OR over joined tables would read every open clock.
        team_ids = User.objects.filter(Q(pk=user.pk) | Q(manager=user) | Q(department__head=user))
        qs = Clock.objects.filter(owner__in=list(team_ids.values_list("pk", flat=True)))
    else:
        qs = Clock.objects.filter(owner=user)
    qs = qs.filter(state=state) if state in OPEN_STATES else qs.filter(state__in=OPEN_STATES)
    if kind:
        qs = qs.filter(kind=kind)
    if rule:
        qs = qs.filter(rule__key=rule)
    return qs.order_by("due_at", "pk")


# A subject type whose name or link needs a related row registers the queryset that brings it
# (an approval step shows its approval's subject): still one query per subject type.
SUBJECT_QUERYSETS: dict[type, Callable[[], QuerySet]] = {}


def register_subject_queryset(model: type, queryset: Callable[[], QuerySet]) -> None:
    SUBJECT_QUERYSETS[model] = queryset


def with_rows(clocks: QuerySet) -> QuerySet:
    """These clocks with what a list shows, rule, owner and subject: one query for the clocks
    plus one per subject type (GenericForeignKey prefetch), whatever their number."""
    subjects = GenericPrefetch("subject", [make() for make in SUBJECT_QUERYSETS.values()])
    return clocks.select_related("rule", "owner", "content_type").only(*LIST_FIELDS).prefetch_related(subjects)


def load(ids) -> list[Clock]:
    """The clocks with these ids, by due time, with rule, owner and subject."""
    return list(with_rows(Clock.objects.filter(pk__in=list(ids))).order_by("due_at", "pk"))


def rows(queryset, *, limit: int) -> list[Clock]:
    """The first `limit` clocks of `queryset`: their ids from the index, then those rows."""
    return load(queryset.values_list("pk", flat=True)[:limit])


def urgency(clock: Clock, now: datetime) -> str:
    """overdue / soon (due within 1 h) / paused / '' — the countdown's CSS class."""
    if clock.state == ClockState.PAUSED:
        return "paused"
    if clock.state == ClockState.BREACHED or clock.due_at <= now:
        return "overdue"
    if clock.due_at - now <= SOON:
        return "soon"
    return ""


def decorate(clocks, now: datetime) -> list[Clock]:
    """Attach what the page shows (subject link, urgency) without another query."""
    rows = list(clocks)
    for clock in rows:
        subject = clock.subject
        get_url = getattr(subject, "get_absolute_url", None)
        clock.subject_url = get_url() if get_url else ""
        clock.urgency = urgency(clock, now)
    return rows


def rules():
    return DeadlineRule.objects.select_related("calendar").prefetch_related("escalations").order_by("key")


def rule(key: str) -> DeadlineRule:
    return get_object_or_404(rules(), key=key)


def work_calendar(code: str) -> WorkCalendar:
    return get_object_or_404(WorkCalendar, code=code)


@dataclass
class DayCell:
    date: date
    in_month: bool
    is_workday: bool
    name: str
    source: str
    provisional: bool


def year_days(calendar: WorkCalendar, year: int) -> list[DayCell]:
    """Every day of `year` with whether it is worked and its holiday or 调休 name."""
    return days_between(calendar, date(year, 1, 1), date(year, 12, 31))


def days_between(calendar: WorkCalendar, first: date, last: date, *, month: int | None = None) -> list[DayCell]:
    snap = calendars.snapshot(calendar)
    overrides = {
        d.date: d
        for d in CalendarDay.objects.filter(calendar=calendar, date__gte=first, date__lte=last).only(
            "date", "name", "source"
        )
    }
    cells = []
    day = first
    while day <= last:
        row = overrides.get(day)
        cells.append(
            DayCell(
                date=day,
                in_month=month is None or day.month == month,
                is_workday=is_working_day(snap, day),
                name=row.name if row else "",
                source=row.source if row else "",
                provisional=calendar.is_provisional_year(day.year),
            )
        )
        day += timedelta(days=1)
    return cells


def month_weeks(calendar: WorkCalendar, year: int, month: int) -> list[list[DayCell]]:
    """The month grid: whole weeks Monday to Sunday around the month."""
    first = date(year, month, 1)
    last = date(year, month, stdlib_calendar.monthrange(year, month)[1])
    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=6 - last.weekday())
    cells = days_between(calendar, start, end, month=month)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]
