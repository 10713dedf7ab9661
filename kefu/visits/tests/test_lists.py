"""RPT-4: the return-visit list exports the visits its page shows: mine, all, or the overdue ones."""

from datetime import datetime

import pytest
from django.urls import reverse

from kefu.customers.tests.factories import new_customer
from kefu.visits import workflow
from tests.helpers.lists import export, page_count

pytestmark = pytest.mark.django_db


def test_rpt4_visit_export_follows_scope_and_filters(client, make_user, now):
    rep, other = make_user("customer_rep"), make_user("customer_rep")
    customer = new_customer(rep, now=now)

    def opened(source, assignee):  # opened long ago: overdue by the real clock of the lists
        return workflow.open_for_source(
            source, customer=customer, kind="hotline", channel="email", assignee=assignee, by=rep, now=now
        )

    opened(new_customer(rep, now=now), rep)
    opened(new_customer(rep, now=now), rep)
    opened(new_customer(rep, now=now), other)
    client.force_login(rep)
    html = client.get(reverse("visits:list")).content.decode()
    header, *rows = export(client, "visits:list")
    assert page_count(html) == len(rows) == 2
    assert isinstance(rows[0][header.index("截止时间")], datetime)
    assert rows[0][header.index("类型")] and rows[0][header.index("状态")] == "待回访"
    # Not a manager: the overdue list is my own list, in the export too.
    assert len(export(client, "visits:list", {"scope": "overdue"})) == 1 + 2
    client.force_login(make_user("service_manager"))
    for params in ({"scope": "all"}, {"scope": "overdue"}, {"scope": "mine"}):
        html = client.get(reverse("visits:list"), params).content.decode()
        assert len(export(client, "visits:list", params)) == 1 + page_count(html), params
    assert len(export(client, "visits:list", {"scope": "overdue"})) == 1 + 3
