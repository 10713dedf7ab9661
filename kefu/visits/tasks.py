from celery import shared_task
from django.utils import timezone

from kefu.visits.workflow import generate_due


@shared_task(name="kefu.visits.tasks.generate_visits", ignore_result=True)
def generate_visits() -> dict[str, int]:
    """Daily (RV-8): open scheduled visits whose day has come, create care calls and inspections."""
    return generate_due(now=timezone.now())
