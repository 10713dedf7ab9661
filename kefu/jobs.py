"""One way to start background work: `enqueue()` after the current transaction commits.

A task queued inside a transaction that later rolls back would act on rows that never
existed; on_commit prevents that. The same task with the same arguments is queued once per
transaction, however often a transition asks. If the broker is unreachable nothing is lost
for notifications: the periodic outbox sweep delivers whatever is still pending.
"""

import logging
from typing import Any

from celery import Task
from django.db import connection, transaction

log = logging.getLogger(__name__)


def enqueue(task: Task, *args: Any, **kwargs: Any) -> None:
    key = (task.name, args, tuple(sorted(kwargs.items())))
    if connection.in_atomic_block and any(
        getattr(func, "kefu_job_key", None) == key for _sids, func, _robust in connection.run_on_commit
    ):
        return

    def send() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception as exc:  # broker down: the periodic sweeps pick the work up later
            log.warning("could not enqueue %s (%s); the periodic sweep will retry", task.name, exc)

    send.kefu_job_key = key
    transaction.on_commit(send)
