"""Batch intake through the API (SR-1, SR-2, SR-3, HL-1, HL-6; issue 6): each request of a
batch gets what a single intake gives it, and one bad item rejects the whole batch."""

import pytest

from kefu.audit.models import Event
from kefu.core.errors import Invalid
from kefu.customers.models import TimelineEntry
from kefu.customers.tests.factories import new_customer, portal_user_of
from kefu.deadlines import clocks
from kefu.notify.models import Outbox
from kefu.servicedesk import workflow
from kefu.servicedesk.models import ServiceRequest
from kefu.servicedesk.tests.factories import hotline_engineer

pytestmark = pytest.mark.django_db

URL = "/api/requests/batch/"


def test_sr1_a_batch_gives_each_request_owner_clocks_audit_care_line_and_notices(api_as, make_user, now):
    engineer = hotline_engineer()
    quality = make_user("quality")
    a, b = new_customer(now=now, name="甲公司"), new_customer(now=now, name="乙公司")
    items = [
        {"customer": a.pk, "phenomenon": "凭证打印空白", "priority": "urgent"},
        {"customer": b.pk, "phenomenon": "服务态度差，要求处理", "priority": "low", "type": "complaint"},
        {"customer": a.pk, "phenomenon": "服务器无法启动", "priority": "high", "needs_onsite": True},
    ]
    response = api_as(engineer).post(URL, {"requests": items}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["count"] == 3
    assert [r["customer_name"] for r in data["results"]] == ["甲公司", "乙公司", "甲公司"]
    reqs = list(ServiceRequest.objects.filter(pk__in=[r["id"] for r in data["results"]]).order_by("pk"))
    for req, item in zip(reqs, items, strict=True):
        assert req.owner == engineer and req.channel == "api" and req.status == "new"  # SR-3
        assert req.number.startswith("SR") and req.number.endswith(f"{req.pk:07d}")
        clock = clocks.open_clock(req, workflow.first_response_rule(item["priority"]))
        assert clock.owner == engineer and clock.due_at == req.first_response_due  # SR-2
        verbs = set(Event.objects.filter(object_id=str(req.pk)).values_list("verb", flat=True))
        assert {"create", "clock_start"} <= verbs
        assert TimelineEntry.objects.filter(customer=req.customer, object_id=str(req.pk), kind="request").count() == 1
    # The same first-response deadline a single intake of that priority gets at the same moment.
    at = reqs[0].created_at
    single = workflow.create_request(a, channel="api", phenomenon="对照", priority="urgent", by=engineer, now=at)
    assert ServiceRequest.objects.get(pk=single.pk).first_response_due == reqs[0].first_response_due
    assert clocks.open_clock(reqs[2], "hotline.onsite_submit") is not None  # HL-6
    assert clocks.open_clock(reqs[0], "hotline.onsite_submit") is None
    # A complaint-type request opens a complaint, which tells quality (CP-1).
    assert Outbox.objects.filter(event="complaint.received", recipient=quality).count() == 1
    # Found by search like any request.
    assert ServiceRequest.objects.filter(pk=reqs[0].pk, search_tokens__contains="凭证").exists()


def test_a_batch_costs_the_same_statements_for_3_or_30_requests(api_as, now, django_assert_max_num_queries):
    engineer = hotline_engineer()
    api = api_as(engineer)
    customers = [new_customer(now=now) for _ in range(3)]
    api.post(URL, {"requests": [{"customer": customers[0].pk, "phenomenon": "预热"}]}, format="json")
    for size in (3, 30):
        items = [
            {"customer": customers[i % 3].pk, "phenomenon": f"第{i}个问题：报表取数为零", "priority": "high"}
            for i in range(size)
        ]
        with django_assert_max_num_queries(14):
            assert api.post(URL, {"requests": items}, format="json").status_code == 201


def test_one_bad_item_rejects_the_batch_with_a_chinese_message_naming_it(api_as, now):
    engineer = hotline_engineer()
    customer = new_customer(now=now)
    api = api_as(engineer)
    before = ServiceRequest.objects.count()
    response = api.post(
        URL,
        {"requests": [{"customer": customer.pk, "phenomenon": "好的"}, {"customer": customer.pk, "phenomenon": ""}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "第 2 条：问题现象：该字段不能为空。"
    assert response.json()["field"] == "requests[1].phenomenon"
    response = api.post(URL, {"requests": [{"customer": 999999, "phenomenon": "x"}]}, format="json")
    assert response.status_code == 400 and response.json()["detail"] == "第 1 条：客户不存在或无权为其提交。"
    too_many = [{"customer": customer.pk, "phenomenon": "x"}] * 101
    assert "最多提交 100 条" in api.post(URL, {"requests": too_many}, format="json").json()["detail"]
    assert api.post(URL, {"requests": []}, format="json").status_code == 400
    assert api.post(URL, [{"customer": customer.pk}], format="json").status_code == 400
    assert api.post(URL, {"requests": ["凭证打印空白"]}, format="json").json()["detail"].startswith("第 1 条：")
    assert ServiceRequest.objects.count() == before  # nothing half-saved


def test_the_workflow_names_the_bad_item_too(now):
    engineer = hotline_engineer()
    customer = new_customer(now=now)
    items = [{"customer": customer, "phenomenon": "正常"}, {"customer": customer, "phenomenon": "   "}]
    with pytest.raises(Invalid) as err:
        workflow.create_requests(items, by=engineer, now=now)
    assert str(err.value) == "第 2 条：请填写问题现象。"
    assert not ServiceRequest.objects.exists()


def test_hl1_a_customer_batch_goes_to_the_engineer_on_duty_and_only_for_its_own_organisation(api_as, make_user, now):
    from datetime import timedelta

    from django.utils import timezone

    from kefu.servicedesk.models import DutyShift

    on_duty = hotline_engineer()
    real_now = timezone.now()  # the API takes in on the real clock
    DutyShift.objects.create(
        engineer=on_duty,
        starts_at=real_now - timedelta(hours=1),
        ends_at=real_now + timedelta(hours=7),
        planned_by=make_user("service_manager"),
    )
    mine, other = new_customer(now=now, name="甲公司"), new_customer(now=now, name="乙公司")
    api = api_as(portal_user_of(mine, make_user))
    response = api.post(URL, {"requests": [{"customer": mine.pk, "phenomenon": "无法登录"}]}, format="json")
    assert response.status_code == 201, response.content
    req = ServiceRequest.objects.get(pk=response.json()["results"][0]["id"])
    assert req.customer == mine and req.channel == "api" and req.owner == on_duty
    assert Outbox.objects.filter(event="request.assigned", recipient=on_duty).count() == 1
    response = api.post(URL, {"requests": [{"customer": other.pk, "phenomenon": "看看别人的"}]}, format="json")
    assert response.status_code == 400
    assert not ServiceRequest.objects.filter(customer=other).exists()


def test_a_station_may_not_take_in_requests(api_as, make_user, station_a, now):
    customer = new_customer(now=now)
    master = make_user("station_master", station=station_a)
    response = api_as(master).post(URL, {"requests": [{"customer": customer.pk, "phenomenon": "x"}]}, format="json")
    assert response.status_code == 403
    assert not ServiceRequest.objects.exists()
