"""Clock maths (CAL-1..CAL-4) on calendars built from chinesecalendar data.

No Django on purpose: these are pure functions and the file must run in seconds.
"""

import ast
import sys
from dataclasses import FrozenInstanceError
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kefu.deadlines.clockmath import (
    MAX_SEARCH_DAYS,
    CalendarSnapshot,
    Kind,
    add_working_time,
    day_of_month,
    elapsed,
    end_of_nth_working_day,
    is_working_day,
    is_working_time,
    next_weekday_time,
    next_work_start,
    nth_working_day_of_next_month,
    remaining_working_time,
    resume_due,
    working_time_between,
)

SH = ZoneInfo("Asia/Shanghai")
OFFICE_HOURS = ((time(9), time(12)), (time(13, 30), time(18)))
HOTLINE_HOURS = ((time(8), time(20)),)
FIRST_DAY = date(2025, 1, 1)
LAST_DAY = date(2026, 12, 31)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _china_overrides(start: date, end: date) -> tuple[list[date], list[date]]:
    """Weekday holidays and weekend 调休 workdays according to chinesecalendar."""
    holidays = [d for d in _days(start, end) if d.weekday() < 5 and chinese_calendar.is_holiday(d)]
    workdays = [d for d in _days(start, end) if d.weekday() >= 5 and chinese_calendar.is_workday(d)]
    return holidays, workdays


HOLIDAYS, WORKDAYS = _china_overrides(FIRST_DAY, LAST_DAY)
OFFICE = CalendarSnapshot.build(SH, [OFFICE_HOURS] * 5 + [()] * 2, HOLIDAYS, WORKDAYS)
HOTLINE = CalendarSnapshot.build(SH, [HOTLINE_HOURS] * 7)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def _span(first: tuple[int, int], last: tuple[int, int], year: int) -> list[date]:
    return _days(date(year, *first), date(year, *last))


# State Council announcements (国务院办公厅关于2025年/2026年部分节假日安排的通知),
# written out literally so a wrong package update is caught rather than trusted.
OFFICIAL = {
    2025: {
        "holidays": [
            *_span((1, 1), (1, 1), 2025),
            *_span((1, 28), (2, 4), 2025),
            *_span((4, 4), (4, 6), 2025),
            *_span((5, 1), (5, 5), 2025),
            *_span((5, 31), (6, 2), 2025),
            *_span((10, 1), (10, 8), 2025),
        ],
        "workdays": [date(2025, m, d) for m, d in ((1, 26), (2, 8), (4, 27), (9, 28), (10, 11))],
    },
    2026: {
        "holidays": [
            *_span((1, 1), (1, 3), 2026),
            *_span((2, 15), (2, 23), 2026),
            *_span((4, 4), (4, 6), 2026),
            *_span((5, 1), (5, 5), 2026),
            *_span((6, 19), (6, 21), 2026),
            *_span((9, 25), (9, 27), 2026),
            *_span((10, 1), (10, 7), 2026),
        ],
        "workdays": [date(2026, m, d) for m, d in ((1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10))],
    },
}


# --- CAL-1: the calendar data ---------------------------------------------------------


@pytest.mark.parametrize("year", [2025, 2026])
def test_cal1_chinese_calendar_matches_state_council_list(year: int) -> None:
    official = OFFICIAL[year]
    off, on = set(official["holidays"]), set(official["workdays"])
    for day in _days(date(year, 1, 1), date(year, 12, 31)):
        expected_working = day in on or (day.weekday() < 5 and day not in off)
        assert chinese_calendar.is_workday(day) is expected_working, day
        assert is_working_day(OFFICE, day) is expected_working, day


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 1, 26),
        date(2025, 2, 8),
        date(2025, 4, 27),
        date(2025, 9, 28),
        date(2025, 10, 11),
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ],
)
def test_cal1_adjusted_weekend_workday_is_worked_with_office_hours(day: date) -> None:
    assert day.weekday() >= 5
    assert is_working_day(OFFICE, day)
    assert OFFICE.overrides[day] == OFFICE_HOURS


def test_cal1_national_day_2025_week_is_off() -> None:
    assert not any(is_working_day(OFFICE, d) for d in _days(date(2025, 10, 1), date(2025, 10, 8)))
    assert is_working_day(OFFICE, date(2025, 9, 30))
    assert is_working_day(OFFICE, date(2025, 10, 9))


def test_cal1_spring_festival_2026_is_off() -> None:
    festival = _days(date(2026, 2, 15), date(2026, 2, 23))
    assert all(chinese_calendar.get_holiday_detail(d)[1] == "Spring Festival" for d in festival)
    assert not any(is_working_day(OFFICE, d) for d in festival)
    assert is_working_day(OFFICE, date(2026, 2, 14))  # Saturday, 调休
    assert is_working_day(OFFICE, date(2026, 2, 24))


# --- snapshot construction ------------------------------------------------------------


@pytest.mark.parametrize(
    ("weekly", "holidays", "workdays", "message"),
    [
        ([OFFICE_HOURS] * 6, (), (), "7 days"),
        ([((time(12), time(9)),)] + [()] * 6, (), (), "end after"),
        ([((time(9), time(12)), (time(11), time(13)))] + [()] * 6, (), (), "overlap"),
        ([((time(13), time(18)), (time(9), time(12)))] + [()] * 6, (), (), "sorted"),
        (
            [OFFICE_HOURS] * 7,
            [date(2025, 2, 8)],
            [date(2025, 2, 8)],
            "both holiday and workday",
        ),
        ([()] * 7, (), [date(2025, 2, 8)], "need working intervals"),
        ([((time(9, tzinfo=SH), time(12)),)] + [()] * 6, (), (), "wall-clock"),
    ],
)
def test_cal2_build_rejects_malformed_calendars(weekly, holidays, workdays, message) -> None:
    with pytest.raises(ValueError, match=message):
        CalendarSnapshot.build(SH, weekly, holidays, workdays)


def test_cal2_snapshot_is_immutable_hashable_and_accepts_zone_name() -> None:
    again = CalendarSnapshot.build("Asia/Shanghai", [OFFICE_HOURS] * 5 + [()] * 2, HOLIDAYS, WORKDAYS)
    assert again == OFFICE
    assert hash(again) == hash(OFFICE)
    with pytest.raises(FrozenInstanceError):
        OFFICE.tz = ZoneInfo("UTC")  # type: ignore[misc]
    with pytest.raises(TypeError):
        OFFICE.overrides[date(2025, 3, 3)] = ()  # type: ignore[index]


def test_cal2_adjusted_workday_can_have_its_own_hours() -> None:
    cal = CalendarSnapshot.build(
        SH,
        [OFFICE_HOURS] * 5 + [()] * 2,
        workdays=[date(2025, 2, 8)],
        workday_intervals=[(time(10), time(15))],
    )
    assert add_working_time(cal, sh(2025, 2, 7, 18), 60) == sh(2025, 2, 8, 11)


# --- CAL-3: each clock kind with concrete dates ---------------------------------------


def test_cal3_elapsed_counts_wall_clock_through_nights_and_holidays() -> None:
    assert elapsed(sh(2025, 9, 30, 17), 24 * 60) == sh(2025, 10, 1, 17)
    assert elapsed(sh(2025, 9, 26, 17), 120, tz=SH) == sh(2025, 9, 26, 19)


def test_cal3_elapsed_counts_real_time_across_dst() -> None:
    new_york = ZoneInfo("America/New_York")
    due = elapsed(datetime(2025, 3, 8, 12, tzinfo=new_york), 24 * 60)
    assert due == datetime(2025, 3, 9, 13, tzinfo=new_york)
    assert due.utcoffset() == timedelta(hours=-4)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        # Friday 17:00 + 2 h: 1 h on Friday, 1 h on the 调休 Sunday before National Day.
        (sh(2025, 9, 26, 17), 120, sh(2025, 9, 28, 10)),
        # Landing exactly on an interval end returns that end, not 13:30.
        (sh(2025, 9, 22, 11), 60, sh(2025, 9, 22, 12)),
        (sh(2025, 9, 22, 11, 30), 60, sh(2025, 9, 22, 14)),
        (sh(2025, 9, 22, 7), 30, sh(2025, 9, 22, 9, 30)),
        (sh(2025, 9, 22, 12, 30), 30, sh(2025, 9, 22, 14)),
        (sh(2025, 9, 22, 9), 450, sh(2025, 9, 22, 18)),
        (sh(2025, 9, 22, 9), 480, sh(2025, 9, 23, 9, 30)),
        (sh(2025, 9, 26, 19), 60, sh(2025, 9, 28, 10)),
        # National Day week: 2025-10-01..08 off.
        (sh(2025, 9, 30, 17), 120, sh(2025, 10, 9, 10)),
        # Spring Festival 2026: Saturday 02-14 worked, 02-15..23 off.
        (sh(2026, 2, 13, 17), 120, sh(2026, 2, 14, 10)),
        (sh(2026, 2, 14, 17), 120, sh(2026, 2, 24, 10)),
        (sh(2025, 2, 7, 17, 59), 2, sh(2025, 2, 8, 9, 1)),
        (sh(2026, 9, 18, 18), 30, sh(2026, 9, 20, 9, 30)),
    ],
)
def test_cal3_add_working_time_office(start: datetime, minutes: int, due: datetime) -> None:
    assert add_working_time(OFFICE, start, minutes) == due


def test_cal3_add_working_time_hotline_7x12_works_holidays_and_stops_at_close() -> None:
    assert add_working_time(HOTLINE, sh(2025, 10, 1, 19), 13 * 60) == sh(2025, 10, 2, 20)
    assert add_working_time(HOTLINE, sh(2025, 10, 1, 21), 30) == sh(2025, 10, 2, 8, 30)


def test_cal3_add_working_time_zero_minutes_returns_start_even_outside_work() -> None:
    assert add_working_time(OFFICE, sh(2025, 9, 22, 10), 0) == sh(2025, 9, 22, 10)
    assert add_working_time(OFFICE, sh(2025, 10, 3, 22), 0) == sh(2025, 10, 3, 22)


def test_cal3_add_working_time_converts_other_zones_and_returns_calendar_zone() -> None:
    due = add_working_time(OFFICE, datetime(2025, 9, 26, 9, tzinfo=ZoneInfo("UTC")), 120)
    assert due == sh(2025, 9, 28, 10)
    assert due.tzinfo is SH


def test_cal3_add_working_time_rejects_naive_and_negative() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_working_time(OFFICE, sh(2025, 9, 22, 10).replace(tzinfo=None), 10)
    with pytest.raises(ValueError, match=">= 0"):
        add_working_time(OFFICE, sh(2025, 9, 22, 10), -1)


def test_cal3_add_working_time_with_dst_zone() -> None:
    new_york = ZoneInfo("America/New_York")
    cal = CalendarSnapshot.build(new_york, [((time(9), time(17)),)] * 5 + [()] * 2)
    due = add_working_time(cal, datetime(2025, 3, 7, 16, tzinfo=new_york), 120)
    assert due == datetime(2025, 3, 10, 10, tzinfo=new_york)
    assert due.utcoffset() == timedelta(hours=-4)
    # 02:00-03:00 does not exist on 2025-03-09; a result there is moved past the gap.
    night = CalendarSnapshot.build(new_york, [((time(1), time(4)),)] * 7)
    gap_due = add_working_time(night, datetime(2025, 3, 9, 1, tzinfo=new_york), 90)
    assert gap_due == datetime(2025, 3, 9, 3, 30, tzinfo=new_york)
    assert gap_due.utcoffset() == timedelta(hours=-4)


def test_cal3_working_time_between_in_seconds_and_antisymmetric() -> None:
    assert working_time_between(OFFICE, sh(2025, 9, 22, 9), sh(2025, 9, 22, 18)) == 27_000
    assert working_time_between(OFFICE, sh(2025, 9, 26, 17), sh(2025, 9, 28, 10)) == 7_200
    assert working_time_between(OFFICE, sh(2025, 9, 28, 10), sh(2025, 9, 26, 17)) == -7_200
    assert working_time_between(OFFICE, sh(2025, 9, 30), sh(2025, 10, 9)) == 27_000
    assert working_time_between(OFFICE, sh(2025, 9, 22, 9), sh(2025, 9, 22, 9, 0, 1, 999_999)) == 1


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (sh(2025, 9, 30, 10), 1, sh(2025, 10, 9, 18)),
        (sh(2025, 9, 30, 10), 3, sh(2025, 10, 11, 18)),  # 10-11 is a 调休 Saturday
        (sh(2025, 9, 30, 10), 4, sh(2025, 10, 13, 18)),
        (sh(2025, 9, 26, 10), 1, sh(2025, 9, 28, 18)),  # 调休 Sunday
        (sh(2025, 9, 26, 10), 2, sh(2025, 9, 29, 18)),
        (sh(2025, 9, 22, 8), 1, sh(2025, 9, 23, 18)),  # the start day never counts
        (sh(2026, 2, 13, 10), 2, sh(2026, 2, 24, 18)),
    ],
)
def test_cal3_end_of_nth_working_day(start: datetime, n: int, due: datetime) -> None:
    assert end_of_nth_working_day(OFFICE, start, n) == due


def test_cal3_end_of_nth_working_day_needs_positive_n() -> None:
    with pytest.raises(ValueError, match="n must be"):
        end_of_nth_working_day(OFFICE, sh(2025, 9, 22, 10), 0)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (sh(2025, 9, 30, 15), sh(2025, 10, 9, 9)),
        (sh(2025, 9, 26, 20), sh(2025, 9, 28, 9)),
        (sh(2025, 9, 22, 7), sh(2025, 9, 23, 9)),  # 次日: tomorrow's start, not today's
        (sh(2026, 2, 13, 11), sh(2026, 2, 14, 9)),
        (sh(2025, 12, 31, 17), sh(2026, 1, 4, 9)),
    ],
)
def test_cal3_next_work_start(start: datetime, due: datetime) -> None:
    assert next_work_start(OFFICE, start) == due


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (sh(2025, 9, 19, 15), sh(2025, 9, 22, 9)),
        # Monday 2025-06-02 is Dragon Boat Festival: start of work moves to Tuesday.
        (sh(2025, 5, 30, 15), sh(2025, 6, 3, 9)),
        # Monday 2026-04-06 is Qingming.
        (sh(2026, 4, 3, 17), sh(2026, 4, 7, 9)),
        (sh(2025, 9, 22, 8), sh(2025, 9, 22, 9)),
        (sh(2025, 9, 22, 9), sh(2025, 9, 29, 9)),
        # Set during the National Day week, after its Monday: next Monday.
        (sh(2025, 10, 7, 10), sh(2025, 10, 13, 9)),
    ],
)
def test_cal3_next_weekday_monday_start_of_work(start: datetime, due: datetime) -> None:
    assert next_weekday_time(OFFICE, start, 0) == due


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (sh(2025, 9, 24, 11, 59), sh(2025, 9, 24, 12)),
        (
            sh(2025, 9, 24, 12),
            sh(2025, 10, 1, 12),
        ),  # strictly after; a holiday keeps the clock time
        (sh(2025, 9, 25, 9), sh(2025, 10, 1, 12)),
    ],
)
def test_cal3_next_weekday_wednesday_noon(start: datetime, due: datetime) -> None:
    assert next_weekday_time(OFFICE, start, 2, time(12)) == due


def test_cal3_next_weekday_rejects_bad_weekday() -> None:
    with pytest.raises(ValueError, match="weekday"):
        next_weekday_time(OFFICE, sh(2025, 9, 22), 7)


@pytest.mark.parametrize(
    ("start", "day", "due"),
    [
        (sh(2025, 9, 10, 10), 25, sh(2025, 9, 25, 18)),
        (sh(2025, 9, 25, 18), 25, sh(2025, 10, 25, 18)),
        (sh(2025, 12, 26, 8), 25, sh(2026, 1, 25, 18)),
        (sh(2026, 2, 1), 31, sh(2026, 2, 28, 18)),
        (sh(2025, 4, 15), 31, sh(2025, 4, 30, 18)),
        (sh(2025, 1, 31, 18), 31, sh(2025, 2, 28, 18)),
    ],
)
def test_cal3_day_of_month(start: datetime, day: int, due: datetime) -> None:
    assert day_of_month(OFFICE, start, day, time(18)) == due


def test_cal3_day_of_month_rejects_bad_day() -> None:
    with pytest.raises(ValueError, match="day must be"):
        day_of_month(OFFICE, sh(2025, 9, 22), 32, time(18))


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # October 2025: 1..8 off, 9 Thu, 10 Fri, 11 Sat (调休) worked.
        (sh(2025, 9, 15, 10), 3, sh(2025, 10, 11, 18)),
        (sh(2025, 9, 30, 23, 59), 1, sh(2025, 10, 9, 18)),
        (sh(2026, 1, 20, 10), 3, sh(2026, 2, 4, 18)),
        # January 2026: 1..3 off, Sunday 4 worked.
        (sh(2025, 12, 5, 10), 1, sh(2026, 1, 4, 18)),
        (sh(2026, 9, 10, 10), 3, sh(2026, 10, 10, 18)),
    ],
)
def test_cal3_nth_working_day_of_next_month(start: datetime, n: int, due: datetime) -> None:
    assert nth_working_day_of_next_month(OFFICE, start, n) == due


def test_cal3_calendar_without_working_time_fails_loudly() -> None:
    idle = CalendarSnapshot.build(SH, [()] * 7)
    start = sh(2025, 9, 22, 10)
    for compute in (
        lambda: add_working_time(idle, start, 1),
        lambda: next_work_start(idle, start),
        lambda: end_of_nth_working_day(idle, start, 1),
        lambda: next_weekday_time(idle, start, 0),
        lambda: nth_working_day_of_next_month(idle, start, 1),
    ):
        with pytest.raises(ValueError, match="no working time"):
            compute()
    # Working hours exist but are overridden off for longer than the search window.
    off = CalendarSnapshot.build(
        SH,
        [OFFICE_HOURS] * 7,
        holidays=_days(date(2025, 9, 22), date(2025, 9, 22) + timedelta(MAX_SEARCH_DAYS + 1)),
    )
    with pytest.raises(ValueError, match="no working time"):
        add_working_time(off, start, 1)


def test_cal3_is_working_time_bounds() -> None:
    assert is_working_time(OFFICE, sh(2025, 9, 22, 9))
    assert not is_working_time(OFFICE, sh(2025, 9, 22, 12))
    assert is_working_time(OFFICE, sh(2025, 9, 28, 10))  # 调休 Sunday
    assert not is_working_time(OFFICE, sh(2025, 10, 6, 10))


# --- CAL-4: pause and resume ----------------------------------------------------------


def test_cal4_working_time_clock_keeps_remaining_time_over_pause() -> None:
    start = sh(2025, 9, 22, 9)
    due = add_working_time(OFFICE, start, 240)
    assert due == sh(2025, 9, 22, 14, 30)
    paused, resumed = sh(2025, 9, 22, 10), sh(2025, 9, 23, 16)
    assert remaining_working_time(OFFICE, paused, due) == 3 * 3600
    new_due = resume_due(OFFICE, Kind.WORKING_TIME, paused, resumed, due)
    assert new_due == sh(2025, 9, 24, 10)
    assert remaining_working_time(OFFICE, resumed, new_due) == 3 * 3600


def test_cal4_working_days_clock_resumes_after_holiday() -> None:
    due = end_of_nth_working_day(OFFICE, sh(2025, 9, 26, 10), 1)
    assert due == sh(2025, 9, 28, 18)
    new_due = resume_due(OFFICE, "working_days", sh(2025, 9, 28, 17), sh(2025, 10, 9, 9), due)
    assert new_due == sh(2025, 10, 9, 10)


def test_cal4_elapsed_clock_shifts_by_paused_duration() -> None:
    due = elapsed(sh(2025, 9, 22, 10), 120)
    assert resume_due(OFFICE, Kind.ELAPSED, sh(2025, 9, 22, 10, 30), sh(2025, 9, 22, 11, 30), due) == sh(
        2025, 9, 22, 13
    )


def test_cal4_pause_with_no_working_time_left_never_moves_due_earlier() -> None:
    due = next_work_start(OFFICE, sh(2025, 9, 19, 15))  # Monday 09:00
    paused = sh(2025, 9, 21, 20)
    assert resume_due(OFFICE, Kind.NEXT_WORK_START, paused, sh(2025, 9, 21, 22), due) == due
    assert resume_due(OFFICE, Kind.NEXT_WORK_START, paused, sh(2025, 9, 22, 10), due) == sh(2025, 9, 22, 10)


def test_cal4_breached_clock_keeps_its_due_and_resume_must_follow_pause() -> None:
    due = sh(2025, 9, 22, 10)
    assert resume_due(OFFICE, Kind.WORKING_TIME, sh(2025, 9, 22, 11), sh(2025, 9, 23, 11), due) == due
    assert remaining_working_time(OFFICE, sh(2025, 9, 22, 11), due) == -3600
    with pytest.raises(ValueError, match="before paused_at"):
        resume_due(OFFICE, Kind.WORKING_TIME, sh(2025, 9, 22, 9, 30), sh(2025, 9, 22, 9), due)


# --- properties -----------------------------------------------------------------------

PROPERTY = settings(max_examples=200, deadline=None)
# Hypothesis bounds are naive wall-clock times; the calendar zone is attached below.
starts = st.datetimes(
    min_value=sh(2025, 1, 1).replace(tzinfo=None),
    max_value=sh(2026, 12, 31, 23, 59).replace(tzinfo=None),
).map(lambda d: d.replace(second=0, microsecond=0, tzinfo=SH))
amounts = st.integers(min_value=0, max_value=8 * 60)
long_amounts = st.integers(min_value=0, max_value=10 * 450)
calendars = st.sampled_from([OFFICE, HOTLINE])
BERLIN_OFFICE = CalendarSnapshot.build(ZoneInfo("Europe/Berlin"), [OFFICE_HOURS] * 5 + [()] * 2)


@PROPERTY
@given(cal=calendars, start=starts, minutes=long_amounts)
def test_cal3_property_due_not_before_start_and_inverse(cal, start, minutes) -> None:
    due = add_working_time(cal, start, minutes)
    assert due >= start
    assert due.tzinfo is SH
    assert working_time_between(cal, start, due) == minutes * 60
    assert elapsed(start, minutes) >= start


@PROPERTY
@given(cal=calendars, start=starts, first=amounts, second=amounts)
def test_cal3_property_adding_twice_equals_adding_sum(cal, start, first, second) -> None:
    step = add_working_time(cal, start, first)
    assert add_working_time(cal, step, second) == add_working_time(cal, start, first + second)


@PROPERTY
@given(cal=calendars, a=starts, b=starts, minutes=amounts)
def test_cal3_property_later_start_never_gives_earlier_due(cal, a, b, minutes) -> None:
    early, late = sorted((a, b))
    assert add_working_time(cal, early, minutes) <= add_working_time(cal, late, minutes)


@PROPERTY
@given(a=starts, b=starts, c=starts)
def test_cal3_property_working_time_between_is_additive(a, b, c) -> None:
    assert working_time_between(OFFICE, a, b) + working_time_between(OFFICE, b, c) == working_time_between(OFFICE, a, c)


@PROPERTY
@given(start=starts, n=st.integers(min_value=1, max_value=15))
def test_cal3_property_working_day_kinds_land_on_working_time(start, n) -> None:
    end = end_of_nth_working_day(OFFICE, start, n)
    worked = [d for d in _days(start.date() + timedelta(1), end.date()) if is_working_day(OFFICE, d)]
    assert len(worked) == n
    assert worked[-1] == end.date()
    assert end.time() == time(18)
    begin = next_work_start(OFFICE, start)
    assert begin.date() > start.date()
    assert is_working_time(OFFICE, begin)
    assert begin.date() == end_of_nth_working_day(OFFICE, start, 1).date()
    monday = next_weekday_time(OFFICE, start, 0)
    assert monday > start
    assert is_working_time(OFFICE, monday)
    monthly = nth_working_day_of_next_month(OFFICE, start, min(n, 3))
    assert monthly > start
    assert is_working_day(OFFICE, monthly.date())


@PROPERTY
@given(
    start=starts,
    minutes=st.integers(min_value=1, max_value=10 * 450),
    pause_at=st.floats(min_value=0, max_value=1, exclude_max=True),
    paused_minutes=st.integers(min_value=0, max_value=60 * 24 * 20),
    kind=st.sampled_from([Kind.WORKING_TIME, Kind.WORKING_DAYS, Kind.ELAPSED]),
)
def test_cal4_property_pause_resume_keeps_remaining_time(start, minutes, pause_at, paused_minutes, kind) -> None:
    due = elapsed(start, minutes) if kind is Kind.ELAPSED else add_working_time(OFFICE, start, minutes)
    paused = start + (due - start) * pause_at
    assume(paused < due)
    resumed = paused + timedelta(minutes=paused_minutes)
    new_due = resume_due(OFFICE, kind, paused, resumed, due)
    assert new_due >= due
    if kind is Kind.ELAPSED:
        assert new_due - resumed == due - paused
    else:
        assert remaining_working_time(OFFICE, resumed, new_due) == remaining_working_time(OFFICE, paused, due)


@PROPERTY
@given(start=starts, minutes=long_amounts)
def test_cal3_property_inverse_holds_in_a_dst_zone(start, minutes) -> None:
    local_start = start.replace(tzinfo=BERLIN_OFFICE.tz)
    due = add_working_time(BERLIN_OFFICE, local_start, minutes)
    assert due >= local_start
    assert working_time_between(BERLIN_OFFICE, local_start, due) == minutes * 60


def test_clockmath_imports_only_stdlib() -> None:
    source = (Path(__file__).resolve().parents[1] / "clockmath.py").read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


ROUND_THE_CLOCK = CalendarSnapshot.build(SH, [((time(0), time.max),)] * 7)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
    minutes=st.integers(min_value=0, max_value=60 * 24 * 40),
)
def test_cal2_a_round_the_clock_calendar_counts_like_the_wall_clock(start: datetime, minutes: int) -> None:
    """HL-5 promises on a night shift: 0:00–24:00 every day has no gap at midnight."""
    s = start.replace(tzinfo=SH)
    assert add_working_time(ROUND_THE_CLOCK, s, minutes) == s + timedelta(minutes=minutes)
    assert working_time_between(ROUND_THE_CLOCK, s, s + timedelta(minutes=minutes)) == minutes * 60
