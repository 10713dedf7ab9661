"""The personal-data guard (QS-6, issue 13 §4): a role without `customers.view_personal_data`
finds no full mobile number or address in any API list or detail, HTML list, page, export or
PDF; a field engineer sees the customers and requests of their own orders, and no others."""

from datetime import timedelta

import pytest
from django.urls import reverse

from kefu.customers.tests.factories import new_customer
from kefu.fieldservice import workflow as fieldservice
from kefu.fieldservice.tests.factories import SHEET, signature_png
from kefu.org.tests.factories import UserFactory
from kefu.servicedesk import workflow
from kefu.visits.models import ReturnVisit
from tests.helpers.guards import assert_no_personal_data

pytestmark = pytest.mark.django_db(transaction=True)

MOBILE, CALLER, CALL = "13900001111", "13900002222", "13900003333"
ADDRESS = "上海市浦东新区张江路 88 号 5 号楼 1203 室"


@pytest.fixture
def world(now, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    manager = UserFactory(roles=["service_manager"], name="吴经理")
    engineer = UserFactory(roles=["field_engineer"], name="冯工程师", manager=manager)
    hotline = UserFactory(roles=["hotline"], name="郑热线", manager=manager)
    UserFactory(roles=["service_desk"], name="孙专岗")
    customer = new_customer(now=now, address=ADDRESS, contact={"name": "王经理", "mobile": MOBILE, "email": "w@x.cn"})
    rec = workflow.record_call(
        customer, phenomenon="无法结账", caller="王经理", caller_phone=CALLER, by=hotline, now=now
    )
    req = rec.request
    workflow.request_onsite(req, reason="需上门", by=hotline, now=now)
    order = fieldservice.open_order_of(req)
    fieldservice.verify(order, by=manager, now=now)
    fieldservice.dispatch(order, engineer, by=manager, now=now)
    fieldservice.confirm(order, by=engineer, now=now)
    at = now + timedelta(hours=1)
    fieldservice.set_appointment(order, start=at, end=at + timedelta(hours=2), by=engineer, now=now)
    fieldservice.check_in(order, by=engineer, now=at)
    fieldservice.complete(order, data=SHEET, by=engineer, now=at)
    fieldservice.sign(order, signer_name="王经理", signature=signature_png(), by=engineer, now=at)
    workflow.log_call(at=now, answered=True, caller_phone=CALL, by=hotline, now=now)
    other = new_customer(now=now, name="无关的客户有限公司")
    workflow.create_request(other, channel="phone", phenomenon="别家的问题", by=hotline, now=now)
    visit = ReturnVisit.objects.get(kind="onsite")
    pages = [
        reverse("customers:detail", args=[customer.pk]),
        reverse("customers:export"),
        req.get_absolute_url(),
        reverse("servicedesk:sheet_pdf", args=[req.pk]),
        reverse("servicedesk:record", args=[rec.pk]),
        reverse("servicedesk:calls"),
        order.get_absolute_url(),
        reverse("fieldservice:pdf", args=[order.pk]),
        reverse("visits:detail", args=[visit.pk]),
    ]
    return {"customer": customer, "other": other, "req": req, "order": order, "engineer": engineer, "pages": pages}


@pytest.mark.parametrize("role", ["dept_head", "aftersales_manager", "impl_director", "project_manager", "finance"])
def test_qs6_no_full_mobile_or_address_reaches_a_role_without_the_permission(world, role, client, api_as):
    user = UserFactory(roles=[role])
    assert not user.has_perm("customers.view_personal_data")
    client.force_login(user)
    checked = assert_no_personal_data(client, api_as(user), [MOBILE, CALLER, CALL, ADDRESS], pages=world["pages"])
    assert len(checked) > 10


def test_qs6_the_guard_does_find_the_data_a_permitted_role_sees(world, client, api_as):
    """The guard is not vacuous: the same walk as the service manager finds the numbers."""
    manager = UserFactory(roles=["service_manager"])
    client.force_login(manager)
    with pytest.raises(AssertionError, match="personal data"):
        assert_no_personal_data(client, api_as(manager), [MOBILE, CALLER], pages=world["pages"])


def test_qs6_a_field_engineer_sees_the_customers_and_requests_of_their_orders_only(world, client, api_as):
    engineer = world["engineer"]
    api = api_as(engineer)
    customers = {row["id"] for row in api.get("/api/customers/").json()["results"]}
    assert customers == {world["customer"].pk}
    requests = {row["id"] for row in api.get("/api/requests/").json()["results"]}
    assert requests == {world["req"].pk}
    assert api.get(f"/api/customers/{world['other'].pk}/").status_code == 404
    client.force_login(engineer)
    assert client.get(reverse("customers:detail", args=[world["other"].pk])).status_code == 404
    assert client.get(world["req"].get_absolute_url()).status_code == 200
    # Their own customer's number is theirs to call (the appointment).
    html = client.get(reverse("fieldservice:phone", args=[world["order"].pk])).content.decode()
    assert f"tel:{CALLER}" in html
    stranger = UserFactory(roles=["field_engineer"])
    api = api_as(stranger)
    assert api.get("/api/customers/").json()["count"] == 0 and api.get("/api/requests/").json()["count"] == 0
