"""manage.py rebuild_aggregates [--store kpi] [--from 2025-01-01] [--to 2025-12-31] (issue 15).

Rebuilds the daily aggregates of a range of days (default: the last 35 days up to today), each
day claimed like the job's, so it is safe while the workers run."""

from datetime import date, timedelta
from time import perf_counter

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kefu.reports import aggregates, periods


class Command(BaseCommand):
    help = "Rebuild daily report aggregates for a range of days."

    def add_arguments(self, parser):
        parser.add_argument("--store", action="append", help="store key (default: every store)")
        parser.add_argument("--from", dest="first", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="last", help="last day, YYYY-MM-DD (default today)")

    def handle(self, *args, store=None, first=None, last=None, **options):
        now = timezone.now()
        tz = periods.company_zone()
        try:
            last_day = date.fromisoformat(last) if last else now.astimezone(tz).date()
            first_day = date.fromisoformat(first) if first else last_day - timedelta(days=34)
        except ValueError as exc:
            raise CommandError(f"bad date: {exc}") from exc
        keys = store or sorted(aggregates.STORES)
        for key in keys:
            if key not in aggregates.STORES:
                raise CommandError(f"no store {key!r}; stores: {', '.join(sorted(aggregates.STORES))}")
            t = perf_counter()
            done = aggregates.rebuild_range(aggregates.get(key), first_day, last_day, now=now, tz=tz)
            skipped = sum(1 for n in done.values() if n is None)
            rows = sum(n for n in done.values() if n)
            self.stdout.write(
                f"{key}: {len(done) - skipped} days rebuilt ({rows} rows), {skipped} held by another worker, "
                f"{perf_counter() - t:.1f}s"
            )
