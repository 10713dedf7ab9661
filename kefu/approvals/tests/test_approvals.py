"""Approval chains, the shared fitting (issue 14 §2): steps in order, each decided by whom the
chain names and on its own deadline clock; return → revise → resubmit as the next round; one
decision per step (409 for the loser, 403 for anyone else). PLAN-2 and SR-7 run on it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.approvals import chains, workflow
from kefu.approvals.models import Approval, ApprovalStep
from kefu.core.errors import Conflict, Forbidden, Invalid
from kefu.customers.tests.factories import new_customer
from kefu.deadlines.models import Clock, ClockState
from kefu.notify.models import Outbox
from kefu.org import roles

pytestmark = pytest.mark.django_db

A, St = Approval.Status, ApprovalStep.Status
CALLS: list[tuple[str, int]] = []


def _called(name):
    def callback(subject, *, approval, step, by, now, reason):
        CALLS.append((name, subject.pk))

    return callback


chains.define(
    chains.Chain(
        key="tests.two_steps",
        label=_("测试两级审批"),
        steps=[
            chains.Step(_("部门主任审批"), deciders=chains.role(roles.DEPT_HEAD), rule="approval.plan"),
            chains.Step(_("总经理审批"), deciders=chains.role(roles.GENERAL_MANAGER), rule="approval.plan"),
        ],
        on_approved=_called("approved"),
        on_returned=_called("returned"),
        on_rejected=_called("rejected"),
    )
)


@pytest.fixture
def setup(make_user, now):
    CALLS.clear()
    rep, head, gm = make_user(roles.CUSTOMER_REP), make_user(roles.DEPT_HEAD), make_user(roles.GENERAL_MANAGER)
    return new_customer(rep, now=now), rep, head, gm


def _clock(step):
    return Clock.objects.get(object_id=str(step.pk), content_type__model="approvalstep")


def test_steps_run_in_order_each_on_its_clock_and_the_chain_ends_with_the_callback(setup, now):
    customer, rep, head, gm = setup
    approval = workflow.submit(customer, "tests.two_steps", by=rep, now=now, note="请审批")
    first, second = approval.steps.order_by("order")
    assert (first.status, second.status) == (St.PENDING, St.WAITING)
    assert list(first.deciders.all()) == [head]
    clock = _clock(first)
    assert clock.owner == head and clock.state == ClockState.RUNNING
    assert clock.due_at.astimezone(now.tzinfo).date() == date(2025, 11, 26)  # 2 working days (Mon → Wed)
    assert Outbox.objects.filter(event="approval.pending", recipient=head).count() == 1
    with pytest.raises(Forbidden):
        workflow.decide(approval, verdict="approve", by=gm, now=now)  # not gm's step yet

    workflow.decide(approval, verdict="approve", by=head, now=now + timedelta(hours=1))
    assert _clock(first).state == ClockState.MET
    second.refresh_from_db()
    assert second.status == St.PENDING and _clock(second).owner == gm
    assert CALLS == [] and Approval.objects.get(pk=approval.pk).status == A.PENDING

    workflow.decide(approval, verdict="approve", by=gm, now=now + timedelta(hours=2))
    approval.refresh_from_db()
    assert approval.status == A.APPROVED and [("approved", customer.pk)] == CALLS
    assert Outbox.objects.filter(event="approval.approved", recipient=rep).count() == 1
    with pytest.raises(Conflict):
        workflow.decide(approval, verdict="approve", by=gm, now=now + timedelta(hours=3))


def test_return_needs_a_reason_skips_the_rest_and_the_resubmission_is_the_next_round(setup, now, make_user):
    customer, rep, head, _gm = setup
    approval = workflow.submit(customer, "tests.two_steps", by=rep, now=now)
    with pytest.raises(Invalid):
        workflow.decide(approval, verdict="return", reason="  ", by=head, now=now)
    with pytest.raises(Invalid):
        workflow.decide(approval, verdict="maybe", by=head, now=now)
    workflow.decide(approval, verdict="return", reason="附上报价单", by=head, now=now + timedelta(hours=1))
    approval.refresh_from_db()
    assert approval.status == A.RETURNED and [("returned", customer.pk)] == CALLS
    assert [s.status for s in approval.steps.order_by("order")] == [St.RETURNED, St.SKIPPED]
    assert Outbox.objects.get(event="approval.returned", recipient=rep).body == "附上报价单"
    with pytest.raises(Conflict):
        workflow.decide(approval, verdict="approve", by=head, now=now)  # nothing pending now
    with pytest.raises(Forbidden):
        workflow.resubmit(approval, by=make_user(roles.CUSTOMER_REP), now=now + timedelta(hours=2))

    workflow.resubmit(approval, by=rep, now=now + timedelta(hours=2), note="已附报价单")
    approval.refresh_from_db()
    assert (approval.status, approval.round, approval.note) == (A.PENDING, 2, "已附报价单")
    assert Approval.objects.count() == 1  # one approval, its history in rounds
    assert workflow.current_step(approval).round == 2
    from kefu.approvals.selectors import history

    assert [(s.round, s.status) for s in history(approval)] == [
        (2, St.PENDING),
        (2, St.WAITING),
        (1, St.RETURNED),
        (1, St.SKIPPED),
    ]
    with pytest.raises(Conflict):
        workflow.submit(customer, "tests.two_steps", by=rep, now=now)  # already under review


def test_reject_ends_the_chain_and_a_chain_offers_only_its_verdicts(make_user, now):
    from kefu.plans.tests.factories import customer_relations, written_plan

    customer = new_customer(make_user(roles.CUSTOMER_REP), now=now)
    CALLS.clear()
    rep, head = make_user(roles.CUSTOMER_REP), make_user(roles.DEPT_HEAD)
    approval = workflow.submit(customer, "tests.two_steps", by=rep, now=now)
    workflow.decide(approval, verdict="reject", reason="不符合合同", by=head, now=now)
    assert Approval.objects.get(pk=approval.pk).status == A.REJECTED and [("rejected", customer.pk)] == CALLS

    from kefu.plans import workflow as plans

    _dept, plan_head, plan_rep = customer_relations()
    plan = plans.submit(written_plan(plan_rep, now), by=plan_rep, now=now)
    with pytest.raises(Invalid):  # a plan is approved or returned, never rejected (PLAN-2)
        workflow.decide(
            workflow.approval_of(plan, plans.PLAN_CHAIN), verdict="reject", reason="x", by=plan_head, now=now
        )


def test_two_deciders_of_one_step_one_wins_the_other_gets_409(make_user, now):
    customer = new_customer(make_user(roles.CUSTOMER_REP), now=now)
    rep, head_a, head_b = make_user(roles.CUSTOMER_REP), make_user(roles.DEPT_HEAD), make_user(roles.DEPT_HEAD)
    make_user(roles.GENERAL_MANAGER)
    approval = workflow.submit(customer, "tests.two_steps", by=rep, now=now)
    stale = Approval.objects.get(pk=approval.pk)
    workflow.decide(approval, verdict="approve", by=head_a, now=now)
    with pytest.raises(Conflict):  # not 403: head_b was a decider of the step head_a decided
        workflow.decide(stale, verdict="approve", by=head_b, now=now)
    step = approval.steps.get(order=1)
    assert step.decided_by == head_a


def test_a_step_nobody_can_decide_is_refused_at_submission(make_user, now):
    customer = new_customer(make_user(roles.CUSTOMER_REP), now=now)
    rep = make_user(roles.CUSTOMER_REP)
    with pytest.raises(Invalid):
        workflow.submit(customer, "tests.two_steps", by=rep, now=now)  # no department head exists
    assert not Approval.objects.exists()


def test_inbox_api_and_403_409_as_json(client, api_as, setup, now):
    customer, rep, head, gm = setup
    approval = workflow.submit(customer, "tests.two_steps", by=rep, now=now)
    client.force_login(head)
    page = client.get(reverse("approvals:inbox")).content.decode()
    assert customer.name in page and 'data-testid="nav-count-approvals">1<' in page
    assert client.get(reverse("approvals:detail", args=[approval.pk])).status_code == 200
    # the page keeps the verdict and reason as typed when it refuses them
    r = client.post(reverse("approvals:decide", args=[approval.pk]), {"verdict": "return", "reason": ""})
    assert r.status_code == 400 and 'value="return" checked' in r.content.decode()

    assert [a["id"] for a in api_as(head).get("/api/approvals/").json()["results"]] == [approval.pk]
    assert api_as(gm).get("/api/approvals/").json()["results"] == []
    assert api_as(rep).get("/api/approvals/", {"scope": "submitted"}).json()["count"] == 1
    r = api_as(gm).post(f"/api/approvals/{approval.pk}/decide/", {"verdict": "approve"}, format="json")
    assert r.status_code == 404  # gm is not a decider yet: the approval is not theirs to see
    r = api_as(rep).post(f"/api/approvals/{approval.pk}/decide/", {"verdict": "approve"}, format="json")
    assert r.status_code == 403 and r.json()["detail"] == "您不是该审批环节的审批人。"
    r = api_as(head).post(f"/api/approvals/{approval.pk}/decide/", {"verdict": "yes"}, format="json")
    assert r.status_code == 400
    assert api_as(head).post(f"/api/approvals/{approval.pk}/decide/", {"verdict": "approve"}).status_code == 200
    r = api_as(head).post(f"/api/approvals/{approval.pk}/decide/", {"verdict": "approve"}, format="json")
    assert r.status_code == 409  # already decided (the next step is the general manager's)
    assert (
        api_as(gm).post(f"/api/approvals/{approval.pk}/decide/", {"verdict": "approve"}).json()["status"] == "approved"
    )
    r = api_as(gm).post(f"/api/approvals/{approval.pk}/decide/", {"verdict": "approve"}, format="json")
    assert r.status_code == 409 and r.json()["code"]


def test_inbox_queries_do_not_grow(client, make_user, now, django_assert_max_num_queries):
    rep, head = make_user(roles.CUSTOMER_REP), make_user(roles.DEPT_HEAD)
    make_user(roles.GENERAL_MANAGER)
    for i in range(15):
        workflow.submit(new_customer(rep, now=now, name=f"审批测试{i}号有限公司"), "tests.two_steps", by=rep, now=now)
    client.force_login(head)
    client.get(reverse("approvals:inbox"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("approvals:inbox")).status_code == 200
    # 16, and one for the complaints panel (issue 16: each domain's panel costs a query).
    with django_assert_max_num_queries(17):
        assert client.get(reverse("workbench")).status_code == 200


def test_plan2_returned_plan_resubmitted_from_the_approval_goes_back_to_review(api_as, now):
    from kefu.plans import workflow as plans
    from kefu.plans.tests.factories import customer_relations, written_plan

    _dept, head, rep = customer_relations()
    plan = plans.submit(written_plan(rep, now), by=rep, now=now)
    plans.return_plan(plan, reason="回访频度应与合同一致", by=head, now=now)
    approval = workflow.approval_of(plan, plans.PLAN_CHAIN)
    r = api_as(rep).post(f"/api/approvals/{approval.pk}/resubmit/", {"note": "已改为每月"}, format="json")
    assert r.status_code == 200 and r.json()["round"] == 2
    assert [step["status"] for step in r.json()["steps"]][:1] == ["pending"]  # the new round, read fresh
    plan.refresh_from_db()
    assert plan.status == "submitted"
    plans.approve(plan, by=head, now=now)
    assert Outbox.objects.filter(event="approval.approved", recipient=rep).count() == 1
    assert not Outbox.objects.filter(event__startswith="plan.").exists()  # one notice, from the approval


def test_sr7_withdrawal_is_decided_in_the_call_centres_inbox_and_told_once(client, make_user, now):
    from kefu.servicedesk import workflow as desk
    from kefu.servicedesk.tests.factories import new_request

    owner, agent = make_user(roles.HOTLINE), make_user(roles.CALL_CENTER)
    req = new_request(new_customer(now=now), by=owner, now=now)
    desk.solve(req, result="电话中指导重启后恢复", by=owner, now=now)
    desk.request_withdrawal(req, reason="电话中已解决，无需上门", by=owner, now=now)
    approval = workflow.approval_of(req, desk.WITHDRAWAL_CHAIN)
    client.force_login(agent)
    assert req.number in client.get(reverse("approvals:inbox")).content.decode()
    r = client.post(reverse("approvals:decide", args=[approval.pk]), {"verdict": "return", "reason": "x"})
    assert r.status_code == 400  # a withdrawal is approved or rejected, never returned
    client.post(reverse("approvals:decide", args=[approval.pk]), {"verdict": "approve"})
    from kefu.servicedesk.models import ServiceRequest

    assert ServiceRequest.all_objects.get(pk=req.pk).status == "withdrawn"
    assert Outbox.objects.filter(recipient=owner, event__startswith="approval.").count() == 1
    assert not Outbox.objects.filter(event="request.withdrawal_reviewed").exists()


def test_the_approvals_api_list_queries_do_not_grow(api_as, make_user, now, django_assert_max_num_queries):
    rep, head = make_user(roles.CUSTOMER_REP), make_user(roles.DEPT_HEAD)
    make_user(roles.GENERAL_MANAGER)
    api = api_as(head)
    workflow.submit(new_customer(rep, now=now, name="审批接口0号有限公司"), "tests.two_steps", by=rep, now=now)
    api.get("/api/approvals/")
    with django_assert_max_num_queries(10):
        few = api.get("/api/approvals/").json()["count"]
    for i in range(1, 8):
        workflow.submit(new_customer(rep, now=now, name=f"审批接口{i}号有限公司"), "tests.two_steps", by=rep, now=now)
    with django_assert_max_num_queries(10):
        assert api.get("/api/approvals/").json()["count"] == few + 7
