"""Background jobs of the deadline engine. They only pass `now` and call the engine."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from kefu.deadlines import recompute, scan


@shared_task(bind=True, name="kefu.deadlines.tasks.scan_clocks", ignore_result=True)
def scan_clocks(self) -> dict[str, int]:
    """Every minute (beat): breach, warn and escalate (CAL-5), once per message (ScanRun)."""
    now = timezone.now()
    scan_run = scan.begin(now=now, task_id=self.request.id, worker=self.request.hostname or "")
    if scan_run is None:
        return {"skipped": 1}
    counts = scan.run(now=now)
    scan.finish(scan_run, counts, now=timezone.now())
    return counts


@shared_task(name="kefu.deadlines.tasks.recompute_calendar", ignore_result=True)
def recompute_calendar(calendar_id: int, first: str | None = None, last: str | None = None) -> int:
    """Queued on commit by a calendar edit: recompute the clocks it affects."""
    return recompute.recompute_calendar(
        calendar_id,
        now=timezone.now(),
        first=date.fromisoformat(first) if first else None,
        last=date.fromisoformat(last) if last else None,
    )
