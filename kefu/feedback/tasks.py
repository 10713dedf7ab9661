from celery import shared_task
from django.utils import timezone

from kefu.feedback import workflow


@shared_task(name="kefu.feedback.tasks.collect", ignore_result=True)
def collect() -> int:
    """Every 5 minutes: the new comments of surveys and results of return visits (FB-1)."""
    return workflow.collect(now=timezone.now())
