"""The outbox: a notification is never lost and never sent twice (NT-1, QS-4)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings

from kefu.notify import channels, outbox
from kefu.notify.models import Notification, Outbox

pytestmark = pytest.mark.django_db


def test_qs4_delivery_job_run_twice_delivers_once(make_user, station_a, now):
    user = make_user("station_master", station=station_a)
    assert outbox.enqueue("station.hello", station_a, to=[user], subject="新工单", now=now) == 1
    assert outbox.deliver_pending(now=now)["sent"] == 1
    assert outbox.deliver_pending(now=now + timedelta(seconds=1))["sent"] == 0
    assert Notification.objects.filter(recipient=user).count() == 1


def test_qs4_enqueueing_the_same_occurrence_twice_is_a_no_op(make_user, station_a, now):
    user = make_user("hotline")
    outbox.enqueue("station.hello", station_a, to=[user], subject="一", now=now)
    assert outbox.enqueue("station.hello", station_a, to=[user], subject="一", now=now) == 0
    assert Outbox.objects.count() == 1


def test_qs4_a_failed_delivery_is_retried_and_then_delivered_once(make_user, station_a, now, monkeypatch):
    user = make_user("hotline", email="h@example.com")
    outbox.enqueue("station.hello", station_a, to=[user], subject="邮件", channels_=["email"], now=now)
    real_send = channels.send
    calls = {"n": 0}

    def flaky(row, *, now):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("SMTP 暂时不可用")
        real_send(row, now=now)

    monkeypatch.setattr(channels, "send", flaky)
    assert outbox.deliver_pending(now=now) == {"sent": 0, "retry": 1, "dead": 0, "skipped": 0}
    row = Outbox.objects.get()
    assert row.status == Outbox.Status.PENDING
    assert row.next_attempt_at > now
    assert outbox.deliver_pending(now=now)["sent"] == 0  # not due yet
    assert outbox.deliver_pending(now=now + timedelta(minutes=5))["sent"] == 1
    assert outbox.deliver_pending(now=now + timedelta(minutes=10))["sent"] == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "邮件"


def test_a_claimed_row_is_not_delivered_by_a_second_worker(make_user, station_a, now):
    user = make_user("hotline")
    outbox.enqueue("station.hello", station_a, to=[user], subject="x", now=now)
    row = Outbox.objects.get()
    assert outbox.claim(row.pk, now=now) is True
    assert outbox.claim(row.pk, now=now) is False  # the other worker loses the conditional update
    # A worker that died mid-send: after the stale window the row is handed out again, and the
    # in-app channel still creates one notification only.
    later = now + outbox.STALE_CLAIM + timedelta(seconds=1)
    assert outbox.deliver_pending(now=later)["sent"] == 1
    assert outbox.deliver_pending(now=later)["sent"] == 0
    assert Notification.objects.count() == 1


@override_settings(KEFU_OUTBOX_MAX_ATTEMPTS=2)
def test_a_row_that_keeps_failing_is_parked_as_dead(make_user, station_a, now, monkeypatch):
    outbox.enqueue("x", station_a, to=[make_user("hotline")], subject="x", now=now)

    def broken(row, *, now):
        raise RuntimeError("boom")

    monkeypatch.setattr(channels, "send", broken)
    outbox.deliver_pending(now=now)
    assert outbox.deliver_pending(now=now + timedelta(hours=2))["dead"] == 1
    assert Outbox.objects.get().status == Outbox.Status.DEAD


def test_robot_channel_posts_wecom_json(make_user, station_a, now, monkeypatch, settings):
    import httpx

    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})

    transport = httpx.MockTransport(handler)
    monkeypatch.setattr(channels.httpx, "post", lambda url, **kw: httpx.Client(transport=transport).post(url, **kw))
    settings.KEFU_ROBOTS = {"dispatch": {"kind": "wecom", "url": "http://127.0.0.1:9/robot?key=k", "secret": ""}}
    outbox.enqueue(
        "work_order.dispatched", station_a, group="dispatch", subject="新派工单", body="客户：上海某公司", now=now
    )
    assert outbox.deliver_pending(now=now)["sent"] == 1
    assert len(seen) == 1
    assert "新派工单" in seen[0].content.decode()


def test_bell_shows_unread_count_and_read_marks_it(client, make_user, station_a, now):
    user = make_user("hotline")
    outbox.enqueue("x", station_a, to=[user], subject="请处理", link="/", now=now)
    outbox.deliver_pending(now=now)
    client.force_login(user)
    html = client.get("/").content.decode()
    assert 'data-testid="unread-count">1<' in html
    notification = Notification.objects.get()
    client.post(f"/notifications/{notification.pk}/read/")
    assert 'data-testid="unread-count"' not in client.get("/").content.decode()


def test_api_notifications_are_only_the_users_own(api_as, make_user, station_a, now):
    me, other = make_user("hotline"), make_user("hotline")
    outbox.enqueue("x", station_a, to=[me, other], subject="公告", now=now)
    outbox.deliver_pending(now=now)
    rows = api_as(me).get("/api/notifications/").json()["results"]
    assert len(rows) == 1
    theirs = Notification.objects.get(recipient=other)
    assert api_as(me).post(f"/api/notifications/{theirs.pk}/read/").status_code == 404
