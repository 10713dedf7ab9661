"""The pages and API of the closed loops (issue 12): every workflow step has both; a form that
fails keeps what was typed; messages say what happened; the portal shows the visit."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse

from kefu.customers.tests.factories import new_customer, portal_user_of
from kefu.fieldservice import workflow as fieldservice
from kefu.fieldservice.models import ServiceSheet, WorkOrder
from kefu.fieldservice.tests.factories import SHEET
from kefu.org.tests.factories import UserFactory
from kefu.servicedesk import workflow
from kefu.servicedesk.models import CallLog, DutyShift
from kefu.servicedesk.tests.test_onsite_loop import onsite_request, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    manager = UserFactory(roles=["service_manager"], name="吴经理")
    return {
        "manager": manager,
        "engineer": UserFactory(roles=["field_engineer"], name="冯工程师", manager=manager),
        "hotline": UserFactory(roles=["hotline"], name="郑热线", manager=manager),
        "desk": UserFactory(roles=["service_desk"], name="孙专岗"),
    }


def test_os3_a_sheet_with_an_error_keeps_all_eight_fields_and_the_outcome(client, team, now):
    _req, order = onsite_request(team, now)
    engineer = team["engineer"]
    at = now + timedelta(hours=1)
    fieldservice.set_appointment(order, start=at, end=at + timedelta(hours=2), by=engineer, now=now)
    fieldservice.check_in(order, by=engineer, now=at)
    client.force_login(engineer)
    phone = reverse("fieldservice:phone", args=[order.pk])
    data = dict(SHEET, backup_done="", minutes_spent="45", outcome="partly", next=phone)  # backup not ticked
    response = client.post(reverse("fieldservice:action", args=[order.pk, "complete"]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert str(fieldservice.BACKUP_REQUIRED) in html and 'data-testid="error-backup_location"' in html
    for name in ("backup_location", "cause", "method", "steps", "prevention", "parts_used"):
        assert SHEET[name] in html, name
    assert 'value="45"' in html and 'id="outcome-partly" value="partly" checked' in html
    assert '<label class="form-label required" for="sh-backup">' in html  # a label, not a placeholder
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.ON_SITE


def test_os2_an_appointment_form_with_an_error_keeps_its_times(client, team, now):
    _req, order = onsite_request(team, now)
    client.force_login(team["engineer"])
    response = client.post(
        reverse("fieldservice:action", args=[order.pk, "appointment"]),
        {"start": "2025-11-24T15:00", "end": "2025-11-24T14:00", "note": "客户下午有空"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="2025-11-24T15:00"' in html and 'value="客户下午有空"' in html and "is-invalid" in html


def test_os4_the_signature_page_shows_what_the_customer_signs(client, team, now):
    _req, order = onsite_request(team, now)
    engineer = team["engineer"]
    at = now + timedelta(hours=1)
    fieldservice.set_appointment(order, start=at, end=at + timedelta(hours=2), by=engineer, now=now)
    fieldservice.check_in(order, by=engineer, now=at)
    fieldservice.complete(order, data=SHEET, by=engineer, now=at)
    client.force_login(engineer)
    html = client.get(reverse("fieldservice:phone", args=[order.pk])).content.decode()
    assert 'data-testid="sheet-to-sign"' in html
    assert SHEET["method"] in html and SHEET["phenomenon"] in html and "data-signature-pad" in html
    assert "<script>" not in html  # the pad's script is a static file


def test_the_request_page_shows_its_visits_and_the_order_page_its_request(client, team, now):
    req, order = onsite_request(team, now)
    visit(order, team, now + timedelta(hours=2))
    client.force_login(team["manager"])
    html = client.get(req.get_absolute_url()).content.decode()
    assert 'data-testid="work-orders"' in html and order.number in html and "冯工程师" in html
    assert 'data-testid="order-outcome">已解决' in html
    html = client.get(order.get_absolute_url()).content.decode()
    assert 'data-testid="request-phenomenon">打印机无法打印' in html and req.number in html


def test_sr5_the_portal_shows_the_appointment_and_outcome_but_no_internal_step(client, team, now, make_user):
    customer = new_customer(now=now)
    portal = portal_user_of(customer, make_user)
    req, order = onsite_request(team, now, customer=customer)
    workflow.add_step(req, "note", "内部：客户脾气急", by=team["hotline"], now=now, visible=False)
    visit(order, team, now + timedelta(hours=2))
    client.force_login(portal)
    html = client.get(reverse("portal:detail", args=[req.pk])).content.decode()
    assert 'data-testid="portal-appointment"' in html and 'data-testid="portal-outcome"' in html
    assert "已解决" in html and "冯工程师" in html
    assert "客户脾气急" not in html and "建议派发现场" not in html
    assert 'data-testid="confirm"' in html


def test_os6_the_desk_sees_its_queue_of_signed_sheets_and_archives_from_the_workbench(
    client, team, now, django_assert_max_num_queries
):
    orders = []
    for _ in range(3):
        _req, order = onsite_request(team, now)
        orders.append(visit(order, team, now + timedelta(hours=2)))
    client.force_login(team["desk"])
    with django_assert_max_num_queries(30):
        html = client.get("/").content.decode()
    assert html.count('data-testid="desk-sheet"') == 3 and "交专岗时限" in html
    response = client.post(reverse("fieldservice:action", args=[orders[0].pk, "archive"]), {"next": "/"}, follow=True)
    assert "服务单已存档。" in response.content.decode()
    assert response.content.decode().count('data-testid="desk-sheet"') == 2
    assert ServiceSheet.objects.get(order=orders[0]).archived_at is not None


def test_rv2_the_visit_page_says_whom_to_call_masked_for_a_role_without_personal_data(client, team, now, make_user):
    from kefu.visits.models import ReturnVisit

    _req, order = onsite_request(team, now)
    visit(order, team, now + timedelta(hours=2))
    rv = ReturnVisit.objects.get(kind="onsite")
    client.force_login(team["desk"])
    html = client.get(reverse("visits:detail", args=[rv.pk])).content.decode()
    assert 'data-testid="visit-contact">王经理' in html
    head = make_user("dept_head")
    client.force_login(head)
    html = client.get(reverse("visits:detail", args=[rv.pk])).content.decode()
    assert 'data-testid="visit-contact">王经理' in html
    assert "13812345678" not in html and "138****5678" in html and "tel:" not in html


def test_rv7_the_survey_page_offers_the_link_to_copy_an_sms_text_and_a_qr_code(client, team, now):
    from kefu.surveys.models import Survey

    _req, order = onsite_request(team, now)
    visit(order, team, now + timedelta(hours=2))
    survey = Survey.objects.get(object_id=str(order.pk))
    client.force_login(team["manager"])
    html = client.get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    assert 'data-testid="survey-qr"><svg' in html and "data-copy=" in html
    assert 'data-testid="survey-sms"' in html and "请为我们的服务评分" in html
    assert "wang@example.com" in html  # sent by email to the contact


def test_api_every_new_step_of_the_loop(api_as, team, now):
    req, order = onsite_request(team, now)
    engineer = api_as(team["engineer"])
    assert engineer.get(f"/api/work-orders/{order.pk}/sheet/").status_code == 404
    r = engineer.post(f"/api/work-orders/{order.pk}/wait/", {"reason": "customer", "note": "客户出差"}, format="json")
    assert r.status_code == 200, r.content
    assert engineer.post(f"/api/work-orders/{order.pk}/wait/", {"reason": "part"}, format="json").status_code == 409
    assert engineer.post(f"/api/work-orders/{order.pk}/resume/").status_code == 200
    assert engineer.post(f"/api/work-orders/{order.pk}/resume/").status_code == 409
    hotline = api_as(team["hotline"])
    r = hotline.post(f"/api/requests/{req.pk}/wait/", {"reason": "customer", "note": "等日志"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "onsite"
    assert hotline.post(f"/api/requests/{req.pk}/resume/").status_code == 200
    visit(order, team, now + timedelta(hours=2), outcome=ServiceSheet.Outcome.NOT_SOLVED)
    r = engineer.post(
        f"/api/work-orders/{order.pk}/write-off/", {"next_step": "escalate", "note": "厂商问题"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "escalated"
    manager = api_as(team["manager"])
    r = manager.post(
        f"/api/work-orders/{order.pk}/consultations/organise/",
        {"topic": "加密锁掉线", "participants": [team["engineer"].pk]},
        format="json",
    )
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    r = manager.post(
        f"/api/work-orders/{order.pk}/consultations/result/", {"consultation": cid, "result": "换锁"}, format="json"
    )
    assert r.status_code == 200 and r.json()["result"] == "换锁"
    assert (
        manager.post(
            f"/api/work-orders/{order.pk}/consultations/result/", {"consultation": cid, "result": "再换"}, format="json"
        ).status_code
        == 409
    )
    r = manager.post(f"/api/work-orders/{order.pk}/resolve-escalation/", {"answer": "厂商补丁已安装"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    req.refresh_from_db()
    assert req.status == "solved"


def test_api_hl8_call_log_import_and_hl1_copy_week(api_as, team, now):
    manager = api_as(team["manager"])
    csv = (
        f"id,time,caller,engineer,answered,duration\nc1,2025-11-24 09:00,13800000001,{team['hotline'].username},1,60\n"
    )
    r = manager.post("/api/calls/import/", {"file": io.BytesIO(csv.encode())}, format="multipart")
    assert r.status_code == 201 and r.json() == {"created": 1, "errors": []}
    bad = "id,time,caller,engineer,answered,duration\nc2,not a time,1,x,1,1\n"
    r = manager.post("/api/calls/import/", {"file": io.BytesIO(bad.encode())}, format="multipart")
    assert r.status_code == 400 and r.json()["errors"]
    assert CallLog.objects.count() == 1
    assert manager.get("/api/calls/").json()["count"] == 1
    rate = manager.get("/api/calls/connection-rate/?from=2025-11-24&to=2025-11-24")
    assert rate.status_code == 200
    workflow.plan_shift(
        team["hotline"],
        starts_at=now - timedelta(days=7),
        ends_at=now - timedelta(days=7) + timedelta(hours=12),
        by=team["manager"],
        now=now,
    )
    r = manager.post("/api/duty/copy-week/", {"week": now.date().isoformat()}, format="json")
    assert r.status_code == 201 and len(r.json()) == 1
    assert DutyShift.objects.count() == 2
    assert (
        api_as(team["hotline"]).post("/api/duty/copy-week/", {"week": "2025-11-24"}, format="json").status_code == 403
    )


def test_messages_say_what_happened(client, team, now):
    req, _order = onsite_request(team, now)
    client.force_login(team["manager"])
    order2_req = workflow.create_request(
        new_customer(now=now), channel="phone", phenomenon="x", by=team["hotline"], now=now
    )
    workflow.request_onsite(order2_req, reason="需上门", by=team["hotline"], now=now)
    order2 = fieldservice.open_order_of(order2_req)
    fieldservice.verify(order2, by=team["manager"], now=now)
    response = client.post(
        reverse("fieldservice:action", args=[order2.pk, "dispatch"]), {"engineer": team["engineer"].pk}, follow=True
    )
    assert "已派发给冯工程师，派单群已通知。" in response.content.decode()
    client.force_login(team["hotline"])
    response = client.post(
        reverse("servicedesk:action", args=[req.pk, "wait"]), {"reason": "customer", "note": "等客户截图"}, follow=True
    )
    assert "已暂停计时：等待客户：等客户截图。" in response.content.decode()
