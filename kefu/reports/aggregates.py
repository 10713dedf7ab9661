"""Daily aggregates (issue 15): pre-counted numerators and denominators per day, so a report
over a long period reads a few hundred rows instead of every request.

A domain declares a `Store`: its model (a subclass of `models.DailyAggregate` with its own
dimensions, e.g. the person whose work a row is) and `build(day, start, end, now)`, the unsaved
rows of one day [start, end) counted by the domain's own selectors (they stay the definition).

- `rebuild(store, day, now=…)` replaces the day's rows in one transaction. The day is claimed
  first by a conditional UPDATE of its `AggregateDay` (as a subscription's slot is), so two
  workers never both build it; building again gives the same rows (idempotent).
- `plan(store, start, end, now=…)` splits a period: days that are over and built are read from
  the store; today, and any day not built yet, are counted live. `as_of` is the oldest build
  read, which the page shows ("数据截至").
- The job (`kefu.reports.tasks.rebuild_aggregates`) rebuilds yesterday and today of every store
  every few minutes, and once a night the last `settle_days` (late answers, clocks decided
  after their day); `manage.py rebuild_aggregates` rebuilds any range.
"""

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum

from kefu.reports import periods
from kefu.reports.models import AggregateDay

CLAIM_TIMEOUT = timedelta(minutes=10)  # a day claimed longer ago belongs to a dead worker


@dataclass(frozen=True)
class Store:
    key: str
    model: type
    build: Callable[[date, datetime, datetime, datetime], Iterable]
    # How far back the nightly run rebuilds: a day's figures may still change (a clock decided,
    # a survey answered) until its longest deadline has passed.
    settle_days: int = 35


STORES: dict[str, Store] = {}


def register(store: Store) -> Store:
    STORES[store.key] = store
    return store


def get(key: str) -> Store:
    return STORES[key]


def day_span(day: date, tz) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def _claim(store: Store, day: date, *, now: datetime) -> str | None:
    """Take the day for this worker; None when another worker is building it."""
    try:
        with transaction.atomic():
            AggregateDay.objects.get_or_create(store=store.key, day=day)
    except IntegrityError:
        pass  # another worker made the row a moment ago: claim it below like any other
    token = uuid.uuid4().hex
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    taken = AggregateDay.objects.filter(free, store=store.key, day=day).update(claim=token, claimed_at=now)
    return token if taken else None


class _Lost(Exception):
    """The claim was taken over (this worker was too slow): its rows are not written."""


def rebuild(store: Store, day: date, *, now: datetime, tz=None) -> int | None:
    """Count one day again and replace its rows; the number of rows, or None if another worker
    holds the day."""
    tz = tz or periods.company_zone()
    token = _claim(store, day, now=now)
    if token is None:
        return None
    mine = AggregateDay.objects.filter(store=store.key, day=day, claim=token)
    try:
        start, end = day_span(day, tz)
        rows = list(store.build(day, start, end, now))
        for row in rows:
            row.day = day
        with transaction.atomic():
            store.model.objects.filter(day=day).delete()
            store.model.objects.bulk_create(rows, batch_size=2000)
            if not mine.update(built_at=now, rows=len(rows), claim="", claimed_at=None):
                raise _Lost
    except _Lost:
        return None
    except BaseException:
        mine.update(claim="", claimed_at=None)
        raise
    return len(rows)


def rebuild_range(store: Store, first: date, last: date, *, now: datetime, tz=None) -> dict[date, int | None]:
    tz = tz or periods.company_zone()
    done, day = {}, first
    while day <= last:
        done[day] = rebuild(store, day, now=now, tz=tz)
        day += timedelta(days=1)
    return done


def recent(store: Store, *, now: datetime, days: int = 2, tz=None) -> dict[date, int | None]:
    """The last `days` days up to today (the periodic job: yesterday and today)."""
    tz = tz or periods.company_zone()
    today = now.astimezone(tz).date()
    return rebuild_range(store, today - timedelta(days=days - 1), today, now=now, tz=tz)


# --- reading ------------------------------------------------------------------------------


@dataclass
class Plan:
    """A period split: runs of built days (first, last) read from the store, and [start, end)
    spans counted live; `as_of` the oldest build among the runs (None: all live)."""

    runs: list[tuple[date, date]]
    live: list[tuple[datetime, datetime]]
    as_of: datetime | None

    def days(self) -> Q:
        """The store's rows of the runs."""
        q = Q(pk__in=[])
        for a, b in self.runs:
            q |= Q(day__gte=a, day__lte=b)
        return q


def built_days(store: Store, first: date | None, last: date | None) -> dict[date, datetime]:
    """{day: built at} of the store's built days between first and last (None: unbounded)."""
    rows = AggregateDay.objects.filter(store=store.key, built_at__isnull=False)
    if first is not None:
        rows = rows.filter(day__gte=first)
    if last is not None:
        rows = rows.filter(day__lte=last)
    return dict(rows.values_list("day", "built_at"))


def plan(store: Store, start: datetime, end: datetime, *, now: datetime, tz, built=None) -> Plan:
    """Split [start, end) (midnights of `tz`) into built days before today and live spans."""
    first, stop = start.astimezone(tz).date(), end.astimezone(tz).date()  # stop: exclusive
    today = now.astimezone(tz).date()
    closed_last = min(stop, today) - timedelta(days=1)
    built = built_days(store, first, closed_last) if built is None else built
    runs: list[list[date]] = []
    live: list[list[date]] = []
    day = first
    while day < stop:
        into = runs if day <= closed_last and day in built else live
        if into and into[-1][1] + timedelta(days=1) == day:
            into[-1][1] = day
        else:
            into.append([day, day])
        day += timedelta(days=1)
    stamps = [built[d] for a, b in runs for d in _each(a, b)]
    return Plan(
        runs=[(a, b) for a, b in runs],
        live=[(day_span(a, tz)[0], day_span(b, tz)[1]) for a, b in live],
        as_of=min(stamps) if stamps else None,
    )


def _each(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def sums(qs: QuerySet, *group: str) -> list[dict]:
    """part and whole added up over `qs`, by `group` (fields of the store's model)."""
    if not group:
        row = qs.aggregate(part=Sum("part"), whole=Sum("whole"))
        return [{"part": row["part"] or 0, "whole": row["whole"] or 0}]
    return list(qs.values(*group).annotate(part=Sum("part"), whole=Sum("whole")).order_by())
