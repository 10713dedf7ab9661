from celery import shared_task
from django.utils import timezone

from kefu.notify.outbox import deliver_pending


@shared_task(name="kefu.notify.tasks.deliver_outbox", ignore_result=True)
def deliver_outbox() -> dict[str, int]:
    """Deliver pending notifications; queued on commit and swept every 15 s by beat."""
    return deliver_pending(now=timezone.now())
