"""Customer service plan (PLAN-1..PLAN-3)."""

import base64
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kefu.approvals import workflow as approvals
from kefu.audit.models import Event
from kefu.core.errors import Conflict, Forbidden, Invalid
from kefu.customers.models import TimelineEntry
from kefu.documents.images import sample_signature
from kefu.notify.models import Outbox
from kefu.plans import workflow
from kefu.plans.models import ServicePlan
from kefu.plans.tests.factories import customer_relations, written_plan
from kefu.visits.models import ReturnVisit

pytestmark = pytest.mark.django_db

# A drawn signature as signature_pad sends it: the one decoder (kefu.documents.images) refuses a
# 1×1 pixel image, which the plans' own decoder used to take (issue 14 §5).
PNG = base64.b64decode(sample_signature().split(",", 1)[1])


def test_plan1_written_from_the_contracts_service_terms(now):
    _dept, _head, rep = customer_relations()
    plan = written_plan(rep, now)
    assert plan.content == "每 2 个月回访一次"
    assert (plan.period_start, plan.period_end) == (date(2025, 11, 1), date(2026, 10, 31))
    assert plan.status == ServicePlan.Status.DRAFT
    assert Event.objects.filter(verb="create", object_id=str(plan.pk), content_type__model="serviceplan").exists()


def test_plan2_approval_schedules_the_visits(now):
    _dept, head, rep = customer_relations()
    plan = written_plan(rep, now, visit_frequency=3, period_start=date(2025, 9, 1), period_end=date(2026, 8, 31))
    workflow.submit(plan, by=rep, now=now)
    assert Outbox.objects.filter(event="approval.pending", recipient=head).exists()
    plan = workflow.approve(plan, by=head, now=now)
    visits = list(plan.visits.order_by("planned_for"))
    assert [v.planned_for for v in visits] == [date(2025, 12, 1), date(2026, 3, 1), date(2026, 6, 1)]
    assert all(v.kind == ReturnVisit.Kind.PLAN and v.status == ReturnVisit.Status.SCHEDULED for v in visits)
    assert visits[0].assignee == plan.customer.owner or visits[0].assignee == rep
    event = Event.objects.get(verb="approve", object_id=str(plan.pk))
    assert (event.before, event.after, event.actor) == ("待审批", "已批准", head)
    assert Event.objects.get(verb="schedule_visits").after == "3"
    assert TimelineEntry.objects.filter(customer=plan.customer, kind="plan").exists()


def test_plan2_due_visits_open_at_approval(now):
    _dept, head, rep = customer_relations()
    plan = written_plan(rep, now, visit_frequency=1, period_start=date(2025, 9, 1), period_end=date(2026, 8, 31))
    workflow.submit(plan, by=rep, now=now)
    workflow.approve(plan, by=head, now=now)
    opened = plan.visits.filter(status=ReturnVisit.Status.OPEN).order_by("planned_for")
    assert [v.planned_for for v in opened] == [date(2025, 10, 1), date(2025, 11, 1)]


def test_plan2_return_needs_a_reason_and_goes_back_to_the_author(now):
    _dept, head, rep = customer_relations()
    plan = written_plan(rep, now)
    workflow.submit(plan, by=rep, now=now)
    with pytest.raises(Invalid):
        workflow.return_plan(plan, reason=" ", by=head, now=now)
    plan = workflow.return_plan(plan, reason="回访频度应与合同一致", by=head, now=now)
    assert (plan.status, plan.return_reason) == ("returned", "回访频度应与合同一致")
    assert Outbox.objects.filter(event="approval.returned", recipient=rep).exists()
    assert Event.objects.get(verb="return_plan").data == {"reason": "回访频度应与合同一致"}
    assert not plan.visits.exists()
    plan = workflow.update_plan(plan, {"visit_frequency": 2}, by=rep, now=now)
    workflow.submit(plan, by=rep, now=now)
    workflow.approve(plan, by=head, now=now)


def test_plan2_who_may_approve(now, make_user):
    _dept, head, rep = customer_relations()
    plan = written_plan(rep, now)
    with pytest.raises(Invalid):
        workflow.approve(plan, by=head, now=now)  # still a draft
    workflow.submit(plan, by=rep, now=now)
    for user in (rep, make_user("dept_head"), make_user("hotline")):
        with pytest.raises(Forbidden):
            workflow.approve(plan, by=user, now=now)
    workflow.approve(plan, by=head, now=now)
    with pytest.raises(Invalid):
        workflow.approve(plan, by=head, now=now)
    with pytest.raises(Conflict):
        workflow.update_plan(plan, {"content": "x"}, by=rep, now=now)


def test_plan3_signature_drawn_on_screen(now):
    _dept, head, rep = customer_relations()
    plan = written_plan(rep, now)
    workflow.submit(plan, by=rep, now=now)
    workflow.approve(plan, by=head, now=now)
    with pytest.raises(Invalid):
        workflow.sign(plan, signer_name="王立军", by=rep, now=now)
    with pytest.raises(Invalid):
        workflow.sign(plan, signer_name="王立军", signature="data:image/png;base64,bm90IGEgcG5n", by=rep, now=now)
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    plan = workflow.sign(plan, signer_name="王立军", signature=data_url, by=rep, now=now)
    assert plan.status == "signed"
    assert plan.signature.read() == PNG
    assert Event.objects.get(verb="sign").data == {"signer": "王立军", "how": "drawn"}


def test_plan3_signed_scan_and_portal_customer_signs(client, now, make_user):
    from kefu.customers.tests.factories import portal_user_of

    _dept, head, rep = customer_relations()
    plan = written_plan(rep, now)
    workflow.submit(plan, by=rep, now=now)
    workflow.approve(plan, by=head, now=now)
    portal = portal_user_of(plan.customer, make_user)
    client.force_login(portal)
    scan = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    response = client.post(reverse("plans:action", args=[plan.pk, "sign"]), {"signer_name": "王立军", "scan": scan})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "signed"
    assert plan.signed_scan.name.endswith(".pdf")
    other = make_user("customer")
    with pytest.raises(Forbidden):
        workflow.sign(plan, signer_name="x", scan=BytesIO(b"%PDF"), by=other, now=now)


def test_plan_pages_and_api(client, api_as, now, make_user, django_assert_max_num_queries):
    _dept, head, rep = customer_relations()
    for _ in range(5):
        written_plan(rep, now)
    client.force_login(rep)
    customer = ServicePlan.objects.first().customer
    response = client.post(
        reverse("plans:create", args=[customer.pk]),
        {
            "content": "季度回访",
            "period_start": "2025-12-01",
            "period_end": "2026-11-30",
            "visit_frequency": 3,
            "visit_channel": "phone",
            "requirements": "",
        },
    )
    assert response.status_code == 302
    plan = ServicePlan.objects.get(content="季度回访")
    submitted = client.post(reverse("plans:action", args=[plan.pk, "submit"]), follow=True)
    assert "已提交审批，审批人已收到待审批通知。" in submitted.content.decode()  # says what happened (issue 12 §7)
    client.force_login(head)
    approval = approvals.approval_of(plan, workflow.PLAN_CHAIN)
    assert f'data-approval="{approval.pk}"' in client.get(reverse("workbench")).content.decode()  # 待我审批
    client.post(reverse("plans:action", args=[plan.pk, "approve"]))
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert plan.visits.count() == 3  # 2026-03-01, 06-01, 09-01
    with django_assert_max_num_queries(10):
        assert client.get(reverse("plans:list")).status_code == 200
    api = api_as(rep)
    with django_assert_max_num_queries(8):
        assert api.get("/api/plans/").json()["count"] == 6
    r = api.post(
        "/api/plans/",
        {
            "customer": customer.pk,
            "content": "API 计划",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "visit_frequency": 6,
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "draft"
    pk = r.json()["id"]
    assert api.post(f"/api/plans/{pk}/submit/").json()["status"] == "submitted"
    assert api.post(f"/api/plans/{pk}/approve/").status_code == 403
    assert (
        api_as(head).post(f"/api/plans/{pk}/return/", {"reason": "补充服务要求"}, format="json").json()["status"]
        == "returned"
    )
    for role in ("station_master", "customer", "finance"):
        assert api_as(make_user(role)).get("/api/plans/").json()["count"] == 0
    assert ServicePlan.objects.filter(period_start__gte=now.date() - timedelta(days=1000)).count() == 7
