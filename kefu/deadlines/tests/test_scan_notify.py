"""The breach scan's notifications: each exactly once, written in bulk (CAL-5, NT-1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.deadlines import clocks, scan
from kefu.deadlines.tests.conftest import sh
from kefu.notify import outbox
from kefu.notify.models import Notification, Outbox

pytestmark = pytest.mark.django_db


def bell() -> list[tuple[str, int]]:
    return sorted(Notification.objects.values_list("outbox__key", "recipient_id"))


def test_the_scan_sends_each_notification_exactly_once(subjects, engineer, manager):
    for subject in subjects:
        clocks.start(subject, "hotline.callback", owner=engineer, now=sh(2025, 11, 24, 10))
    assert scan.run(now=sh(2025, 11, 24, 10, 50))["warned"] == len(subjects)
    assert scan.run(now=sh(2025, 11, 24, 11, 1))["breached"] == len(subjects)
    expected = sorted(
        [(f"clock.warning:{c.pk}:inapp:u{engineer.pk}", engineer.pk) for c in clocks_of(subjects)]
        + [(f"clock.breached:{c.pk}:inapp:u{engineer.pk}", engineer.pk) for c in clocks_of(subjects)]
        + [(f"clock.breached:{c.pk}:inapp:u{manager.pk}", manager.pk) for c in clocks_of(subjects)]
        # hotline.callback also reminds the owner 15 minutes before the due time.
        + [(f"clock.escalation:{c.pk}:-15:owner:inapp:u{engineer.pk}", engineer.pk) for c in clocks_of(subjects)]
    )
    assert bell() == expected
    # The bell items are there at once, in the scan's transaction; the worker has nothing to add.
    assert set(Outbox.objects.values_list("status", flat=True)) == {Outbox.Status.SENT}
    assert outbox.deliver_pending(now=sh(2025, 11, 24, 11, 2))["sent"] == 0
    # A second tick, or the same tick again (a second worker), adds nothing.
    rows = Outbox.objects.count()
    scan.run(now=sh(2025, 11, 24, 11, 1))
    scan.run(now=sh(2025, 11, 24, 11, 5))
    assert Outbox.objects.count() == rows
    assert bell() == expected


def clocks_of(subjects):
    from kefu.deadlines.models import Clock

    return Clock.objects.filter(object_id__in=[str(s.pk) for s in subjects]).order_by("pk")


def test_a_breach_tick_costs_the_same_statements_for_1_or_5_clocks(subjects, engineer):
    counts = []
    for day, batch in ((24, subjects[:1]), (25, subjects[1:])):
        for subject in batch:
            clocks.start(subject, "hotline.callback", owner=engineer, now=sh(2025, 11, day, 10))
        with CaptureQueriesContext(connection) as queries:
            assert scan.breach(now=sh(2025, 11, day, 11, 1)) == len(batch)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert Notification.objects.count() == 2 * len(subjects)  # owner and manager


def test_escalation_notifications_once_each(department, make_user, engineer):
    head = make_user("dept_head", name="周主任")
    engineer.department = department
    engineer.save(update_fields=["department"])
    department.head = head
    department.save(update_fields=["head"])
    clock = clocks.start(department, "hotline.shelved_reply", owner=engineer, now=sh(2025, 11, 24, 10))
    scan.run(now=sh(2025, 11, 24, 15))  # the -30 min reminder and the +2 h level together
    scan.run(now=sh(2025, 11, 24, 15))
    assert bell() == sorted(
        [
            (f"clock.escalation:{clock.pk}:-30:owner:inapp:u{engineer.pk}", engineer.pk),
            (f"clock.escalation:{clock.pk}:120:department_head:inapp:u{head.pk}", head.pk),
            (f"clock.breached:{clock.pk}:inapp:u{engineer.pk}", engineer.pk),
            (f"clock.breached:{clock.pk}:inapp:u{engineer.manager_id}", engineer.manager_id),
        ]
    )
