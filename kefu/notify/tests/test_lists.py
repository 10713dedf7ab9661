"""RPT-4: the notification list exports the user's own notifications, as many as the page shows."""

from datetime import datetime

import pytest
from django.urls import reverse

from kefu.notify import outbox
from tests.helpers.lists import export, page_count

pytestmark = pytest.mark.django_db


def test_rpt4_notification_export_is_my_own(client, make_user, station_a, now):
    me, other = make_user("hotline"), make_user("hotline")
    outbox.enqueue("x", station_a, to=[me, other], subject="公告", body="明天停机维护", now=now)
    outbox.enqueue("y", station_a, to=[other], subject="只给别人", now=now)
    outbox.deliver_pending(now=now)
    client.force_login(me)
    html = client.get(reverse("notify:list")).content.decode()
    header, *rows = export(client, "notify:list")
    assert page_count(html) == len(rows) == 1
    assert rows[0][:2] == ["公告", "明天停机维护"] and isinstance(rows[0][header.index("时间")], datetime)
    assert rows[0][header.index("已读时间")] is None
