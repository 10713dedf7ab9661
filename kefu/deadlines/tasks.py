"""Background jobs of the deadline engine. They only pass `now` and call the engine."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from kefu.deadlines import recompute, scan


@shared_task(name="kefu.deadlines.tasks.scan_clocks", ignore_result=True)
def scan_clocks() -> dict[str, int]:
    """Every minute (beat): breach, warn and escalate (CAL-5)."""
    return scan.run(now=timezone.now())


@shared_task(name="kefu.deadlines.tasks.recompute_calendar", ignore_result=True)
def recompute_calendar(calendar_id: int, first: str | None = None, last: str | None = None) -> int:
    """Queued on commit by a calendar edit: recompute the clocks it affects."""
    return recompute.recompute_calendar(
        calendar_id,
        now=timezone.now(),
        first=date.fromisoformat(first) if first else None,
        last=date.fromisoformat(last) if last else None,
    )
