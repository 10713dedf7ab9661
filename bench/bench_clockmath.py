"""Throughput of working-time deadlines (CAL-3, CAL-5): add_working_time per second.

200,000 random minute-precision starts in 2025-2026, amounts 1..480 minutes, on the
office calendar (Mon-Fri 09:00-12:00 & 13:30-18:00 with the official holidays and 调休
days from chinesecalendar). Inputs are generated before timing; prints one JSON line.
"""

import json
import random
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import perf_counter
from zoneinfo import ZoneInfo

# Run as a plain script from anywhere: make the repo root importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import chinese_calendar

from kefu.deadlines.clockmath import CalendarSnapshot, add_working_time

N = 200_000
SEED = 20250101


def office_calendar() -> CalendarSnapshot:
    office = ((time(9), time(12)), (time(13, 30), time(18)))
    days = [date(2025, 1, 1) + timedelta(days=i) for i in range(730)]
    holidays = [d for d in days if d.weekday() < 5 and chinese_calendar.is_holiday(d)]
    workdays = [d for d in days if d.weekday() >= 5 and chinese_calendar.is_workday(d)]
    return CalendarSnapshot.build(ZoneInfo("Asia/Shanghai"), [office] * 5 + [()] * 2, holidays, workdays)


def main() -> None:
    cal = office_calendar()
    rng = random.Random(SEED)
    origin = datetime(2025, 1, 1, tzinfo=cal.tz)
    minutes_in_range = 730 * 24 * 60
    starts = [origin + timedelta(minutes=rng.randrange(minutes_in_range)) for _ in range(N)]
    amounts = [rng.randint(1, 480) for _ in range(N)]

    began = perf_counter()
    for start, minutes in zip(starts, amounts, strict=True):
        add_working_time(cal, start, minutes)
    seconds = perf_counter() - began

    print(
        json.dumps(
            {
                "bench": "clockmath.add_working_time",
                "value": round(N / seconds),
                "unit": "deadlines/s",
                "n": N,
                "db": "none",
                "command": "python bench/bench_clockmath.py",
            }
        )
    )


if __name__ == "__main__":
    main()
