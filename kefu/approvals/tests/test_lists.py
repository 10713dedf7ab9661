"""RPT-4: 待我审批 exports the steps waiting for the user, as many as the page shows."""

from datetime import datetime

import pytest
from django.urls import reverse

from kefu.org.tests.factories import UserFactory
from kefu.plans import workflow as plans
from kefu.plans.tests.factories import customer_relations, written_plan
from tests.helpers.lists import export, page_count, page_keys

pytestmark = pytest.mark.django_db


def test_rpt4_inbox_export_is_what_waits_for_me(client, now):
    _department, head, rep = customer_relations()
    submitted = [plans.submit(written_plan(rep, now), by=rep, now=now) for _ in range(3)]
    client.force_login(head)
    html = client.get(reverse("approvals:inbox")).content.decode()
    assert page_count(html) == 3 and len(page_keys(html)) == 3
    assert all(key.startswith("approvals.approval:") for key in page_keys(html))
    header, *rows = export(client, "approvals:inbox")
    assert len(rows) == 3 and header[:3] == ["审批事项", "提交次数", "流程"]
    assert all(any(p.customer.name in r[0] for r in rows) for p in submitted)
    assert all(isinstance(r[header.index("提交时间")], datetime) for r in rows)
    # Someone else's inbox is not mine: another head exports nothing.
    client.force_login(UserFactory(roles=["dept_head"]))
    assert export(client, "approvals:inbox") == [header]
