"""RPT-4 (issue 14 §4): onsite service's lists export exactly the rows their pages show — an
engineer only their own orders, the board every waiting request, the address masked for a
role without the personal-data permission (QS-6)."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kefu.core.masking import mask_address
from kefu.customers.models import Customer
from kefu.fieldservice.tests.factories import new_order, people
from kefu.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ADDRESS = "上海市浦东新区张江路 88 号 5 号楼 1203 室"


def page_count(client, name, params=None, pattern=r'data-count="(\d+)"') -> int:
    html = client.get(reverse(name), params or {}).content.decode()
    return int(re.search(pattern, html).group(1))


def export(client, name, params=None) -> list[tuple]:
    response = client.get(reverse("exports:start", args=[name]), params or {})
    assert response.status_code == 200, response.status_code
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


@pytest.fixture
def orders(now):
    manager, engineer, hotline = people()
    other = UserFactory(roles=["field_engineer"], manager=manager)
    mine = new_order(now=now, manager=manager, engineer=engineer, hotline=hotline, until="scheduled")
    theirs = new_order(now=now, manager=manager, engineer=other, hotline=hotline, until="dispatched")
    waiting = [new_order(now=now, manager=manager, engineer=engineer, hotline=hotline) for _ in range(2)]
    Customer.all_objects.filter(pk=mine.customer_id).update(address=ADDRESS)
    return {"manager": manager, "engineer": engineer, "mine": mine, "theirs": theirs, "waiting": waiting}


def test_rpt4_order_exports_are_scoped_as_their_pages_and_mask_the_address(orders, client):
    boss = UserFactory(roles=["aftersales_manager"])  # sees every order, not the personal data
    client.force_login(boss)
    header, *rows = export(client, "fieldservice:list")
    assert len(rows) == page_count(client, "fieldservice:list") == 4
    addresses = {row[header.index("地址")] for row in rows}
    assert ADDRESS not in addresses and mask_address(ADDRESS) in addresses
    dispatched = export(client, "fieldservice:list", {"status": "dispatched"})[1:]
    assert [row[0] for row in dispatched] == [orders["theirs"].number]

    client.force_login(orders["engineer"])
    numbers = [row[0] for row in export(client, "fieldservice:list")[1:]]
    assert numbers == [orders["mine"].number] and len(numbers) == page_count(client, "fieldservice:list")
    header, *today = export(client, "fieldservice:today")
    assert [row[0] for row in today] == [orders["mine"].number]
    assert len(today) == page_count(client, "fieldservice:today")
    assert today[0][header.index("地址")] == ADDRESS  # the engineer calls and visits: unmasked


def test_rpt4_board_export_writes_every_waiting_request(orders, client, monkeypatch):
    from kefu.fieldservice import selectors

    monkeypatch.setattr(selectors, "BOARD_PAGE", 1)  # the page shows one; the export all
    client.force_login(orders["manager"])
    html = client.get(reverse("fieldservice:board")).content.decode()
    assert 'data-testid="export"' in html
    rows = export(client, "fieldservice:board")[1:]
    assert [row[0] for row in rows] == [o.number for o in orders["waiting"]]
    assert len(rows) == page_count(client, "fieldservice:board", pattern=r'data-testid="waiting-total">(\d+)<')
    client.force_login(orders["engineer"])
    assert client.get(reverse("exports:start", args=["fieldservice:board"])).status_code == 403
