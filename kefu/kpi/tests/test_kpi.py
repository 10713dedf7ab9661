"""RPT-2: every KPI of the service-desk dashboard on a small hand-made data set, the expected
number computed by hand in the test (issue 15 §2)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kefu.fieldservice.models import Appointment, ServiceSheet, WorkOrder
from kefu.kpi import selectors as s
from kefu.kpi.tests import world
from kefu.reports import periods
from kefu.servicedesk import selectors as desk

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOV = periods.Period("month", datetime(2025, 11, 1).date(), datetime(2025, 11, 30).date(), SH)
OCT_31 = datetime(2025, 10, 31, 12, tzinfo=SH)


def span(user, period=NOV):
    return {"user": user, "start": period.start, "end": period.end}


@pytest.fixture
def manager(make_user):
    return make_user("service_manager", name="吴经理")


def test_rpt2_first_response_compliance_counts_decided_clocks_met_by_their_due_time(manager, now):
    t = datetime(2025, 11, 10, 9, tzinfo=SH)
    due = t + timedelta(hours=2)
    # urgent: 2 met in time, 1 met late, 1 open past due (late), 1 open not yet due (undecided),
    # 1 paused (undecided), 1 started in October (other period) -> 2 of 4 = 50 %.
    world.clock("request.first_response.urgent", started=t, due=due, state="met", met_at=t + timedelta(hours=1))
    world.clock("request.first_response.urgent", started=t, due=due, state="met", met_at=due)
    world.clock("request.first_response.urgent", started=t, due=due, state="met", met_at=due + timedelta(minutes=1))
    world.clock("request.first_response.urgent", started=t, due=due, state="breached")
    world.clock("request.first_response.urgent", started=now, due=now + timedelta(hours=1))
    world.clock("request.first_response.urgent", started=t, due=due, state="paused")
    world.clock("request.first_response.urgent", started=OCT_31, due=OCT_31 + timedelta(hours=2), state="breached")
    # one high clock met: 100 %; no low clock: no data.
    world.clock("request.first_response.high", started=t, due=due, state="met", met_at=t)
    value = s.first_response(**span(manager), now=now, priority="urgent")
    assert (value.value, value.base) == (50.0, 4)
    assert s.first_response(**span(manager), now=now, priority="high").value == 100.0
    assert s.first_response(**span(manager), now=now, priority="low").value is None


def test_hl5_shelved_reply_and_callback_compliance(manager, now):
    t = datetime(2025, 11, 12, 9, tzinfo=SH)
    for met in (1, 2, 4):  # 3 h: two in time, one late -> 66.7 %
        world.clock(
            "hotline.shelved_reply", started=t, due=t + timedelta(hours=3), state="met", met_at=t + timedelta(hours=met)
        )
    world.clock("hotline.callback", started=t, due=t + timedelta(hours=1), state="breached")  # 0 of 1
    assert s.clock_compliance(**span(manager), now=now, rules=["hotline.shelved_reply"]).value == 66.7
    assert s.clock_compliance(**span(manager), now=now, rules=["hotline.callback"]).value == 0.0


def test_rpt2_resolution_time_median_and_distribution(manager, now):
    t = datetime(2025, 11, 3, 9, tzinfo=SH)
    for hours in (1, 3, 10, 30, 100):  # median 10 h; buckets ≤4h: 2, 4–24h: 1, 1–3d: 1, >3d: 1
        world.request(by=manager, at=t, solved_after=timedelta(hours=hours))
    world.request(by=manager, at=t)  # unsolved: not counted
    world.request(by=manager, at=OCT_31, solved_after=timedelta(hours=1))  # other period
    value = s.median_resolution(**span(manager))
    assert (value.value, value.base) == (10.0, 5)
    assert s.resolution_distribution(**span(manager)) == [
        ["≤4h", 2, 40.0],
        ["4–24h", 1, 20.0],
        ["1–3d", 1, 20.0],
        [">3d", 1, 20.0],
    ]


def test_rpt2_first_call_resolution_solved_on_the_phone_by_the_owner_without_onsite(manager, make_user, now):
    hotline, other = make_user("hotline", name="郑热线"), make_user("hotline", name="王热线")
    t = datetime(2025, 11, 5, 9, tzinfo=SH)
    ok = world.request(by=hotline, at=t, owner=hotline)
    world.hotline(ok, engineer=hotline, outcome="solved", at=t)  # 1: solved on the phone
    transferred = world.request(by=hotline, at=t, owner=other)
    world.hotline(transferred, engineer=hotline, outcome="solved", at=t)  # owner did not take the call
    onsite = world.request(by=hotline, at=t, owner=hotline)
    world.hotline(onsite, engineer=hotline, outcome="solved", at=t)
    WorkOrder.objects.create(
        request=onsite, customer=onsite.customer, reason="上门", created_at=t, created_by=hotline, updated_at=t
    )
    shelved = world.request(by=hotline, at=t, owner=hotline)
    world.hotline(shelved, engineer=hotline, outcome="shelved", at=t)
    called_back = world.request(by=hotline, at=t, owner=hotline)
    rec = world.hotline(called_back, engineer=hotline, outcome="solved", at=t)
    rec.called_back_at = t + timedelta(hours=1)  # solved at the callback, not in the call
    rec.save(update_fields=["called_back_at"])
    world.request(by=hotline, at=t, owner=hotline, channel="email")  # not a phone request
    value = s.first_call_resolution(**span(manager))
    assert (value.value, value.base) == (20.0, 5)  # 1 of 5 phone requests


def test_hl8_connection_rate_overall_per_engineer_and_per_day(manager, make_user, now):
    a, b = make_user("hotline", name="甲"), make_user("hotline", name="乙")
    world.calls(at=datetime(2025, 11, 3, 9, tzinfo=SH), engineer=a, answered=9, missed=1)  # 90 %
    world.calls(at=datetime(2025, 11, 4, 9, tzinfo=SH), engineer=b, answered=3, missed=2)  # 60 %
    world.calls(at=OCT_31, engineer=a, answered=0, missed=5)  # other period
    value = s.connection_rate(**span(manager))
    assert (value.value, value.base) == (80.0, 15)  # 12 of 15
    assert s.connection_by(**span(manager), by="engineer") == [["乙", 5, 3, 60.0], ["甲", 10, 9, 90.0]]
    assert s.connection_by(**span(manager), by="day") == [["2025-11-03", 10, 9, 90.0], ["2025-11-04", 5, 3, 60.0]]
    assert s.connection_rate(**span(manager), people=[a.pk]).value == 90.0
    # The calls page (its drill-down) counts the same: HL-8 has one definition.
    page = desk.connection_rate(manager, first=NOV.first, last=NOV.last)["overall"]
    assert (page["answered"], page["total"]) == (12, 15)


def _order(req, engineer, *, created, previous=None, **fields):
    return WorkOrder.objects.create(
        request=req,
        customer=req.customer,
        reason="上门",
        created_at=created,
        created_by=engineer,
        updated_at=created,
        engineer=engineer,
        previous=previous,
        **fields,
    )


def test_os_onsite_figures_appointments_arrival_outcomes_repeats(manager, make_user, now):
    eng = make_user("field_engineer", name="陈工")
    t = datetime(2025, 11, 6, 9, tzinfo=SH)
    req = world.request(by=manager, at=t)
    first = _order(req, eng, created=t, checked_in_at=t + timedelta(hours=1), appointment_end=t + timedelta(hours=2))
    again = _order(
        req,
        eng,
        created=t,
        previous=first,
        checked_in_at=t + timedelta(hours=3),
        appointment_end=t + timedelta(hours=2),
    )
    third = _order(world.request(by=manager, at=t), eng, created=t)
    _order(world.request(by=manager, at=OCT_31), eng, created=OCT_31, previous=third)  # other period
    for order, missed in ((first, ""), (again, "客户不在"), (third, ""), (third, "")):
        Appointment.objects.create(
            order=order, start=t, end=t + timedelta(hours=2), missed_reason=missed, recorded_at=t, recorded_by=eng
        )
    for order, outcome in ((first, "solved"), (again, "partly"), (third, "solved")):
        ServiceSheet.objects.create(
            order=order, phenomenon="x", outcome=outcome, filled_at=t, filled_by=eng, signed_at=t
        )
    assert s.appointments_kept(**span(manager)).value == 75.0  # 3 of 4
    assert s.on_time_arrival(**span(manager)).value == 50.0  # first in window, again after it
    assert s.onsite_solved(**span(manager)).value == 66.7  # 2 of 3 sheets
    assert s.sheet_outcomes(**span(manager)) == [["已解决", 2, 66.7], ["部分解决", 1, 33.3], ["未解决", 0, 0.0]]
    assert s.repeat_visits(**span(manager)).value == 33.3  # 1 of 3 November orders


def test_os5_write_off_and_rv_return_visits_on_time(manager, now):
    t = datetime(2025, 11, 7, 18, tzinfo=SH)
    due = datetime(2025, 11, 10, 9, tzinfo=SH)
    world.clock("fieldservice.write_off", started=t, due=due, state="met", met_at=due - timedelta(minutes=5))
    world.clock("fieldservice.write_off", started=t, due=due, state="met", met_at=due + timedelta(hours=1))
    for key, state, met in (
        ("returnvisit.hotline", "met", t),
        ("returnvisit.onsite", "met", t),
        ("returnvisit.periodic", "breached", None),
        ("returnvisit.confirmation", "met", due + timedelta(days=1)),
        ("returnvisit.key_inspection", "breached", None),  # an inspection: not a desk visit
    ):
        world.clock(key, started=t, due=due, state=state, met_at=met)
    assert s.write_off_on_time(**span(manager), now=now).value == 50.0
    value = s.return_visits_on_time(**span(manager), now=now)
    assert (value.value, value.base) == (50.0, 4)


def test_rv7_satisfaction_average_distribution_unsatisfied_and_open_rectifications(manager, make_user, now):
    from kefu.surveys.models import Rectification, Survey

    eng = make_user("field_engineer")
    t = datetime(2025, 11, 8, 9, tzinfo=SH)
    cust = world.CustomerFactory()
    surveys = []
    for i, (rating, problem) in enumerate(((5, False), (4, False), (4, True), (2, False), (None, False))):
        surveys.append(
            Survey.objects.create(
                object_id=f"s{i}",
                content_type_id=1,
                subject_label="x",
                customer=cust,
                served_by=eng,
                status="answered" if rating else "open",
                rating=rating,
                problem=problem,
                answered_at=t if rating else None,
                created_at=t,
                expires_at=t + timedelta(days=7),
            )
        )
    Rectification.objects.create(survey=surveys[2], customer=cust, owner=eng, reason="x", created_at=t)
    Rectification.objects.create(survey=surveys[3], customer=cust, owner=eng, reason="x", created_at=t, status="done")
    value = s.satisfaction_average(**span(manager))
    assert (value.value, value.base) == (3.75, 4)  # (5 + 4 + 4 + 2) / 4
    assert s.unsatisfied_share(**span(manager)).value == 50.0  # the 2 and the 4 with a problem
    assert s.satisfaction_distribution(**span(manager))[0] == ["5 ★", 1, 25.0]
    assert s.satisfaction_distribution(**span(manager))[3] == ["2 ★", 1, 25.0]
    assert s.rectifications_open(manager).value == 1


def test_fv2_fv5_first_visit_and_needs_on_time(manager, now):
    t = datetime(2025, 11, 3, 9, tzinfo=SH)
    world.clock("firstvisit.call", started=t, due=t + timedelta(days=7), state="met", met_at=t + timedelta(days=2))
    world.clock("firstvisit.call", started=t, due=t + timedelta(days=7), state="breached")
    world.clock("firstvisit.call", started=now, due=now + timedelta(days=7))  # not due yet
    world.clock("firstvisit.need_submit", started=t, due=t + timedelta(days=1), state="met", met_at=t)
    assert s.first_visits_on_time(**span(manager), now=now).value == 50.0
    assert s.needs_on_time(**span(manager), now=now).value == 100.0


def test_rpt2_workload_and_overdue_now(manager, make_user, now):
    from kefu.org.tests.factories import DepartmentFactory

    dept = DepartmentFactory(name="热线组")
    a = make_user("hotline", name="甲", department=dept)
    t = datetime(2025, 11, 3, 9, tzinfo=SH)
    world.request(by=a, at=t, owner=a)
    world.request(by=a, at=t, owner=a)
    world.clock("hotline.callback", started=t, due=now - timedelta(hours=1), owner=a)  # overdue now
    world.clock("hotline.callback", started=t, due=now + timedelta(hours=1), owner=a)  # open, not overdue
    world.clock("hotline.callback", started=t, due=now - timedelta(hours=1), owner=a, state="met", met_at=t)
    assert s.workload(**span(manager), now=now, by="engineer") == [["甲", 2, 0, 0, 2]]
    assert s.workload(**span(manager), now=now, by="department") == [["热线组", 2, 0, 0, 2]]
    assert s.overdue_clocks(manager, now=now).value == 1


def test_rpt2_a_trend_in_one_query_gives_each_period_its_own_figure(manager, make_user, now, django_assert_num_queries):
    a = make_user("hotline", name="甲")
    world.calls(at=OCT_31, engineer=a, answered=1, missed=1)  # October: 50 %
    world.calls(at=datetime(2025, 11, 3, 9, tzinfo=SH), engineer=a, answered=3, missed=1)  # November: 75 %
    t = datetime(2025, 11, 10, 9, tzinfo=SH)
    world.clock("request.first_response.high", started=OCT_31, due=OCT_31 + timedelta(hours=4), state="breached")
    world.clock("request.first_response.high", started=t, due=t + timedelta(hours=4), state="met", met_at=t)
    trend = NOV.trend(3)  # September, October, November
    spans = [(p.start, p.end) for p in trend]
    assert manager.role_keys  # the user's roles, read once per request
    with django_assert_num_queries(1):
        rates = s.connection_rate_series(manager, spans)
    assert [v.value for v in rates] == [None, 50.0, 75.0]
    assert rates == [s.connection_rate(**span(manager, p)) for p in trend]
    high = s.first_response_series(manager, spans, now=now, priority="high")
    assert [v.value for v in high] == [None, 0.0, 100.0]
    assert high == [s.first_response(**span(manager, p), now=now, priority="high") for p in trend]
