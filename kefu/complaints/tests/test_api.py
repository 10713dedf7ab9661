"""The REST API of complaints (every step, 409 on a concurrent review, scoping)."""

import pytest

from kefu.complaints.models import Complaint
from kefu.complaints.tests.factories import World, new_complaint, station_customer, station_master
from kefu.customers.tests.factories import CustomerFactory
from kefu.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return World()


def test_cp1_to_cp5_a_complaint_through_the_api(world, api_as):
    customer = CustomerFactory()
    desk, quality = api_as(world.desk), api_as(world.quality)
    r = desk.post(
        "/api/complaints/",
        {"customer": customer.pk, "title": "服务态度差", "content": "工程师态度恶劣", "type": "attitude"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert r.json()["status"] == "new"
    r = quality.post(f"/api/complaints/{pk}/accept/", {"department": world.department.pk}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "assigned"
    head = api_as(world.head)
    r = head.post(
        f"/api/complaints/{pk}/responsible/",
        {"cause": "沟通不当", "responsible": world.responsible.pk},
        format="json",
    )
    assert r.json()["status"] == "handling"
    me = api_as(world.responsible)
    r = me.post(
        f"/api/complaints/{pk}/contact/",
        {"measures": "致歉", "remedy": "apology", "contact_record": "已电话致歉"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["contacted_at"]
    assert me.post(f"/api/complaints/{pk}/result/", {"result": "客户接受"}, format="json").json()["status"] == "result"
    r = quality.post(f"/api/complaints/{pk}/verify/", {"satisfied": True, "opinion": "满意"}, format="json")
    assert r.json()["status"] == "closed"
    r = quality.post(
        f"/api/complaints/{pk}/actions/", {"description": "培训", "owner": world.responsible.pk}, format="json"
    )
    assert r.status_code == 201
    action = r.json()["id"]
    assert me.get("/api/complaints/actions/?mine=1").json()["count"] == 1
    assert (
        me.post(f"/api/complaints/actions/{action}/complete/", {"evidence": "培训记录"}, format="json").status_code
        == 200
    )
    r = quality.post(f"/api/complaints/actions/{action}/check/", {"passed": True}, format="json")
    assert r.json()["status"] == "checked"


def test_cp2_two_supervisors_review_at_once_the_second_gets_409(world, api_as, now):
    complaint = new_complaint(world, now=now)
    first = api_as(world.quality).post(
        f"/api/complaints/{complaint.pk}/accept/", {"department": world.department.pk}, format="json"
    )
    assert first.status_code == 200
    second = api_as(world.quality2).post(
        f"/api/complaints/{complaint.pk}/archive-invalid/", {"explanation": "合同外"}, format="json"
    )
    assert second.status_code == 409
    assert Complaint.objects.get(pk=complaint.pk).status == "assigned"


def test_cp2_a_desk_user_cannot_review(world, api_as, now):
    complaint = new_complaint(world, now=now)
    r = api_as(world.desk).post(f"/api/complaints/{complaint.pk}/archive-invalid/", {"explanation": "x"}, format="json")
    assert r.status_code == 403


def test_cp9_a_station_sees_only_its_own_crises_and_a_customer_none(world, api_as, now, station_a, station_b):
    mine = new_complaint(world, now=now, customer=station_customer(station_a))
    theirs = new_complaint(world, now=now, customer=station_customer(station_b, code="330106"))
    for complaint in (mine, theirs):
        api_as(world.quality).post(
            f"/api/complaints/{complaint.pk}/accept/", {"crisis_level": "ordinary"}, format="json"
        )
    master = station_master(station_a)
    ids = [c["id"] for c in api_as(master).get("/api/complaints/").json()["results"]]
    assert ids == [mine.pk]
    assert api_as(master).get(f"/api/complaints/{theirs.pk}/").status_code == 404
    r = api_as(master).post(
        f"/api/complaints/{mine.pk}/station-result/", {"report": "已更换", "result": "已修复"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "result"
    customer_user = UserFactory(roles=["customer"])
    assert api_as(customer_user).get("/api/complaints/").json()["count"] == 0


def test_cp1_the_phone_is_masked_for_a_role_without_personal_data(world, api_as, now):
    complaint = new_complaint(world, now=now, contact_phone="13812345678")
    assert Complaint.objects.get(pk=complaint.pk).contact_phone == "13812345678"
    data = api_as(world.quality).get(f"/api/complaints/{complaint.pk}/").json()
    assert data["contact_phone"] in ("13812345678", "138****5678")


def test_cp1_a_complaint_about_a_request_links_to_it(world, api_as, now):
    from kefu.servicedesk.tests.factories import new_request

    req = new_request(by=world.desk, now=now)
    api = api_as(world.quality)
    r = api.post(
        "/api/complaints/",
        {"customer": req.customer_id, "title": "处理太慢", "content": "三天没有回复", "request": req.pk},
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["subject_label"] == str(req)
    other = CustomerFactory()
    r = api.post(
        "/api/complaints/",
        {"customer": other.pk, "title": "x", "content": "y", "request": req.pk},
        format="json",
    )
    assert r.status_code == 400 and "request" in r.json().get("errors", r.json())
