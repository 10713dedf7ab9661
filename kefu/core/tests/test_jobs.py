"""Background jobs through a real broker and a real Celery worker (issue 3, QS-4).

Default run: the SQLite (SQLAlchemy) transport in a temporary file, as `make demo` uses it.
CI's second run sets CELERY_BROKER_URL to Redis, so the same test covers Redis too.
"""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django.utils import timezone

from kefu.celery import app
from kefu.notify import outbox
from kefu.notify.models import Notification, Outbox

pytestmark = [pytest.mark.jobs, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def real_broker(tmp_path_factory):
    """One real worker for the module: restarting workers in one process trips kombu's pools."""
    url = (
        os.environ.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{tmp_path_factory.mktemp('broker') / 'broker.sqlite3'}"
    )
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "broker_transport_options")}
    app.conf.update(broker_url=url, task_always_eager=False)
    if url.startswith("sqla+"):
        app.conf.broker_transport_options = {}
    _reset_connections()
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
        yield url
    app.conf.update(saved)
    _reset_connections()


def _reset_connections() -> None:
    # The app caches its broker connection pool and the producer pool built on it. Drop the
    # references so fresh ones are built for the new broker URL; closing them instead left other
    # holders with a closed pool ("Acquire on closed pool").
    app._pool = None
    app.amqp._producer_pool = None


def wait_for(predicate, timeout: float = 30.0) -> bool:
    """Poll the database while the worker thread works (the worker is real, so time is too)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_qs4_outbox_row_is_delivered_by_a_real_worker_after_commit(real_broker, make_user, station_a):
    user = make_user("hotline")
    with transaction.atomic():
        # enqueue() queues the delivery job on commit, once however many rows were written.
        outbox.enqueue("jobs.hello", station_a, to=[user], subject="后台任务已送达", now=timezone.now())
        outbox.enqueue("jobs.hello2", station_a, to=[user], subject="第二条", now=timezone.now())
    assert wait_for(lambda: Notification.objects.filter(recipient=user).count() == 2), real_broker
    assert set(Outbox.objects.values_list("status", flat=True)) == {Outbox.Status.SENT}


def test_qs4_a_rolled_back_transition_queues_nothing(real_broker, make_user, station_a):
    user = make_user("hotline")
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue("jobs.rollback", station_a, to=[user], subject="不应送达", now=timezone.now())
        raise RuntimeError("transition failed")
    assert not Outbox.objects.exists()
    # A later, committed notification still arrives: the worker is alive and the queue clean.
    outbox.enqueue("jobs.after", station_a, to=[user], subject="送达", now=timezone.now())
    assert wait_for(lambda: Notification.objects.filter(recipient=user).count() == 1)
    assert Notification.objects.get().title == "送达"
