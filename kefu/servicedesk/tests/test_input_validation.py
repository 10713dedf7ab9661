"""Input is validated, not truncated or swallowed (issue 13 §2): a 400 naming the field and its
limit, in Chinese, and nothing half-saved."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.customers.tests.factories import new_customer, portal_user_of
from kefu.fieldservice import workflow as fieldservice
from kefu.fieldservice.models import WorkOrder
from kefu.fieldservice.tests.factories import SHEET
from kefu.org.tests.factories import UserFactory
from kefu.servicedesk.models import HotlineRecord, ServiceRequest
from kefu.servicedesk.tests.test_onsite_loop import onsite_request

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


@pytest.mark.parametrize("number", ["abc", "12345", "58880001", "138123456789"])
def test_a_phone_number_that_is_none_is_refused_in_requests_and_calls(api_as, team, now, number):
    customer = new_customer(now=now)
    api = api_as(team["hotline"])
    r = api.post(
        "/api/requests/", {"customer": customer.pk, "phenomenon": "无法打印", "caller_phone": number}, format="json"
    )
    assert r.status_code == 400 and r.json()["field"] == "caller_phone" and "不是有效的电话号码" in r.json()["detail"]
    r = api.post(
        "/api/hotline/records/",
        {"customer": customer.pk, "phenomenon": "无法打印", "caller_phone": number},
        format="json",
    )
    assert r.status_code == 400, r.json()
    assert not ServiceRequest.objects.exists() and not HotlineRecord.objects.exists()


@pytest.mark.parametrize(
    "number", ["13812345678", "021-58880001", "0571 8777 0002", "400-820-1234", "+86 138 1234 5678"]
)
def test_mobiles_landlines_with_area_code_and_400_numbers_are_taken(api_as, team, now, number):
    customer = new_customer(now=now)
    r = api_as(team["hotline"]).post(
        "/api/requests/", {"customer": customer.pk, "phenomenon": "无法打印", "caller_phone": number}, format="json"
    )
    assert r.status_code == 201, r.json()


def test_a_100_kb_phenomenon_is_refused_with_its_limit(api_as, team, now):
    customer = new_customer(now=now)
    r = api_as(team["hotline"]).post(
        "/api/requests/", {"customer": customer.pk, "phenomenon": "打" * 100_000}, format="json"
    )
    assert r.status_code == 400 and r.json()["detail"] == "问题现象最多 10000 个字，当前 100000 个字。"


def test_customer_1_5_is_not_customer_1(api_as, team, now):
    customer = new_customer(now=now)
    pk = customer.pk  # PostgreSQL keeps its sequences across tests: not necessarily 1
    r = api_as(team["hotline"]).post("/api/requests/", {"customer": pk + 0.5, "phenomenon": "无法打印"}, format="json")
    assert r.status_code == 400 and r.json()["errors"]["customer"]
    for value in (f"{pk}.5", True, f"{pk}e0"):
        r = api_as(team["hotline"]).post("/api/requests/", {"customer": value, "phenomenon": "x"}, format="json")
        assert r.status_code == 400, value


def test_a_portal_user_cannot_be_made_a_customers_owner(api_as, make_user, now):
    customer = new_customer(now=now)
    portal = portal_user_of(customer, make_user)
    rep = make_user("customer_rep")
    api = api_as(make_user("customer_rep"))
    r = api.patch(f"/api/customers/{customer.pk}/", {"owner": portal.pk}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "owner"
    assert api.patch(f"/api/customers/{customer.pk}/", {"owner": rep.pk}, format="json").status_code == 200


def test_notes_over_their_column_are_refused_not_cut(client, api_as, team, now):
    _req, order = onsite_request(team, now)
    api = api_as(team["engineer"])
    r = api.post(
        f"/api/work-orders/{order.pk}/appointment/",
        {
            "start": (timezone.now() + timedelta(hours=1)).isoformat(),
            "end": (timezone.now() + timedelta(hours=3)).isoformat(),
            "note": "约" * 301,
        },
        format="json",
    )
    assert r.status_code == 400 and "最多 300 个字" in r.json()["detail"]
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.CONFIRMED


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("1900-01-01T10:00+08:00", "1900-01-01T12:00+08:00"),
        ("9999-12-30T10:00+08:00", "9999-12-30T12:00+08:00"),
        ("0001-01-01T10:00+08:00", "0001-01-01T12:00+08:00"),
    ],
)
def test_an_appointment_far_in_the_past_or_future_is_a_400(api_as, team, now, start, end):
    _req, order = onsite_request(team, now)
    r = api_as(team["engineer"]).post(
        f"/api/work-orders/{order.pk}/appointment/", {"start": start, "end": end}, format="json"
    )
    assert r.status_code == 400, r.content


def test_an_appointment_a_year_long_is_a_400(api_as, team, now):
    _req, order = onsite_request(team, now)
    r = api_as(team["engineer"]).post(
        f"/api/work-orders/{order.pk}/appointment/",
        {
            "start": (timezone.now() + timedelta(hours=1)).isoformat(),
            "end": (timezone.now() + timedelta(days=300)).isoformat(),
        },
        format="json",
    )
    assert r.status_code == 400 and r.json()["detail"] == "一次预约最长 3 天，请分次预约。"


def test_minutes_spent_of_a_trillion_is_a_400_on_every_database(api_as, team, now):
    _req, order = onsite_request(team, now)
    engineer = team["engineer"]
    at = now + timedelta(hours=1)
    fieldservice.set_appointment(order, start=at, end=at + timedelta(hours=2), by=engineer, now=now)
    fieldservice.check_in(order, by=engineer, now=at)
    r = api_as(engineer).post(
        f"/api/work-orders/{order.pk}/complete/", dict(SHEET, minutes_spent=10**12), format="json"
    )
    assert r.status_code == 400
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.ON_SITE


def test_write_off_without_a_sheet_or_to_a_supplier_without_a_name_is_a_400(api_as, team, now):
    _req, order = onsite_request(team, now)
    api = api_as(team["engineer"])
    r = api.post(f"/api/work-orders/{order.pk}/write-off/", {}, format="json")
    assert r.status_code == 400 and r.json()["detail"] == "尚未填写服务单。"
    r = api.post(
        f"/api/work-orders/{order.pk}/write-off/",
        {"next_step": "escalate", "target": "supplier", "party": "", "note": "x"},
        format="json",
    )
    assert r.status_code == 400
