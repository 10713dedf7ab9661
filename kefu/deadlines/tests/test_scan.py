"""The breach scan: breach, 80 % warning and escalation levels, each exactly once (CAL-5)."""

import pytest
from django.test import override_settings

from kefu.audit.models import Event
from kefu.deadlines import clocks, scan, tasks, workflow
from kefu.deadlines.models import Clock, ClockState, DeadlineRule, ScanRun
from kefu.deadlines.tests.conftest import sh
from kefu.notify.models import Outbox

pytestmark = pytest.mark.django_db


def keys() -> set[str]:
    return set(Outbox.objects.values_list("key", flat=True))


def test_cal5_breach_notifies_owner_and_manager_once_even_if_the_scan_runs_twice(department, engineer, manager):
    clock = clocks.start(department, "hotline.callback", owner=engineer, now=sh(2025, 11, 24, 10))
    assert scan.breach(now=sh(2025, 11, 24, 11)) == 0  # due at 11:00 exactly: not yet late
    assert scan.run(now=sh(2025, 11, 24, 11, 1))["breached"] == 1
    clock.refresh_from_db()
    assert clock.state == ClockState.BREACHED
    assert clock.breached_at == sh(2025, 11, 24, 11, 1)
    breached = Outbox.objects.filter(event="clock.breached")
    assert {row.recipient for row in breached} == {engineer, manager}
    assert breached.first().subject == f"【超时】挂机后承诺回拨（1 小时内）：{department}"
    event = Event.objects.get(verb="clock_breach")
    assert (event.before, event.after, event.actor_name) == ("计时中", "已超时", "系统")
    assert event.object_id == str(department.pk)

    before = keys()
    assert scan.run(now=sh(2025, 11, 24, 11, 2)) == {"breached": 0, "warned": 0, "escalated": 0}
    assert keys() == before
    assert Event.objects.filter(verb="clock_breach").count() == 1


def test_cal5_warns_the_owner_once_at_80_percent(department, engineer):
    clocks.start(department, "hotline.callback", owner=engineer, now=sh(2025, 11, 24, 10))
    assert scan.warn(now=sh(2025, 11, 24, 10, 47)) == 0
    assert scan.warn(now=sh(2025, 11, 24, 10, 48)) == 1
    assert scan.warn(now=sh(2025, 11, 24, 10, 49)) == 0
    rows = Outbox.objects.filter(event="clock.warning")
    assert [row.recipient for row in rows] == [engineer]
    assert rows.get().subject.startswith("【即将到期】")


@override_settings(KEFU_DEADLINE_WARN_RATIO=0.5)
def test_cal5_warning_threshold_is_configurable(department, engineer, admin_user, subjects):
    clocks.start(department, "hotline.callback", owner=engineer, now=sh(2025, 11, 24, 10))
    assert Clock.objects.get().warn_at == sh(2025, 11, 24, 10, 30)
    rule = DeadlineRule.objects.get(key="hotline.callback")
    workflow.update_rule(rule, by=admin_user, now=sh(2025, 11, 24, 9), warn_ratio=0.9)
    clock = clocks.start(subjects[0], "hotline.callback", owner=engineer, now=sh(2025, 11, 24, 10))
    assert clock.warn_at == sh(2025, 11, 24, 10, 54)


def test_cal5_warning_of_working_time_counts_working_time(department, engineer):
    # 3 working hours from 10:00 on the office calendar end at 14:30; 80 % = 2 h 24 min → 13:54.
    clock = clocks.start(department, "complaint.contact", owner=engineer, now=sh(2025, 11, 24, 10))
    assert clock.warn_at == sh(2025, 11, 24, 13, 54)


def test_cal5_a_paused_clock_is_neither_breached_nor_warned(department, engineer):
    clocks.start(department, "hotline.callback", owner=engineer, now=sh(2025, 11, 24, 10))
    clocks.pause(department, "hotline.callback", now=sh(2025, 11, 24, 10, 30))
    assert scan.run(now=sh(2025, 11, 24, 15)) == {"breached": 0, "warned": 0, "escalated": 0}
    clock = clocks.resume(department, "hotline.callback", now=sh(2025, 11, 24, 15))
    assert clock.due_at == sh(2025, 11, 24, 15, 30)
    assert clock.warn_at == sh(2025, 11, 24, 15, 18)


def test_cal5_escalation_levels_fire_once_each(department, make_user, engineer, manager):
    head = make_user("dept_head", name="周主任")
    engineer.department = department
    engineer.save(update_fields=["department"])
    department.head = head
    department.save(update_fields=["head"])
    # hotline.shelved_reply: remind the owner 30 min before, the department head 2 h after.
    clock = clocks.start(department, "hotline.shelved_reply", owner=engineer, now=sh(2025, 11, 24, 10))
    assert clock.due_at == sh(2025, 11, 24, 13)
    assert clock.next_escalation_at == sh(2025, 11, 24, 12, 30)

    assert scan.escalate(now=sh(2025, 11, 24, 12, 29)) == 0
    assert scan.escalate(now=sh(2025, 11, 24, 12, 30)) == 1
    assert scan.escalate(now=sh(2025, 11, 24, 12, 31)) == 0
    reminder = Outbox.objects.get(event="clock.escalation")
    assert reminder.recipient == engineer
    assert reminder.key.startswith(f"clock.escalation:{clock.pk}:-30:owner")

    scan.run(now=sh(2025, 11, 24, 13, 1))  # breached, still escalating
    assert scan.escalate(now=sh(2025, 11, 24, 14, 59)) == 0
    assert scan.run(now=sh(2025, 11, 24, 15))["escalated"] == 1
    assert scan.run(now=sh(2025, 11, 24, 16))["escalated"] == 0
    to_head = Outbox.objects.filter(event="clock.escalation", recipient=head)
    assert to_head.count() == 1
    assert "已于" in to_head.get().body
    clock.refresh_from_db()
    assert clock.escalated_through == 120
    assert clock.next_escalation_at is None
    assert Event.objects.filter(verb="clock_escalate").count() == 2


def test_cal5_a_level_already_past_at_start_is_skipped(department, engineer, admin_user, now):
    rule = DeadlineRule.objects.get(key="hotline.duty_ready")  # 10 minutes
    workflow.set_escalations(rule, [(-30, "owner"), (0, "manager")], by=admin_user, now=now)
    clock = clocks.start(department, "hotline.duty_ready", owner=engineer, now=sh(2025, 11, 24, 10))
    assert clock.escalated_through == -30
    assert clock.next_escalation_at == sh(2025, 11, 24, 10, 10)
    assert scan.escalate(now=sh(2025, 11, 24, 10, 5)) == 0


def test_escalation_levels_are_copied_at_start(department, engineer, admin_user, now):
    clock = clocks.start(department, "hotline.shelved_reply", owner=engineer, now=sh(2025, 11, 24, 10))
    rule = DeadlineRule.objects.get(key="hotline.shelved_reply")
    workflow.set_escalations(rule, [], by=admin_user, now=now)
    clock.refresh_from_db()
    assert clock.escalations == [[-30, "owner"], [120, "department_head"]]


def test_a_stopped_clock_is_left_alone(department, engineer):
    clocks.start(department, "hotline.callback", owner=engineer, now=sh(2025, 11, 24, 10))
    clocks.stop(department, "hotline.callback", now=sh(2025, 11, 24, 10, 30))
    assert scan.run(now=sh(2025, 11, 24, 18)) == {"breached": 0, "warned": 0, "escalated": 0}
    assert not Outbox.objects.exists()


def test_breach_works_in_batches(subjects, engineer):
    for subject in subjects:
        clocks.start(subject, "hotline.callback", owner=engineer, now=sh(2025, 11, 24, 10))
    assert scan.breach(now=sh(2025, 11, 24, 12), batch=2) == len(subjects)
    assert Clock.objects.filter(state=ClockState.BREACHED).count() == len(subjects)
    assert Outbox.objects.filter(event="clock.breached").count() == 2 * len(subjects)  # owner and manager


def test_a_clock_without_owner_is_breached_silently(department):
    clocks.start(department, "hotline.callback", now=sh(2025, 11, 24, 10))
    assert scan.run(now=sh(2025, 11, 24, 12))["breached"] == 1
    assert not Outbox.objects.exists()


def test_the_periodic_task_runs_the_scan(department, engineer, monkeypatch):
    seen = {}

    def run(*, now):
        seen["now"] = now
        return {}

    monkeypatch.setattr(scan, "run", run)
    tasks.scan_clocks()
    assert seen["now"].tzinfo is not None


def test_the_scan_is_scheduled_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["deadline-scan"]
    assert entry == {"task": "kefu.deadlines.tasks.scan_clocks", "schedule": 60.0}


def test_issue13_7_a_scan_message_delivered_twice_scans_once(department, engineer):
    """Issue 13 §7 (CAL-5): a redelivered tick (acks_late after a lost worker) is skipped."""
    clocks.start(department, "hotline.callback", owner=engineer, now=sh(2025, 11, 24, 10))
    first = tasks.scan_clocks.apply(task_id="tick-1").get()
    again = tasks.scan_clocks.apply(task_id="tick-1").get()
    assert first["breached"] == 1
    assert again == {"skipped": 1}
    run = ScanRun.objects.get()
    assert (run.task_id, run.breached, run.escalated) == ("tick-1", 1, first["escalated"])
    assert run.finished_at >= run.started_at
    assert Event.objects.filter(verb="clock_breach").count() == 1


def test_issue13_7_every_tick_is_recorded_and_a_week_is_kept(department):
    """Issue 13 §7: one ScanRun per tick, with what it did; ticks older than 7 days are dropped."""
    old = scan.begin(now=sh(2025, 11, 1, 10), task_id="old", worker="celery@a")
    scan.finish(old, {"breached": 0}, now=sh(2025, 11, 1, 10))
    for i, worker in enumerate(["celery@a", "celery@b"]):
        run = scan.begin(now=sh(2025, 11, 24, 10, i), task_id=f"t{i}", worker=worker)
        scan.finish(run, scan.run(now=sh(2025, 11, 24, 10, i)), now=sh(2025, 11, 24, 10, i, 1))
    assert list(ScanRun.objects.order_by("started_at").values_list("task_id", "worker")) == [
        ("t0", "celery@a"),
        ("t1", "celery@b"),
    ]
