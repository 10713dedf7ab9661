from celery import shared_task
from django.utils import timezone


@shared_task(name="kefu.customers.tasks.import_customers", ignore_result=True)
def import_customers(job_id: int) -> None:
    """A large Excel import (CRM-6), queued on commit by excel.start_import."""
    from kefu.customers.excel import run_import

    run_import(job_id, now=timezone.now())
