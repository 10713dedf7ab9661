"""The dispatch board (OS-1, issue #7): a page of the oldest waiting requests with 'load more',
every engineer with skills, region, open orders and today's appointments, and the verify /
send back / dispatch buttons. Its query count does not grow with orders or engineers."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kefu.fieldservice import selectors
from kefu.fieldservice.models import EngineerProfile, WorkOrder
from kefu.fieldservice.tests.factories import new_order, people
from kefu.org.models import Region

S = WorkOrder.Status
ROW = re.compile(r'data-object="fieldservice\.workorder:(\d+)"')


@pytest.fixture
def team(db):
    return people()


def rows(response) -> list[int]:
    return [int(pk) for pk in ROW.findall(response.content.decode())]


def waiting(n, *, now, team) -> list[WorkOrder]:
    manager, engineer, hotline = team
    # Alternate: to verify, to dispatch. All made at the same instant: ties are broken by id.
    return [
        new_order(
            now=now, manager=manager, engineer=engineer, hotline=hotline, until="verified" if i % 2 else "requested"
        )
        for i in range(n)
    ]


def test_os1_board_shows_the_oldest_page_and_loads_the_rest(team, now, client, monkeypatch):
    monkeypatch.setattr(selectors, "BOARD_PAGE", 3)
    manager, engineer, _hotline = team
    orders = waiting(5, now=now, team=team)
    client.force_login(manager)
    page = client.get(reverse("fieldservice:board"))
    html = page.content.decode()
    assert rows(page) == [o.pk for o in orders[:3]]
    assert 'data-testid="waiting-total">5<' in html
    more = reverse("fieldservice:board_rows") + f"?after={orders[2].pk}"
    assert f'hx-get="{more}"' in html
    # Requested rows verify or send back; verified rows dispatch with the engineer picked on the right.
    assert html.count('data-testid="verify"') == 2 and html.count('data-testid="dispatch"') == 1
    assert f'formaction="{reverse("fieldservice:action", args=[orders[1].pk, "dispatch"])}"' in html
    assert f'action="{reverse("fieldservice:action", args=[orders[0].pk, "send-back"])}"' in html

    # Someone dispatches a row of the first page meanwhile: the next page neither repeats nor skips.
    from kefu.fieldservice import workflow

    workflow.dispatch(orders[1], engineer, by=manager, now=now)
    fragment = client.get(more)
    assert fragment.status_code == 200 and rows(fragment) == [o.pk for o in orders[3:]]
    assert "load-more" not in fragment.content.decode() and "<html" not in fragment.content.decode()
    assert 'name="csrfmiddlewaretoken"' in fragment.content.decode()  # the send-back forms post
    # Without JavaScript the same link opens the board from there.
    assert rows(client.get(reverse("fieldservice:board") + f"?after={orders[2].pk}")) == [o.pk for o in orders[3:]]
    assert rows(client.get(reverse("fieldservice:board") + "?after=x²")) == [orders[0].pk, orders[2].pk, orders[3].pk]


def test_os1_board_engineers_with_skills_region_load_and_todays_appointments(team, now, client, make_user, monkeypatch):
    manager, engineer, hotline = team
    district = Region.objects.create(code="310115", name="浦东新区", level=Region.Level.DISTRICT)
    EngineerProfile.objects.create(user=engineer, skills="财务软件、打印机", region=district)
    idle = make_user("field_engineer", name="林工")
    make_user("field_engineer", name="离职工", is_active=False)
    new_order(now=now, manager=manager, engineer=engineer, hotline=hotline, until="scheduled")  # 11:00–13:00
    tomorrow = now + timedelta(days=1)
    new_order(now=tomorrow, manager=manager, engineer=engineer, hotline=hotline, until="scheduled")
    monkeypatch.setattr(timezone, "now", lambda: now)
    client.force_login(manager)
    html = client.get(reverse("fieldservice:board")).content.decode()
    table = html[html.index('data-testid="engineer-table"') :]
    assert "离职工" not in table
    # Least loaded first, and picked by default.
    assert table.index("林工") < table.index("陈工")
    assert re.search(rf'value="{idle.pk}" form="dispatch-form" required checked', table)
    row = table[table.index("陈工") :].split("</tr>")[0]
    assert "财务软件、打印机" in row and "浦东新区" in row
    assert "<td>2</td>" in row  # open orders: both scheduled ones
    assert "11:00–13:00" in row and row.count("–") == 1  # today's appointment, not tomorrow's


def test_os1_board_queries_do_not_grow_with_orders_or_engineers(team, now, client, make_user):
    manager, _engineer, hotline = team
    waiting(2, now=now, team=team)
    client.force_login(manager)
    client.get(reverse("fieldservice:board"))

    def count(url) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
            return len(ctx.captured_queries)

    small = count(reverse("fieldservice:board")), count(reverse("fieldservice:board_rows"))
    waiting(4, now=now, team=team)
    for i in range(6):
        e = make_user("field_engineer")
        EngineerProfile.objects.create(user=e, skills=f"技能{i}")
        new_order(now=now, manager=manager, engineer=e, hotline=hotline, until="scheduled")
    assert (count(reverse("fieldservice:board")), count(reverse("fieldservice:board_rows"))) == small
    assert small[0] <= 12


def test_os1_verify_send_back_and_dispatch_from_the_board_return_to_it(team, now, client):
    manager, engineer, _hotline = team
    first, verified, third = waiting(3, now=now, team=team)
    board = reverse("fieldservice:board")
    client.force_login(manager)

    def act(order, verb, **data):
        response = client.post(reverse("fieldservice:action", args=[order.pk, verb]), {"next": board, **data})
        assert response.status_code == 302 and response.url == board
        order.refresh_from_db()

    act(first, "verify")
    assert first.status == S.VERIFIED
    act(third, "send-back", reason="联系人电话不全")
    assert third.status == S.RETURNED
    for order in (verified, first):
        act(order, "dispatch", engineer=engineer.pk)
        assert order.status == S.DISPATCHED and order.engineer == engineer
    response = client.get(board)
    assert rows(response) == [] and "暂无待派发的上门申请" in response.content.decode()


def test_os1_board_and_its_rows_are_for_dispatchers_only(team, client):
    _manager, engineer, hotline = team
    for user in (engineer, hotline):
        client.force_login(user)
        assert client.get(reverse("fieldservice:board")).status_code == 403
        assert client.get(reverse("fieldservice:board_rows")).status_code == 403
