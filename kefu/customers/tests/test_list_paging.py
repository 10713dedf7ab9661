"""The customer list at 100,000 rows (issue #5): the count stops at a cap, a page always asks
for a full page, deep pages fetch their ids first; masking and scoping stay as they were."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kefu.core.paging import CappedPaginator
from kefu.customers import selectors
from kefu.customers.models import Customer
from kefu.customers.tables import CUSTOMERS, LIST_FIELDS
from kefu.customers.tests.factories import T0, new_customer, portal_user_of

pytestmark = pytest.mark.django_db
ROW = re.compile(r'data-object="customers\.customer:(\d+)"')


def shown(response) -> list[int]:
    return [int(pk) for pk in ROW.findall(response.content.decode())]


@pytest.fixture
def rep(make_user):
    return make_user("customer_rep")


@pytest.fixture
def eight(rep):
    # Two pairs share a creation time (as rows of one import do): ties go to the higher id.
    times = [T0 + timedelta(minutes=m) for m in (0, 1, 1, 2, 3, 3, 4, 5)]
    return [new_customer(rep, now=at, name=f"第{i}测试客户有限公司") for i, at in enumerate(times)]


class ListPaginator(CappedPaginator):
    """The customer list's paginator as its table sets it up (kefu.customers.tables)."""

    cap = CUSTOMERS.cap
    deep = 300

    def __init__(self, object_list, per_page, **kwargs):
        super().__init__(object_list, per_page, refetch=CUSTOMERS.refetch, **kwargs)


def newest_first(customers) -> list[int]:
    return [c.pk for c in sorted(customers, key=lambda c: (c.created_at, c.pk), reverse=True)]


def test_count_stops_at_the_cap_and_pages_end_there(rep, eight, monkeypatch):
    monkeypatch.setattr(ListPaginator, "cap", 5)
    qs = selectors.customers_for(rep, with_owner=False)
    paginator = ListPaginator(qs, 2)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (5, True, 3)
    assert [c.pk for c in paginator.get_page(3)] == newest_first(eight)[4:6]
    assert paginator.get_page(9).number == 3  # past the cap: the last page, as past the end
    exact = ListPaginator(qs, 2)
    monkeypatch.setattr(ListPaginator, "cap", 8)
    assert (exact.count, exact.capped, exact.num_pages) == (8, False, 4)


def test_deep_pages_fetch_ids_first_and_show_the_same_rows(rep, eight, monkeypatch):
    qs = selectors.customers_for(rep, with_owner=False).only(*LIST_FIELDS)
    shallow = [[c.pk for c in ListPaginator(qs, 3).get_page(n)] for n in (1, 2, 3)]
    monkeypatch.setattr(ListPaginator, "deep", 0)
    with CaptureQueriesContext(connection) as ctx:
        deep = [[c.pk for c in ListPaginator(qs, 3).get_page(n)] for n in (1, 2, 3)]
    assert deep == shallow == [newest_first(eight)[i : i + 3] for i in (0, 3, 6)]
    assert all(" IN (SELECT" in q["sql"] for q in ctx.captured_queries if "LIMIT 3" in q["sql"])
    page = ListPaginator(qs, 3).get_page(1)
    assert page[0].region_label is not None and page[0].name  # the row's fields are there


def test_a_page_asks_for_a_full_page_even_with_one_hit(rep, eight, client):
    """Django trims the last page's LIMIT to the count; LIMIT 1 sent PostgreSQL walking the
    newest-first index for the one search hit."""
    client.force_login(rep)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("customers:list"), {"q": "第3测试"})
    assert shown(response) == [eight[3].pk]
    page_sql = [q["sql"] for q in ctx.captured_queries if "customers_customer" in q["sql"] and "COUNT" not in q["sql"]]
    assert page_sql and all("LIMIT 30" in sql for sql in page_sql)
    assert any(" IN (SELECT" in sql for sql in page_sql)  # a search reads the page's ids first
    assert "共 1 条" not in response.content.decode()  # one page: no pager at all


def test_list_says_more_than_the_cap(rep, eight, client, monkeypatch):
    monkeypatch.setattr(CUSTOMERS, "cap", 5)
    monkeypatch.setattr(CUSTOMERS, "per_page", 2)
    client.force_login(rep)
    html = client.get(reverse("customers:list")).content.decode()
    assert "超过 5 条，请用筛选或搜索缩小范围" in html and "1 / 3+" in html
    monkeypatch.setattr(CUSTOMERS, "cap", 100)
    html = client.get(reverse("customers:list"), {"page": 2}).content.decode()
    assert "共 8 条" in html and "2 / 4<" in html
    assert shown(client.get(reverse("customers:list"), {"page": 4})) == newest_first(eight)[6:]


def test_list_rows_still_mask_addresses_and_show_labels(rep, make_user, client):
    customer = new_customer(rep, name="上海明达精密机械有限公司", address="浦东新区张江路 88 号", level="vip")
    client.force_login(make_user("dept_head"))  # reads the archive, not personal data
    html = client.get(reverse("customers:list")).content.decode()
    assert "张江路 88 号" not in html and "浦东新区****" in html
    assert "VIP" in html and "正常" in html
    client.force_login(rep)
    html = client.get(reverse("customers:list")).content.decode()
    assert "浦东新区张江路 88 号" in html
    portal = portal_user_of(customer, make_user)
    other = new_customer(rep, name="杭州云帆电子商务有限公司")
    client.force_login(portal)
    assert shown(client.get(reverse("customers:list"))) == [customer.pk]
    assert Customer.objects.filter(pk=other.pk).exists()


def test_a_search_with_nothing_searchable_in_it_shows_no_rows(rep, eight, client):
    client.force_login(rep)
    response = client.get(reverse("customers:list"), {"q": "！！"})
    assert response.status_code == 200 and shown(response) == []
    assert "没有符合条件的客户" in response.content.decode()
