from celery import shared_task
from django.utils import timezone

from kefu.servicedesk.workflow import start_due_handovers


@shared_task(name="kefu.servicedesk.tasks.start_handovers", ignore_result=True)
def start_handovers() -> int:
    """Every minute: each shift that has begun gets its 30-minute handover clock (HL-2)."""
    return start_due_handovers(now=timezone.now())
