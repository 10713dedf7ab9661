"""The engine through the database: each clock kind on real 2025/2026 dates, pause/resume,
rule changes, idempotence and audit (CAL-1..CAL-5)."""

from datetime import timedelta

import pytest

from kefu.audit.models import Event
from kefu.deadlines import calendars, clocks, workflow
from kefu.deadlines.clockmath import Kind
from kefu.deadlines.models import Clock, ClockState, DeadlineRule, EscalationLevel, WorkCalendar
from kefu.deadlines.tests.conftest import sh

pytestmark = pytest.mark.django_db


def due(subject, key, start, **kwargs):
    return clocks.start(subject, key, now=start, **kwargs).due_at


# --- each kind on the seeded calendars (office / hotline / station) -----------------------


def test_fv2_first_visit_due_one_week_later_on_the_wall_clock(department):
    # Elapsed time runs through the National Day week.
    assert due(department, "firstvisit.call", sh(2025, 9, 30, 17)) == sh(2025, 10, 7, 17)


def test_cp3_working_time_skips_the_national_day_week(department):
    # 1 h left on 30 Sep (17:00-18:00), then 1-8 Oct are off: 09:00-11:00 on Thursday 9 Oct.
    assert due(department, "complaint.contact", sh(2025, 9, 30, 17)) == sh(2025, 10, 9, 11)


def test_cp3_working_time_counts_a_saturday_adjusted_workday(department):
    # Saturday 11 Oct 2025 is a 调休 working day with office hours.
    assert due(department, "complaint.contact", sh(2025, 10, 10, 17)) == sh(2025, 10, 11, 11)


def test_cp3_working_time_over_the_lunch_break(department):
    assert due(department, "complaint.contact", sh(2025, 11, 24, 10)) == sh(2025, 11, 24, 14, 30)


def test_rv3_seven_working_days_after_acceptance_on_a_sunday_workday(department):
    # Sunday 28 Sep 2025 is worked but the start day never counts: 29, 30 Sep, 9, 10, 11 (Sat), 13, 14 Oct.
    assert due(department, "returnvisit.project_final", sh(2025, 9, 28, 10)) == sh(2025, 10, 14, 18)


def test_os5_write_off_by_start_of_work_after_the_holiday(department):
    assert due(department, "fieldservice.write_off", sh(2025, 9, 30, 15)) == sh(2025, 10, 9, 9)


def test_fv5_needs_by_next_work_start_on_a_saturday_workday(department):
    assert due(department, "firstvisit.need_submit", sh(2025, 10, 10, 16)) == sh(2025, 10, 11, 9)


def test_os6_sheets_before_monday_start_of_work(department):
    assert due(department, "fieldservice.sheet_to_desk", sh(2025, 9, 26, 16)) == sh(2025, 9, 29, 9)


def test_os6_monday_inside_spring_festival_moves_to_the_next_working_day(department):
    # Monday 16 Feb 2026 is in the Spring Festival holiday (15-23 Feb): Tuesday 24 Feb 09:00.
    assert due(department, "fieldservice.sheet_to_desk", sh(2026, 2, 13, 16)) == sh(2026, 2, 24, 9)


def test_pt9_weekly_stock_report_wednesday_noon(department):
    assert due(department, "parts.weekly_stock_report", sh(2025, 11, 24, 10)) == sh(2025, 11, 26, 12)
    clocks.stop(department, "parts.weekly_stock_report", now=sh(2025, 11, 26, 11))
    assert due(department, "parts.weekly_stock_report", sh(2025, 11, 26, 12, 30)) == sh(2025, 12, 3, 12)


def test_pt8_statement_on_the_28th(department):
    assert due(department, "parts.reconcile_statement", sh(2025, 11, 24, 10)) == sh(2025, 11, 28, 18)
    clocks.stop(department, "parts.reconcile_statement", now=sh(2025, 11, 28, 17))
    assert due(department, "parts.reconcile_statement", sh(2025, 11, 28, 19)) == sh(2025, 12, 28, 18)


def test_cp8_monthly_report_third_working_day_of_october_2025(department):
    # October 2025: 1-8 off, then Thu 9, Fri 10, Sat 11 (调休).
    assert due(department, "complaint.monthly_report", sh(2025, 9, 15, 10)) == sh(2025, 10, 11, 18)


def test_cp8_monthly_report_third_working_day_of_march_2026(department):
    assert due(department, "complaint.monthly_report", sh(2026, 2, 10, 10)) == sh(2026, 3, 4, 18)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (sh(2025, 11, 24, 10), sh(2025, 11, 24, 18)),  # before noon: the same day
        (sh(2025, 11, 24, 12, 30), sh(2025, 11, 25, 18)),  # after noon: the next working day
        (sh(2025, 9, 30, 11), sh(2025, 9, 30, 18)),
        (sh(2025, 9, 30, 13), sh(2025, 10, 9, 18)),  # the next working day is after the holiday
        (sh(2025, 10, 4, 10), sh(2025, 10, 9, 18)),  # a holiday morning: the first working day
    ],
)
def test_pt2_parts_shipped_same_day_before_the_noon_cut_off(department, start, expected):
    assert due(department, "parts.ship", start) == expected


def test_sr2_urgent_first_response_counts_hotline_hours(department):
    # The hotline works 08:00-20:00 every day: 1 h on the evening, 1 h the next morning.
    assert due(department, "request.first_response.urgent", sh(2025, 11, 24, 19)) == sh(2025, 11, 25, 9)


def test_hl5_shelved_reply_due_in_3_hours_even_on_national_day(department):
    # The hotline calendar keeps working on statutory holidays.
    assert due(department, "hotline.shelved_reply", sh(2025, 10, 1, 10)) == sh(2025, 10, 1, 13)


def test_hl5_callback_due_in_1_hour(department):
    assert due(department, "hotline.callback", sh(2025, 11, 24, 10)) == sh(2025, 11, 24, 11)


def test_hl7_unsolved_records_by_next_hotline_start(department):
    assert due(department, "hotline.unsolved_submit", sh(2025, 9, 30, 15)) == sh(2025, 10, 1, 8)


def test_rs2_station_acknowledge_over_a_sunday(department):
    # Station hours Mon-Sat 08:30-12:00, 13:00-17:30: 1 h on Saturday, 1 h on Monday.
    assert due(department, "station.acknowledge", sh(2025, 11, 29, 16, 30)) == sh(2025, 12, 1, 9, 30)


def test_rs2_station_is_closed_during_national_day(department):
    # Saturday 4 Oct 2025 is a statutory holiday for the station too; 11 Oct (调休) is worked.
    assert due(department, "station.acknowledge", sh(2025, 9, 30, 17)) == sh(2025, 10, 9, 10)


def test_every_default_rule_gives_a_due_date_after_its_start(department):
    start = sh(2025, 9, 30, 17)
    for rule in DeadlineRule.objects.all():
        clock = clocks.start(department, rule.key, now=start)
        assert clock.due_at >= start, rule.key
        assert clock.kind == rule.kind


# --- the clock's life --------------------------------------------------------------------


def test_cal5_start_stores_due_warn_and_writes_the_audit_event(department, engineer):
    clock = clocks.start(department, "hotline.callback", owner=engineer, now=sh(2025, 11, 24, 10), by=engineer)
    clock.refresh_from_db()
    assert clock.state == ClockState.RUNNING
    assert clock.due_at == sh(2025, 11, 24, 11)
    assert clock.warn_at == sh(2025, 11, 24, 10, 48)  # 80 % of the hour
    assert clock.calendar.code == "hotline"
    assert clock.spec["kind"] == Kind.WORKING_TIME
    event = Event.objects.get(verb="clock_start")
    assert event.object_id == str(department.pk)
    assert event.actor == engineer
    assert event.after == "2025-11-24 11:00"
    assert event.data["rule"] == "hotline.callback"


def test_start_is_idempotent_per_subject_and_rule(department, engineer):
    first = clocks.start(department, "hotline.callback", owner=engineer, now=sh(2025, 11, 24, 10))
    again = clocks.start(department, "hotline.callback", owner=engineer, now=sh(2025, 11, 24, 10, 30))
    assert again.pk == first.pk
    assert Clock.objects.count() == 1
    clocks.stop(department, "hotline.callback", now=sh(2025, 11, 24, 10, 40))
    third = clocks.start(department, "hotline.callback", owner=engineer, now=sh(2025, 11, 24, 11))
    assert third.pk != first.pk


def test_a_disabled_rule_starts_no_clock(department, admin_user, now):
    rule = DeadlineRule.objects.get(key="hotline.callback")
    workflow.update_rule(rule, by=admin_user, now=now, enabled=False)
    assert clocks.start(department, "hotline.callback", now=now) is None
    assert clocks.stop(department, "hotline.callback", now=now) is None


def test_an_unknown_rule_key_is_a_programming_error(department, now):
    with pytest.raises(clocks.UnknownRule):
        clocks.start(department, "no.such.rule", now=now)


def test_cal4_pause_resume_keeps_remaining_working_time(department, engineer):
    start = sh(2025, 11, 24, 10)
    clocks.start(department, "complaint.contact", owner=engineer, now=start)  # due 14:30
    paused = clocks.pause(department, "complaint.contact", now=sh(2025, 11, 24, 11), by=engineer)
    assert paused.state == ClockState.PAUSED
    # Waiting for the customer all afternoon: 2 working hours were left at 11:00.
    resumed = clocks.resume(department, "complaint.contact", now=sh(2025, 11, 24, 16), by=engineer)
    assert resumed.state == ClockState.RUNNING
    assert resumed.due_at == sh(2025, 11, 24, 18)
    assert resumed.paused_for == timedelta(hours=5)
    assert resumed.pauses == [[sh(2025, 11, 24, 11).isoformat(), sh(2025, 11, 24, 16).isoformat()]]
    verbs = list(Event.objects.order_by("id").values_list("verb", flat=True))
    assert verbs == ["clock_start", "clock_pause", "clock_resume"]
    assert Event.objects.get(verb="clock_resume").before == "2025-11-24 14:30"


def test_cal4_pause_over_a_holiday_keeps_remaining_time(department):
    clocks.start(department, "complaint.contact", now=sh(2025, 9, 30, 10))  # due 30 Sep 14:30
    clocks.pause(department, "complaint.contact", now=sh(2025, 9, 30, 11))
    resumed = clocks.resume(department, "complaint.contact", now=sh(2025, 10, 3, 10))
    # Resumed on a holiday: the 2 h left start counting on Thursday 9 Oct.
    assert resumed.due_at == sh(2025, 10, 9, 11)


def test_cal4_pause_of_a_wall_clock_kind_shifts_by_the_paused_time(department):
    clocks.start(department, "returnvisit.hotline", now=sh(2025, 11, 24, 10))  # due 27 Nov 10:00
    clocks.pause(department, "returnvisit.hotline", now=sh(2025, 11, 25, 10))
    resumed = clocks.resume(department, "returnvisit.hotline", now=sh(2025, 11, 26, 16))
    assert resumed.due_at == sh(2025, 11, 28, 16)


def test_cal4_a_paused_clock_is_not_paused_twice_and_stop_counts_the_pause(department):
    clocks.start(department, "complaint.contact", now=sh(2025, 11, 24, 10))
    clocks.pause(department, "complaint.contact", now=sh(2025, 11, 24, 11))
    clocks.pause(department, "complaint.contact", now=sh(2025, 11, 24, 12))
    assert Event.objects.filter(verb="clock_pause").count() == 1
    assert clocks.resume(department, "hotline.callback", now=sh(2025, 11, 24, 12)) is None
    stopped = clocks.stop(department, "complaint.contact", now=sh(2025, 11, 24, 13))
    assert stopped.state == ClockState.MET
    assert stopped.paused_for == timedelta(hours=2)
    assert stopped.breached_at is None


def test_cal3_rule_change_applies_only_to_clocks_started_after_it(subjects, admin_user):
    old, new = subjects[:2]
    before = clocks.start(old, "complaint.contact", now=sh(2025, 11, 24, 10))
    rule = DeadlineRule.objects.get(key="complaint.contact")
    workflow.update_rule(rule, by=admin_user, now=sh(2025, 11, 24, 10, 30), amount=1)
    after = clocks.start(new, "complaint.contact", now=sh(2025, 11, 24, 10))
    assert after.due_at == sh(2025, 11, 24, 11)
    before.refresh_from_db()
    assert before.due_at == sh(2025, 11, 24, 14, 30)
    # The old clock's pause/resume still uses the 3 h it started with; no paused time is lost.
    clocks.pause(old, "complaint.contact", now=sh(2025, 11, 24, 11))
    resumed = clocks.resume(old, "complaint.contact", now=sh(2025, 11, 24, 16))
    assert resumed.due_at == sh(2025, 11, 24, 18)
    assert resumed.spec["amount"] == 3


def test_cal3_a_rule_saved_by_another_process_counts_at_the_next_start(subjects):
    """The rule is kept in memory between starts (intake speed, issue 6), but never stale."""
    first, second, third = subjects[:3]
    clocks.start(first, "complaint.contact", now=sh(2025, 11, 24, 10))  # now in this process's memory
    rule = DeadlineRule.objects.get(key="complaint.contact")  # as the admin site of another process
    rule.amount = 2
    rule.save()
    assert clocks.start(second, "complaint.contact", now=sh(2025, 11, 24, 10)).due_at == sh(2025, 11, 24, 12)
    EscalationLevel.objects.create(rule=rule, offset_minutes=30, notify="department_head")
    clock = clocks.start(third, "complaint.contact", now=sh(2025, 11, 24, 10))
    assert [30, "department_head"] in clock.escalations


def test_a_bulk_update_of_rules_counts_at_the_next_start_too(subjects):
    clocks.start(subjects[0], "complaint.contact", now=sh(2025, 11, 24, 10))
    DeadlineRule.objects.filter(key="complaint.contact").update(enabled=False)
    assert clocks.start(subjects[1], "complaint.contact", now=sh(2025, 11, 24, 10)) is None


def test_a_rule_in_memory_costs_one_small_query_per_start(subjects, django_assert_num_queries):
    clocks.start(subjects[0], "complaint.contact", now=sh(2025, 11, 24, 10))
    with django_assert_num_queries(3):  # the rule's revision, the clock, its audit event
        clocks.start(subjects[1], "complaint.contact", now=sh(2025, 11, 24, 10), new_subject=True)


def test_cal2_a_service_hours_rule_counts_on_its_own_calendar_whoever_owns_the_clock(department, make_user, now):
    """The precedence (clocks.calendar_for): a promise to the customer on the hotline's hours
    stays on them even for an engineer whose own (or department's) calendar is the office's."""
    office = WorkCalendar.objects.get(code="office")
    engineer = make_user("hotline", calendar=office)
    clock = clocks.start(department, "hotline.callback", owner=engineer, now=sh(2025, 11, 24, 19, 30))
    assert clock.calendar.code == "hotline"
    assert clock.due_at == sh(2025, 11, 25, 8, 30)  # 30 min today until 20:00, 30 min from 08:00


def test_cal2_a_persons_obligation_counts_on_the_owners_calendar(department, make_user, now):
    office = WorkCalendar.objects.get(code="office")
    hotline = WorkCalendar.objects.get(code="hotline")
    engineer = make_user("field_engineer", calendar=hotline)
    clock = clocks.start(department, "fieldservice.write_off", owner=engineer, now=sh(2025, 11, 29, 21))
    assert clock.calendar == hotline
    assert clock.due_at == sh(2025, 11, 30, 8)  # the hotline works on Sunday; the office would say Monday 9:00
    nobody = clocks.start(department, "fieldservice.appointment", now=sh(2025, 11, 29, 21))
    assert nobody.calendar == office  # no owner: the rule's calendar


def test_a_station_calendar_applies_to_its_staff(department, make_user, station_a):
    office = WorkCalendar.objects.get(code="office")
    station_a.calendar = office
    station_a.save(update_fields=["calendar"])
    master = make_user("station_master", station=station_a)
    clock = clocks.start(department, "station.acknowledge", owner=master, now=sh(2025, 11, 29, 10))
    assert clock.calendar == office
    assert clock.due_at == sh(2025, 12, 1, 11)  # office has no Saturday hours


def test_an_explicit_calendar_wins(department):
    hotline = WorkCalendar.objects.get(code="hotline")
    clock = clocks.start(department, "complaint.contact", now=sh(2025, 10, 1, 10), calendar=hotline)
    assert clock.due_at == sh(2025, 10, 1, 13)


def test_a_breached_clock_stopped_later_is_met_late(department, engineer):
    from kefu.deadlines import scan

    clocks.start(department, "hotline.callback", owner=engineer, now=sh(2025, 11, 24, 10))
    scan.breach(now=sh(2025, 11, 24, 11, 1))
    stopped = clocks.stop(department, "hotline.callback", now=sh(2025, 11, 24, 12))
    assert stopped.state == ClockState.MET
    assert stopped.met_at == sh(2025, 11, 24, 12)
    assert stopped.breached_at == sh(2025, 11, 24, 11, 1)
    assert Event.objects.get(verb="clock_stop").data["late"] is True


def test_cal4_a_breached_clock_paused_and_resumed_stays_breached(department, engineer):
    from kefu.deadlines import scan

    clocks.start(department, "hotline.callback", owner=engineer, now=sh(2025, 11, 24, 10))
    scan.breach(now=sh(2025, 11, 24, 11, 1))
    clocks.pause(department, "hotline.callback", now=sh(2025, 11, 24, 11, 30))
    resumed = clocks.resume(department, "hotline.callback", now=sh(2025, 11, 24, 12))
    assert resumed.state == ClockState.BREACHED
    assert resumed.due_at == sh(2025, 11, 24, 11)


def test_snapshot_cache_follows_the_calendar_version(admin_user, now):
    office = WorkCalendar.objects.get(code="office")
    first = calendars.snapshot(office)
    assert calendars.snapshot(office) is first  # cached
    workflow.set_day(office, sh(2025, 12, 1).date(), working=False, by=admin_user, now=now)
    stale = WorkCalendar.objects.get(pk=office.pk)  # another process reads the new version
    rebuilt = calendars.snapshot(stale)
    assert rebuilt is not first
    assert sh(2025, 12, 1).date() in rebuilt.overrides
