"""The one deadline engine: start, pause, resume and stop a clock on any subject (CAL-3..CAL-5).

Other domains call these from their workflow functions, inside their transaction, with
`now` passed in; the caller has already checked its own permission. Each call writes its
audit event on the subject, so the subject's history shows its deadlines (QS-1).

    clocks.start(order, "station.acknowledge", owner=master, now=now)
    clocks.pause(order, "station.acknowledge", now=now)     # waiting for the customer
    clocks.resume(order, "station.acknowledge", now=now)    # keeps the remaining time (CAL-4)
    clocks.stop(order, "station.acknowledge", now=now)      # met (late if it was breached)

A due date is computed once at start or resume and stored (CAL-5); the breach scan only
compares it with the clock.
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from kefu.audit import verbs
from kefu.audit.service import event, record_many
from kefu.deadlines import calendars
from kefu.deadlines.clockmath import CalendarSnapshot, resume_due
from kefu.deadlines.models import OPEN_STATES, CalendarSource, Clock, ClockState, DeadlineRule, WorkCalendar
from kefu.deadlines.spec import RuleSpec
from kefu.org.models import User

verbs.register_shared(
    clock_start=_("开始计时"),
    clock_pause=_("暂停计时"),
    clock_resume=_("恢复计时"),
    clock_stop=_("完成计时"),
    clock_breach=_("计时超时"),
    clock_escalate=_("计时升级"),
    clock_recompute=_("重算截止时间"),
)


class UnknownRule(LookupError):
    """A programming error: the caller named a rule key that is not in the rule table."""


def local(value: datetime | None, calendar: WorkCalendar) -> str:
    return value.astimezone(calendar.zone).strftime("%Y-%m-%d %H:%M") if value else ""


# key → (rule revision, calendar revision, rule with its calendar and escalation levels).
_rules: dict[str, tuple[uuid.UUID, uuid.UUID, DeadlineRule]] = {}


def get_rule(key: str) -> DeadlineRule:
    """The rule as stored now, with its calendar and escalation levels.

    Every clock start needs it (three queries); this process keeps it and checks with one
    small query that neither the rule (its revision changes with every edit of it or its
    levels) nor its calendar has changed since, so an edit counts at once in every process.
    """
    current = DeadlineRule.objects.filter(key=key).values_list("revision", "calendar__revision").first()
    if current is None:
        raise UnknownRule(f"no deadline rule {key!r}; see kefu.deadlines.defaults")
    cached = _rules.get(key)
    if cached is None or (cached[0], cached[1]) != current:
        rule = DeadlineRule.objects.select_related("calendar").prefetch_related("escalations").get(key=key)
        cached = _rules[key] = (rule.revision, rule.calendar.revision, rule)
    # A copy per caller: the cached instance is shared by every thread of the process.
    rule = copy.copy(cached[2])
    rule.calendar = copy.copy(cached[2].calendar)
    return rule


def calendar_for(rule: DeadlineRule, owner, calendar: WorkCalendar | None = None) -> WorkCalendar:
    """The one precedence of calendars (CAL-2), for every clock:

    1. the calendar the calling workflow passes, when it knows better (a promise made on a
       night shift runs on that shift: `servicedesk.workflow.promise_calendar`);
    2. a rule counting on its own calendar (`calendar_source = rule`: service hours promised
       to the customer, e.g. the hotline's) uses it, whoever owns the clock;
    3. otherwise the owner's calendar: their own, else their station's, else their department's;
    4. the rule's calendar.
    """
    if calendar is not None:
        return calendar
    if rule.calendar_source == CalendarSource.RULE:
        return rule.calendar
    return owner_calendar(owner) or rule.calendar


def owner_calendar(owner) -> WorkCalendar | None:
    """The calendar a person works on: their own, else their station's, else their department's."""
    if owner is None:
        return None
    if owner.calendar_id:
        return WorkCalendar.objects.get(pk=owner.calendar_id)
    for relation in ("station", "department"):
        if getattr(owner, f"{relation}_id"):
            calendar_id = getattr(owner, relation).calendar_id
            if calendar_id:
                return WorkCalendar.objects.get(pk=calendar_id)
    return None


def _subject_key(subject: models.Model) -> tuple[ContentType, str]:
    return ContentType.objects.get_for_model(subject, for_concrete_model=False), str(subject.pk)


def open_clock(subject: models.Model, rule_key: str, *, lock: bool = False) -> Clock | None:
    """The subject's open (running, paused or breached) clock of this rule, if any."""
    ct, object_id = _subject_key(subject)
    qs = Clock.objects.filter(content_type=ct, object_id=object_id, rule__key=rule_key, state__in=OPEN_STATES)
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.select_related("calendar", "rule").first()


def clocks_of(subject: models.Model):
    """Every clock of a subject, newest first, for its page."""
    ct, object_id = _subject_key(subject)
    return Clock.objects.filter(content_type=ct, object_id=object_id).select_related("rule").order_by("-started_at")


# --- the timeline of a clock -------------------------------------------------------------


def next_escalation(escalations: list, due: datetime, through: int | None):
    """The instant of the first level not fired yet, or None."""
    for offset, _notify in escalations:
        if through is None or offset > through:
            return due + _minutes(offset)
    return None


def _minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def timeline(clock: Clock, cal: CalendarSnapshot) -> tuple[datetime, datetime | None]:
    """(due, warn) of a clock on `cal`: computed from its start with the parameters it
    started with, then every finished pause replayed as a resume would (CAL-4).

    Called at resume and after a calendar change, so both give the same answer.
    """
    spec = RuleSpec.from_json(clock.spec)
    due = spec.due(cal, clock.started_at)
    warn = spec.warn_point(cal, clock.started_at, due, clock.spec["warn_ratio"])
    for paused, resumed in clock.pauses:
        paused_at, resumed_at = datetime.fromisoformat(paused), datetime.fromisoformat(resumed)
        warn = resume_due(cal, spec.kind, paused_at, resumed_at, warn)
        due = resume_due(cal, spec.kind, paused_at, resumed_at, due)
    return due, (None if clock.warned_at else warn)


def _audit_event(clock: Clock, subject, verb: str, *, by, now: datetime, before: Any = "", after: Any = "", **data):
    return event(
        subject,
        verb,
        by=by,
        at=now,
        before=before,
        after=after,
        data={"clock": clock.pk, "rule": clock.rule.key, **data},
    )


def _audit(clock: Clock, subject, verb: str, **kwargs) -> None:
    _audit_event(clock, subject, verb, **kwargs).save(force_insert=True)


def _start_event(clock: Clock, subject, *, by, now: datetime):
    return _audit_event(
        clock,
        subject,
        "clock_start",
        by=by,
        now=now,
        after=local(clock.due_at, clock.calendar),
        due_at=clock.due_at,
        owner=clock.owner_id,
    )


def points(rule_key: str, *, since: datetime, owner=None) -> tuple[datetime, datetime]:
    """(due, warn) of a clock of `rule_key` counting from `since`, without starting one: when
    an obligation that counts from an earlier moment falls due (a periodic visit: a period
    after the last one done, RV-5, RV-6)."""
    rule = get_rule(rule_key)
    cal = calendars.snapshot(calendar_for(rule, owner))
    spec = RuleSpec.of_rule(rule)
    due = spec.due(cal, since)
    return due, spec.warn_point(cal, since, due, rule.effective_warn_ratio)


def _new_clock(
    subject, rule: DeadlineRule, *, owner, calendar: WorkCalendar, now: datetime, since: datetime | None = None
) -> Clock:
    """The running clock of `rule` on `subject` from `now` (or from the earlier `since` the
    obligation counts from), its due and warn points computed on `calendar` (CAL-5); not saved yet."""
    ct, object_id = _subject_key(subject)
    cal = calendars.snapshot(calendar)
    spec = RuleSpec.of_rule(rule)
    start = min(since, now) if since is not None else now
    due = spec.due(cal, start)
    ratio = rule.effective_warn_ratio
    warn = spec.warn_point(cal, start, due, ratio)
    if since is not None and warn <= now:
        warn = None  # the warning point passed before the clock existed: not sent at once
    escalations = sorted([level.offset_minutes, level.notify] for level in rule.escalations.all())
    # Levels whose moment has already passed at start (a reminder 30 min before a 10-min
    # limit) are skipped rather than fired at once.
    skipped = [offset for offset, _n in escalations if due + _minutes(offset) <= now]
    through = max(skipped) if skipped else None
    return Clock(
        content_type=ct,
        object_id=object_id,
        rule=rule,
        calendar=calendar,
        owner=owner,
        kind=spec.kind.value,
        spec={**spec.to_json(), "warn_ratio": ratio},
        escalations=escalations,
        state=ClockState.RUNNING,
        started_at=start,
        due_at=due,
        warn_at=warn,
        escalated_through=through,
        next_escalation_at=next_escalation(escalations, due, through),
    )


# --- the four calls ------------------------------------------------------------------------


def start(
    subject: models.Model,
    rule_key: str,
    *,
    owner=None,
    now: datetime,
    calendar: WorkCalendar | None = None,
    by: User | None = None,
    new_subject: bool = False,
    since: datetime | None = None,
) -> Clock | None:
    """Start the rule's clock on `subject` (CAL-3, CAL-5). Returns the clock.

    `since`: the obligation counts from this earlier moment, not from `now` (the next periodic
    visit is due a period after the last one done); the start is audited at `now`.

    Idempotent: if the subject already has an open clock of this rule, that clock is
    returned unchanged. A disabled rule starts nothing and returns None.
    `new_subject=True`: the caller created `subject` in this transaction, so it can have no
    clock yet; the look-up and the savepoint for a concurrent start are skipped (intake speed).
    Which calendar: `calendar_for`.
    """
    if new_subject and since is None:
        return start_new([(subject, rule_key, owner)], now=now, by=by, calendar=calendar)[0]
    rule = get_rule(rule_key)
    if not rule.enabled:
        return None
    existing = open_clock(subject, rule_key)
    if existing is not None:
        return existing
    clock = _new_clock(subject, rule, owner=owner, calendar=calendar_for(rule, owner, calendar), now=now, since=since)
    try:
        with transaction.atomic():
            clock.save(force_insert=True)
    except IntegrityError:
        # A concurrent start won (the one-open-clock constraint): use its clock.
        return open_clock(subject, rule_key)
    _start_event(clock, subject, by=by, now=now).save(force_insert=True)
    return clock


def start_new(
    starts: list[tuple[models.Model, str, Any]],
    *,
    now: datetime,
    by: User | None = None,
    calendar: WorkCalendar | None = None,
) -> list[Clock | None]:
    """Start clocks on subjects created in the caller's transaction: (subject, rule key, owner)
    each, in one statement for the clocks and one for their audit events (a batch intake).

    The same clocks as `start(..., new_subject=True)` one by one: such a subject has no clock
    yet, so there is nothing to look up. A disabled rule gives None at its place.
    """
    rules: dict[str, DeadlineRule] = {}
    owner_calendars: dict[int | None, WorkCalendar | None] = {}
    result: list[Clock | None] = []
    made: list[tuple[Clock, models.Model]] = []
    for subject, rule_key, owner in starts:
        if rule_key not in rules:
            rules[rule_key] = get_rule(rule_key)
        rule = rules[rule_key]
        clock = None
        if rule.enabled:
            on = calendar
            if on is None and rule.calendar_source == CalendarSource.RULE:
                on = rule.calendar
            if on is None:
                key = owner.pk if owner is not None else None
                if key not in owner_calendars:
                    owner_calendars[key] = owner_calendar(owner)
                on = owner_calendars[key] or rule.calendar
            clock = _new_clock(subject, rule, owner=owner, calendar=on, now=now)
            made.append((clock, subject))
        result.append(clock)
    if made:
        Clock.objects.bulk_create([clock for clock, _subject in made])
        record_many([_start_event(clock, subject, by=by, now=now) for clock, subject in made])
    return result


def pause(
    subject: models.Model, rule_key: str, *, now: datetime, by: User | None = None, reason: str = ""
) -> Clock | None:
    """Pause the clock (waiting for the customer or a part); its time stops (CAL-4).

    A paused clock is never breached; a breached clock can be paused too (it stays late).
    No open clock, or already paused: nothing happens. `reason` shows in the clock panel.
    """
    with transaction.atomic():
        clock = open_clock(subject, rule_key, lock=True)
        if clock is None or clock.state == ClockState.PAUSED:
            return clock
        before = clock.get_state_display()
        clock.state = ClockState.PAUSED
        clock.paused_at = now
        clock.pause_reason = reason[:300]
        clock.save(update_fields=["state", "paused_at", "pause_reason"])
        _audit(
            clock, subject, "clock_pause", by=by, now=now, before=before, after=clock.get_state_display(), reason=reason
        )
    return clock


def resume(subject: models.Model, rule_key: str, *, now: datetime, by: User | None = None) -> Clock | None:
    """Resume a paused clock: the due date moves by the paused time (CAL-4).

    Working-calendar kinds keep the working time that was left at the pause; wall-clock
    kinds move by the paused wall time (`clockmath.resume_due`). Not paused: nothing happens.
    """
    with transaction.atomic():
        clock = open_clock(subject, rule_key, lock=True)
        if clock is None or clock.state != ClockState.PAUSED:
            return clock
        if now < clock.paused_at:
            now = clock.paused_at
        old_due = clock.due_at
        zone = clock.calendar.zone
        clock.pauses = [*clock.pauses, [clock.paused_at.astimezone(zone).isoformat(), now.astimezone(zone).isoformat()]]
        clock.paused_for += now - clock.paused_at
        clock.paused_at = None
        clock.pause_reason = ""
        cal = calendars.snapshot(calendars.fresh(clock.calendar))
        clock.due_at, clock.warn_at = timeline(clock, cal)
        clock.next_escalation_at = next_escalation(clock.escalations, clock.due_at, clock.escalated_through)
        clock.state = ClockState.BREACHED if clock.breached_at else ClockState.RUNNING
        clock.save(
            update_fields=[
                "state",
                "pauses",
                "paused_for",
                "paused_at",
                "pause_reason",
                "due_at",
                "warn_at",
                "next_escalation_at",
            ]
        )
        _audit(
            clock,
            subject,
            "clock_resume",
            by=by,
            now=now,
            before=local(old_due, clock.calendar),
            after=local(clock.due_at, clock.calendar),
            due_at=clock.due_at,
        )
    return clock


def stop(subject: models.Model, rule_key: str, *, now: datetime, by: User | None = None) -> Clock | None:
    """The obligation is met: stop the clock. A breached clock is met late (breached_at stays)."""
    with transaction.atomic():
        clock = open_clock(subject, rule_key, lock=True)
        if clock is None:
            return None
        before = clock.get_state_display()
        if clock.paused_at is not None:
            clock.paused_for += max(now - clock.paused_at, timedelta(0))
            clock.paused_at = None
            clock.pause_reason = ""
        clock.state = ClockState.MET
        clock.met_at = now
        clock.warn_at = None
        clock.next_escalation_at = None
        clock.save(
            update_fields=[
                "state",
                "met_at",
                "paused_at",
                "pause_reason",
                "paused_for",
                "warn_at",
                "next_escalation_at",
            ]
        )
        _audit(
            clock,
            subject,
            "clock_stop",
            by=by,
            now=now,
            before=before,
            after=clock.get_state_display(),
            late=clock.breached_at is not None,
        )
    return clock


def reassign(subject: models.Model, owner, *, exclude_prefix: str = "", rule_key: str = "") -> int:
    """The running clocks of `subject` follow its new owner onto their workbench (only the
    clock of `rule_key`, when given).

    The due time stays: a handover doesn't buy time. Returns how many clocks moved.
    """
    ct, object_id = _subject_key(subject)
    running = Clock.objects.filter(content_type=ct, object_id=object_id, state__in=OPEN_STATES)
    if rule_key:
        running = running.filter(rule__key=rule_key)
    if exclude_prefix:
        running = running.exclude(rule__key__startswith=exclude_prefix)
    return running.update(owner=owner)


def open_rule_keys(subject: models.Model, *, exclude_prefix: str = "") -> list[str]:
    """The rule keys of the subject's open clocks."""
    ct, object_id = _subject_key(subject)
    qs = Clock.objects.filter(content_type=ct, object_id=object_id, state__in=OPEN_STATES)
    if exclude_prefix:
        qs = qs.exclude(rule__key__startswith=exclude_prefix)
    return list(qs.values_list("rule__key", flat=True))
