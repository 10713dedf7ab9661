"""First visit after signing (FV-1..FV-6)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from kefu.audit.models import Event
from kefu.core.errors import Conflict, Forbidden, Invalid
from kefu.customers.models import TimelineEntry
from kefu.customers.tests.factories import ContractFactory, new_customer
from kefu.deadlines import clocks
from kefu.firstvisit import workflow
from kefu.firstvisit.models import FirstVisit, Need
from kefu.firstvisit.tests.factories import department_with_head, handed_over, sales, specialist
from kefu.notify.models import Outbox

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_fv1_fv2_handover_creates_a_task_due_in_7_days_with_a_notification(make_user, now):
    seller, fv_user = sales(), specialist()
    customer = new_customer(make_user("customer_rep"))
    contract = ContractFactory(customer=customer)
    visit = workflow.hand_over(contract, by=seller, now=now)
    assert visit.specialist == fv_user  # the only specialist, picked by load
    assert visit.status == FirstVisit.Status.PENDING
    clock = clocks.open_clock(visit, "firstvisit.call")
    assert clock.owner == fv_user
    assert clock.due_at == now + timedelta(days=7)
    assert Outbox.objects.filter(event="firstvisit.assigned", recipient=fv_user).exists()
    event = Event.objects.get(verb="hand_over", object_id=str(visit.pk))
    assert event.actor == seller
    assert TimelineEntry.objects.filter(customer=customer, kind="first_visit").exists()
    with pytest.raises(Conflict):
        workflow.hand_over(contract, by=seller, now=now)


def test_fv1_only_sales_hands_over(make_user, now):
    specialist()
    contract = ContractFactory(customer=new_customer(make_user("customer_rep")))
    for role in ("first_visit", "hotline", "customer"):
        with pytest.raises(Forbidden):
            workflow.hand_over(contract, by=make_user(role), now=now)


def test_fv1_handover_form_creates_customer_contract_and_task(client, make_user, now):
    specialist()
    seller = sales()
    client.force_login(seller)
    data = {
        "name": "苏州恒达纺织有限公司",
        "level": "normal",
        "contact_name": "吴芳",
        "contact_mobile": "13962112345",
        "contact_email": "wufang@example.com",
        "number": "HT-2025-9001",
        "signed_on": "2025-11-20",
        "products": "ERP 标准版",
        "service_start": "2025-12-01",
        "service_end": "2026-11-30",
    }
    response = client.post(reverse("firstvisit:hand_over"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    visit = FirstVisit.objects.get(contract__number="HT-2025-9001")
    assert visit.customer.name == "苏州恒达纺织有限公司"
    assert visit.handed_over_by == seller


def test_fv1_handover_api(api_as, make_user):
    specialist()
    api = api_as(sales())
    payload = {
        "new_customer": {"name": "宁波海通贸易有限公司", "level": "key"},
        "contact": {"name": "孙伟", "mobile": "13857412345", "email": "sunwei@example.com"},
        "contract": {
            "number": "HT-API-1",
            "signed_on": "2025-11-20",
            "products": "财务软件",
            "service_start": "2025-12-01",
            "service_end": "2026-11-30",
        },
    }
    response = api.post("/api/first-visits/hand-over/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"
    payload["contract"]["number"] = "HT-API-2"
    payload["new_customer"]["name"] = "宁波海通贸易股份有限公司"
    assert api.post("/api/first-visits/hand-over/", payload, format="json").status_code == 409
    assert api_as(make_user("hotline")).post("/api/first-visits/hand-over/", payload, format="json").status_code == 403


def test_fv3_corrections_are_recorded_field_by_field(now):
    fv_user = specialist()
    visit = handed_over(now, to=fv_user, address="人民路 1 号")
    workflow.verify(
        visit,
        verified=["customer.name", "contact.name"],
        corrections={
            "customer.address": "人民路 100 号",
            "contact.mobile": "13900001111",
            "contract.dongle_no": "SD9",
            "contact.in_marketing_qq": True,
        },
        expected={"customer.address": "人民路 1 号"},
        by=fv_user,
        now=now,
    )
    visit.refresh_from_db()
    assert {"customer.name", "contact.name", "customer.address", "contact.mobile"} <= set(visit.verified_fields)
    corrections = {e.data["field"]: e for e in Event.objects.filter(verb="correct")}
    assert (corrections["address"].before, corrections["address"].after) == ("人民路 1 号", "人民路 100 号")
    assert corrections["address"].actor == fv_user
    assert corrections["address"].data["source"] == f"first_visit:{visit.pk}"
    assert corrections["mobile"].after == "13900001111"
    assert corrections["in_marketing_qq"].after == "是"
    assert visit.customer.history.first().address == "人民路 100 号"
    assert Event.objects.filter(verb="verify", object_id=str(visit.pk)).exists()
    with pytest.raises(Conflict):
        workflow.verify(
            visit,
            verified=[],
            corrections={"customer.address": "x"},
            expected={"customer.address": "人民路 1 号"},
            by=fv_user,
            now=now,
        )


def test_fv4_process_email_goes_through_the_outbox_and_onto_the_timeline(make_user, now):
    fv_user = specialist()
    visit = handed_over(now, to=fv_user, name="常州新材料有限公司")
    template = workflow.process_template()
    workflow.update_template(
        template,
        subject="{{ customer.name }} 服务流程",
        body="热线 400-800-8888 {{ contact.name }}",
        by=make_user("dept_head"),
        now=now,
    )
    workflow.send_process_email(visit, by=fv_user, now=now)
    row = Outbox.objects.get(event="firstvisit.process_email")
    assert row.channel == "email"
    assert row.address == "wang@example.com"
    assert row.subject == "常州新材料有限公司 服务流程"
    assert "热线 400-800-8888 王经理" in row.body
    entry = TimelineEntry.objects.get(customer=visit.customer, kind="email")
    assert entry.title == row.subject
    assert Event.objects.filter(verb="send_process_email").exists()
    with pytest.raises(Forbidden):
        workflow.update_template(template, subject="x", body="y", by=fv_user, now=now)


def test_fv4_complete_requires_the_process_explained(now):
    fv_user = specialist()
    visit = handed_over(now, to=fv_user)
    with pytest.raises(Invalid) as err:
        workflow.complete(visit, summary="", by=fv_user, now=now)
    assert err.value.message == workflow.PROCESS_NOT_EXPLAINED


@pytest.mark.parametrize(
    ("recorded", "due"),
    [
        # Friday afternoon → Monday start of work.
        (datetime(2025, 11, 28, 16, 0, tzinfo=SH), datetime(2025, 12, 1, 9, 0, tzinfo=SH)),
        # Friday before a 调休 Saturday (Spring Festival 2025): the Saturday is a working day.
        (datetime(2025, 2, 7, 17, 0, tzinfo=SH), datetime(2025, 2, 8, 9, 0, tzinfo=SH)),
        # Tuesday morning → Wednesday start of work.
        (datetime(2025, 11, 25, 10, 0, tzinfo=SH), datetime(2025, 11, 26, 9, 0, tzinfo=SH)),
    ],
)
def test_fv5_needs_are_due_before_the_next_working_days_start(recorded, due):
    fv_user = specialist()
    department, _head = department_with_head()
    visit = handed_over(recorded, to=fv_user)
    need = workflow.record_need(visit, department=department, content="希望安排上线辅导", by=fv_user, now=recorded)
    assert clocks.open_clock(need, "firstvisit.need_submit").due_at == due


def test_fv5_submitting_needs_notifies_each_department_head(now):
    fv_user = specialist()
    impl, impl_head = department_with_head("implementation", "实施部")
    service, service_head = department_with_head("service", "服务部", role="service_manager")
    visit = handed_over(now, to=fv_user)
    a = workflow.record_need(visit, department=impl, content="上线辅导", by=fv_user, now=now)
    b = workflow.record_need(visit, department=service, content="上门安装驱动", by=fv_user, now=now)
    workflow.submit_needs(visit, by=fv_user, now=now + timedelta(hours=1))
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.submitted_to, b.submitted_to) == (Need.Status.SUBMITTED, impl_head, service_head)
    assert clocks.clocks_of(a).get().state == "met"
    assert Outbox.objects.filter(event="firstvisit.need_submitted", recipient=impl_head).count() == 1
    assert Outbox.objects.filter(event="firstvisit.need_submitted", recipient=service_head).count() == 1
    assert Event.objects.filter(verb="submit_need").count() == 2
    with pytest.raises(Invalid):
        workflow.submit_needs(visit, by=fv_user, now=now)
    # A head outside first-visit work sees the needs submitted to them, and nothing else.
    assert list(Need.objects.visible_to(service_head)) == [b]


def test_fv5_the_need_notice_and_the_needs_list_lead_to_the_need_not_a_404(client, now):
    """Issue 12 §7: the 客户需求 notice led to the first visit, which a department head can't see."""
    fv_user = specialist()
    service, head = department_with_head("service", "服务部", role="service_manager")
    visit = handed_over(now, to=fv_user)
    need = workflow.record_need(visit, department=service, content="上门安装驱动", by=fv_user, now=now)
    workflow.submit_needs(visit, by=fv_user, now=now)
    link = Outbox.objects.get(event="firstvisit.need_submitted", recipient=head).link
    client.force_login(head)
    page = client.get(link)
    assert page.status_code == 200 and "上门安装驱动" in page.content.decode()
    listed = client.get(reverse("firstvisit:needs")).content.decode()
    assert reverse("firstvisit:need", args=[need.pk]) in listed
    assert reverse("firstvisit:detail", args=[visit.pk]) not in page.content.decode()  # not theirs to open


def test_fv6_not_completed_gets_reason_and_a_new_clock_then_completes(now):
    fv_user = specialist()
    visit = handed_over(now, to=fv_user)
    with pytest.raises(Invalid):
        workflow.not_completed(visit, reason="", next_attempt_at=now + timedelta(days=1), by=fv_user, now=now)
    with pytest.raises(Invalid):
        workflow.not_completed(visit, reason="无人接听", next_attempt_at=now - timedelta(hours=1), by=fv_user, now=now)
    agreed = now + timedelta(days=1, hours=4)  # Tuesday 14:00
    visit = workflow.not_completed(visit, reason="联系人出差", next_attempt_at=agreed, by=fv_user, now=now)
    assert (visit.status, visit.attempts, visit.not_completed_reason) == ("retry", 1, "联系人出差")
    assert clocks.open_clock(visit, "firstvisit.call").state == "running"  # issue 12 §7: not met
    retry = clocks.open_clock(visit, "firstvisit.retry")
    assert retry.started_at == agreed
    assert retry.due_at == agreed + timedelta(hours=1)
    event = Event.objects.get(verb="not_completed")
    assert (event.before, event.after, event.data["reason"]) == ("待首访", "未完成，待再次联系", "联系人出差")
    workflow.explain_process(visit, by=fv_user, now=agreed)
    visit = workflow.complete(visit, summary="已核实，已告知流程", by=fv_user, now=agreed)
    assert visit.status == "completed"
    assert clocks.open_clock(visit, "firstvisit.retry") is None
    with pytest.raises(Conflict):
        workflow.complete(visit, summary="again", by=fv_user, now=agreed)


def test_fv6_first_visit_records_are_searchable(make_user, now):
    fv_user = specialist()
    department, _ = department_with_head()
    visit = handed_over(now, to=fv_user, name="温州瑞丰鞋业有限公司")
    other = handed_over(now, to=fv_user, name="嘉兴长安化工有限公司")
    workflow.record_need(visit, department=department, content="希望增加条码打印模块", by=fv_user, now=now)
    from kefu.firstvisit.selectors import first_visits_for

    assert list(first_visits_for(fv_user, q="条码打印")) == [visit]
    assert list(first_visits_for(fv_user, q="瑞丰")) == [visit]
    assert list(first_visits_for(fv_user, q="长安化工")) == [other]


def test_the_first_visit_page_flow(client, now):
    fv_user = specialist()
    department, _head = department_with_head()
    visit = handed_over(now, to=fv_user)
    client.force_login(fv_user)
    url = lambda a: reverse("firstvisit:action", args=[visit.pk, a])  # noqa: E731
    client.post(
        url("verify"),
        {
            "verified": ["customer.name"],
            "fix:contact.email": "new@example.com",
            "was:contact.email": "wang@example.com",
        },
    )
    client.post(url("explain"))
    client.post(url("email"))
    client.post(url("need"), {"department": department.pk, "content": "需要培训"})
    client.post(url("submit"))
    client.post(url("complete"), {"summary": "顺利完成"})
    visit.refresh_from_db()
    assert visit.status == "completed"
    assert Outbox.objects.get(event="firstvisit.process_email").address == "new@example.com"
    html = client.get(reverse("firstvisit:detail", args=[visit.pk])).content.decode()
    assert "已完成" in html


def test_workbench_shows_my_first_visits(client, now):
    fv_user = specialist()
    visit = handed_over(now, to=fv_user, name="无锡太湖电子有限公司")
    client.force_login(fv_user)
    html = client.get(reverse("workbench")).content.decode()
    assert 'data-testid="my-first-visits"' in html
    assert f'data-first-visit="{visit.pk}"' in html


def test_lists_are_internal_and_bounded(client, api_as, make_user, now, django_assert_max_num_queries):
    fv_user = specialist()
    department, _ = department_with_head()
    for _ in range(12):
        visit = handed_over(now, to=fv_user)
        workflow.record_need(visit, department=department, content="需求", by=fv_user, now=now)
    client.force_login(fv_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("firstvisit:list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("firstvisit:needs")).status_code == 200
    api = api_as(fv_user)
    with django_assert_max_num_queries(8):
        assert api.get("/api/first-visits/").json()["count"] == 12
    with django_assert_max_num_queries(8):
        assert api.get("/api/needs/").json()["count"] == 12
    with django_assert_max_num_queries(25):
        assert client.get(reverse("firstvisit:detail", args=[visit.pk])).status_code == 200
    for role in ("hotline", "customer", "station_master"):
        user = make_user(role)
        assert api_as(user).get("/api/first-visits/").json()["count"] == 0
        client.force_login(user)
        assert client.get(reverse("firstvisit:list")).status_code == 403
        assert client.get(reverse("firstvisit:detail", args=[visit.pk])).status_code == 404


def test_api_steps(api_as, now):
    fv_user = specialist()
    department, _ = department_with_head()
    visit = handed_over(now, to=fv_user)
    api = api_as(fv_user)
    base = f"/api/first-visits/{visit.pk}"
    r = api.post(
        f"{base}/verify/",
        {"verified": ["customer.name"], "corrections": {"customer.website": "www.x.cn"}},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert (
        api.post(f"{base}/needs/", {"department": department.pk, "content": "培训"}, format="json").status_code == 201
    )
    assert api.post(f"{base}/submit-needs/").status_code == 200
    assert api.post(f"{base}/complete/", {}, format="json").status_code == 400
    assert api.post(f"{base}/explain-process/").status_code == 200
    r = api.post(f"{base}/complete/", {"summary": "ok"}, format="json")
    assert r.json()["status"] == "completed"
    assert api_as(sales()).post(f"{base}/explain-process/").status_code == 403


def test_fv1_handover_of_an_existing_customer_and_no_option_list_of_the_archive(client, make_user):
    specialist()
    rep = make_user("customer_rep")
    customers = [new_customer(rep, name=f"已有客户{i}有限公司") for i in range(3)]
    client.force_login(sales())
    html = client.get(reverse("firstvisit:hand_over")).content.decode()
    assert "已有客户0有限公司" not in html  # loaded by search as the user types, not listed
    data = {
        "customer": customers[1].pk,
        "level": "normal",
        "number": "HT-OLD-1",
        "signed_on": "2025-11-20",
        "products": "升级服务",
        "service_start": "2025-12-01",
        "service_end": "2026-11-30",
    }
    assert client.post(reverse("firstvisit:hand_over"), data).status_code == 302
    assert FirstVisit.objects.get(contract__number="HT-OLD-1").customer == customers[1]


def test_issue12_fv2_a_failed_call_does_not_meet_the_week(now):
    """FV-2: only a completed first visit meets the week; failed calls leave it running, each with its next attempt."""
    from kefu.deadlines import scan

    fv_user = specialist()
    visit = handed_over(now, to=fv_user)
    week = clocks.open_clock(visit, "firstvisit.call")
    first, second = now + timedelta(days=1, hours=4), now + timedelta(days=3)
    visit = workflow.not_completed(
        visit, reason="无人接听", next_attempt_at=first, by=fv_user, now=now + timedelta(hours=1)
    )
    visit = workflow.not_completed(visit, reason="联系人出差", next_attempt_at=second, by=fv_user, now=first)
    assert (visit.attempts, visit.next_attempt_at) == (2, second)
    call = clocks.open_clock(visit, "firstvisit.call")
    assert (call.pk, call.state, call.due_at) == (week.pk, "running", now + timedelta(days=7))
    assert clocks.open_clock(visit, "firstvisit.retry").started_at == second
    # Still not done a week after the handover: the week is breached, not quietly met.
    scan.breach(now=now + timedelta(days=7, minutes=1))
    call.refresh_from_db()
    assert call.state == "breached"
    workflow.explain_process(visit, by=fv_user, now=now + timedelta(days=8))
    workflow.complete(visit, summary="已核实，已告知流程", by=fv_user, now=now + timedelta(days=8))
    call.refresh_from_db()
    assert call.state == "met" and call.breached_at is not None


def test_issue12_fv4_email_reads_the_response_times_from_the_deadline_rules(now):
    from kefu.deadlines.models import DeadlineRule

    fv_user = specialist()
    visit = handed_over(now, to=fv_user)
    _subject, body = workflow.render_process_email(visit)
    assert "紧急问题 2 小时内、一般问题 6 小时内首次响应" in body
    # An administrator shortens the urgent limit: the next email says so, nothing retyped.
    rule = DeadlineRule.objects.get(key="request.first_response.urgent")
    rule.amount = 90
    rule.unit = "minutes"
    rule.save()
    _subject, body = workflow.render_process_email(visit)
    assert "紧急问题 90 分钟内、一般问题 6 小时内首次响应" in body
    assert workflow.response_times()["low"] == "24 小时"


def test_issue12_fv4_stored_template_with_the_hard_coded_times_gets_the_rules(now):
    from importlib import import_module

    from django.apps import apps

    template = workflow.process_template()
    template.body = template.body.replace(
        "紧急问题 {{ response.urgent }}内、一般问题 {{ response.medium }}内", "紧急问题 2 小时内、一般问题 6 小时内"
    )
    template.save()
    import_module("kefu.firstvisit.migrations.0002_response_times_from_rules").forwards(apps, None)
    template.refresh_from_db()
    assert "{{ response.urgent }}" in template.body and "2 小时" not in template.body
