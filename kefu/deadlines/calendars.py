"""Calendar data: snapshots for the clock maths, and the official schedule from chinesecalendar.

The deadline maths reads our own tables (editable by an administrator), never the package:
the package only seeds them, for every year it covers (CAL-1).
"""

import threading
import uuid
from datetime import date, time

import chinese_calendar
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.deadlines.clockmath import CalendarSnapshot, DayIntervals
from kefu.deadlines.models import CalendarDay, WorkCalendar, WorkingInterval

# The package names holidays in English; the calendar shows the official Chinese names.
HOLIDAY_NAMES = {
    "New Year's Day": _("元旦"),
    "Spring Festival": _("春节"),
    "Tomb-sweeping Day": _("清明节"),
    "Labour Day": _("劳动节"),
    "Dragon Boat Festival": _("端午节"),
    "National Day": _("国庆节"),
    "Mid-autumn Festival": _("中秋节"),
    "Anti-Fascist 70th Day": _("抗战胜利70周年纪念日"),
}
ADJUSTED_WORKDAY = _("%(holiday)s调休上班")

# Demo and default calendars (CAL-2): code → (name, observes holidays, weekly intervals).
OFFICE_HOURS = ((time(9), time(12)), (time(13, 30), time(18)))
HOTLINE_HOURS = ((time(8), time(20)),)
STATION_HOURS = ((time(8, 30), time(12)), (time(13), time(17, 30)))
# A working day cannot end at 24:00 (a time of day); a microsecond short of it is close enough.
ALL_DAY = ((time(0), time.max),)
STANDARD_CALENDARS = {
    "office": (_("办公室（周一至周五 9:00–12:00、13:30–18:00）"), True, [OFFICE_HOURS] * 5 + [()] * 2),
    "hotline": (_("热线（每天 8:00–20:00，节假日照常）"), False, [HOTLINE_HOURS] * 7),
    "station": (_("维修站（周一至周六 8:30–12:00、13:00–17:30）"), True, [STATION_HOURS] * 6 + [()]),
    # Promises made on a duty shift outside the hotline's hours (HL-5) run on it.
    "allday": (_("全天候（每天 0:00–24:00，节假日照常）"), False, [ALL_DAY] * 7),
}


def package_years() -> list[int]:
    """The years whose official schedule the installed chinesecalendar knows."""
    return sorted({d.year for d in chinese_calendar.holidays})


def package_days(year: int) -> list[tuple[date, str, str]]:
    """(date, kind, Chinese name) of the year's statutory holidays and 调休 working days."""
    days = []
    for day, name in chinese_calendar.holidays.items():
        if day.year == year:
            days.append((day, CalendarDay.Kind.HOLIDAY, str(HOLIDAY_NAMES.get(name, name))))
    for day, name in chinese_calendar.workdays.items():
        if day.year == year:
            holiday = str(HOLIDAY_NAMES.get(name, name))
            days.append((day, CalendarDay.Kind.WORKDAY, str(ADJUSTED_WORKDAY % {"holiday": holiday})))
    return sorted(days)


def write_package_year(calendar: WorkCalendar, year: int) -> int:
    """Load one year's official schedule into `calendar`, replacing that year's package rows.

    Days an administrator set by hand stay as they are. Returns the number of rows written.
    The caller bumps the calendar version and audits (this is a building block).
    """
    days = package_days(year)
    if not days:
        return 0
    CalendarDay.objects.filter(calendar=calendar, date__year=year, source=CalendarDay.Source.PACKAGE).delete()
    manual = set(
        CalendarDay.objects.filter(calendar=calendar, date__year=year, source=CalendarDay.Source.ADMIN).values_list(
            "date", flat=True
        )
    )
    rows = [
        CalendarDay(calendar=calendar, date=day, kind=kind, name=name, source=CalendarDay.Source.PACKAGE)
        for day, kind, name in days
        if day not in manual
    ]
    CalendarDay.objects.bulk_create(rows, batch_size=500)
    if year not in calendar.official_years:
        calendar.official_years = sorted([*calendar.official_years, year])
    return len(rows)


def ensure_standard_calendars(*, now) -> dict[str, WorkCalendar]:
    """Create the office / hotline / station calendars if missing, seeded for every package year.

    Idempotent; an existing calendar is left exactly as the administrator keeps it.
    """
    result = {}
    for code, (name, observes, weekly) in STANDARD_CALENDARS.items():
        calendar = WorkCalendar.objects.filter(code=code).first()
        if calendar is None:
            calendar = WorkCalendar.objects.create(
                code=code, name=str(name), observes_holidays=observes, updated_at=now
            )
            WorkingInterval.objects.bulk_create(
                WorkingInterval(calendar=calendar, weekday=weekday, start=start, end=end)
                for weekday, intervals in enumerate(weekly)
                for start, end in intervals
            )
            if observes:
                for year in package_years():
                    write_package_year(calendar, year)
                calendar.save(update_fields=["official_years"])
        result[code] = calendar
    return result


# --- snapshots -------------------------------------------------------------------------

_cache: dict[int, tuple[uuid.UUID, CalendarSnapshot]] = {}
_lock = threading.Lock()


def build_snapshot(calendar: WorkCalendar) -> CalendarSnapshot:
    """Read one calendar's hours and overrides from the database (2 queries)."""
    weekly: list[list[tuple[time, time]]] = [[] for _ in range(7)]
    for weekday, start, end in WorkingInterval.objects.filter(calendar=calendar).values_list("weekday", "start", "end"):
        weekly[weekday].append((start, end))
    for day in weekly:
        day.sort()
    # An adjusted working day (调休) works the hours of a normal working day.
    worked: DayIntervals = tuple(next((d for d in weekly if d), ()))
    overrides: dict[date, DayIntervals] = {}
    for day, kind in CalendarDay.objects.filter(calendar=calendar).values_list("date", "kind"):
        overrides[day] = () if kind == CalendarDay.Kind.HOLIDAY else worked
    return CalendarSnapshot(tz=calendar.zone, weekly=tuple(tuple(d) for d in weekly), overrides=overrides)


def snapshot(calendar: WorkCalendar) -> CalendarSnapshot:
    """The calendar's snapshot, cached per process by (id, revision).

    Every edit writes a new revision (and version) in the database, so a process holding
    an older snapshot rebuilds it as soon as it reads the calendar row again.
    """
    cached = _cache.get(calendar.pk)
    if cached is not None and cached[0] == calendar.revision:
        return cached[1]
    built = build_snapshot(calendar)
    with _lock:
        _cache[calendar.pk] = (calendar.revision, built)
    return built


def fresh(calendar: WorkCalendar) -> WorkCalendar:
    """Re-read the version and revision (one small query) so the snapshot is the latest one."""
    calendar.version, calendar.revision = (
        WorkCalendar.objects.filter(pk=calendar.pk).values_list("version", "revision").get()
    )
    return calendar


def bump_version(calendar: WorkCalendar, *, now) -> None:
    WorkCalendar.objects.filter(pk=calendar.pk).update(
        version=models.F("version") + 1, revision=uuid.uuid4(), updated_at=now
    )
    calendar.refresh_from_db(fields=["version", "revision", "updated_at"])
