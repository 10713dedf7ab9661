"""RPT-4: the clock, rule and calendar lists export the rows their page shows, scoped as the page."""

from datetime import datetime

import pytest
from django.urls import reverse

from kefu.deadlines import clocks
from tests.helpers.lists import export, page_count, page_keys

pytestmark = pytest.mark.django_db


def test_rpt4_clock_export_is_the_users_clocks_as_on_the_page(client, engineer, manager, make_user, subjects, now):
    mine = [clocks.start(s, "hotline.callback", owner=engineer, now=now) for s in subjects[:3]]
    stranger = make_user("hotline")
    clocks.start(subjects[3], "hotline.callback", owner=stranger, now=now)
    client.force_login(engineer)
    html = client.get(reverse("deadlines:clock_list")).content.decode()
    assert page_count(html) == 3 and page_keys(html) == [f"deadlines.clock:{c.pk}" for c in mine]
    header, *rows = export(client, "deadlines:clock_list")
    assert len(rows) == 3 and "截止时间" in header and "负责人" in header
    due = rows[0][header.index("截止时间")]
    assert isinstance(due, datetime)
    assert {r[header.index("负责人")] for r in rows} == {engineer.display_name}
    # A manager's team: their report's clocks, not the stranger's; the page shows the owner then.
    client.force_login(manager)
    html = client.get(reverse("deadlines:clock_list"), {"clock_scope": "team"}).content.decode()
    assert "<th>负责人</th>" in html and page_count(html) == 3
    assert len(export(client, "deadlines:clock_list", {"clock_scope": "team"})) == 1 + 3
    assert "<th>负责人</th>" not in client.get(reverse("deadlines:clock_list")).content.decode()


def test_rpt4_rule_and_calendar_exports_are_the_administrators(client, admin_user, engineer):
    client.force_login(engineer)
    assert client.get(reverse("exports:start", args=["deadlines:rule_list"])).status_code == 403
    assert client.get(reverse("exports:start", args=["deadlines:calendar_list"])).status_code == 403
    client.force_login(admin_user)
    for name in ("deadlines:rule_list", "deadlines:calendar_list"):
        html = client.get(reverse(name)).content.decode()
        assert 'data-testid="export"' in html
        assert len(export(client, name)) == 1 + page_count(html)
    header, *rows = export(client, "deadlines:calendar_list")
    assert header[:2] == ["代码", "名称"] and isinstance(rows[0][header.index("版本")], int)
