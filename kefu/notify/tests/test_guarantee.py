"""The outbox's promise per channel (issue 13 §6, NT-1, QS-4).

In-app: exactly once. Email and robots: at least once, a repeat recognisable by the row's stable
key (Message-ID; item number, notice number and Idempotency-Key), resent within the claim
timeout (30 s) after a worker dies, and never while the sending worker is alive.
"""

import socket
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone

from kefu.notify import channels, outbox
from kefu.notify.models import Notification, Outbox
from kefu.notify.tests.robot_server import RobotServer


def _robots(url: str) -> dict:
    return {"dispatch": {"kind": "wecom", "url": url, "secret": ""}}


# --- 1. the claim timeout: well under a minute, and a live send keeps its claim --------------


def test_i13_6_the_claim_timeout_is_under_a_minute_and_longer_than_every_send_timeout(settings):
    """A dead worker's row is free again within 30 s; a single socket operation of any channel
    (SMTP, robot webhook) gives up well before that."""
    assert outbox.claim_timeout() == timedelta(seconds=30)
    assert settings.EMAIL_TIMEOUT < settings.KEFU_OUTBOX_CLAIM_TIMEOUT
    assert settings.KEFU_OUTBOX_SEND_TIMEOUT < settings.KEFU_OUTBOX_CLAIM_TIMEOUT


@pytest.mark.django_db
def test_i13_6_a_dead_workers_claim_is_free_after_the_configured_timeout(make_user, station_a, now, settings):
    settings.KEFU_OUTBOX_CLAIM_TIMEOUT = 5
    outbox.enqueue("x", station_a, to=[make_user("hotline")], subject="x", now=now)
    row = Outbox.objects.get()
    assert outbox.claim(row.pk, now=now)  # the worker that then dies
    assert outbox.deliver_pending(now=now + timedelta(seconds=4))["sent"] == 0
    assert outbox.deliver_pending(now=now + timedelta(seconds=6))["sent"] == 1
    assert Notification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_i13_6_a_slow_send_that_is_alive_keeps_its_claim(station_a, now, settings):
    """The sending worker refreshes its claim while the webhook stalls, so a second worker
    sweeping after the claim timeout does not take the row: the group gets it once.

    Real time passes here (a worker is slow), so both workers read the real clock."""
    settings.KEFU_OUTBOX_CLAIM_TIMEOUT = 1.0
    with RobotServer(stall_on="慢消息") as robot:
        settings.KEFU_ROBOTS = _robots(robot.url)

        def transition() -> None:
            # Commits, and the delivery job (eager under pytest) runs at once, in this thread.
            try:
                outbox.enqueue("x", station_a, group="dispatch", subject="慢消息", now=now)
            finally:
                connections.close_all()

        worker = threading.Thread(target=transition)
        worker.start()
        assert robot.stalled.wait(10)
        row = Outbox.objects.get()
        deadline = time.monotonic() + 3 * settings.KEFU_OUTBOX_CLAIM_TIMEOUT
        while time.monotonic() < deadline:  # another worker tries, well past the claim timeout
            assert not outbox.claim(row.pk, now=timezone.now())
            assert outbox.deliver_pending(now=timezone.now()) == {"sent": 0, "retry": 0, "dead": 0, "skipped": 0}
            robot.release.wait(0.1)
        robot.release.set()
        worker.join(10)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Outbox.Status.SENT, 1)
    assert robot.count("慢消息") == 1


@pytest.mark.django_db
def test_i13_6_a_hung_webhook_gives_up_and_retries_later(station_a, now, settings):
    settings.KEFU_OUTBOX_SEND_TIMEOUT = 0.3
    with RobotServer(stall_on="挂起") as robot:
        settings.KEFU_ROBOTS = _robots(robot.url)
        outbox.enqueue("x", station_a, group="dispatch", subject="挂起", now=now)
        assert outbox.deliver_pending(now=now)["retry"] == 1
    row = Outbox.objects.get()
    assert row.status == Outbox.Status.PENDING and "Timeout" in row.last_error


@pytest.mark.django_db
def test_i13_6_a_hung_smtp_server_gives_up_and_retries_later(make_user, station_a, now, settings):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()  # accepts the connection, never greets
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = listener.getsockname()
    settings.EMAIL_TIMEOUT = 0.3
    try:
        user = make_user("hotline", email="h@example.com")
        outbox.enqueue("x", station_a, to=[user], channels_=["email"], subject="x", now=now)
        assert outbox.deliver_pending(now=now)["retry"] == 1
    finally:
        listener.close()
    assert "timed out" in Outbox.objects.get().last_error


# --- 2. the stable key reaches the receiver -------------------------------------------------


@pytest.mark.django_db
def test_i13_6_email_message_id_is_the_same_on_every_attempt(make_user, station_a, now, monkeypatch, settings):
    settings.KEFU_MESSAGE_ID_DOMAIN = "kefu.example.com"
    user = make_user("hotline", email="h@example.com")
    outbox.enqueue("x", station_a, to=[user], channels_=["email"], subject="邮件", now=now)
    row = Outbox.objects.get()
    real_send = mail.EmailMessage.send
    calls = []

    def lost_on_first(message, *args, **kwargs):
        calls.append(message.message()["Message-ID"])
        if len(calls) == 1:
            real_send(message, *args, **kwargs)
            raise ConnectionError("连接在确认前断开")  # handed over, but not recorded as sent
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", lost_on_first)
    outbox.deliver_pending(now=now)
    outbox.deliver_pending(now=now + timedelta(minutes=1))
    assert len(mail.outbox) == 2  # at least once: the receiver got it twice …
    ids = {m.message()["Message-ID"] for m in mail.outbox}
    assert ids == {channels.message_id(row)}  # … with one Message-ID, so it can drop the repeat
    assert ids.pop().endswith("@kefu.example.com>")
    assert channels.message_id(row) == channels.message_id(Outbox(key=row.key))  # from the key


@pytest.mark.django_db
def test_i13_6_robot_repeat_carries_item_number_notice_number_and_idempotency_key(station_a, now, settings):
    with RobotServer() as robot:
        settings.KEFU_ROBOTS = _robots(robot.url)
        outbox.enqueue("x", station_a, group="dispatch", subject="上门服务申请", ref="KF-0042", now=now)
        row = Outbox.objects.get()
        outbox.deliver_pending(now=now)
        # A worker killed after the POST and before recording it: the row goes out again.
        Outbox.objects.filter(pk=row.pk).update(status=Outbox.Status.PENDING)
        outbox.deliver_pending(now=now)
    assert len(robot.texts) == 2 and robot.texts[0] == robot.texts[1]
    assert robot.texts[0].startswith("【KF-0042】上门服务申请")
    assert robot.notices() == {row.pk: 2}
    assert robot.idempotency_keys == [channels.row_token(row)] * 2


@pytest.mark.django_db
def test_i13_6_the_item_number_comes_from_the_subject_object(station_a, now):
    from kefu.servicedesk.models import ServiceRequest

    request = ServiceRequest(pk=7, number="KF2025112400007")
    outbox.enqueue("request.onsite", request, group="dispatch", subject="上门服务申请：某公司", now=now)
    outbox.enqueue("station.x", station_a, group="dispatch", subject="无编号", now=now)
    rows = dict(Outbox.objects.values_list("event", "ref"))
    assert rows == {"request.onsite": "KF2025112400007", "station.x": ""}
    row = Outbox.objects.get(event="request.onsite")
    assert channels.robot_text(row).startswith("【KF2025112400007】上门服务申请")
    # A subject that names the number already is not prefixed twice.
    row.subject = "派工：KF2025112400007 某公司"
    assert channels.robot_text(row).startswith("派工：KF2025112400007")


# --- 3. after the last attempt: dead, not resent ---------------------------------------------


@pytest.mark.django_db
def test_i13_6_a_row_whose_worker_dies_on_every_attempt_ends_dead(station_a, now, settings):
    settings.KEFU_OUTBOX_MAX_ATTEMPTS = 2
    with RobotServer() as robot:
        settings.KEFU_ROBOTS = _robots(robot.url)
        outbox.enqueue("x", station_a, group="dispatch", subject="x", now=now)
        row = Outbox.objects.get()
        for minute in (0, 1):  # two attempts, each worker killed mid-send
            assert outbox.claim(row.pk, now=now + timedelta(minutes=minute))
        assert outbox.deliver_pending(now=now + timedelta(minutes=2))["dead"] == 1
        assert robot.texts == []
    row.refresh_from_db()
    assert row.status == Outbox.Status.DEAD and "worker lost" in row.last_error
