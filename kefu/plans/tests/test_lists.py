"""RPT-4: the plan list exports the plans its page shows; a customer only its own approved ones."""

from datetime import date

import pytest
from django.urls import reverse

from kefu.customers.tests.factories import portal_user_of
from kefu.plans import workflow
from kefu.plans.tests.factories import customer_relations, written_plan
from tests.helpers.lists import export, page_count

pytestmark = pytest.mark.django_db


def test_rpt4_plan_export_is_scoped_like_the_page(client, make_user, now):
    _department, head, rep = customer_relations()
    approved = workflow.approve(workflow.submit(written_plan(rep, now), by=rep, now=now), by=head, now=now)
    written_plan(rep, now)  # a draft of another customer
    client.force_login(rep)
    html = client.get(reverse("plans:list")).content.decode()
    header, *rows = export(client, "plans:list")
    assert page_count(html) == len(rows) == 2
    assert len(export(client, "plans:list", {"status": "approved"})) == 1 + 1
    assert isinstance(rows[0][header.index("服务期限自")], date)
    customer = portal_user_of(approved.customer, make_user)
    client.force_login(customer)
    html = client.get(reverse("plans:list")).content.decode()
    header, *rows = export(client, "plans:list")
    assert page_count(html) == len(rows) == 1 and rows[0][0] == approved.customer.name
