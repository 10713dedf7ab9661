from celery import shared_task
from django.utils import timezone

from kefu.complaints.workflow import open_monthly_report as _open


@shared_task(name="kefu.complaints.tasks.open_monthly_report", ignore_result=True)
def open_monthly_report() -> int:
    """Hourly (CP-8): the current month's analysis report exists, its clock on the supervisor."""
    return _open(now=timezone.now()).pk
