"""Hotline (HL-1..HL-8) and the return visit after a hotline handling (RV-1)."""

from datetime import timedelta

import pytest

from kefu.audit.models import Event
from kefu.core.errors import Conflict, Forbidden, Invalid
from kefu.customers.tests.factories import new_customer
from kefu.deadlines import clocks
from kefu.notify.models import Outbox
from kefu.servicedesk import selectors, workflow
from kefu.servicedesk.models import CallLog, HotlineRecord, ServiceRequest
from kefu.servicedesk.tests.factories import hotline_engineer
from kefu.visits.models import ReturnVisit

pytestmark = pytest.mark.django_db


@pytest.fixture
def engineer(db):
    return hotline_engineer()


@pytest.fixture
def call(engineer, now):
    def make(**kw):
        kw.setdefault("phenomenon", "总账模块月末结账提示“凭证未审核”")
        return workflow.record_call(
            new_customer(now=now),
            caller="王会计",
            caller_phone="13812345678",
            product="财务软件 V8",
            by=engineer,
            now=now,
            **kw,
        )

    return make


def test_hl3_call_creates_phone_request_linked_and_answered(call, engineer, now):
    rec = call(answer="请先审核凭证")
    req = rec.request
    assert req.channel == "phone" and req.owner == engineer and req.status == "in_progress"
    assert req.first_response_at == now
    assert rec.customer == req.customer and rec.caller == "王会计" and rec.product == "财务软件 V8"
    assert Event.objects.filter(verb="record_call", object_id=str(rec.pk)).exists()


def test_hl3_only_hotline_roles_take_calls(make_user, now):
    with pytest.raises(Forbidden):
        workflow.record_call(new_customer(now=now), phenomenon="x", by=make_user("customer_rep"), now=now)


def test_hl4_solved_on_the_phone_and_rv1_return_visit_due_in_3_days(call, engineer, now):
    rec = call()
    workflow.solve_on_phone(rec, answer="指导客户审核凭证后结账成功", by=engineer, now=now)
    assert rec.outcome == "solved" and rec.request.status == "solved"
    # RV-1 is a return visit of the visits engine, on the assignee's list with its own clock.
    visit = ReturnVisit.objects.get(kind="hotline", source_id=str(rec.request.pk))
    assert visit.status == "open" and visit.channel in ("qq", "email") and visit.customer == rec.request.customer
    clock = clocks.open_clock(visit, "returnvisit.hotline")
    assert clock is not None and clock.due_at == now + timedelta(days=3) and clock.owner == visit.assignee
    assert Outbox.objects.filter(event="visit.opened", recipient=visit.assignee).exists()


def test_hl4_propose_to_library_creates_a_draft(call, engineer, now):
    from kefu.knowledge.models import Article

    rec = call()
    workflow.solve_on_phone(rec, answer="审核凭证后再结账", by=engineer, now=now)
    article = workflow.propose_to_library(rec, by=engineer, now=now)
    assert article is not None and Article.objects.filter(pk=article.pk).exists()
    assert "凭证未审核" in article.symptom


def test_hl5_shelved_reply_due_in_3_hours_and_callback_in_1_hour(call, engineer, now):
    rec = call()
    workflow.shelve(rec, note="请教研发同事", by=engineer, now=now)
    req = rec.request
    assert req.status == "shelved" and rec.outcome == "shelved" and rec.callback_promised
    assert clocks.open_clock(req, "hotline.shelved_reply").due_at == now + timedelta(hours=3)
    assert clocks.open_clock(req, "hotline.callback").due_at == now + timedelta(hours=1)
    assert Event.objects.filter(verb="shelve", object_id=str(req.pk)).exists()


def test_hl5_callback_solved_stops_both_clocks(call, engineer, now):
    rec = call()
    workflow.shelve(rec, note="请教", by=engineer, now=now)
    workflow.call_back(rec, solved=True, answer="按研发建议修复", by=engineer, now=now + timedelta(minutes=40))
    req = rec.request
    assert req.status == "solved" and rec.called_back_at == now + timedelta(minutes=40)
    assert clocks.open_clock(req, "hotline.callback") is None
    assert clocks.open_clock(req, "hotline.shelved_reply") is None
    assert clocks.clocks_of(req).get(rule__key="hotline.callback").state == "met"


def test_hl6_unsolved_after_callback_goes_onsite_to_the_service_manager(call, engineer, now):
    rec = call()
    workflow.shelve(rec, note="请教", by=engineer, now=now)
    workflow.call_back(rec, solved=False, answer="远程无法解决", by=engineer, now=now)
    assert rec.request.status == "onsite" and rec.outcome == "onsite"
    assert Outbox.objects.filter(event="request.onsite", recipient=engineer.manager).exists()
    # The onsite request reaches the dispatch board as a work order waiting to be verified (OS-1).
    from kefu.fieldservice.models import WorkOrder

    order = WorkOrder.objects.get(request=rec.request)
    assert order.reason == "远程无法解决"
    assert clocks.open_clock(order, "fieldservice.verify") is not None


def test_hl6_onsite_from_the_start_due_in_30_minutes(call, engineer, now):
    rec = call(needs_onsite=True)
    clock = clocks.open_clock(rec.request, "hotline.onsite_submit")
    assert clock.due_at == now + timedelta(minutes=30)
    workflow.request_onsite(rec.request, reason="打印机硬件故障", by=engineer, now=now + timedelta(minutes=10))
    assert clocks.clocks_of(rec.request).get(rule__key="hotline.onsite_submit").state == "met"


def test_hl7_unsolved_records_to_the_manager_by_next_start_of_work_and_closed_loop(call, engineer, now):
    rec = call()
    workflow.shelve(rec, note="请教", by=engineer, now=now)
    clock = clocks.open_clock(rec, "hotline.unsolved_submit")
    assert clock is not None and clock.due_at > now
    submitted = workflow.submit_unsolved(by=engineer, now=now)
    assert [r.pk for r in submitted] == [rec.pk]
    rec.refresh_from_db()
    assert rec.submitted_to == engineer.manager
    assert clocks.clocks_of(rec).get(rule__key="hotline.unsolved_submit").state == "met"
    with pytest.raises(Forbidden):
        workflow.close_loop(rec, note="已派工", by=engineer, now=now)
    assert list(selectors.unsolved_for(engineer.manager)) == [rec]
    workflow.close_loop(rec, note="已派工上门解决", by=engineer.manager, now=now)
    assert list(selectors.unsolved_for(engineer.manager)) == []
    stale = HotlineRecord.objects.get(pk=rec.pk)
    stale.loop_closed_at = None
    with pytest.raises(Conflict):
        workflow.close_loop(stale, note="再次闭环", by=engineer.manager, now=now)


def test_qs3_shelve_and_solve_at_once_one_wins(call, engineer, now):
    rec = call()
    stale = HotlineRecord.objects.get(pk=rec.pk)
    workflow.shelve(rec, note="请教", by=engineer, now=now)
    with pytest.raises((Conflict, Invalid)):
        workflow.solve_on_phone(stale, answer="已解决", by=engineer, now=now)
    assert ServiceRequest.objects.get(pk=rec.request_id).status == "shelved"


# --- duty roster and handover --------------------------------------------------------------


def test_hl1_roster_and_who_is_on_duty_routes_portal_requests(engineer, make_user, now):
    from kefu.customers.tests.factories import portal_user_of

    manager = engineer.manager
    workflow.plan_shift(
        engineer, starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=6), by=manager, now=now
    )
    assert workflow.on_duty(now) == engineer
    with pytest.raises(Invalid) as err:
        workflow.plan_shift(engineer, starts_at=now, ends_at=now + timedelta(hours=1), by=manager, now=now)
    assert err.value.message == workflow.SHIFT_OVERLAPS
    with pytest.raises(Forbidden):
        workflow.plan_shift(
            engineer, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=8), by=engineer, now=now
        )
    with pytest.raises(Invalid):
        workflow.plan_shift(
            make_user("finance"),
            starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=2, hours=8),
            by=manager,
            now=now,
        )
    customer = new_customer(now=now)
    req = workflow.create_request(
        customer, channel="portal", phenomenon="无法登录", by=portal_user_of(customer, make_user), now=now
    )
    assert req.owner == engineer and req.channel == "portal"


def test_hl1_copy_last_week_fills_the_new_week_once(engineer, now):
    manager = engineer.manager
    monday = now.date() - timedelta(days=now.weekday())
    for d in range(5):
        start = now.replace(hour=8) - timedelta(days=7 - d)
        workflow.plan_shift(engineer, starts_at=start, ends_at=start + timedelta(hours=12), by=manager, now=now)
    created = workflow.copy_week(monday, by=manager, now=now)
    assert len(created) == 5
    assert workflow.copy_week(monday, by=manager, now=now) == []


def test_hl2_handover_within_30_minutes_takes_over_previous_open_items(engineer, make_user, call, now):
    manager = engineer.manager
    night = hotline_engineer(manager=manager, name="夜班")
    prev = workflow.plan_shift(night, starts_at=now - timedelta(hours=12), ends_at=now, by=manager, now=now)
    shift = workflow.plan_shift(engineer, starts_at=now, ends_at=now + timedelta(hours=12), by=manager, now=now)
    rec = workflow.record_call(
        new_customer(now=now), phenomenon="夜间来电：无法打印", by=night, now=now - timedelta(hours=1)
    )
    workflow.shelve(rec, note="请教", by=night, now=now - timedelta(hours=1))
    assert workflow.start_due_handovers(now=now + timedelta(minutes=5)) == 2  # ready (10 min), handover (30)
    assert workflow.start_due_handovers(now=now + timedelta(minutes=6)) == 0
    assert clocks.open_clock(shift, "hotline.handover").due_at == now + timedelta(minutes=30)
    with pytest.raises(Forbidden):
        workflow.take_over(shift, by=night, now=now + timedelta(minutes=10))
    handover = workflow.take_over(shift, note="已阅", by=engineer, now=now + timedelta(minutes=20))
    assert handover.previous == prev and list(handover.items.all()) == [rec.request]
    assert clocks.clocks_of(shift).get(rule__key="hotline.handover").state == "met"
    assert Event.objects.get(verb="take_over").data["late"] is False
    with pytest.raises(Conflict):
        workflow.take_over(shift, by=engineer, now=now + timedelta(minutes=21))


def test_hl2_missing_the_handover_is_a_clock_breach(engineer, now):
    from kefu.deadlines import scan

    shift = workflow.plan_shift(
        engineer, starts_at=now, ends_at=now + timedelta(hours=12), by=engineer.manager, now=now
    )
    workflow.start_due_handovers(now=now + timedelta(minutes=1))
    scan.run(now=now + timedelta(minutes=31))
    assert clocks.open_clock(shift, "hotline.handover").state == "breached"


def test_hl2_ready_at_the_post_within_10_minutes_of_the_shift_start(engineer, now):
    shift = workflow.plan_shift(
        engineer, starts_at=now, ends_at=now + timedelta(hours=12), by=engineer.manager, now=now
    )
    with pytest.raises(Invalid):  # more than 15 minutes before the shift
        workflow.report_ready(shift, by=engineer, now=now - timedelta(minutes=30))
    workflow.start_due_handovers(now=now + timedelta(minutes=1))
    assert clocks.open_clock(shift, "hotline.duty_ready").due_at == now + timedelta(minutes=10)
    with pytest.raises(Forbidden):
        workflow.report_ready(shift, by=hotline_engineer(), now=now + timedelta(minutes=5))
    workflow.report_ready(shift, by=engineer, now=now + timedelta(minutes=6))
    assert shift.ready_at == now + timedelta(minutes=6) and shift.taken_over_at is None
    assert clocks.clocks_of(shift).get(rule__key="hotline.duty_ready").state == "met"
    assert Event.objects.get(verb="report_ready").data["late"] is False
    with pytest.raises(Conflict):  # a second tab
        workflow.report_ready(shift, by=engineer, now=now + timedelta(minutes=7))
    assert workflow.start_due_handovers(now=now + timedelta(minutes=8)) == 0  # nothing restarted
    assert clocks.open_clock(shift, "hotline.handover") is not None  # still to take over


def test_hl2_not_ready_in_10_minutes_is_a_breach_and_taking_over_counts_as_ready(engineer, now):
    from kefu.deadlines import scan

    shift = workflow.plan_shift(
        engineer, starts_at=now, ends_at=now + timedelta(hours=12), by=engineer.manager, now=now
    )
    workflow.start_due_handovers(now=now + timedelta(minutes=1))
    scan.run(now=now + timedelta(minutes=11))
    assert clocks.open_clock(shift, "hotline.duty_ready").state == "breached"
    workflow.take_over(shift, by=engineer, now=now + timedelta(minutes=20))
    shift.refresh_from_db()
    assert shift.ready_at == now + timedelta(minutes=20)
    ready = clocks.clocks_of(shift).get(rule__key="hotline.duty_ready")
    assert ready.state == "met" and ready.breached_at is not None  # met late
    assert clocks.clocks_of(shift).get(rule__key="hotline.handover").state == "met"


def test_hl2_ready_through_the_api_and_the_hotline_page(engineer, api_as, client):
    from django.urls import reverse
    from django.utils import timezone

    real_now = timezone.now()  # pages and the API take the real clock
    shift = workflow.plan_shift(
        engineer,
        starts_at=real_now - timedelta(minutes=2),
        ends_at=real_now + timedelta(hours=8),
        by=engineer.manager,
        now=real_now,
    )
    client.force_login(engineer)
    html = client.get(reverse("servicedesk:hotline")).content.decode()
    assert 'data-testid="report-ready"' in html and 'data-testid="take-over"' in html
    # The workbench's clocks link to the roster week: the shift can be acted on there too.
    roster = client.get(shift.get_absolute_url()).content.decode()
    assert 'data-testid="shift-actions"' in roster and "到岗就绪" in roster
    response = api_as(engineer).post(f"/api/duty/{shift.pk}/ready/")
    assert response.status_code == 200 and response.json()["ready_at"]
    assert api_as(engineer).post(f"/api/duty/{shift.pk}/ready/").status_code == 409
    html = client.get(reverse("servicedesk:hotline")).content.decode()
    assert 'data-testid="report-ready"' not in html and 'data-testid="ready-at"' in html
    response = client.post(reverse("servicedesk:duty_action", args=["take-over"]), {"shift": shift.pk, "note": "已阅"})
    assert response.status_code == 302
    assert 'data-testid="my-shift"' not in client.get(reverse("servicedesk:hotline")).content.decode()


# --- connection rate ----------------------------------------------------------------------


CSV = """id,time,caller,engineer,answered,duration
c1,2025-11-24 09:01:00,13800000001,{u},是,120
c2,2025-11-24 09:05:00,13800000002,{u},否,0
c3,2025-11-24 09:09:00,13800000003,{u},1,60
c4,2025-11-25 10:00:00,13800000004,,1,30
"""


def test_hl8_csv_import_rate_per_day_and_engineer_against_90_percent(engineer, now):
    created, errors = workflow.import_call_log(CSV.format(u=engineer.username), by=engineer, now=now)
    assert (created, errors) == (4, [])
    assert workflow.import_call_log(CSV.format(u=engineer.username), by=engineer, now=now) == (0, [])
    workflow.log_call(at=now, answered=True, by=engineer, now=now)
    rate = selectors.connection_rate(engineer, first=now.date(), last=now.date() + timedelta(days=1))
    assert rate["target"] == 0.9
    day = rate["by_day"][0]
    assert (day["answered"], day["total"], day["meets_target"]) == (3, 4, False)
    assert rate["overall"]["answered"] == 4 and rate["overall"]["total"] == 5


def test_hl8_bad_rows_are_reported_and_nothing_is_saved(engineer, now):
    bad = "id,time,caller,engineer,answered,duration\nx1,not-a-time,1,,1,0\nx2,2025-11-24 09:00,1,nobody,1,0\n"
    created, errors = workflow.import_call_log(bad, by=engineer, now=now)
    assert created == 0 and len(errors) == 2 and "第 2 行" in errors[0]
    assert not CallLog.objects.exists()
    with pytest.raises(Invalid):
        workflow.import_call_log("a,b\n1,2\n", by=engineer, now=now)


def test_hl2_a_shift_reads_in_local_time_and_links_to_its_roster_week(make_user):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from kefu.servicedesk.models import DutyShift

    starts = datetime(2025, 11, 24, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    shift = DutyShift(
        engineer=make_user("hotline", name="郑热线"), starts_at=starts, ends_at=starts + timedelta(hours=12)
    )
    assert str(shift).endswith("11-24 08:00")
    assert shift.get_absolute_url().endswith("?week=2025-11-24")
