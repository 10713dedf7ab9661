"""Queue notifications inside a transition, deliver them from a worker (NT-1, QS-4)."""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction

from kefu.notify import channels
from kefu.notify.models import Outbox

log = logging.getLogger(__name__)

# A row claimed this long ago whose worker died is handed out again.
STALE_CLAIM = timedelta(minutes=10)


def subject_key(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def enqueue(
    event: str,
    obj: models.Model | None,
    *,
    to: Iterable = (),
    subject: str,
    body: str = "",
    link: str = "",
    channels_: Iterable[str] = (Outbox.Channel.INAPP,),
    group: str | None = None,
    key: str | None = None,
    now: datetime,
) -> int:
    """Write outbox rows for each recipient and channel; returns how many were new.

    `key` identifies the occurrence (default: event + subject object); re-enqueueing the same
    occurrence is a no-op, which makes jobs that run twice harmless. `group` names a group-chat
    robot (e.g. "dispatch", the 派单群) that gets the message once.
    """
    base = key or f"{event}:{subject_key(obj) if obj is not None else '-'}"
    rows = []
    for user in to:
        if user is None:
            continue
        for channel in channels_:
            address = ""
            if channel == Outbox.Channel.EMAIL:
                address = user.email
                if not address:
                    continue
            rows.append(
                Outbox(
                    key=f"{base}:{channel}:u{user.pk}"[:255],
                    event=event,
                    channel=channel,
                    recipient=user,
                    address=address,
                    subject=subject[:200],
                    body=body,
                    link=link,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    if group:
        rows.append(
            Outbox(
                key=f"{base}:robot:{group}"[:255],
                event=event,
                channel=Outbox.Channel.ROBOT,
                address=group,
                subject=subject[:200],
                body=body,
                link=link,
                next_attempt_at=now,
                created_at=now,
            )
        )
    if not rows:
        return 0
    keys = [r.key for r in rows]
    existing = set(Outbox.objects.filter(key__in=keys).values_list("key", flat=True))
    new_rows = [r for r in rows if r.key not in existing]
    # ignore_conflicts covers a concurrent enqueue of the same occurrence between the two queries.
    Outbox.objects.bulk_create(new_rows, ignore_conflicts=True)
    if new_rows:
        from kefu.jobs import enqueue as enqueue_job
        from kefu.notify.tasks import deliver_outbox

        enqueue_job(deliver_outbox)
    return len(new_rows)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def claim(row_id: int, *, now: datetime) -> bool:
    """Take one row for delivery; False if another worker has it (the conditional UPDATE)."""
    stale = now - STALE_CLAIM
    return bool(
        Outbox.objects.filter(pk=row_id)
        .filter(models.Q(status=Outbox.Status.PENDING) | models.Q(status=Outbox.Status.SENDING, claimed_at__lt=stale))
        .update(status=Outbox.Status.SENDING, claimed_at=now)
    )


def deliver_pending(*, now: datetime, limit: int = 200) -> dict[str, int]:
    """Deliver due outbox rows. Safe to run in several workers at once and to run twice."""
    stale = now - STALE_CLAIM
    due = (
        Outbox.objects.filter(
            models.Q(status=Outbox.Status.PENDING, next_attempt_at__lte=now)
            | models.Q(status=Outbox.Status.SENDING, claimed_at__lt=stale)
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    counts = {"sent": 0, "retry": 0, "dead": 0, "skipped": 0}
    for row_id in list(due):
        if not claim(row_id, now=now):
            counts["skipped"] += 1
            continue
        row = Outbox.objects.select_related("recipient").get(pk=row_id)
        try:
            channels.send(row, now=now)
        except Exception as exc:  # any channel failure is retried with backoff, then parked
            row.attempts += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if row.attempts >= settings.KEFU_OUTBOX_MAX_ATTEMPTS:
                row.status = Outbox.Status.DEAD
                counts["dead"] += 1
                log.error("outbox %s dead after %s attempts: %s", row.key, row.attempts, row.last_error)
            else:
                row.status = Outbox.Status.PENDING
                row.next_attempt_at = now + _backoff(row.attempts)
                counts["retry"] += 1
            row.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            continue
        with transaction.atomic():
            Outbox.objects.filter(pk=row.pk, status=Outbox.Status.SENDING).update(
                status=Outbox.Status.SENT, sent_at=now, attempts=row.attempts + 1, last_error=""
            )
        counts["sent"] += 1
    return counts
