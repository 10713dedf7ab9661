"""The outbox: a notification is never lost and never sent twice (NT-1, QS-4)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

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
    later = now + outbox.claim_timeout() + timedelta(seconds=1)
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


# --- plain addresses (customer contacts without a login) -------------------------------------


def test_enqueue_addresses_an_email_without_a_user_once(station_a, now):
    args = {"addresses": ["Wang@Example.com"], "channels_": ["email"], "subject": "服务流程", "now": now}
    assert outbox.enqueue("fv.process", station_a, **args) == 1
    assert outbox.enqueue("fv.process", station_a, **args | {"addresses": [" wang@example.com "]}) == 0
    row = Outbox.objects.get()
    assert row.recipient is None
    assert row.address == "Wang@Example.com"
    assert row.key == f"fv.process:org.station:{station_a.pk}:email:awang@example.com"
    assert outbox.deliver_pending(now=now)["sent"] == 1
    assert mail.outbox[0].to == ["Wang@Example.com"]


def test_enqueue_an_address_and_a_user_with_that_email_get_one_email(make_user, station_a, now):
    user = make_user("hotline", email="li@example.com")
    n = outbox.enqueue(
        "x", station_a, to=[user], addresses=["LI@example.com", "zhao@example.com"], channels_=["email"],
        subject="x", now=now,
    )  # fmt: skip
    assert n == 2
    assert sorted(Outbox.objects.values_list("address", flat=True)) == ["li@example.com", "zhao@example.com"]


def test_enqueue_refuses_an_address_no_channel_can_carry(station_a, now):
    with pytest.raises(ValueError, match="13800138000"):
        outbox.enqueue("x", station_a, addresses=["13800138000"], channels_=["email"], subject="x", now=now)
    with pytest.raises(ValueError):  # in-app needs a user
        outbox.enqueue("x", station_a, addresses=["a@example.com"], subject="x", now=now)
    assert not Outbox.objects.exists()


def test_long_keys_stay_unique_per_recipient(station_a, now):
    long = "x" * 240
    n = outbox.enqueue(
        "x", station_a, addresses=[f"{long}1@example.com", f"{long}2@example.com"], channels_=["email"],
        subject="x", now=now,
    )  # fmt: skip
    assert n == 2
    keys = list(Outbox.objects.values_list("key", flat=True))
    assert len(set(keys)) == 2
    assert all(len(k) <= 255 for k in keys)


# --- enqueue_many: the bulk path ---------------------------------------------------------------


def _messages(users, station):
    return [
        outbox.Message("clock.breached", user, f"超时 {i}", to=[user], key=f"clock.breached:{i}", link="/")
        for i, user in enumerate(users)
    ] + [
        {
            "event": "station.mail",
            "obj": station,
            "subject": "邮件",
            "to": users,
            "addresses": ["contact@example.com"],
            "channels_": ["inapp", "email"],
        }
    ]


def test_enqueue_many_twice_writes_the_same_rows_once(make_user, station_a, now):
    users = [make_user("hotline", email=f"u{i}@example.com") for i in range(3)]
    assert outbox.enqueue_many(_messages(users, station_a), now=now) == 3 + 3 + 3 + 1
    rows = set(Outbox.objects.values_list("key", "status"))
    notifications = set(Notification.objects.values_list("outbox__key", "recipient", "title"))
    assert outbox.enqueue_many(_messages(users, station_a), now=now) == 0
    assert set(Outbox.objects.values_list("key", "status")) == rows
    assert set(Notification.objects.values_list("outbox__key", "recipient", "title")) == notifications
    assert len(notifications) == 3 + 3
    # The same keys as enqueue(): enqueueing one of those occurrences singly adds nothing.
    assert outbox.enqueue("clock.breached", users[0], to=[users[0]], key="clock.breached:0", subject="x", now=now) == 0


def test_enqueue_many_delivers_in_app_at_once_and_leaves_email_to_the_worker(make_user, station_a, now):
    users = [make_user("hotline", email=f"u{i}@example.com") for i in range(2)]
    outbox.enqueue_many(_messages(users, station_a), now=now)
    inapp = Outbox.objects.filter(channel="inapp")
    assert set(inapp.values_list("status", flat=True)) == {Outbox.Status.SENT}
    assert Notification.objects.filter(recipient=users[0]).count() == 2
    assert Notification.objects.get(outbox__key=f"clock.breached:1:inapp:u{users[1].pk}").link == "/"
    assert outbox.deliver_pending(now=now) == {"sent": 3, "retry": 0, "dead": 0, "skipped": 0}  # the emails
    assert sorted(m.to[0] for m in mail.outbox) == ["contact@example.com", "u0@example.com", "u1@example.com"]
    assert outbox.deliver_pending(now=now)["sent"] == 0
    assert Notification.objects.count() == 4


def test_enqueue_many_after_enqueue_makes_no_second_bell_item(make_user, station_a, now):
    user = make_user("hotline")
    outbox.enqueue("x", station_a, to=[user], subject="一", now=now)
    assert outbox.enqueue_many([outbox.Message("x", station_a, "一", to=[user])], now=now) == 0
    outbox.deliver_pending(now=now)
    assert Notification.objects.count() == 1


def test_enqueue_many_takes_the_same_occurrence_once_per_call(make_user, station_a, now):
    user = make_user("hotline")
    message = outbox.Message("x", station_a, "一", to=[user])
    assert outbox.enqueue_many([message, message], now=now) == 1
    assert Notification.objects.count() == 1


def test_enqueue_many_costs_the_same_statements_for_3_or_30_messages(make_user, station_a, now):
    users = [make_user("hotline", email=f"u{i}@example.com") for i in range(30)]
    for count in (3, 30):
        messages = [
            outbox.Message("n", user, "通知", to=[user], key=f"n{count}:{i}", channels_=["inapp", "email"])
            for i, user in enumerate(users[:count])
        ]
        with CaptureQueriesContext(connection) as queries:
            assert outbox.enqueue_many(messages, now=now) == 2 * count
        # SELECT existing keys, INSERT outbox, SELECT in-app ids, INSERT notifications.
        assert len(queries) == 4, [q["sql"][:80] for q in queries]
    assert outbox.enqueue_many([], now=now) == 0
