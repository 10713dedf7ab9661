"""Customer crises in the station network (CP-9) and the monthly report's clock (CP-8)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kefu.complaints import selectors, workflow
from kefu.complaints.models import Complaint, MonthlyReport
from kefu.complaints.tests.factories import World, new_complaint, station_customer, station_master
from kefu.core.errors import Conflict, Forbidden, Invalid
from kefu.customers.tests.factories import CustomerFactory
from kefu.deadlines import clocks, scan
from kefu.deadlines.models import ClockState
from kefu.notify.models import Outbox
from kefu.org.tests.factories import UserFactory
from kefu.visits.models import ReturnVisit

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
S = Complaint.Status


def sh(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def crisis(world, station_a, now):
    customer = station_customer(station_a)
    world.master = station_master(station_a)
    world.aftersales = UserFactory(roles=["aftersales_manager"])
    complaint = new_complaint(world, now=now, customer=customer, title="维修拖延两周", type="timeliness")
    return workflow.accept(complaint, crisis_level="potential", by=world.quality, now=now)


def test_cp9_a_crisis_goes_to_the_station_of_the_customers_region_with_managers_in_copy(world, crisis, station_a):
    assert crisis.status == S.AT_STATION and crisis.station == station_a
    assert crisis.crisis_level == Complaint.Crisis.POTENTIAL
    assert clocks.open_clock(crisis, "complaint.crisis_fix").owner == world.master
    for person in (world.master, world.service_manager, world.quality):
        assert Outbox.objects.filter(event="complaint.crisis", recipient=person).exists()


def test_cp9_no_station_in_the_region_is_refused(world, now):
    complaint = new_complaint(world, now=now, customer=CustomerFactory())
    with pytest.raises(Invalid) as err:
        workflow.accept(complaint, crisis_level="ordinary", by=world.quality, now=now)
    assert err.value.message == workflow._common.NO_STATION


def test_cp9_media_exposure_is_a_serious_crisis(world, station_a, now):
    complaint = new_complaint(world, now=now, customer=station_customer(station_a))
    workflow.accept(complaint, crisis_level="ordinary", media_exposure=True, by=world.quality, now=now)
    assert Complaint.objects.get(pk=complaint.pk).crisis_level == Complaint.Crisis.SERIOUS


def test_cp9_a_station_sees_only_its_own_crises(world, crisis, station_a, station_b):
    other = UserFactory(roles=["station_master"], station=station_b)
    assert list(selectors.complaints_for(world.master)) == [crisis]
    assert not selectors.complaints_for(other).exists()
    with pytest.raises(Forbidden):
        workflow.station_result(crisis, report="x", result="y", by=other, now=crisis.received_at)


def test_cp9_station_fixes_it_result_back_verified_archived_and_visited_again(world, crisis, now):
    workflow.station_result(crisis, report="更换配件", result="已修复", by=world.master, now=now + timedelta(hours=4))
    crisis.refresh_from_db()
    assert crisis.status == S.RESULT
    assert clocks.clocks_of(crisis).get(rule__key="complaint.crisis_fix").state == ClockState.MET
    assert clocks.open_clock(crisis, "complaint.verify").owner == world.quality
    workflow.verify(crisis, satisfied=True, opinion="满意", by=world.quality, now=now + timedelta(hours=5))
    crisis.refresh_from_db()
    assert crisis.status == S.CLOSED and crisis.crisis_archived_at
    visit = ReturnVisit.objects.get(kind=ReturnVisit.Kind.COMPLAINT, source_id=str(crisis.pk))
    assert visit.status == ReturnVisit.Status.OPEN and visit.customer == crisis.customer
    assert clocks.open_clock(visit, "returnvisit.complaint") is not None


def test_cp9_station_asks_headquarters_who_records_the_solution(world, crisis, now):
    workflow.ask_headquarters(crisis, help="配件缺货，需总部调拨", by=world.master, now=now)
    assert Outbox.objects.filter(event="complaint.hq_help", recipient=world.aftersales).exists()
    with pytest.raises(Forbidden):
        workflow.hq_solution(crisis, solution="x", result="y", by=world.master, now=now)
    workflow.hq_solution(crisis, solution="总部调拨主板", result="已更换", by=world.aftersales, now=now)
    assert Complaint.objects.get(pk=crisis.pk).status == S.RESULT


def test_cp9_a_crisis_not_fixed_in_time_rises_to_serious_and_the_manager_is_told(world, crisis):
    clock = clocks.open_clock(crisis, "complaint.crisis_fix")
    assert clock.due_at == sh(2025, 11, 27, 17, 30)  # 3 working days on the station calendar
    scan.breach(now=clock.due_at + timedelta(minutes=1))
    crisis.refresh_from_db()
    assert crisis.crisis_level == Complaint.Crisis.SERIOUS and crisis.crisis_raised_at
    assert Outbox.objects.filter(event="complaint.crisis_serious", recipient=world.service_manager).exists()
    scan.breach(now=clock.due_at + timedelta(minutes=2))  # once
    assert Outbox.objects.filter(event="complaint.crisis_serious", recipient=world.service_manager).count() == 1


def test_cp9_a_fixed_crisis_does_not_rise(world, crisis, now):
    clock = clocks.open_clock(crisis, "complaint.crisis_fix")
    workflow.station_result(crisis, report="r", result="已修复", by=world.master, now=now)
    scan.breach(now=clock.due_at + timedelta(minutes=1))
    assert Complaint.objects.get(pk=crisis.pk).crisis_level == Complaint.Crisis.POTENTIAL


# --- the monthly report's clock and publication (CP-8) -----------------------------------------


def test_cp8_monthly_report_due_on_the_3rd_working_day_across_the_october_holiday(world):
    # September 2025's report: October 1-8 are off, then Thu 9, Fri 10, Sat 11 (调休).
    report = workflow.open_monthly_report(now=sh(2025, 9, 15, 10))
    assert report.month == sh(2025, 9, 1).date()
    clock = clocks.open_clock(report, "complaint.monthly_report")
    assert clock.owner == world.quality
    assert clock.due_at == sh(2025, 10, 11, 18)
    assert workflow.open_monthly_report(now=sh(2025, 9, 16, 10)) == report  # idempotent


def test_cp8_publishing_sends_it_to_every_department_head_and_the_gm_and_stops_the_clock(world):
    report = workflow.open_monthly_report(now=sh(2025, 9, 15, 10))
    with pytest.raises(Invalid):
        workflow.publish(report, by=world.quality, now=sh(2025, 9, 30, 10))  # the month is not over
    with pytest.raises(Forbidden):
        workflow.publish(report, by=world.head, now=sh(2025, 10, 9, 10))
    workflow.publish(report, summary="服务态度类投诉上升", by=world.quality, now=sh(2025, 10, 9, 10))
    assert MonthlyReport.objects.get(pk=report.pk).published_at
    for person in (world.head, world.gm):
        assert Outbox.objects.filter(event="complaint.monthly_report", recipient=person, channel="inapp").exists()
        assert Outbox.objects.filter(event="complaint.monthly_report", recipient=person, channel="email").exists()
    clock = clocks.clocks_of(report).get(rule__key="complaint.monthly_report")
    assert clock.state == ClockState.MET and clock.breached_at is None
    with pytest.raises(Conflict):
        workflow.publish(report, by=world.quality, now=sh(2025, 10, 9, 11))


def test_cp9_the_result_goes_back_to_the_call_centre(world, crisis, now):
    call_centre = UserFactory(roles=["call_center"])
    workflow.station_result(crisis, report="r", result="已修复", by=world.master, now=now)
    assert Outbox.objects.filter(event="complaint.crisis_result", recipient=call_centre).exists()


def test_cp1_a_station_reports_a_dissatisfied_customer_as_its_own_complaint(world, station_a, now):
    master = station_master(station_a)
    complaint = workflow.create_complaint(
        CustomerFactory(), title="客户对维修不满意", content="客户认为维修不彻底", by=master, now=now
    )
    assert complaint.channel == Complaint.Channel.STATION and complaint.station == station_a
    assert list(selectors.complaints_for(master)) == [complaint]
