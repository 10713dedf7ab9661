"""A request and its visits are one story (SR-5, OS-1..OS-6, RV-2, RV-7): what the visit did
comes back to the request, for staff and customer alike. Made through the workflow."""

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kefu.audit.models import Event
from kefu.core.errors import Conflict
from kefu.customers.tests.factories import new_customer, portal_user_of
from kefu.deadlines import clocks
from kefu.deadlines.models import ClockState
from kefu.fieldservice import workflow as fieldservice
from kefu.fieldservice.models import ServiceSheet, WorkOrder
from kefu.fieldservice.tests.factories import SHEET, signature_png
from kefu.notify.models import Outbox
from kefu.org.tests.factories import UserFactory
from kefu.servicedesk import selectors, workflow
from kefu.servicedesk.models import ServiceRequest
from kefu.surveys.models import Survey
from kefu.visits.models import ReturnVisit

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
S = ServiceRequest.Status
W = WorkOrder.Status


@pytest.fixture
def team(db):
    manager = UserFactory(roles=["service_manager"], name="吴经理")
    return {
        "manager": manager,
        "engineer": UserFactory(roles=["field_engineer"], name="冯工程师", manager=manager),
        "hotline": UserFactory(roles=["hotline"], name="郑热线", manager=manager),
        "desk": UserFactory(roles=["service_desk"], name="孙专岗"),
    }


def onsite_request(team, now, *, customer=None, priority="medium"):
    """A phone request the hotline could not solve, sent onsite (HL-6), verified and dispatched."""
    customer = customer or new_customer(now=now)
    req = workflow.create_request(
        customer, channel="phone", phenomenon="打印机无法打印", priority=priority, by=team["hotline"], now=now
    )
    workflow.request_onsite(req, reason="电话无法解决，需上门", by=team["hotline"], now=now)
    order = fieldservice.open_order_of(req)
    fieldservice.verify(order, by=team["manager"], now=now)
    fieldservice.dispatch(order, team["engineer"], by=team["manager"], now=now)
    fieldservice.confirm(order, by=team["engineer"], now=now)
    req.refresh_from_db()
    return req, order


def visit(order, team, at, *, outcome=ServiceSheet.Outcome.SOLVED):
    engineer = team["engineer"]
    fieldservice.set_appointment(order, start=at, end=at + timedelta(hours=2), by=engineer, now=at - timedelta(hours=1))
    fieldservice.check_in(order, by=engineer, now=at)
    fieldservice.complete(order, data=dict(SHEET, outcome=outcome), by=engineer, now=at + timedelta(hours=1))
    fieldservice.sign(order, signer_name="王经理", signature=signature_png(), by=engineer, now=at + timedelta(hours=1))
    order.refresh_from_db()
    return order


def test_sr5_os4_a_sheet_signed_solved_sends_the_request_to_the_customers_confirmation(team, now, make_user):
    customer = new_customer(now=now)
    portal = portal_user_of(customer, make_user)
    req, order = onsite_request(team, now, customer=customer)
    assert req.status == S.ONSITE
    visit(order, team, now + timedelta(hours=2))
    req.refresh_from_db()
    assert req.status == S.SOLVED and req.solved_at == now + timedelta(hours=3)
    assert SHEET["method"] in req.result
    fieldservice.write_off(order, by=team["engineer"], now=now + timedelta(hours=4))
    req.refresh_from_db()
    assert req.status == S.SOLVED  # written off: stays with the customer until they confirm
    # The customer is asked in the portal, and sees it awaiting their confirmation.
    assert Outbox.objects.filter(event="request.solved", recipient=portal).exists()
    assert selectors.requests_for(portal, status="").get(pk=req.pk).status == S.SOLVED
    workflow.confirm(req, via="portal", by=portal, now=now + timedelta(hours=5))
    req.refresh_from_db()
    assert req.status == S.CLOSED


def test_sr2_the_appointment_answers_the_customer_so_the_first_response_clock_does_not_breach(team, now):
    """A request that went onsite from the start: agreeing the appointment is the first response."""
    customer = new_customer(now=now)
    req = workflow.create_request(
        customer,
        channel="email",
        phenomenon="服务器无法启动",
        priority="urgent",
        needs_onsite=True,
        by=team["hotline"],
        now=now,
    )
    rule = workflow.first_response_rule("urgent")
    assert clocks.open_clock(req, rule) is not None
    workflow.request_onsite(req, reason="硬件故障", by=team["hotline"], now=now)
    order = fieldservice.open_order_of(req)
    fieldservice.verify(order, by=team["manager"], now=now)
    fieldservice.dispatch(order, team["engineer"], by=team["manager"], now=now)
    fieldservice.confirm(order, by=team["engineer"], now=now)
    at = now + timedelta(minutes=50)
    fieldservice.set_appointment(
        order, start=now + timedelta(hours=3), end=now + timedelta(hours=5), by=team["engineer"], now=at
    )
    req.refresh_from_db()
    assert req.first_response_at == at
    assert clocks.open_clock(req, rule) is None
    steps = [s.notes for s in selectors.steps_of(req, customer_view=True)]
    assert any("已预约上门" in s and "冯工程师" in s for s in steps)


def test_os5_not_solved_and_redispatched_the_request_stays_onsite_with_its_owner_told(team, now):
    req, order = onsite_request(team, now)
    visit(order, team, now + timedelta(hours=2), outcome=ServiceSheet.Outcome.PARTLY)
    req.refresh_from_db()
    assert req.status == S.ONSITE  # partly solved: nothing to confirm yet
    fieldservice.write_off(
        order, next_step="redispatch", note="需更换主板后再上门", by=team["engineer"], now=now + timedelta(hours=4)
    )
    req.refresh_from_db()
    follow_up = fieldservice.open_order_of(req)
    assert req.status == S.ONSITE and follow_up.previous == order and follow_up.status == W.REQUESTED
    assert Outbox.objects.filter(event="request.onsite_outcome", recipient=team["hotline"]).exists()
    customer_steps = [s.notes for s in selectors.steps_of(req, customer_view=True)]
    assert any("已安排再次上门" in s for s in customer_steps)
    assert not any("主板" in s for s in customer_steps)  # the internal detail stays internal


def test_os5_escalated_the_request_goes_back_to_its_owner_then_the_answer_solves_it(team, now):
    req, order = onsite_request(team, now)
    visit(order, team, now + timedelta(hours=2), outcome=ServiceSheet.Outcome.NOT_SOLVED)
    fieldservice.write_off(
        order,
        next_step="escalate",
        note="疑似产品缺陷",
        target="vendor",
        by=team["engineer"],
        now=now + timedelta(hours=4),
    )
    req.refresh_from_db()
    assert req.status == S.IN_PROGRESS and req.owner == team["hotline"]
    assert Event.objects.filter(verb="onsite_outcome", object_id=str(req.pk)).exists()
    escalation = fieldservice.open_escalation_of(order)
    fieldservice.resolve_escalation(
        escalation, answer="厂商发布补丁，已远程安装", by=team["manager"], now=now + timedelta(days=1)
    )
    req.refresh_from_db()
    assert req.status == S.SOLVED and "补丁" in req.result


def test_os1_a_second_onsite_request_while_an_order_is_open_is_refused(team, now, api_as):
    req, order = onsite_request(team, now)
    with pytest.raises(Conflict) as exc:
        workflow.request_onsite(req, reason="再派一次", by=team["hotline"], now=now)
    assert order.number in str(exc.value.message)
    answer = api_as(team["hotline"]).post(
        f"/api/requests/{req.pk}/request-onsite/", {"reason": "再派一次"}, format="json"
    )
    assert answer.status_code == 409 and order.number in answer.json()["detail"]
    assert WorkOrder.objects.filter(request=req).count() == 1


def test_shelving_is_internal_but_the_customer_is_told_when_we_will_answer(team, now, make_user):
    customer = new_customer(now=now)
    portal = portal_user_of(customer, make_user)
    rec = workflow.record_call(customer, phenomenon="凭证号重复", answer="正在查", by=team["hotline"], now=now)
    workflow.shelve(rec, note="请教研发：修复脚本", by=team["hotline"], now=now)
    req = selectors.request_for(portal, rec.request_id)
    customer_steps = [s.notes for s in selectors.steps_of(req, customer_view=True)]
    assert not any("内部请教" in s or "研发" in s for s in customer_steps)
    assert any("13:00 前答复您" in s for s in customer_steps)  # 3 working hours on the hotline calendar
    staff_steps = [s.notes for s in selectors.steps_of(req)]
    assert any("内部请教中：请教研发" in s for s in staff_steps)


def test_rv2_the_return_visit_counts_from_the_service_not_from_archiving(team, now):
    """A Tuesday visit archived the next Monday is still due by the end of Wednesday (RV-2, OS-6)."""
    _req, order = onsite_request(team, now)
    tuesday = datetime(2025, 11, 25, 14, tzinfo=SH)
    visit(order, team, tuesday)
    sheet = order.sheet
    rv = ReturnVisit.objects.get(kind="onsite")
    assert rv.assignee == team["desk"]  # the customer-service desk calls back (OS-6)
    assert clocks.open_clock(rv, "returnvisit.onsite").due_at == datetime(2025, 11, 26, 18, tzinfo=SH)
    fieldservice.archive(sheet, by=team["desk"], now=datetime(2025, 12, 1, 9, 30, tzinfo=SH))
    assert ReturnVisit.objects.filter(kind="onsite").count() == 1
    # The desk can call before the paper sheet arrives.
    fieldservice.record_return_visit(order.sheet, note="客户满意", by=team["desk"], now=tuesday + timedelta(days=1))
    rv.refresh_from_db()
    assert rv.status == "done"


def test_rv7_an_onsite_service_gets_a_survey_whose_link_is_sent_to_the_customer_once(team, now, make_user):
    customer = new_customer(now=now)  # main contact 王经理 wang@example.com, no portal login
    _req, order = onsite_request(team, now, customer=customer)
    visit(order, team, now + timedelta(hours=2))
    survey = Survey.objects.get(object_id=str(order.pk))
    assert survey.served_by == team["engineer"]
    sent = Outbox.objects.filter(event="survey.invitation", address="wang@example.com")
    from kefu.surveys import workflow as surveys

    assert sent.count() == 1 and surveys.absolute_link(survey) in sent.get().body
    surveys.open_survey(order, customer=customer, served_by=team["engineer"], by=team["engineer"], now=now)
    assert Outbox.objects.filter(event="survey.invitation").count() == 1


def test_fieldservice_never_imports_the_service_desk():
    """Onsite service sits below the desk: it hears back only through handoffs (no import circle)."""
    root = Path(__file__).resolve().parents[2] / "fieldservice"
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        imports = re.findall(r"^\s*(?:from|import) kefu\.servicedesk", path.read_text(), re.M)
        assert not imports, path


def test_cal4_an_order_waiting_for_a_part_does_not_breach_and_resumes_with_its_time(team, now):
    _req, order = onsite_request(team, now)
    visit(order, team, now + timedelta(hours=2), outcome=ServiceSheet.Outcome.PARTLY)
    clock = clocks.open_clock(order, "fieldservice.write_off")
    due = clock.due_at
    fieldservice.wait(order, reason="part", note="主板 3 天后到货", by=team["engineer"], now=now + timedelta(hours=4))
    clock.refresh_from_db()
    assert clock.state == ClockState.PAUSED and clock.pause_reason == "等待备件：主板 3 天后到货"
    with pytest.raises(Conflict):
        fieldservice.wait(order, reason="part", by=team["engineer"], now=now + timedelta(hours=4))
    fieldservice.resume(order, by=team["engineer"], now=now + timedelta(days=3, hours=4))
    clock.refresh_from_db()
    order.refresh_from_db()
    assert clock.state == ClockState.RUNNING and clock.due_at > due and order.waiting_for == ""
    verbs = set(Event.objects.filter(object_id=str(order.pk)).values_list("verb", flat=True))
    assert {"wait_start", "wait_end", "clock_pause", "clock_resume"} <= verbs


def test_cal4_a_request_waiting_for_the_customer_pauses_and_moving_on_ends_the_wait(team, now, make_user):
    customer = new_customer(now=now)
    portal = portal_user_of(customer, make_user)
    rec = workflow.record_call(customer, phenomenon="报表取数为零", by=team["hotline"], now=now)
    workflow.shelve(rec, note="等客户发日志", by=team["hotline"], now=now)
    req = rec.request
    req.refresh_from_db()
    workflow.wait(
        req, reason="customer", note="请客户发送错误日志", by=team["hotline"], now=now + timedelta(minutes=10)
    )
    assert clocks.open_clock(req, "hotline.shelved_reply").state == ClockState.PAUSED
    assert any("等待客户：请客户发送错误日志" in s.notes for s in selectors.steps_of(req, customer_view=True))
    req.refresh_from_db()
    workflow.solve(req, result="日志显示期间未结账，已指导结账", by=team["hotline"], now=now + timedelta(hours=5))
    req.refresh_from_db()
    assert req.waiting_for == "" and req.status == S.SOLVED
    assert portal  # the customer saw what we were waiting for
