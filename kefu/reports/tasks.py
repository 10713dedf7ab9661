from celery import shared_task
from django.utils import timezone

from kefu.reports import subscriptions


@shared_task(name="kefu.reports.tasks.send_subscriptions", ignore_result=True)
def send_subscriptions() -> int:
    """Every minute: subscribed reports whose time has come, each slot sent once (issue 15)."""
    return subscriptions.run(timezone.now())
