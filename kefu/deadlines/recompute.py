"""After a calendar change, recompute the due dates it affects (CAL-1, CAL-2, CAL-5).

Other systems let due dates silently go stale after a holiday is declared; here the
workflow that changes a calendar queues `recompute_calendar` as a background job. Each
running or paused clock on that calendar whose window touches the changed dates is
recomputed from its start with the parameters it started with, its pauses replayed
(so no paused time is lost), and every moved due date is audited on its subject.
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction

from kefu.audit.service import record
from kefu.deadlines import calendars
from kefu.deadlines.clockmath import Kind
from kefu.deadlines.clocks import local, next_escalation, timeline
from kefu.deadlines.models import Clock, ClockState, WorkCalendar

# Kinds whose due date never depends on working days or hours.
CALENDAR_FREE_KINDS = (Kind.ELAPSED.value, Kind.DAY_OF_MONTH.value)
CHUNK = 500


def affected(calendar: WorkCalendar, *, first: date | None = None, last: date | None = None):
    """Running and paused clocks on `calendar` whose window [start, due] meets [first, last]."""
    qs = Clock.objects.filter(calendar=calendar, state__in=[ClockState.RUNNING, ClockState.PAUSED]).exclude(
        kind__in=CALENDAR_FREE_KINDS
    )
    zone = calendar.zone
    if first is not None:
        qs = qs.filter(due_at__gte=datetime.combine(first, time(0), tzinfo=zone))
    if last is not None:
        qs = qs.filter(started_at__lt=datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone))
    return qs


def recompute_calendar(calendar_id: int, *, now: datetime, first: date | None = None, last: date | None = None) -> int:
    """Recompute the affected clocks on the calendar's current version; returns how many moved.

    Idempotent: a clock whose due date is already right is left alone, so a second run (or
    two jobs for two quick edits) changes and audits nothing more.
    """
    calendar = WorkCalendar.objects.get(pk=calendar_id)
    cal = calendars.snapshot(calendar)
    ids = list(affected(calendar, first=first, last=last).order_by("pk").values_list("pk", flat=True))
    moved = 0
    for offset in range(0, len(ids), CHUNK):
        with transaction.atomic():
            clocks = (
                Clock.objects.filter(
                    pk__in=ids[offset : offset + CHUNK], state__in=[ClockState.RUNNING, ClockState.PAUSED]
                )
                .select_for_update(of=("self",))
                .select_related("rule")
            )
            for clock in clocks:
                due, warn = timeline(clock, cal)
                if due == clock.due_at and warn == clock.warn_at:
                    continue
                old_due = clock.due_at
                clock.due_at, clock.warn_at = due, warn
                clock.next_escalation_at = next_escalation(clock.escalations, due, clock.escalated_through)
                clock.save(update_fields=["due_at", "warn_at", "next_escalation_at"])
                if due != old_due:
                    moved += 1
                    record(
                        clock.subject or clock,
                        "clock_recompute",
                        by=None,
                        at=now,
                        before=local(old_due, calendar),
                        after=local(due, calendar),
                        data={
                            "clock": clock.pk,
                            "rule": clock.rule.key,
                            "calendar": calendar.code,
                            "version": calendar.version,
                            "due_at": due,
                        },
                    )
    return moved
