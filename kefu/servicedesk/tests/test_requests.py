"""Service requests (SR-1..SR-7): intake, first response, ownership, steps, closing, withdrawal."""

from datetime import timedelta

import pytest

from kefu.audit.models import Event
from kefu.core.errors import REASON_REQUIRED, Conflict, Forbidden, Invalid
from kefu.customers.models import TimelineEntry
from kefu.customers.tests.factories import new_customer, portal_user_of
from kefu.deadlines import clocks
from kefu.notify.models import Outbox
from kefu.servicedesk import workflow
from kefu.servicedesk.models import RequestStep, ServiceRequest
from kefu.servicedesk.tests.factories import new_request
from kefu.visits.models import ReturnVisit

pytestmark = pytest.mark.django_db
S = ServiceRequest.Status


@pytest.mark.parametrize(("priority", "hours"), [("urgent", 2), ("high", 4), ("medium", 6), ("low", 24)])
def test_sr2_first_response_clock_per_priority(make_user, now, priority, hours):
    hotline = make_user("hotline")
    req = new_request(by=hotline, now=now, priority=priority)
    clock = clocks.open_clock(req, f"request.first_response.{priority}")
    assert clock is not None and clock.owner == hotline
    assert req.first_response_due == clock.due_at
    assert clock.due_at >= now + timedelta(hours=hours)  # working time of the hotline calendar


def test_sr2_urgent_first_response_due_in_2_hours_on_a_working_morning(make_user, now):
    req = new_request(by=make_user("hotline"), now=now, priority="urgent")
    assert req.first_response_due == now + timedelta(hours=2)


@pytest.mark.parametrize("channel", ["phone", "email", "chat", "api"])
def test_sr1_channel_is_recorded_and_intake_is_on_the_timeline_and_audited(make_user, now, channel):
    rep = make_user("customer_rep")
    req = new_request(by=rep, now=now, channel=channel)
    assert req.channel == channel
    assert req.number.startswith("SR251124")
    assert req.status == S.NEW
    assert req.owner == rep  # SR-3: whoever takes it owns it
    assert TimelineEntry.objects.filter(customer=req.customer, kind="request", object_id=str(req.pk)).exists()
    assert Event.objects.filter(verb="create", object_id=str(req.pk)).exists()


def test_sr1_staff_without_intake_role_cannot_create(make_user, now):
    with pytest.raises(Forbidden):
        new_request(by=make_user("finance"), now=now)


def test_qs2_phenomenon_required_and_nothing_saved(make_user, now):
    with pytest.raises(Invalid) as err:
        new_request(by=make_user("hotline"), now=now, phenomenon="  ")
    assert err.value.message == workflow.PHENOMENON_REQUIRED
    assert not ServiceRequest.all_objects.exists()


def test_sr2_complaint_opens_a_complaint_and_quality_is_told(make_user, now):
    from kefu.complaints.models import Complaint

    quality = make_user("quality")
    req = new_request(by=make_user("hotline"), now=now, type="complaint")
    complaint = Complaint.objects.get(subject_id=str(req.pk))  # CP-1: the hand-off to complaints
    assert Outbox.objects.filter(
        event="complaint.received", recipient=quality, link=complaint.get_absolute_url()
    ).exists()


def test_sr3_transfer_needs_receiver_and_reason(make_user, now):
    owner = make_user("hotline")
    req = new_request(by=owner, now=now)
    with pytest.raises(Invalid) as err:
        workflow.transfer(req, None, reason="x", by=owner, now=now)
    assert err.value.message == workflow.RECEIVER_REQUIRED
    with pytest.raises(Invalid) as err:
        workflow.transfer(req, make_user("hotline"), reason=" ", by=owner, now=now)
    assert err.value.message == REASON_REQUIRED
    with pytest.raises(Invalid) as err:
        workflow.transfer(req, make_user("finance"), reason="财务问题", by=owner, now=now)
    assert err.value.message == workflow.RECEIVER_INVALID


def test_sr3_transfer_moves_ownership_clock_and_audits(make_user, now):
    owner, receiver = make_user("hotline"), make_user("field_engineer")
    req = new_request(by=owner, now=now)
    workflow.transfer(req, receiver, reason="需要现场工程师判断", by=owner, now=now)
    assert req.owner == receiver
    assert clocks.open_clock(req, "request.first_response.medium").owner == receiver
    event = Event.objects.get(verb="transfer", object_id=str(req.pk))
    assert event.data == {"reason": "需要现场工程师判断"}
    assert Outbox.objects.filter(event="request.transferred", recipient=receiver).exists()


def test_sr3_only_the_owner_or_manager_may_transfer(make_user, now):
    req = new_request(by=make_user("hotline"), now=now)
    with pytest.raises(Forbidden):
        workflow.transfer(req, make_user("hotline"), reason="忙", by=make_user("hotline"), now=now)
    workflow.transfer(req, make_user("hotline"), reason="调整", by=make_user("service_manager"), now=now)


def test_qs3_two_transfers_at_once_one_wins(make_user, now):
    owner = make_user("hotline")
    req = new_request(by=owner, now=now)
    stale = ServiceRequest.objects.get(pk=req.pk)
    workflow.transfer(req, make_user("hotline"), reason="第一次", by=owner, now=now)
    with pytest.raises(Conflict):
        workflow.transfer(stale, make_user("hotline"), reason="第二次", by=make_user("service_manager"), now=now)


def test_sr4_steps_keep_notes_and_time_and_meet_first_response(make_user, now):
    owner = make_user("hotline")
    req = new_request(by=owner, now=now)
    later = now + timedelta(minutes=20)
    for kind in ["assessment", "diagnosis", "solution", "implementation", "verification"]:
        workflow.add_step(req, kind, f"{kind} 说明", by=owner, now=later)
    assert [s.kind for s in req.steps.all()] == [
        "assessment",
        "diagnosis",
        "solution",
        "implementation",
        "verification",
    ]
    req.refresh_from_db()
    assert req.status == S.IN_PROGRESS and req.first_response_at == later
    assert clocks.clocks_of(req).get(rule__key="request.first_response.medium").state == "met"
    with pytest.raises(Invalid):
        workflow.add_step(req, "diagnosis", " ", by=owner, now=later)
    with pytest.raises(Forbidden):
        workflow.add_step(req, "diagnosis", "别人", by=make_user("hotline"), now=later)


def test_sr5_close_only_with_customer_confirmation(make_user, now):
    rep = make_user("customer_rep")
    customer = new_customer(rep, now=now, owner=rep)
    owner = make_user("hotline")
    req = new_request(customer, by=owner, now=now)
    with pytest.raises(Invalid):  # not solved yet: nothing to confirm
        workflow.confirm(req, via="phone", by=owner, now=now)
    workflow.solve(req, result="重装打印驱动后正常", by=owner, now=now)
    assert req.status == S.SOLVED
    with pytest.raises(Invalid) as err:
        workflow.confirm(req, via="", by=owner, now=now)
    assert err.value.message == workflow.CONFIRMATION_REQUIRED
    workflow.confirm(req, via="phone", note="客户电话确认已能打印", by=owner, now=now)
    assert req.status == S.CLOSED and req.confirmed_via == "phone" and req.closed_at == now
    assert Event.objects.get(verb="confirm", object_id=str(req.pk)).data["via"] == "phone"
    # The customer representative is asked for the confirmation call.
    call = ReturnVisit.objects.get(kind="confirmation", source_id=str(req.pk))
    assert call.assignee == rep and call.channel == "phone" and call.status == "open"
    assert clocks.open_clock(call, "returnvisit.confirmation").due_at > now
    assert Outbox.objects.filter(event="visit.opened", recipient=rep).exists()


def test_sr5_customer_reopens_then_confirms_in_portal(make_user, now):
    owner = make_user("hotline")
    customer = new_customer(now=now)
    portal = portal_user_of(customer, make_user)
    req = new_request(customer, by=owner, now=now)
    workflow.solve(req, result="已处理", by=owner, now=now)
    workflow.reopen(req, reason="还是不能打印", by=portal, now=now)
    assert req.status == S.IN_PROGRESS and req.reopened == 1
    workflow.solve(req, result="更换打印端口", by=owner, now=now)
    workflow.confirm(req, via="phone", by=portal, now=now)
    assert req.status == S.CLOSED and req.confirmed_via == "portal"


def test_sr5_other_customer_cannot_confirm(make_user, now):
    owner = make_user("hotline")
    req = new_request(by=owner, now=now)
    workflow.solve(req, result="已处理", by=owner, now=now)
    stranger = portal_user_of(new_customer(now=now, name="别家公司"), make_user)
    with pytest.raises(Forbidden):
        workflow.confirm(req, via="portal", by=stranger, now=now)


def test_sr6_service_sheet_fields_and_search(make_user, now):
    from kefu.search import search

    owner = make_user("hotline")
    req = new_request(by=owner, now=now)
    workflow.update_sheet(
        req,
        cause="驱动损坏",
        method="重装驱动",
        prevention="定期备份",
        by=owner,
        now=now,
        phenomenon="月末结账时凭证打印失败",
    )
    assert (req.cause, req.method, req.prevention) == ("驱动损坏", "重装驱动", "定期备份")
    assert list(search(ServiceRequest.objects.all(), "结账")) == [req]


def test_sr7_withdrawal_needs_call_centre_review_and_keeps_the_row(make_user, now):
    owner, agent = make_user("hotline"), make_user("call_center")
    req = new_request(by=owner, now=now)
    with pytest.raises(Invalid) as err:
        workflow.request_withdrawal(req, reason="电话已解决", by=owner, now=now)
    assert err.value.message == workflow.WITHDRAW_ONLY_PHONE_SOLVED
    workflow.solve(req, result="电话中指导解决", by=owner, now=now)
    workflow.request_withdrawal(req, reason="电话中已解决，无需上门", by=owner, now=now)
    with pytest.raises(Forbidden):
        workflow.review_withdrawal(req, approve=True, by=owner, now=now)
    workflow.review_withdrawal(req, approve=True, by=agent, now=now)
    assert not ServiceRequest.objects.filter(pk=req.pk).exists()
    kept = ServiceRequest.all_objects.get(pk=req.pk)
    assert kept.status == S.WITHDRAWN and kept.delete_reason == "电话中已解决，无需上门" and kept.deleted_by == agent
    assert Event.objects.filter(verb="review_withdrawal", object_id=str(req.pk)).exists()
    with pytest.raises(Invalid):
        req.delete()


def test_sr7_rejected_withdrawal_leaves_request_solved(make_user, now):
    owner, agent = make_user("hotline"), make_user("call_center")
    req = new_request(by=owner, now=now)
    workflow.solve(req, result="电话中指导解决", by=owner, now=now)
    workflow.request_withdrawal(req, reason="重复登记", by=owner, now=now)
    workflow.review_withdrawal(req, approve=False, note="不是重复", by=agent, now=now)
    assert req.status == S.SOLVED and req.withdrawal == "rejected"
    with pytest.raises(Invalid):
        workflow.review_withdrawal(req, approve=True, by=agent, now=now)


def test_sr3_unowned_portal_request_is_taken_once(make_user, now):
    customer = new_customer(now=now)
    portal = portal_user_of(customer, make_user)
    req = workflow.create_request(customer, channel="portal", phenomenon="无法登录", by=portal, now=now)
    assert req.owner is None  # nobody on duty
    a = ServiceRequest.objects.get(pk=req.pk)
    workflow.take(req, by=make_user("hotline"), now=now)
    with pytest.raises(Conflict):
        workflow.take(a, by=make_user("hotline"), now=now)


def test_sr4_step_kinds_are_the_five_of_the_catalogue():
    assert [k for k in RequestStep.Kind.values if k != "note"] == [
        "assessment",
        "diagnosis",
        "solution",
        "implementation",
        "verification",
    ]
