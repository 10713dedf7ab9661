"""The breach scan (CAL-5): every minute, a few indexed queries over the stored due times.

- breach: running clocks past their due time become breached; the owner and the owner's
  manager are told once (outbox key per clock), and an audit event is written;
- warn: the owner is told once when the rule's share of the time is used (default 80 %);
- escalate: each escalation level of the clock fires once.

Each batch of clocks writes its notifications with one outbox.enqueue_many() (a few
statements per 500 notifications, in-app bell items included), not two statements each.

Safe to run twice and in several workers at once: rows are claimed with a conditional
UPDATE (and `SKIP LOCKED` on PostgreSQL), and every notification has a unique outbox key.
Each tick is recorded as a `ScanRun` (`begin` / `finish`), keyed by its Celery message, so a
message delivered twice scans once and an operator can see every tick and what it did.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.audit.models import Event
from kefu.deadlines.clocks import local, next_escalation
from kefu.deadlines.models import Clock, ClockState, EscalationLevel, ScanRun
from kefu.notify import outbox
from kefu.org.models import User

BREACHED_SUBJECT = _("【超时】%(rule)s：%(subject)s")
BREACHED_BODY = _("截止时间 %(due)s 已过，负责人：%(owner)s。")
WARNING_SUBJECT = _("【即将到期】%(rule)s：%(subject)s")
WARNING_BODY = _("截止时间 %(due)s，请及时处理。")
ESCALATION_SUBJECT = _("【时限提醒】%(rule)s：%(subject)s")
ESCALATION_BODY_BEFORE = _("将于 %(due)s 到期（负责人：%(owner)s）。")
ESCALATION_BODY_AFTER = _("已于 %(due)s 超时（负责人：%(owner)s），请跟进。")
NOBODY = _("未指定")
SYSTEM = "系统"

BATCH = 500
KEEP_RUNS = timedelta(days=7)

logger = logging.getLogger(__name__)

# What a breach does to its subject besides telling people, per rule key: a domain registers
# `handler(subject, *, clock, now)` from its AppConfig.ready() (CP-9: a crisis not fixed in time
# rises to serious). It runs in the breach's transaction, once per clock.
BREACH_HANDLERS: dict[str, Callable] = {}


def on_breach(rule_key: str, handler: Callable) -> None:
    BREACH_HANDLERS[rule_key] = handler


def begin(*, now: datetime, task_id: str | None = None, worker: str = "") -> ScanRun | None:
    """Record the start of a tick; None when this message (`task_id`) has already run."""
    try:
        with transaction.atomic():
            return ScanRun.objects.create(task_id=task_id or None, worker=worker[:200], started_at=now)
    except IntegrityError:
        logger.warning("deadline scan %s was delivered again; it already ran, skipped", task_id)
        return None


def finish(scan_run: ScanRun, counts: dict[str, int], *, now: datetime) -> None:
    """Record what the tick did, and forget ticks older than a week."""
    fields = {k: counts.get(k, 0) for k in ("breached", "warned", "escalated")}
    ScanRun.objects.filter(pk=scan_run.pk).update(finished_at=now, **fields)
    ScanRun.objects.filter(started_at__lt=now - KEEP_RUNS).delete()


def run(*, now: datetime) -> dict[str, int]:
    """One tick of the periodic job; returns how many clocks each step handled."""
    return {
        "breached": breach(now=now),
        "warned": warn(now=now),
        "escalated": escalate(now=now),
    }


def _claim(queryset, *, limit: int) -> list[int]:
    # FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite serialises writers at BEGIN IMMEDIATE.
    return list(queryset.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])


def _loaded(ids: list[int]):
    return (
        Clock.objects.filter(pk__in=ids)
        .select_related("rule", "calendar", "owner__manager", "owner__department__head")
        .prefetch_related("subject")
        .order_by("due_at", "pk")
    )


class Unowned:
    """Who hears of clocks nobody owns: the rule's manager role, read once per batch."""

    def __init__(self) -> None:
        self._by_role: dict[str, list[User]] = {}

    def __call__(self, clock: Clock) -> list[User]:
        role = clock.rule.manager_role
        if not role:
            return []
        if role not in self._by_role:
            self._by_role[role] = list(User.objects.filter(is_active=True, groups__name=role).distinct().order_by("pk"))
        return self._by_role[role]


def _link(clock: Clock) -> str:
    subject = clock.subject
    get_url = getattr(subject, "get_absolute_url", None)
    return get_url() if get_url else "/"


def _texts(clock: Clock) -> dict[str, str]:
    return {
        "rule": clock.rule.name,
        "subject": str(clock.subject) if clock.subject is not None else clock.object_id,
        "due": local(clock.due_at, clock.calendar),
        "owner": clock.owner.display_name if clock.owner else str(NOBODY),
    }


def _event(clock: Clock, verb: str, *, now: datetime, before: str = "", after: str = "", **data) -> Event:
    subject = clock.subject
    return Event(
        at=now,
        actor=None,
        actor_name=SYSTEM,
        verb=verb,
        content_type_id=clock.content_type_id,
        object_id=clock.object_id,
        object_repr=str(subject if subject is not None else clock)[:200],
        before=before[:100],
        after=after[:100],
        data={"clock": clock.pk, "rule": clock.rule.key, **data},
    )


def breach(*, now: datetime, batch: int = BATCH) -> int:
    """Mark running clocks with due_at < now breached; notify owner and manager once."""
    total = 0
    while True:
        with transaction.atomic():
            ids = _claim(Clock.objects.filter(state=ClockState.RUNNING, due_at__lt=now).order_by("due_at"), limit=batch)
            if not ids:
                return total
            Clock.objects.filter(pk__in=ids, state=ClockState.RUNNING).update(
                state=ClockState.BREACHED, breached_at=now, warn_at=None
            )
            clocks = list(_loaded(ids).filter(breached_at=now))
            Event.objects.bulk_create(
                _event(
                    c,
                    "clock_breach",
                    now=now,
                    before=str(ClockState.RUNNING.label),
                    after=str(ClockState.BREACHED.label),
                    due_at=c.due_at,
                )
                for c in clocks
            )
            for clock in clocks:
                handler = BREACH_HANDLERS.get(clock.rule.key)
                if handler is not None and clock.subject is not None:
                    handler(clock.subject, clock=clock, now=now)
            messages = []
            unowned = Unowned()
            for clock in clocks:
                texts = _texts(clock)
                owner = clock.owner
                messages.append(
                    outbox.Message(
                        "clock.breached",
                        clock,
                        str(BREACHED_SUBJECT % texts),
                        to=[owner, owner.manager] if owner else unowned(clock),
                        key=f"clock.breached:{clock.pk}",
                        body=str(BREACHED_BODY % texts),
                        link=_link(clock),
                    )
                )
            outbox.enqueue_many(messages, now=now)
        total += len(ids)
        if len(ids) < batch:
            return total


def warn(*, now: datetime, batch: int = BATCH) -> int:
    """Tell the owner once when the warning share of the time is used."""
    total = 0
    while True:
        with transaction.atomic():
            ids = _claim(
                Clock.objects.filter(state=ClockState.RUNNING, warn_at__lte=now).order_by("warn_at"), limit=batch
            )
            if not ids:
                return total
            Clock.objects.filter(pk__in=ids, warn_at__isnull=False).update(warn_at=None, warned_at=now)
            messages = []
            unowned = Unowned()
            for clock in _loaded(ids).filter(warned_at=now):
                texts = _texts(clock)
                messages.append(
                    outbox.Message(
                        "clock.warning",
                        clock,
                        str(WARNING_SUBJECT % texts),
                        to=[clock.owner] if clock.owner else unowned(clock),
                        key=f"clock.warning:{clock.pk}",
                        body=str(WARNING_BODY % texts),
                        link=_link(clock),
                    )
                )
            outbox.enqueue_many(messages, now=now)
        total += len(ids)
        if len(ids) < batch:
            return total


def _recipients(clock: Clock, notify: str, unowned: Unowned) -> list:
    owner = clock.owner
    if owner is None:
        return unowned(clock)
    if notify == EscalationLevel.Notify.OWNER:
        return [owner]
    if notify == EscalationLevel.Notify.MANAGER:
        return [owner.manager]
    department = owner.department
    return [department.head if department is not None else None]


def escalate(*, now: datetime, batch: int = BATCH) -> int:
    """Fire every escalation level whose moment has come, each once per clock."""
    total = 0
    open_states = [ClockState.RUNNING, ClockState.BREACHED]
    while True:
        with transaction.atomic():
            ids = _claim(
                Clock.objects.filter(state__in=open_states, next_escalation_at__lte=now).order_by("next_escalation_at"),
                limit=batch,
            )
            if not ids:
                return total
            events, messages = [], []
            unowned = Unowned()
            for clock in _loaded(ids):
                through = clock.escalated_through
                due = clock.due_at
                levels = [
                    (offset, notify)
                    for offset, notify in clock.escalations
                    if (through is None or offset > through) and due + timedelta(minutes=offset) <= now
                ]
                if not levels:
                    nxt = next_escalation(clock.escalations, due, through)
                    Clock.objects.filter(pk=clock.pk).update(next_escalation_at=nxt)
                    continue
                fired_through = max(offset for offset, _n in levels)
                claimed = (
                    Clock.objects.filter(pk=clock.pk)
                    .filter(Q(escalated_through__isnull=True) if through is None else Q(escalated_through=through))
                    .update(
                        escalated_through=fired_through,
                        next_escalation_at=next_escalation(clock.escalations, due, fired_through),
                    )
                )
                if not claimed:
                    continue
                texts = _texts(clock)
                for offset, notify in levels:
                    body = ESCALATION_BODY_BEFORE if offset < 0 else ESCALATION_BODY_AFTER
                    messages.append(
                        outbox.Message(
                            "clock.escalation",
                            clock,
                            str(ESCALATION_SUBJECT % texts),
                            to=_recipients(clock, notify, unowned),
                            key=f"clock.escalation:{clock.pk}:{offset}:{notify}",
                            body=str(body % texts),
                            link=_link(clock),
                        )
                    )
                    events.append(
                        _event(clock, "clock_escalate", now=now, after=f"{offset:+d} min {notify}", level=offset)
                    )
            Event.objects.bulk_create(events)
            outbox.enqueue_many(messages, now=now)
        total += len(ids)
        if len(ids) < batch:
            return total
