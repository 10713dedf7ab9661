"""RPT-4: the first-visit and needs lists export the rows their page shows, scoped as the page."""

from datetime import datetime

import pytest
from django.urls import reverse

from kefu.firstvisit import workflow
from kefu.firstvisit.tests.factories import department_with_head, handed_over, specialist
from kefu.org.tests.factories import UserFactory
from tests.helpers.lists import export, page_count

pytestmark = pytest.mark.django_db


def test_rpt4_first_visit_export_follows_the_page_filters(client, now):
    me, other = specialist(), specialist()
    mine = [handed_over(now, to=me) for _ in range(2)]
    handed_over(now, to=other)
    client.force_login(me)
    for params in ({}, {"mine": "1"}, {"mine": "1", "status": "completed"}):
        html = client.get(reverse("firstvisit:list"), params).content.decode()
        header, *rows = export(client, "firstvisit:list", params)
        assert len(rows) == page_count(html), params
    assert len(export(client, "firstvisit:list", {"mine": "1"})) == 1 + len(mine)
    assert header[:5] == ["客户", "合同", "首访专员", "移交时间", "状态"]
    row = export(client, "firstvisit:list")[1]
    assert isinstance(row[3], datetime) and row[4] == "待首访"


def test_rpt4_a_department_head_exports_only_the_needs_submitted_to_them(client, now):
    fv_user = specialist()
    department, head = department_with_head("service", "服务部", role="service_manager")
    elsewhere, _other_head = department_with_head()
    visit = handed_over(now, to=fv_user)
    workflow.record_need(visit, department=department, content="上门安装驱动", by=fv_user, now=now)
    workflow.record_need(visit, department=elsewhere, content="培训", by=fv_user, now=now)
    workflow.submit_needs(visit, by=fv_user, now=now)
    client.force_login(head)
    html = client.get(reverse("firstvisit:needs")).content.decode()
    header, *rows = export(client, "firstvisit:needs")
    assert page_count(html) == len(rows) == 1 and rows[0][header.index("需求内容")] == "上门安装驱动"
    client.force_login(fv_user)
    assert len(export(client, "firstvisit:needs")) == 1 + 2
    client.force_login(UserFactory(roles=["hotline"]))
    assert client.get(reverse("exports:start", args=["firstvisit:list"])).status_code == 403
