"""`kill -9` of a real Celery worker mid-delivery: nothing lost, in-app never doubled, the robot
message in flight sent again within the claim timeout (issue 13 §6, NT-1, QS-4).

Two real worker processes (`celery -A kefu worker`, one after the other, as in the embedded
topology) on the test database: the SQLite file, or PostgreSQL when DATABASE_URL is set. The
broker is a SQLite file of the test's own (the SQLite-backed default), so no other test's
worker can take these tasks, whatever CELERY_BROKER_URL says. The robot is a local HTTP server
that counts what it receives and holds one message open until the worker is killed.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.parse
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection, transaction

from kefu.celery import app
from kefu.notify import outbox
from kefu.notify.models import Notification, Outbox
from kefu.notify.tasks import deliver_outbox
from kefu.notify.tests.robot_server import RobotServer

pytestmark = [
    pytest.mark.jobs,
    pytest.mark.django_db(transaction=True),
]

ITEMS = 40  # occurrences, each: in-app to two users and one dispatch-group robot message
IN_FLIGHT = "T-020"  # the robot message being sent when the worker is killed
CLAIM_TIMEOUT = 2  # seconds, for the workers; production: 30


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    quote = urllib.parse.quote
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def broker(tmp_path, monkeypatch):
    """A SQLite broker of this test's own, for the test process (it queues the delivery job on
    commit and plays beat's 15-second sweep) and for the workers. Celery reads the
    CELERY_BROKER_URL environment variable before its configuration (CI's PostgreSQL + Redis
    run sets it), so it goes for the test."""
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_READ_URL", raising=False)
    url = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    keys = ("broker_url", "task_always_eager", "broker_transport_options")
    saved = {k: app.conf[k] for k in keys}
    app.conf.update(broker_url=url, task_always_eager=False, broker_transport_options={})
    _reset_connections()
    yield url
    app.conf.update(saved)
    _reset_connections()


def _reset_connections() -> None:
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def workers(broker, tmp_path):
    """start(name, robot_url) → a `celery worker` process; every one still running is stopped
    (and its database connection closed) before the test database is flushed."""
    started = []

    def start(name: str, robot_url: str) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KEFU_", "CELERY_", "PYTEST_"))}
        env |= {
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": broker,
            "KEFU_TESTING": "false",
            "KEFU_JOBS_EAGER": "false",
            "KEFU_VAR_DIR": str(settings.VAR_DIR),
            "KEFU_SECRET_KEY": "worker-kill-test",
            "KEFU_OUTBOX_CLAIM_TIMEOUT": str(CLAIM_TIMEOUT),
            "KEFU_DISPATCH_ROBOT_URL": robot_url,
            "KEFU_LOG_LEVEL": "WARNING",
        }
        log = open(tmp_path / f"worker-{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "celery", "-A", "kefu", "worker", "-P", "solo", "-l", "WARNING",
             "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        process.log = log
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        process.log.close()


def _kill_9(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)  # the worker and anything it started
    process.wait()


def _logs(tmp_path) -> str:
    return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(tmp_path.glob("worker-*.log")))


def test_i13_6_kill_9_mid_delivery_loses_nothing_and_doubles_no_in_app_notice(
    workers, make_user, station_a, now, tmp_path
):
    users = [make_user("hotline"), make_user("service_manager")]
    with RobotServer(stall_on=f"【{IN_FLIGHT}】") as robot:
        worker_a = workers("a", robot.url)
        with transaction.atomic():  # one transition notifying about many items
            for i in range(1, ITEMS + 1):
                outbox.enqueue(
                    "kill.test", station_a, key=f"kill.test:{i}", to=users, group="dispatch",
                    subject=f"派单 {i}", ref=f"T-{i:03d}", now=now,
                )  # fmt: skip
        # On commit the delivery job went to the broker; worker a takes it and stalls on T-020.
        assert robot.stalled.wait(30), _logs(tmp_path)
        in_flight = Outbox.objects.get(channel=Outbox.Channel.ROBOT, ref=IN_FLIGHT)
        assert in_flight.status == Outbox.Status.SENDING
        assert Outbox.objects.filter(status=Outbox.Status.PENDING).exists()  # mid-delivery

        _kill_9(worker_a)
        robot.release.set()
        workers("b", robot.url)

        def all_sent() -> bool:
            return not Outbox.objects.exclude(status=Outbox.Status.SENT).exists()

        deadline = time.monotonic() + 60
        while not all_sent() and time.monotonic() < deadline:
            deliver_outbox.apply_async()  # beat's sweep, every half second instead of 15 s
            robot.release.wait(0.5)
        assert all_sent(), (Counter(Outbox.objects.values_list("status", flat=True)), _logs(tmp_path))

    # In-app: exactly once per row and per person and item.
    inapp = Outbox.objects.filter(channel=Outbox.Channel.INAPP)
    assert inapp.count() == ITEMS * len(users)
    assert Notification.objects.count() == inapp.count()
    per_person = Counter(Notification.objects.values_list("recipient", "title"))
    assert set(per_person.values()) == {1} and len(per_person) == ITEMS * len(users)
    # Robot: every item at least once; a repeat only for the message in flight at the kill,
    # recognisable by its item number and notice number.
    received = {f"T-{i:03d}": robot.count(f"【T-{i:03d}】") for i in range(1, ITEMS + 1)}
    assert min(received.values()) >= 1
    assert {ref: n for ref, n in received.items() if n > 1} == {IN_FLIGHT: 2}
    assert {pk: n for pk, n in robot.notices().items() if n > 1} == {in_flight.pk: 2}
    in_flight.refresh_from_db()
    assert in_flight.attempts == 2
