"""Issue 15 §5: report subscriptions: the schedule, the due date from a deadline rule, and the
job that renders and sends PDF + Excel through the outbox exactly once with two workers."""

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection

from kefu.core.errors import Invalid
from kefu.notify import outbox
from kefu.notify.models import Outbox
from kefu.reports import subscriptions
from kefu.reports.models import Delivery, Subscription

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2025, 12, 1, 9, tzinfo=SH)


@pytest.fixture
def manager(make_user):
    return make_user("service_manager", name="吴经理", email="wu@example.com")


@pytest.fixture
def weekly(manager, make_user, now):
    head = make_user("dept_head", name="周主任", email="zhou@example.com")
    return subscriptions.subscribe(
        "kpi",
        every="week",
        weekday=0,
        at=time(9),
        recipients=[manager, head],
        addresses="gm-office@example.com",
        due_rule="fieldservice.verify",  # by start of work on the next working day
        by=manager,
        now=now,
    )


def test_issue15_schedule_every_monday_0900_and_the_first_of_the_month(manager, now):
    week = Subscription(every="week", weekday=0, at=time(9))
    assert subscriptions.next_slot(week, after=now) == MONDAY_9  # now: Monday 2025-11-24 10:00
    assert subscriptions.next_slot(week, after=now - timedelta(hours=2)) == datetime(2025, 11, 24, 9, tzinfo=SH)
    assert subscriptions.next_slot(week, after=MONDAY_9) == MONDAY_9 + timedelta(weeks=1)
    month = Subscription(every="month", day=1, at=time(9))
    assert subscriptions.next_slot(month, after=now) == MONDAY_9
    assert subscriptions.next_slot(month, after=MONDAY_9) == datetime(2026, 1, 1, 9, tzinfo=SH)
    assert subscriptions.period_of(week, MONDAY_9).label == "2025-W48"  # the week before
    assert subscriptions.period_of(month, MONDAY_9).label == "2025-11"


def test_issue15_subscribe_refuses_recipients_who_may_not_see_the_report(manager, make_user, now):
    station = make_user("station_master")
    with pytest.raises(Invalid) as exc:
        subscriptions.subscribe("kpi", every="week", at=time(9), recipients=[station], by=manager, now=now)
    assert exc.value.field == "recipients"
    with pytest.raises(Invalid) as exc:
        subscriptions.subscribe("kpi", every="week", at=time(9), recipients=[], by=manager, now=now)
    assert "至少" in str(exc.value.message)
    with pytest.raises(Invalid) as exc:
        subscriptions.subscribe(
            "kpi", every="week", at=time(9), recipients=[manager], due_rule="no.such", by=manager, now=now
        )
    assert exc.value.field == "due_rule"
    with pytest.raises(Invalid):
        subscriptions.subscribe(
            "kpi", every="week", at=time(9), recipients=[manager], addresses="not an address", by=manager, now=now
        )


def test_issue15_a_slot_is_sent_once_with_two_workers(weekly, manager, settings):
    assert weekly.next_run_at == MONDAY_9
    at = MONDAY_9 + timedelta(seconds=20)
    # Both workers read the due subscriptions before either claims (a stale view each).
    seen_a, seen_b = subscriptions.due(at), subscriptions.due(at)
    assert len(subscriptions.schedule_due(at, read=seen_a)) == 1
    assert subscriptions.schedule_due(at, read=seen_b) == []
    assert Delivery.objects.count() == 1
    weekly.refresh_from_db()
    assert weekly.next_run_at == MONDAY_9 + timedelta(weeks=1)
    # And both read the pending delivery before either claims it.
    pending_a, pending_b = subscriptions.sendable(at), subscriptions.sendable(at)
    assert subscriptions.send_pending(at, read=pending_a) == 1
    assert subscriptions.send_pending(at, read=pending_b) == 0
    delivery = Delivery.objects.get()
    assert delivery.step == "sent" and delivery.period == "2025-W48"
    assert delivery.due_at == datetime(2025, 12, 2, 9, tzinfo=SH)  # next working day's start
    emails = Outbox.objects.filter(event="report.subscription", channel="email")
    assert sorted(emails.values_list("address", flat=True)) == [
        "gm-office@example.com",
        "wu@example.com",
        "zhou@example.com",
    ]
    # The next minute's run finds nothing to do.
    assert subscriptions.run(at + timedelta(minutes=1)) == 0
    outbox.deliver_pending(now=at + timedelta(minutes=1))
    assert len(mail.outbox) == 3
    message = mail.outbox[0]
    names = sorted(name for name, _content, _type in message.attachments)
    assert names == ["kpi-2025-W48.pdf", "kpi-2025-W48.xlsx"]
    assert message.attachments[0][1][:4] in (b"%PDF", b"PK\x03\x04")
    assert "2025-12-02 09:00" in message.body  # the due date from the rule


def test_issue15_a_delivery_whose_worker_died_is_sent_by_another_after_the_timeout(weekly):
    at = MONDAY_9 + timedelta(seconds=5)
    (delivery,) = subscriptions.schedule_due(at)
    assert subscriptions._claim(delivery, now=at)  # worker A claims, then dies while rendering
    assert subscriptions.send_pending(at + timedelta(minutes=5)) == 0  # still A's
    assert subscriptions.send_pending(at + subscriptions.RENDER_TIMEOUT + timedelta(seconds=1)) == 1
    assert Delivery.objects.get().step == "sent"
    assert Outbox.objects.filter(event="report.subscription", channel="email").count() == 3


def test_issue15_a_missed_slot_is_sent_once_and_the_schedule_moves_on(weekly):
    late = MONDAY_9 + timedelta(weeks=2, hours=3)  # the job was down for two weeks
    assert len(subscriptions.schedule_due(late)) == 1
    weekly.refresh_from_db()
    assert weekly.next_run_at == MONDAY_9 + timedelta(weeks=3)


@pytest.mark.django_db(transaction=True)
def test_issue15_two_worker_threads_send_a_slot_once(weekly):
    if connection.vendor == "sqlite":
        pytest.skip("threads share one SQLite file writer; the stale-view test covers SQLite")
    at = MONDAY_9 + timedelta(seconds=5)
    barrier = threading.Barrier(2)

    def worker():
        from django.db import connection as conn

        try:
            barrier.wait()
            subscriptions.run(at)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Delivery.objects.count() == 1
    assert Outbox.objects.filter(event="report.subscription", channel="email").count() == 3


def test_issue15_subscription_page_subscribes_keeps_what_was_typed_and_cancels(client, manager, make_user):
    head = make_user("dept_head", name="周主任", email="zhou@example.com")
    client.force_login(manager)
    page = client.get("/reports/kpi/subscriptions/")
    assert page.status_code == 200 and "周主任" in page.content.decode()
    bad = client.post(
        "/reports/kpi/subscriptions/",
        {"every": "month", "day": "1", "at": "09:00", "addresses": "不是邮箱", "recipients": [head.pk]},
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "邮箱格式不正确" in html and "不是邮箱" in html and f'value="{head.pk}" selected' in html
    ok = client.post(
        "/reports/kpi/subscriptions/",
        {"every": "month", "day": "1", "at": "09:00", "recipients": [head.pk], "due_rule": "fieldservice.verify"},
        follow=True,
    )
    assert "已订阅，首次发送时间" in ok.content.decode()
    sub = Subscription.objects.get()
    assert (sub.every, sub.day, sub.due_rule, list(sub.recipients.all())) == ("month", 1, "fieldservice.verify", [head])
    client.post("/reports/kpi/subscriptions/", {"cancel": sub.pk})
    sub.refresh_from_db()
    assert not sub.active
    client.force_login(make_user("station_master"))
    assert client.get("/reports/kpi/subscriptions/").status_code == 403
