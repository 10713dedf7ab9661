"""Deadline arithmetic over an immutable company calendar (CAL-3, CAL-4).

Pure functions: no Django, no database, stdlib + zoneinfo only, so the clock service can
compute a due date once at start/resume (CAL-5) and tests can property-check the maths.

Conventions shared by every function here:

- Instants are aware ``datetime`` objects; a naive one raises ``ValueError`` because a
  deadline without a zone is ambiguous.
- Everything is computed on the local wall clock of ``CalendarSnapshot.tz`` and results
  are aware datetimes in that zone. Working intervals are wall-clock times, so on a DST
  change day an interval is measured in wall-clock minutes (Asia/Shanghai has no DST;
  elsewhere a result falling into a spring-forward gap is moved past the gap).
- Working time is exact to the microsecond internally; the public durations
  (``working_time_between``, ``remaining_working_time``) are whole seconds, truncated
  toward zero, which is the precision the clock table stores.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

Interval = tuple[time, time]
DayIntervals = tuple[Interval, ...]
# Same intervals as microseconds since local midnight: integer compares in the hot loop.
_UsIntervals = tuple[tuple[int, int], ...]

_US_PER_SECOND = 1_000_000
_US_PER_MINUTE = 60 * _US_PER_SECOND
# The state announces holidays one year ahead, so three years without a single working
# day can only be a misconfigured calendar; stop instead of looping forever.
MAX_SEARCH_DAYS = 3 * 366
# No deadline lies further out than this from its start: the loops stop there with an error
# instead of running for as long as an absurd amount asks (bounded work per request).
HORIZON_DAYS = 10 * 366

NO_WORKING_TIME = "calendar has no working time within {days} days after {start}"
BEYOND_HORIZON = "deadline lies more than {days} days after {start}"
NAIVE_DATETIME = "{name} must be an aware datetime, got naive {value!r}"


class Kind(StrEnum):
    """Clock kinds a deadline rule can use (CAL-3)."""

    ELAPSED = "elapsed"
    WORKING_TIME = "working_time"
    WORKING_DAYS = "working_days"
    NEXT_WORK_START = "next_work_start"
    WEEKDAY_TIME = "weekday_time"
    DAY_OF_MONTH = "day_of_month"
    NTH_WORKING_DAY_NEXT_MONTH = "nth_working_day_next_month"


# Kinds anchored to the wall clock shift by the paused duration on resume; every other
# kind is anchored to the working calendar and keeps its remaining working time (CAL-4).
WALL_CLOCK_KINDS = frozenset({Kind.ELAPSED, Kind.WEEKDAY_TIME, Kind.DAY_OF_MONTH})


def _time_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US_PER_SECOND + t.microsecond


def _validate_day(label: str, intervals: Iterable[Sequence[time]]) -> DayIntervals:
    day: list[Interval] = []
    for pair in intervals:
        if len(pair) != 2 or not all(isinstance(t, time) for t in pair):
            raise ValueError(f"{label}: an interval is a (start, end) pair of times, got {pair!r}")
        start, end = pair
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(f"{label}: interval times are wall-clock, drop the tzinfo")
        if end <= start:
            raise ValueError(f"{label}: interval {start}-{end} must end after it starts")
        if day and start < day[-1][1]:
            raise ValueError(f"{label}: intervals must be sorted and must not overlap")
        day.append((start, end))
    return tuple(day)


_US_PER_DAY = 24 * 60 * _US_PER_MINUTE


def _end_us(t: time) -> int:
    # An interval ending at time.max (23:59:59.999999) ends at midnight: a round-the-clock
    # calendar has no microsecond gap between one day and the next.
    return _US_PER_DAY if t == time.max else _time_us(t)


def _to_us(day: DayIntervals) -> _UsIntervals:
    return tuple((_time_us(a), _end_us(b)) for a, b in day)


def _has_fixed_offset(tz: ZoneInfo) -> bool:
    # Sampled over the years deadlines can realistically fall in; a fixed offset lets
    # the hot path skip the round trip through UTC that repairs spring-forward gaps.
    offsets = {
        datetime(year, month, 1, 12, tzinfo=tz).utcoffset() for year in range(2000, 2101) for month in (1, 4, 7, 10)
    }
    return len(offsets) == 1


@dataclass(frozen=True)
class CalendarSnapshot:
    """Immutable working calendar: weekly hours plus per-date overrides (CAL-1, CAL-2).

    ``weekly[i]`` holds the working intervals of weekday ``i`` (Monday = 0). A date
    present in ``overrides`` uses exactly those intervals instead: an empty tuple is a
    day off (statutory holiday), a non-empty one a worked day (调休 Saturday). Intervals
    of a day are sorted, do not overlap and end after they start; they may touch.
    """

    tz: ZoneInfo
    weekly: tuple[DayIntervals, ...]
    overrides: Mapping[date, DayIntervals] = field(default_factory=dict)
    _weekly_us: tuple[_UsIntervals, ...] = field(init=False, repr=False, compare=False, default=())
    _overrides_us: dict[int, _UsIntervals] = field(init=False, repr=False, compare=False, default_factory=dict)
    _fixed_offset: bool = field(init=False, repr=False, compare=False, default=False)

    def __post_init__(self) -> None:
        if not isinstance(self.tz, ZoneInfo):
            raise TypeError(f"tz must be a ZoneInfo, got {self.tz!r}")
        weekly = tuple(self.weekly)
        if len(weekly) != 7:
            raise ValueError(f"weekly needs 7 days (Monday first), got {len(weekly)}")
        weekly = tuple(_validate_day(stdlib_calendar.day_name[i], day) for i, day in enumerate(weekly))
        overrides: dict[date, DayIntervals] = {}
        for day, intervals in self.overrides.items():
            # datetime subclasses date; accepting one would silently key on an instant.
            if type(day) is not date:
                raise ValueError(f"override keys must be dates, got {day!r}")
            overrides[day] = _validate_day(day.isoformat(), intervals)
        # Frozen dataclass: normalise through object.__setattr__ once, at construction.
        object.__setattr__(self, "weekly", weekly)
        object.__setattr__(self, "overrides", MappingProxyType(overrides))
        object.__setattr__(self, "_weekly_us", tuple(_to_us(day) for day in weekly))
        object.__setattr__(
            self,
            "_overrides_us",
            {d.toordinal(): _to_us(iv) for d, iv in overrides.items()},
        )
        object.__setattr__(self, "_fixed_offset", _has_fixed_offset(self.tz))

    def __hash__(self) -> int:
        return hash((self.tz, self.weekly, frozenset(self.overrides.items())))

    @classmethod
    def build(
        cls,
        tz: ZoneInfo | str,
        weekly: Sequence[Iterable[Sequence[time]]],
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        workday_intervals: Iterable[Sequence[time]] | None = None,
    ) -> CalendarSnapshot:
        """Build a snapshot from weekly hours, holidays and 调休 workdays (CAL-1).

        Holidays become days off; adjusted workdays get ``workday_intervals`` or, by
        default, Monday's intervals. Raises ``ValueError`` on malformed intervals, on a
        date listed as both holiday and workday, or on workdays without any hours.
        """
        zone = ZoneInfo(tz) if isinstance(tz, str) else tz
        if len(weekly) != 7:
            raise ValueError(f"weekly needs 7 days (Monday first), got {len(weekly)}")
        week = tuple(_validate_day(stdlib_calendar.day_name[i], d) for i, d in enumerate(weekly))
        worked = week[0] if workday_intervals is None else _validate_day("workday_intervals", workday_intervals)
        off = set(holidays)
        on = set(workdays)
        if clash := off & on:
            raise ValueError(f"dates both holiday and workday: {sorted(clash)}")
        if on and not worked:
            raise ValueError("adjusted workdays need working intervals (Monday has none)")
        overrides: dict[date, DayIntervals] = dict.fromkeys(off, ())
        overrides.update(dict.fromkeys(on, worked))
        return cls(tz=zone, weekly=week, overrides=overrides)


# --- internal helpers ------------------------------------------------------------


def _day(cal: CalendarSnapshot, ordinal: int) -> _UsIntervals:
    intervals = cal._overrides_us.get(ordinal)
    if intervals is None:
        # date.fromordinal(1) is a Monday, so weekday = (ordinal - 1) % 7.
        intervals = cal._weekly_us[(ordinal + 6) % 7]
    return intervals


def _split(cal: CalendarSnapshot, s: datetime, name: str = "s") -> tuple[int, int]:
    """Local (date ordinal, microseconds since local midnight) of an aware instant."""
    if s.tzinfo is None:
        raise ValueError(NAIVE_DATETIME.format(name=name, value=s))
    local = s.astimezone(cal.tz)
    us = ((local.hour * 60 + local.minute) * 60 + local.second) * _US_PER_SECOND
    return local.toordinal(), us + local.microsecond


def _normalize(cal: CalendarSnapshot, wall: datetime) -> datetime:
    """``wall`` carries ``cal.tz`` and a local wall-clock time that may not exist."""
    if cal._fixed_offset:
        return wall
    # Round trip through UTC moves a wall time inside a spring-forward gap past it.
    return wall.astimezone(UTC).astimezone(cal.tz)


def _wall(cal: CalendarSnapshot, day: date, at: time) -> datetime:
    return _normalize(cal, datetime.combine(day, at, tzinfo=cal.tz))


def _at(cal: CalendarSnapshot, ordinal: int, us: int) -> datetime:
    if us >= _US_PER_DAY:
        ordinal, us = ordinal + 1, us - _US_PER_DAY
    d = date.fromordinal(ordinal)
    seconds, micro = divmod(us, _US_PER_SECOND)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    wall = datetime(d.year, d.month, d.day, hour, minute, second, micro, tzinfo=cal.tz)
    return _normalize(cal, wall)


def _no_working_time(ordinal: int) -> ValueError:
    start = date.fromordinal(ordinal).isoformat()
    return ValueError(NO_WORKING_TIME.format(days=MAX_SEARCH_DAYS, start=start))


def _first_working_day(cal: CalendarSnapshot, ordinal: int) -> tuple[int, _UsIntervals]:
    """First date ordinal >= ``ordinal`` that has working intervals, and those."""
    for candidate in range(ordinal, ordinal + MAX_SEARCH_DAYS):
        intervals = _day(cal, candidate)
        if intervals:
            return candidate, intervals
    raise _no_working_time(ordinal)


def _nth_working_day_end(cal: CalendarSnapshot, ordinal: int, n: int) -> datetime:
    """End of the n-th working day, counting the day ``ordinal`` itself."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    intervals: _UsIntervals = ()
    last = ordinal + HORIZON_DAYS
    for _ in range(n):
        ordinal, intervals = _first_working_day(cal, ordinal)
        ordinal += 1
        if ordinal > last:
            raise ValueError(BEYOND_HORIZON.format(days=HORIZON_DAYS, start=date.fromordinal(last - HORIZON_DAYS)))
    return _at(cal, ordinal - 1, intervals[-1][1])


def _add_us(cal: CalendarSnapshot, ordinal: int, us: int, amount: int) -> tuple[int, int]:
    """Consume ``amount`` > 0 us interval by interval, never minute by minute."""
    overrides = cal._overrides_us
    weekly = cal._weekly_us
    idle_days = 0
    last = ordinal + HORIZON_DAYS
    while True:
        if ordinal > last:
            raise ValueError(BEYOND_HORIZON.format(days=HORIZON_DAYS, start=date.fromordinal(last - HORIZON_DAYS)))
        intervals = overrides.get(ordinal)
        if intervals is None:
            intervals = weekly[(ordinal + 6) % 7]
        if intervals:
            idle_days = 0
            for start, end in intervals:
                if us >= end:
                    continue
                begin = max(us, start)
                available = end - begin
                # "<=": a due date landing exactly on an interval end stays there.
                if amount <= available:
                    return ordinal, begin + amount
                amount -= available
        else:
            idle_days += 1
            if idle_days > MAX_SEARCH_DAYS:
                raise _no_working_time(ordinal - idle_days)
        ordinal += 1
        us = 0


def _worked_before(intervals: _UsIntervals, us: int) -> int:
    return sum(min(end, us) - start for start, end in intervals if us > start)


def _between_us(cal: CalendarSnapshot, a: datetime, b: datetime) -> int:
    oa, ua = _split(cal, a, "a")
    ob, ub = _split(cal, b, "b")
    if (oa, ua) > (ob, ub):
        return -_between_us(cal, b, a)
    first = _day(cal, oa)
    if oa == ob:
        return _worked_before(first, ub) - _worked_before(first, ua)
    total = sum(end - start for start, end in first) - _worked_before(first, ua)
    for ordinal in range(oa + 1, ob):
        total += sum(end - start for start, end in _day(cal, ordinal))
    return total + _worked_before(_day(cal, ob), ub)


def _seconds(us: int) -> int:
    return us // _US_PER_SECOND if us >= 0 else -(-us // _US_PER_SECOND)


# --- public API ------------------------------------------------------------------


def is_working_day(cal: CalendarSnapshot, day: date) -> bool:
    """Whether ``day`` has any working interval in this calendar (CAL-1)."""
    return bool(_day(cal, day.toordinal()))


def is_working_time(cal: CalendarSnapshot, s: datetime) -> bool:
    """Whether ``s`` lies inside a working interval (start inclusive, end exclusive)."""
    ordinal, us = _split(cal, s)
    return any(start <= us < end for start, end in _day(cal, ordinal))


def elapsed(s: datetime, minutes: float, tz: ZoneInfo | None = None) -> datetime:
    """Elapsed (wall-clock) deadline: ``s`` plus real minutes (CAL-3).

    Added in UTC so a DST change counts real time; the result is in ``tz`` (pass the
    calendar's zone) or, by default, in the zone of ``s``.
    """
    if s.tzinfo is None:
        raise ValueError(NAIVE_DATETIME.format(name="s", value=s))
    if minutes < 0:
        raise ValueError(f"minutes must be >= 0, got {minutes}")
    due = s.astimezone(UTC) + timedelta(minutes=minutes)
    return due.astimezone(tz if tz is not None else s.tzinfo)


def add_working_time(cal: CalendarSnapshot, s: datetime, minutes: float) -> datetime:
    """Working-time deadline: ``minutes`` counted only inside working intervals (CAL-3).

    A start outside working time starts counting at the next working interval. A due
    date landing exactly on an interval end is that end, not the next interval's start.
    ``minutes == 0`` returns ``s`` unchanged (in the calendar's zone), even outside
    working time: nothing is owed, so nothing is due later than now.
    """
    if minutes < 0:
        raise ValueError(f"minutes must be >= 0, got {minutes}")
    ordinal, us = _split(cal, s)
    amount = round(minutes * _US_PER_MINUTE)
    if amount == 0:
        return s.astimezone(cal.tz)
    return _at(cal, *_add_us(cal, ordinal, us, amount))


def working_time_between(cal: CalendarSnapshot, a: datetime, b: datetime) -> int:
    """Working time from ``a`` to ``b`` in whole seconds, truncated toward 0 (CAL-3).

    Antisymmetric: negative when ``b`` is before ``a``. Inverse of ``add_working_time``:
    ``working_time_between(cal, s, add_working_time(cal, s, m)) == m * 60`` for whole
    minutes ``m``.
    """
    return _seconds(_between_us(cal, a, b))


def remaining_working_time(cal: CalendarSnapshot, now: datetime, due: datetime) -> int:
    """Working seconds left until ``due``, negative once overdue (CAL-4 countdowns)."""
    return working_time_between(cal, now, due)


def end_of_nth_working_day(cal: CalendarSnapshot, s: datetime, n: int) -> datetime:
    """End of work on the N-th working day after the day of ``s`` (CAL-3).

    The day of ``s`` never counts, even when ``s`` is early in a working day: "within 2
    working days" started on Monday morning is due Wednesday at close of work.
    """
    ordinal, _ = _split(cal, s)
    return _nth_working_day_end(cal, ordinal + 1, n)


def next_work_start(cal: CalendarSnapshot, s: datetime) -> datetime:
    """Start of work on the first working day after ``s``'s day (次日上班前, CAL-3)."""
    ordinal, _ = _split(cal, s)
    ordinal, intervals = _first_working_day(cal, ordinal + 1)
    return _at(cal, ordinal, intervals[0][0])


def next_weekday_time(cal: CalendarSnapshot, s: datetime, weekday: int, at: time | None = None) -> datetime:
    """First moment strictly after ``s`` on ``weekday`` (Monday = 0) at ``at`` (CAL-3).

    ``at=None`` means start of work on that weekday (周一上班前); if that date is not
    a working day, start of work on the next working day after it. The candidate dates
    are ``s``'s own date (if it is that weekday) and the following such weekdays, so a
    Monday deadline set in a holiday week that already swallowed Monday is next
    Monday's. With an explicit ``at`` (每周三12点前) the moment is that wall-clock
    time, working day or not: the rule names a clock time, not a working-time point.
    """
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) .. 6 (Sunday), got {weekday}")
    ordinal, _ = _split(cal, s)
    ordinal += (weekday - (ordinal + 6) % 7) % 7
    while True:
        if at is None:
            work_day, intervals = _first_working_day(cal, ordinal)
            moment = _at(cal, work_day, intervals[0][0])
        else:
            moment = _wall(cal, date.fromordinal(ordinal), at)
        if moment > s:
            return moment
        ordinal += 7


def day_of_month(cal: CalendarSnapshot, s: datetime, day: int, at: time) -> datetime:
    """First moment strictly after ``s`` on day ``day`` at ``at`` (每月25日, CAL-3).

    A month shorter than ``day`` uses its last day (day 31 in April is April 30).
    """
    if not 1 <= day <= 31:
        raise ValueError(f"day must be 1..31, got {day}")
    ordinal, _ = _split(cal, s)
    current = date.fromordinal(ordinal)
    year, month = current.year, current.month
    while True:
        last = stdlib_calendar.monthrange(year, month)[1]
        moment = _wall(cal, date(year, month, min(day, last)), at)
        if moment > s:
            return moment
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def nth_working_day_of_next_month(cal: CalendarSnapshot, s: datetime, n: int) -> datetime:
    """End of the N-th working day of the month after ``s`` (下月3个工作日内, CAL-3).

    Counting starts on the 1st; a month with fewer than N working days carries the
    count into the following month rather than failing.
    """
    ordinal, _ = _split(cal, s)
    current = date.fromordinal(ordinal)
    year, month = (current.year + 1, 1) if current.month == 12 else (current.year, current.month + 1)
    return _nth_working_day_end(cal, date(year, month, 1).toordinal(), n)


def resume_due(
    cal: CalendarSnapshot,
    kind: Kind | str,
    paused_at: datetime,
    resumed_at: datetime,
    due: datetime,
) -> datetime:
    """Due date after a pause at ``paused_at`` and resume at ``resumed_at`` (CAL-4).

    - Wall-clock kinds (``WALL_CLOCK_KINDS``): ``due + (resumed_at - paused_at)`` in
      real time.
    - Calendar kinds: the working time left at the pause is kept, i.e.
      ``add_working_time(cal, resumed_at, working_time_between(cal, paused_at, due))``.
      A pause never makes a deadline earlier, so the result is at least ``due``.
    - A clock paused at or after its due date was already breached; its due stays.
    """
    kind = Kind(kind)
    if resumed_at < paused_at:
        raise ValueError(f"resumed_at {resumed_at} is before paused_at {paused_at}")
    if paused_at >= due:
        return due.astimezone(cal.tz)
    if kind in WALL_CLOCK_KINDS:
        paused_for = resumed_at.astimezone(UTC) - paused_at.astimezone(UTC)
        return (due.astimezone(UTC) + paused_for).astimezone(cal.tz)
    remaining = _between_us(cal, paused_at, due)
    if remaining == 0:
        return max(due.astimezone(cal.tz), resumed_at.astimezone(cal.tz))
    ordinal, us = _split(cal, resumed_at, "resumed_at")
    return max(due.astimezone(cal.tz), _at(cal, *_add_us(cal, ordinal, us, remaining)))
