"""Calendars in the database: the official schedule, administrator edits and the recompute
of open clocks after a change (CAL-1, CAL-2, CAL-5)."""

from datetime import date, time, timedelta

import pytest

from kefu.audit.models import Event
from kefu.core.errors import Forbidden, Invalid
from kefu.deadlines import calendars, clocks, recompute, workflow
from kefu.deadlines.clockmath import is_working_day
from kefu.deadlines.models import CalendarDay, ClockState, WorkCalendar
from kefu.deadlines.tests.conftest import sh
from kefu.deadlines.workflow import NOT_OBSERVING_HOLIDAYS, YEAR_NOT_IN_PACKAGE

pytestmark = pytest.mark.django_db

# State Council notices for 2025 and 2026, written out: a wrong package update is caught.
OFFICIAL_WORKDAYS = {
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
}


def office() -> WorkCalendar:
    return WorkCalendar.objects.get(code="office")


def test_cal2_the_standard_calendars_with_their_hours():
    snaps = {c.code: calendars.snapshot(c) for c in WorkCalendar.objects.all()}
    assert set(snaps) == {"office", "hotline", "station", "allday"}
    assert snaps["allday"].weekly == (((time(0), time.max),),) * 7
    assert snaps["office"].weekly[0] == ((time(9), time(12)), (time(13, 30), time(18)))
    assert snaps["office"].weekly[5] == ()
    assert snaps["hotline"].weekly == (((time(8), time(20)),),) * 7
    assert snaps["station"].weekly[5] == ((time(8, 30), time(12)), (time(13), time(17, 30)))
    assert snaps["station"].weekly[6] == ()
    assert str(snaps["office"].tz) == "Asia/Shanghai"


def test_cal1_office_calendar_holds_the_official_2025_2026_schedule():
    snap = calendars.snapshot(office())
    for day in OFFICIAL_WORKDAYS:
        assert is_working_day(snap, day), day
    national_day = [date(2025, 10, 1) + timedelta(days=i) for i in range(8)]
    assert not any(is_working_day(snap, d) for d in national_day)
    spring = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]
    assert not any(is_working_day(snap, d) for d in spring)
    names = dict(CalendarDay.objects.filter(calendar=office(), date__year=2025).values_list("date", "name"))
    assert names[date(2025, 10, 1)] == "国庆节"
    assert names[date(2025, 1, 29)] == "春节"
    assert names[date(2025, 10, 11)] == "国庆节调休上班"


def test_cal1_every_package_year_is_seeded_and_official():
    years = calendars.package_years()
    assert years[0] == 2004
    assert office().official_years == years
    assert CalendarDay.objects.filter(calendar=office(), date__year=2004).exists()


def test_cal1_hotline_works_through_holidays():
    hotline = WorkCalendar.objects.get(code="hotline")
    assert not CalendarDay.objects.filter(calendar=hotline).exists()
    assert is_working_day(calendars.snapshot(hotline), date(2025, 10, 1))
    assert not hotline.is_provisional_year(2030)


def test_cal1_a_year_after_the_package_is_provisional(now, admin_user):
    calendar = office()
    last = calendars.package_years()[-1]
    assert calendar.is_provisional_year(last + 1)
    assert not calendar.is_provisional_year(last)
    with pytest.raises(Invalid) as err:
        workflow.import_year(calendar, last + 1, by=admin_user, now=now)
    assert err.value.message == YEAR_NOT_IN_PACKAGE % {"year": last + 1, "last": last}
    # The administrator enters the State Council's schedule by hand, then confirms it.
    workflow.set_day(calendar, date(last + 1, 1, 1), working=False, name="元旦", by=admin_user, now=now)
    workflow.confirm_year(calendar, last + 1, by=admin_user, now=now)
    calendar.refresh_from_db()
    assert not calendar.is_provisional_year(last + 1)
    assert Event.objects.filter(verb="calendar_confirm").count() == 1


def test_cal1_import_keeps_the_administrators_days(now, admin_user):
    calendar = office()
    workflow.set_day(calendar, date(2026, 10, 1), working=True, name="值班", by=admin_user, now=now)
    written = workflow.import_year(calendar, 2026, by=admin_user, now=now)
    assert written > 30
    row = CalendarDay.objects.get(calendar=calendar, date=date(2026, 10, 1))
    assert (row.kind, row.name, row.source) == ("workday", "值班", "admin")
    assert CalendarDay.objects.get(calendar=calendar, date=date(2026, 10, 2)).name == "国庆节"
    with pytest.raises(Invalid) as err:
        workflow.import_year(WorkCalendar.objects.get(code="hotline"), 2026, by=admin_user, now=now)
    assert err.value.message == NOT_OBSERVING_HOLIDAYS


def test_cal1_only_an_administrator_edits_a_calendar(make_user, now):
    with pytest.raises(Forbidden):
        workflow.set_day(office(), date(2025, 12, 1), working=False, by=make_user("service_manager"), now=now)
    with pytest.raises(Forbidden):
        workflow.set_hours(office(), [[]] * 7, by=make_user("hotline"), now=now)


def test_cal1_toggle_day_is_audited_and_bumps_the_version(admin_user, now):
    calendar = office()
    version = calendar.version
    workflow.toggle_day(calendar, date(2025, 12, 1), by=admin_user, now=now)
    calendar.refresh_from_db()
    assert calendar.version == version + 1
    event = Event.objects.get(verb="calendar_day")
    assert (event.before, event.after) == ("2025-12-01 工作日", "2025-12-01 休息日")
    workflow.toggle_day(calendar, date(2025, 12, 1), by=admin_user, now=now)
    assert is_working_day(calendars.snapshot(calendars.fresh(calendar)), date(2025, 12, 1))


def test_cal2_hours_are_validated(admin_user, now):
    bad = [[(time(12), time(9))]] + [[]] * 6
    with pytest.raises(Invalid) as err:
        workflow.set_hours(office(), bad, by=admin_user, now=now)
    assert "周一" in str(err.value.message)
    with pytest.raises(Invalid):
        workflow.set_hours(office(), [[]] * 7, by=admin_user, now=now)


def test_cal5_a_new_holiday_recomputes_running_and_paused_clocks_but_not_met_ones(
    subjects, admin_user, now, django_capture_on_commit_callbacks
):
    running, met, paused, elsewhere = subjects[:4]
    a = clocks.start(running, "complaint.verify", now=sh(2025, 11, 28, 10))  # 1 working day
    assert a.due_at == sh(2025, 12, 1, 18)
    b = clocks.start(met, "complaint.verify", now=sh(2025, 11, 28, 10))
    clocks.stop(met, "complaint.verify", now=sh(2025, 11, 28, 11))
    # 3 working hours from Thursday 10:00, paused 11:00 → resumed Friday 17:00: due Monday 10:00.
    clocks.start(paused, "complaint.contact", now=sh(2025, 11, 27, 10))
    clocks.pause(paused, "complaint.contact", now=sh(2025, 11, 27, 11))
    c = clocks.resume(paused, "complaint.contact", now=sh(2025, 11, 28, 17))
    assert c.due_at == sh(2025, 12, 1, 10)
    d = clocks.start(elsewhere, "complaint.verify", now=sh(2025, 12, 2, 10))  # after the change

    with django_capture_on_commit_callbacks() as jobs:
        workflow.set_day(office(), date(2025, 12, 1), working=False, name="公司活动", by=admin_user, now=now)
    assert len(jobs) == 1  # the recompute is queued after commit, not run in the request

    assert recompute.recompute_calendar(office().pk, now=now, first=date(2025, 12, 1), last=date(2025, 12, 1)) == 2
    for clock in (a, b, c, d):
        clock.refresh_from_db()
    assert a.due_at == sh(2025, 12, 2, 18)
    assert b.due_at == sh(2025, 12, 1, 18) and b.state == ClockState.MET
    assert c.due_at == sh(2025, 12, 2, 10)
    assert c.paused_for == timedelta(hours=30)  # the pause is kept
    assert d.due_at == sh(2025, 12, 3, 18)
    events = Event.objects.filter(verb="clock_recompute")
    assert {(e.object_id, e.before, e.after) for e in events} == {
        (str(running.pk), "2025-12-01 18:00", "2025-12-02 18:00"),
        (str(paused.pk), "2025-12-01 10:00", "2025-12-02 10:00"),
    }
    # A second run (or a second job for the same edit) changes nothing more.
    assert recompute.recompute_calendar(office().pk, now=now, first=date(2025, 12, 1), last=date(2025, 12, 1)) == 0
    assert events.count() == 2


def test_cal5_a_paused_clock_recomputed_then_resumed_keeps_its_remaining_time(subjects, admin_user, now):
    subject = subjects[0]
    clocks.start(subject, "complaint.contact", now=sh(2025, 11, 28, 16))  # 2 h Fri + 1 h Mon → Mon 10:00
    clocks.pause(subject, "complaint.contact", now=sh(2025, 11, 28, 17))  # 2 working hours left
    workflow.set_day(office(), date(2025, 12, 1), working=False, by=admin_user, now=now)
    recompute.recompute_calendar(office().pk, now=now)
    clock = clocks.resume(subject, "complaint.contact", now=sh(2025, 12, 1, 12))
    assert clock.due_at == sh(2025, 12, 2, 11)


def test_cal5_hours_change_recomputes_every_open_clock(subjects, admin_user, now):
    clock = clocks.start(subjects[0], "complaint.contact", now=sh(2025, 11, 24, 10))
    wall = clocks.start(subjects[1], "firstvisit.call", now=sh(2025, 11, 24, 10))
    weekly = [[(time(8), time(12)), (time(13), time(17))]] * 5 + [[]] * 2
    workflow.set_hours(office(), weekly, by=admin_user, now=now)
    assert recompute.recompute_calendar(office().pk, now=now) == 1
    clock.refresh_from_db()
    assert clock.due_at == sh(2025, 11, 24, 14)
    wall.refresh_from_db()
    assert wall.due_at == sh(2025, 12, 1, 10)  # elapsed time does not depend on hours
    assert Event.objects.get(verb="calendar_hours").after.startswith("1:08:00-12:00")


def test_the_recompute_job_is_the_same_function(subjects, admin_user, now):
    from kefu.deadlines.tasks import recompute_calendar

    clocks.start(subjects[0], "complaint.verify", now=sh(2025, 11, 28, 10))
    workflow.set_day(office(), date(2025, 12, 1), working=False, by=admin_user, now=now)
    assert recompute_calendar(office().pk, "2025-12-01", "2025-12-01") == 1
