"""Customer archive: duplicates, field-by-field history, masking, scoping, timeline, API (CRM-1..5, QS-6)."""

import pytest
from django.urls import reverse

from kefu.audit.models import Event
from kefu.core.errors import Conflict, Forbidden, Invalid
from kefu.customers import names, timeline, workflow
from kefu.customers.masking import mask_address, mask_phone
from kefu.customers.models import Contact, Customer
from kefu.customers.tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerFactory,
    new_customer,
    portal_user_of,
)

pytestmark = pytest.mark.django_db


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("上海演示科技有限公司", "上海演示科技股份有限公司"),
        ("上海 演示科技 有限公司", "上海演示科技"),
        ("上海演示科技（集团）有限公司", "上海演示科技"),
        ("ＡＢＣ软件有限责任公司", "abc软件"),
    ],
)
def test_crm1_name_key_ignores_legal_suffixes_spaces_and_width(a, b):
    assert names.name_key(a) == names.name_key(b)


def test_crm1_pinyin_initials():
    assert names.initials("上海演示科技") == "SHYSKJ"
    assert names.initials("杭州云帆") == "HZYF"
    assert names.initials("A8 财务") == "A8CW"


# --- duplicate detection ----------------------------------------------------------------------


def test_crm1_likely_duplicate_needs_explicit_confirmation(make_user, now):
    rep = make_user("customer_rep")
    first = workflow.create_customer(
        data={"name": "上海明达精密机械有限公司", "short_name": "明达机械"}, by=rep, now=now
    )
    with pytest.raises(workflow.DuplicateSuspected) as err:
        workflow.create_customer(data={"name": "上海明达精密机械股份有限公司"}, by=rep, now=now)
    assert err.value.candidates == [first]
    assert err.value.message == workflow.DUPLICATE_SUSPECTED
    # Matching on the short name as well.
    with pytest.raises(workflow.DuplicateSuspected):
        workflow.create_customer(data={"name": "明达 机械"}, by=rep, now=now)
    assert Customer.objects.count() == 1
    second = workflow.create_customer(
        data={"name": "上海明达精密机械股份有限公司"}, by=rep, now=now, confirm_duplicate=True
    )
    event = Event.objects.get(verb="create", object_id=str(second.pk), content_type__model="customer")
    assert event.data == {"duplicates_confirmed": [first.pk]}


def test_crm1_create_page_shows_candidates_and_creates_after_confirmation(client, make_user, now):
    rep = make_user("customer_rep")
    new_customer(rep, name="杭州云帆电子商务有限公司", short_name="云帆电商")
    client.force_login(rep)
    data = {
        "name": "杭州云帆电子商务股份有限公司",
        "level": "normal",
        "contact_name": "陈晓燕",
        "contact_mobile": "13957112345",
    }
    response = client.post(reverse("customers:create"), data)
    assert response.status_code == 200
    assert 'data-testid="duplicate-candidates"' in response.content.decode()
    assert Customer.objects.count() == 1
    response = client.post(reverse("customers:create"), {**data, "confirm_duplicate": "1"})
    assert response.status_code == 302
    created = Customer.objects.get(name="杭州云帆电子商务股份有限公司")
    assert created.contacts.get().is_main


def test_crm1_api_create_answers_409_with_candidates(api_as, make_user):
    rep = make_user("customer_rep")
    new_customer(rep, name="北京华信达科技有限公司")
    api = api_as(rep)
    response = api.post("/api/customers/", {"name": "北京华信达科技股份有限公司"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert [c["name"] for c in response.json()["candidates"]] == ["北京华信达科技有限公司"]
    response = api.post(
        "/api/customers/",
        {
            "name": "北京华信达科技股份有限公司",
            "confirm_duplicate": True,
            "contacts": [{"name": "刘洋", "mobile": "13601012345"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "active"


# --- archive edits ------------------------------------------------------------------------------


def test_crm1_edits_are_recorded_field_by_field(make_user, now):
    rep = make_user("customer_rep", name="钱客代")
    customer = new_customer(rep, name="成都锦程物流有限公司", website="www.old.example.com")
    changed = workflow.update_customer(
        customer, {"website": "www.jincheng.example.com", "level": "key", "industry": ""}, by=rep, now=now
    )
    assert sorted(changed) == ["level", "website"]
    events = {e.data["field"]: e for e in Event.objects.filter(verb="update", object_id=str(customer.pk))}
    assert (events["website"].before, events["website"].after) == ("www.old.example.com", "www.jincheng.example.com")
    assert (events["level"].before, events["level"].after) == ("普通", "重点")
    assert events["level"].actor == rep
    history = customer.history.order_by("-history_date").first()
    assert history.history_user == rep
    assert history.level == "key"


def test_qs3_an_edit_based_on_a_stale_value_is_refused(make_user, now):
    rep = make_user("customer_rep")
    customer = new_customer(rep, address="人民南路 1 号")
    workflow.update_customer(customer, {"address": "人民南路四段 11 号"}, by=rep, now=now)
    with pytest.raises(Conflict):
        workflow.update_customer(
            customer, {"address": "天府大道 2 号"}, by=rep, now=now, expected={"address": "人民南路 1 号"}
        )
    customer.refresh_from_db()
    assert customer.address == "人民南路四段 11 号"


def test_qs2_bad_mobile_is_refused_with_a_chinese_message(make_user, now):
    rep = make_user("customer_rep")
    with pytest.raises(Invalid) as err:
        workflow.create_customer(
            data={"name": "某公司"}, contacts=[{"name": "张三", "mobile": "12345"}], by=rep, now=now
        )
    assert err.value.message == workflow.MOBILE_INVALID
    assert not Customer.objects.exists()


def test_crm2_one_main_contact(make_user, now):
    rep = make_user("customer_rep")
    customer = new_customer(rep)
    second = workflow.add_contact(customer, {"name": "李会计", "mobile": "13912345678"}, by=rep, now=now)
    assert not second.is_main
    workflow.set_main_contact(second, by=rep, now=now)
    assert list(customer.contacts.filter(is_main=True)) == [second]
    assert Event.objects.filter(verb="set_main_contact", object_id=str(second.pk)).exists()


def test_crm3_contract_period_and_number(make_user, now):
    sales = make_user("sales")
    customer = new_customer(make_user("customer_rep"))
    data = {
        "number": "HT-1",
        "signed_on": now.date(),
        "products": "V8",
        "service_start": now.date(),
        "service_end": now.date().replace(year=2026),
    }
    contract = workflow.create_contract(customer, data, by=sales, now=now)
    assert contract.sales == sales
    assert Event.objects.filter(verb="create", object_id=str(contract.pk), content_type__model="contract").exists()
    with pytest.raises(Invalid) as err:
        workflow.create_contract(customer, data, by=sales, now=now)
    assert err.value.field == "number"
    with pytest.raises(Invalid) as err:
        workflow.create_contract(
            customer, {**data, "number": "HT-2", "service_end": now.date().replace(year=2024)}, by=sales, now=now
        )
    assert err.value.message == workflow.PERIOD_REVERSED


def test_close_and_reopen_need_reason_and_follow_the_table(make_user, now):
    head = make_user("dept_head")
    customer = new_customer(make_user("customer_rep"))
    with pytest.raises(Invalid):
        workflow.close_customer(customer, by=head, now=now, reason=" ")
    workflow.close_customer(customer, by=head, now=now, reason="合同到期不续约")
    assert customer.status == Customer.Status.CLOSED
    event = Event.objects.get(verb="close")
    assert (event.before, event.after, event.data["reason"]) == ("正常", "已停止合作", "合同到期不续约")
    with pytest.raises(Conflict):  # already closed: the state changed under the caller (409)
        workflow.close_customer(customer, by=head, now=now, reason="again")
    workflow.reopen_customer(customer, by=head, now=now, reason="续约")
    assert customer.status == Customer.Status.ACTIVE


@pytest.mark.parametrize("role", ["hotline", "finance", "station_master", "customer"])
def test_roles_without_permission_cannot_create_or_edit(make_user, now, role):
    customer = new_customer(make_user("customer_rep"))
    user = make_user(role)
    with pytest.raises(Forbidden):
        workflow.create_customer(data={"name": "x"}, by=user, now=now)
    with pytest.raises(Forbidden):
        workflow.update_customer(customer, {"name": "y"}, by=user, now=now)
    with pytest.raises(Forbidden):
        workflow.close_customer(customer, by=user, now=now, reason="r")


# --- masking (QS-6) -------------------------------------------------------------------------


def test_qs6_mask_formats():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("021-58880001") == "021-****0001"
    assert mask_address("浦东新区张江路 88 号") == "浦东新区****"
    assert mask_phone("") == ""


@pytest.mark.parametrize(
    ("role", "masked"), [("customer_rep", False), ("hotline", False), ("dept_head", True), ("impl_director", True)]
)
def test_qs6_masking_per_role_in_pages_api_and_export(client, api_as, make_user, role, masked):
    customer = new_customer(
        make_user("customer_rep"),
        address="张江路 368 号 5 号楼",
        contact={"name": "王立军", "mobile": "13816681234", "phone": "021-58880001"},
    )
    user = make_user(role)
    client.force_login(user)
    html = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert ("138****1234" in html) is masked
    assert ("13816681234" in html) is not masked
    api = api_as(user)
    contact = api.get(f"/api/contacts/?customer={customer.pk}").json()["results"][0]
    assert contact["mobile"] == ("138****1234" if masked else "13816681234")
    address = api.get(f"/api/customers/{customer.pk}/").json()["address"]
    assert (address == mask_address("张江路 368 号 5 号楼")) is masked
    if user.has_perm("customers.export_customers"):
        from io import BytesIO

        from openpyxl import load_workbook

        content = client.get(reverse("customers:export")).content
        row = [c.value for c in next(load_workbook(BytesIO(content)).active.iter_rows(min_row=2))]
        assert ("138****1234" in row) is masked


def test_qs6_a_customer_sees_its_own_personal_data(client, make_user):
    customer = new_customer(make_user("customer_rep"), contact={"name": "王立军", "mobile": "13816681234"})
    portal = portal_user_of(customer, make_user)
    client.force_login(portal)
    html = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "13816681234" in html
    assert 'id="timeline"' not in html  # the care column is internal


# --- scoping --------------------------------------------------------------------------------


def test_crm_customer_a_sees_zero_rows_of_customer_b(client, api_as, make_user):
    rep = make_user("customer_rep")
    a, b = new_customer(rep, name="甲公司"), new_customer(rep, name="乙公司")
    ContractFactory(customer=a)
    ContractFactory(customer=b)
    user = portal_user_of(a, make_user)
    api = api_as(user)
    for url in ("/api/customers/", "/api/contacts/", "/api/contracts/", "/api/devices/"):
        rows = api.get(url).json()["results"]
        assert all(r.get("customer", r.get("id")) in (a.pk,) or r.get("id") == a.pk for r in rows), url
    assert [r["id"] for r in api.get("/api/customers/").json()["results"]] == [a.pk]
    assert api.get(f"/api/customers/{b.pk}/").status_code == 404
    client.force_login(user)
    assert client.get(reverse("customers:detail", args=[b.pk])).status_code == 404
    html = client.get(reverse("customers:list")).content.decode()
    assert f"customers.customer:{a.pk}" in html
    assert f"customers.customer:{b.pk}" not in html


@pytest.mark.parametrize("role", ["station_master", "finance", "parts_group"])
def test_roles_outside_the_archive_see_no_customers(client, api_as, make_user, role):
    new_customer(make_user("customer_rep"))
    user = make_user(role)
    assert api_as(user).get("/api/customers/").json()["count"] == 0
    assert api_as(user).get("/api/contacts/").json()["count"] == 0
    client.force_login(user)
    assert client.get(reverse("customers:list")).status_code == 403


# --- timeline (CRM-5) -------------------------------------------------------------------------


def test_crm5_timeline_newest_first_one_query_per_page(make_user, now, django_assert_num_queries):
    from datetime import timedelta

    rep = make_user("customer_rep")
    customer = new_customer(rep, now=now - timedelta(days=100))
    for i in range(45):
        timeline.add(customer, "call", title=f"电话 {i}", at=now + timedelta(minutes=i), by=rep)
    with django_assert_num_queries(1):
        first = timeline.page(customer)
    assert [e.title for e in first.entries[:2]] == ["电话 44", "电话 43"]
    with django_assert_num_queries(1):
        second = timeline.page(customer, before=first.next_cursor)
    assert len(first.entries) + len(second.entries) == 46
    assert second.entries[-1].title == "建立客户档案"
    assert second.next_cursor == ""


def test_crm5_notes_on_the_page_and_the_api(client, api_as, make_user):
    rep = make_user("customer_rep")
    customer = new_customer(rep)
    client.force_login(rep)
    client.post(reverse("customers:note_create", args=[customer.pk]), {"text": "客户下月搬迁新址"})
    response = api_as(rep).get(f"/api/customers/{customer.pk}/timeline/")
    assert response.json()["results"][0]["title"] == "客户下月搬迁新址"
    assert response.json()["results"][0]["kind_label"] == "备注"
    portal = portal_user_of(customer, make_user)
    assert api_as(portal).get(f"/api/customers/{customer.pk}/timeline/").status_code == 403


# --- lists: filters, pagination, query counts ---------------------------------------------------


def test_crm_list_filters_and_search(client, make_user):
    rep = make_user("customer_rep")
    a = new_customer(rep, name="上海明达精密机械有限公司", short_name="明达机械", level="vip")
    new_customer(rep, name="杭州云帆电子商务有限公司", short_name="云帆电商")
    client.force_login(rep)
    for params, expected in [
        ({"q": "明达"}, [a]),
        ({"q": "mdjx"}, [a]),
        ({"level": "vip"}, [a]),
        ({"q": "不存在"}, []),
    ]:
        html = client.get(reverse("customers:list"), params).content.decode()
        shown = [c for c in Customer.objects.all() if f'"customers.customer:{c.pk}"' in html]
        assert shown == expected, params


def test_crm_list_and_api_query_counts_are_bounded(client, api_as, make_user, django_assert_max_num_queries):
    rep = make_user("customer_rep")
    for customer in CustomerFactory.create_batch(40, owner=rep):
        ContactFactory(customer=customer)
        ContractFactory(customer=customer)
    client.force_login(rep)
    with django_assert_max_num_queries(11):  # 10 + the 待我审批 count in the menu
        assert client.get(reverse("customers:list")).status_code == 200
    api = api_as(rep)
    for url in ("/api/customers/", "/api/contacts/", "/api/contracts/", "/api/devices/"):
        with django_assert_max_num_queries(10):
            assert api.get(url).status_code == 200


def test_detail_page_query_count(client, make_user, django_assert_max_num_queries):
    rep = make_user("customer_rep")
    customer = new_customer(rep)
    for _ in range(5):
        ContactFactory(customer=customer, is_main=False)
        ContractFactory(customer=customer)
    client.force_login(rep)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200


def test_api_writes_go_through_the_workflow(api_as, make_user):
    rep = make_user("customer_rep")
    customer = new_customer(rep)
    api = api_as(rep)
    response = api.patch(f"/api/customers/{customer.pk}/", {"level": "vip", "status": "closed"}, format="json")
    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.level, customer.status) == ("vip", "active")  # status is read-only
    assert Event.objects.filter(verb="update", data__field="level").exists()
    response = api.post(f"/api/customers/{customer.pk}/close/", {"reason": "停业"}, format="json")
    assert response.json()["status"] == "closed"
    hotline = api_as(make_user("hotline"))
    assert hotline.patch(f"/api/customers/{customer.pk}/", {"level": "key"}, format="json").status_code == 403
    response = api.post("/api/contacts/", {"customer": customer.pk, "name": "新联系人", "mobile": "139"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == str(workflow.MOBILE_INVALID)
    assert not Contact.objects.filter(name="新联系人").exists()
