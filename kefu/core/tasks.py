from celery import shared_task
from django.utils import timezone

from kefu.core.exports import run_export  # noqa: F401 (registered here for the worker)
from kefu.core.models import Heartbeat


@shared_task(name="kefu.core.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Proves to /healthz that the worker and the scheduler are alive."""
    Heartbeat.objects.update_or_create(name="worker", defaults={"beat_at": timezone.now()})
