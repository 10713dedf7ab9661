from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from kefu.notify.outbox import deliver_pending


# A locked or briefly unreachable database is retried; anything left is swept again by beat.
@shared_task(
    name="kefu.notify.tasks.deliver_outbox",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def deliver_outbox() -> dict[str, int]:
    """Deliver pending notifications; queued on commit and swept every 15 s by beat."""
    return deliver_pending(now=timezone.now())
