"""The Celery application: broker and schedule come from kefu.settings (CELERY_*)."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")

app = Celery("kefu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _first_heartbeat(**kwargs) -> None:
    # /healthz reports the jobs "ok" from the worker's start, not only after beat's first minute.
    from kefu.core.tasks import heartbeat

    heartbeat.delay()
