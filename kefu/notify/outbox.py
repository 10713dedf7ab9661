"""Queue notifications inside a transition, deliver them from a worker (NT-1, QS-4).

`enqueue()` writes one occurrence's rows (a few statements); `enqueue_many()` writes many
occurrences at once (a fixed number of statements per 500 rows), for jobs such as the
deadline scan that notify about hundreds of objects in one transaction.
"""

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, models

from kefu.notify import channels
from kefu.notify.models import Notification, Outbox

log = logging.getLogger(__name__)

# Keys per `key IN (…)` lookup and rows per INSERT in enqueue_many().
CHUNK = 500
KEY_MAX = Outbox._meta.get_field("key").max_length


def subject_key(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def _key(base: str, suffix: str) -> str:
    """`<base>:<suffix>`, or, past the column's 255 characters, a prefix plus a digest of the
    whole key: cutting it off would let two recipients (long addresses) share one key."""
    key = f"{base}:{suffix}"
    if len(key) <= KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: KEY_MAX - len(digest) - 1]}#{digest}"


def _is_email(address: str) -> bool:
    return "@" in address


# Which plain addresses (recipients without a login) a channel can carry. In-app needs a
# user; a robot is addressed by `group=`; there is no SMS channel yet, so a phone number
# fits none and enqueue() refuses it rather than dropping it silently.
ADDRESS_CHANNELS = {Outbox.Channel.EMAIL: _is_email}


def _address_key(address: str) -> str:
    """The recipient part of the key: case-insensitive for email, digits and + for a phone."""
    if _is_email(address):
        return address.lower()
    return "".join(ch for ch in address if ch.isdigit() or ch == "+") or address


@dataclass(frozen=True)
class Message:
    """One occurrence to notify about; the arguments of enqueue() except `now`."""

    event: str
    obj: models.Model | None
    subject: str
    to: Iterable = ()
    addresses: Iterable[str] = ()
    body: str = ""
    link: str = ""
    channels_: Iterable[str] = (Outbox.Channel.INAPP,)
    group: str | None = None
    key: str | None = None
    ref: str | None = None

    def rows(self, *, now: datetime) -> list[Outbox]:
        """The outbox rows, one per channel and recipient, each with its unique key."""
        base = self.key or f"{self.event}:{subject_key(self.obj) if self.obj is not None else '-'}"
        common = {
            "event": self.event,
            "subject": self.subject[:200],
            "body": self.body,
            "link": self.link,
            "ref": _ref(self.obj) if self.ref is None else self.ref[:50],
            "next_attempt_at": now,
            "created_at": now,
        }
        chans = list(self.channels_)
        rows = []
        user_emails = set()
        for user in self.to:
            if user is None:
                continue
            for channel in chans:
                address = ""
                if channel == Outbox.Channel.EMAIL:
                    address = user.email
                    if not address:
                        continue
                    user_emails.add(address.strip().lower())
                rows.append(
                    Outbox(
                        key=_key(base, f"{channel}:u{user.pk}"),
                        channel=channel,
                        recipient=user,
                        address=address,
                        **common,
                    )
                )
        for raw in self.addresses:
            address = (raw or "").strip()
            if not address:
                continue
            fits = [c for c in chans if ADDRESS_CHANNELS.get(c, lambda _a: False)(address)]
            if not fits:
                raise ValueError(f"outbox: no channel in {chans} can carry the address {address!r}")
            for channel in fits:
                if channel == Outbox.Channel.EMAIL and address.lower() in user_emails:
                    continue  # a user in `to` with this email gets it once already
                rows.append(
                    Outbox(
                        key=_key(base, f"{channel}:a{_address_key(address)}"),
                        channel=channel,
                        address=address,
                        **common,
                    )
                )
        if self.group:
            rows.append(
                Outbox(
                    key=_key(base, f"robot:{self.group}"), channel=Outbox.Channel.ROBOT, address=self.group, **common
                )
            )
        return rows


def _ref(obj: models.Model | None) -> str:
    """The item's number for the receiver (a request's or work order's `number`), else ''."""
    return str(getattr(obj, "number", "") or "")[:50]


def _existing(keys: list[str]) -> set[str]:
    found = set()
    for start in range(0, len(keys), CHUNK):
        found.update(Outbox.objects.filter(key__in=keys[start : start + CHUNK]).values_list("key", flat=True))
    return found


def _deliver_soon() -> None:
    from kefu.jobs import enqueue as enqueue_job
    from kefu.notify.tasks import deliver_outbox

    enqueue_job(deliver_outbox)


def enqueue(
    event: str,
    obj: models.Model | None,
    *,
    to: Iterable = (),
    addresses: Iterable[str] = (),
    subject: str,
    body: str = "",
    link: str = "",
    channels_: Iterable[str] = (Outbox.Channel.INAPP,),
    group: str | None = None,
    key: str | None = None,
    ref: str | None = None,
    now: datetime,
) -> int:
    """Write outbox rows for each recipient and channel; returns how many were new.

    `to` are users; `addresses` are plain email addresses (or, once there is a channel for
    them, phone numbers) of people without a login, e.g. a customer's contact: sent on the
    channels in `channels_` that can carry them (email), and a ValueError if none can.
    `key` identifies the occurrence (default: event + subject object); each row's key is
    `<key>:<channel>:u<user pk>`, `…:a<address>` or `…:robot:<group>`, so re-enqueueing the
    same occurrence is a no-op, which makes jobs that run twice harmless. `group` names a
    group-chat robot (e.g. "dispatch", the 派单群) that gets the message once. `ref` is the
    item's number shown in robot messages (default: `obj.number` when it has one).
    """
    message = Message(
        event,
        obj,
        subject,
        to=to,
        addresses=addresses,
        body=body,
        link=link,
        channels_=channels_,
        group=group,
        key=key,
        ref=ref,
    )
    rows = message.rows(now=now)
    if not rows:
        return 0
    existing = _existing([r.key for r in rows])
    new_rows = [r for r in rows if r.key not in existing]
    # ignore_conflicts covers a concurrent enqueue of the same occurrence between the two queries.
    Outbox.objects.bulk_create(new_rows, ignore_conflicts=True)
    if new_rows:
        _deliver_soon()
    return len(new_rows)


def enqueue_many(messages: Iterable[Message | Mapping], *, now: datetime) -> int:
    """Write the rows of many occurrences at once; returns how many outbox rows were new.

    Each message is a `Message` or a mapping of enqueue()'s keyword arguments (with `event`
    and `obj`). The keys, and so the exactly-once guarantee, are enqueue()'s: enqueueing the
    same messages twice (or a message enqueue() already wrote) adds nothing.

    In-app rows are delivered here, in the caller's transaction: the bell item (Notification,
    one-to-one with its outbox row) is written with them and the row is stored as sent, so
    the worker only sends email and robot messages. Cost: one SELECT and one INSERT of outbox
    rows, one SELECT and one INSERT of notifications per 500 rows, whatever their number.
    """
    rows, seen = [], set()
    for message in messages:
        if isinstance(message, Mapping):
            message = Message(**message)
        for row in message.rows(now=now):
            if row.key not in seen:  # the same occurrence twice in one call: once
                seen.add(row.key)
                rows.append(row)
    if not rows:
        return 0
    existing = _existing([r.key for r in rows])
    new_rows = [r for r in rows if r.key not in existing]
    if not new_rows:
        return 0
    inapp = {}
    for row in new_rows:
        if row.channel == Outbox.Channel.INAPP:
            row.status, row.sent_at, row.attempts = Outbox.Status.SENT, now, 1
            inapp[row.key] = row
    Outbox.objects.bulk_create(new_rows, batch_size=CHUNK, ignore_conflicts=True)
    if inapp:
        # ignore_conflicts gives the rows no primary keys back: look them up by key. A row a
        # concurrent enqueue wrote first is found too; the one-to-one keeps its bell item single.
        keys = list(inapp)
        ids = {}
        for start in range(0, len(keys), CHUNK):
            ids.update(
                Outbox.objects.filter(key__in=keys[start : start + CHUNK], channel=Outbox.Channel.INAPP).values_list(
                    "key", "pk"
                )
            )
        Notification.objects.bulk_create(
            [
                Notification(
                    outbox_id=ids[key],
                    recipient_id=row.recipient_id,
                    title=row.subject,
                    body=row.body,
                    link=row.link,
                    created_at=now,
                )
                for key, row in inapp.items()
                if key in ids
            ],
            batch_size=CHUNK,
            ignore_conflicts=True,
        )
    if len(inapp) < len(new_rows):
        _deliver_soon()
    return len(new_rows)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def claim_timeout() -> timedelta:
    """How long a claim lasts without a refresh: past it, the worker is taken to be dead."""
    return timedelta(seconds=settings.KEFU_OUTBOX_CLAIM_TIMEOUT)


def _claimable(now: datetime) -> models.Q:
    return models.Q(status=Outbox.Status.PENDING) | models.Q(
        status=Outbox.Status.SENDING, claimed_at__lt=now - claim_timeout()
    )


def claim(row_id: int, *, now: datetime) -> bool:
    """Take one row for delivery; False if another worker has it (the conditional UPDATE).

    A row is free when pending, or when its claim was last refreshed longer than
    `claim_timeout()` ago (its worker died mid-send). Each claim counts as an attempt, so a row
    whose worker keeps dying still ends up dead after KEFU_OUTBOX_MAX_ATTEMPTS."""
    return bool(
        Outbox.objects.filter(_claimable(now), pk=row_id).update(
            status=Outbox.Status.SENDING, claimed_at=now, attempts=models.F("attempts") + 1
        )
    )


class ClaimKeeper:
    """Keeps the claim of the row being sent fresh while the sending process lives.

    A thread refreshes `claimed_at` every third of the claim timeout, so a send that is slow
    but alive (a stalled SMTP server, a slow webhook) is never handed to a second worker; a
    worker killed mid-send stops refreshing and its row is free after the timeout. The thread
    starts with the first claim and is stopped by close()."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._every = settings.KEFU_OUTBOX_CLAIM_TIMEOUT / 3
        self._row_id: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, row_id: int) -> None:
        self._row_id = row_id
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="outbox-claim-keeper", daemon=True)
            self._thread.start()

    def release(self) -> None:
        self._row_id = None

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self._every):
                row_id = self._row_id
                if row_id is None:
                    continue
                try:
                    Outbox.objects.filter(pk=row_id, status=Outbox.Status.SENDING).update(claimed_at=self._clock())
                except Exception:  # the next beat tries again; the send itself is unaffected
                    log.warning("outbox: could not refresh the claim of row %s", row_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only


def _elapsed_clock(now: datetime) -> Callable[[], datetime]:
    """`now` moved on by the real time elapsed since: claims made late in a long batch carry
    the time they were made, not the batch's start."""
    start = time.monotonic()
    return lambda: now + timedelta(seconds=time.monotonic() - start)


def deliver_pending(*, now: datetime, limit: int = 200, clock: Callable[[], datetime] | None = None) -> dict[str, int]:
    """Deliver due outbox rows. Safe to run in several workers at once and to run twice.

    `now` picks the due rows; `clock()` stamps each claim, refresh and result (default: `now`
    plus the real time elapsed since the call)."""
    clock = clock or _elapsed_clock(now)
    due = (
        Outbox.objects.filter(
            models.Q(status=Outbox.Status.PENDING, next_attempt_at__lte=now)
            | models.Q(status=Outbox.Status.SENDING, claimed_at__lt=now - claim_timeout())
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    counts = {"sent": 0, "retry": 0, "dead": 0, "skipped": 0}
    keeper = ClaimKeeper(clock)
    try:
        for row_id in list(due):
            at = clock()
            if not claim(row_id, now=at):
                counts["skipped"] += 1
                continue
            keeper.hold(row_id)
            try:
                counts[_deliver(row_id, now=at, clock=clock)] += 1
            finally:
                keeper.release()
    finally:
        keeper.close()
    return counts


def _deliver(row_id: int, *, now: datetime, clock: Callable[[], datetime]) -> str:
    """Send one claimed row and record the result: "sent", "retry" or "dead"."""
    row = Outbox.objects.select_related("recipient").get(pk=row_id)
    max_attempts = settings.KEFU_OUTBOX_MAX_ATTEMPTS
    if row.attempts > max_attempts:
        # The last allowed attempt ended with its worker gone (killed mid-send): park it.
        row.status, row.last_error = Outbox.Status.DEAD, f"worker lost during attempt {max_attempts}; {row.last_error}"
        row.save(update_fields=["status", "last_error"])
        log.error("outbox %s dead after %s attempts: %s", row.key, row.attempts - 1, row.last_error)
        return "dead"
    try:
        channels.send(row, now=now)
    except Exception as exc:  # any channel failure is retried with backoff, then parked
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= max_attempts:
            row.status = Outbox.Status.DEAD
            log.error("outbox %s dead after %s attempts: %s", row.key, row.attempts, row.last_error)
        else:
            row.status = Outbox.Status.PENDING
            row.next_attempt_at = clock() + _backoff(row.attempts)
        Outbox.objects.filter(pk=row.pk, status=Outbox.Status.SENDING).update(
            last_error=row.last_error, status=row.status, next_attempt_at=row.next_attempt_at
        )
        return "dead" if row.status == Outbox.Status.DEAD else "retry"
    Outbox.objects.filter(pk=row.pk, status=Outbox.Status.SENDING).update(
        status=Outbox.Status.SENT, sent_at=clock(), last_error=""
    )
    return "sent"


def sent_for(event: str, obj: models.Model) -> list[Outbox]:
    """The rows one occurrence (`event` about `obj`, default key) wrote: whom it went to, by
    which channel, and whether it is out yet, for a page that says "sent to …"."""
    prefix = f"{event}:{subject_key(obj)}:"
    return list(Outbox.objects.filter(key__startswith=prefix).select_related("recipient").order_by("pk"))
