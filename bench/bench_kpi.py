"""The KPI dashboard at scale (RPT-2, issue 15 §6): one JSON line per figure.

Uses the requests database of `bench_requests.py` (N requests with their first-response and
shelved-reply clocks, generated if missing) and adds a year of call logs (HL-8: ~300 a working
day). Then measures, as the service manager sees them, for one month and for twelve months
(a custom range of 365 days):

- the daily aggregates: every day of the history built once (resumable: days already built are
  kept), the time to rebuild one day (p50 / p95 / max over the days built) and in all;
- each figure's selector (p95 over --repeat runs), with its trend where it has one (with
  `--figures`: read live they take minutes at 1 M);
- the whole dashboard (`kit.compute`: every figure, table and the 12-period trends) p95;
- the page through Django's test client p95 (and its query count), from the aggregates; with
  `--live R`, the dashboard counted live R times, as before the aggregates, for comparison.

    python bench/bench_kpi.py --requests 200000                 # SQLite, $KEFU_VAR_DIR/bench-requests.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_requests python bench/bench_kpi.py
"""

import argparse
import random
import sys
from datetime import datetime, time, timedelta
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import bench_requests as br  # sets up Django on the bench database (before any model import)

CALLS_PER_DAY = 300


def calls(days: int, *, now: datetime) -> int:
    """A year of incoming calls (HL-8), once: ~300 a day over 8 hotline engineers."""
    from django.db import transaction

    from kefu.org.models import User
    from kefu.servicedesk.models import CallLog

    if CallLog.objects.filter(external_id__startswith="bench-").exists():
        return 0
    engineers = list(User.objects.filter(is_active=True).values_list("pk", flat=True)[:8])
    rnd = random.Random(15)
    rows = []
    for d in range(days):
        day = (now - timedelta(days=d)).astimezone(br.SH).date()
        for i in range(CALLS_PER_DAY if day.weekday() < 5 else CALLS_PER_DAY // 5):
            at = datetime.combine(day, time(8), tzinfo=br.SH) + timedelta(seconds=rnd.randint(0, 12 * 3600))
            rows.append(
                CallLog(
                    at=at,
                    caller_phone=f"139{rnd.randint(0, 99_999_999):08d}",
                    engineer_id=engineers[i % len(engineers)],
                    answered=rnd.random() < 0.92,
                    duration=rnd.randint(30, 900),
                    source="import",
                    external_id=f"bench-{d}-{i}",
                )
            )
    with transaction.atomic():
        CallLog.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def timed(fn, repeat: int) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(repeat):
        t = perf_counter()
        result = fn()
        samples.append(perf_counter() - t)
    return br.p95(samples), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--figures", action="store_true", help="also time each figure and table")
    parser.add_argument("--live", type=int, default=0, help="also time the dashboard counted live, this many times")
    args = parser.parse_args()
    n = args.requests
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)

    from kefu.kpi.report import KPI
    from kefu.org.demo_data import _load_org
    from kefu.org.models import Region, User
    from kefu.reports import kit, periods

    if not Region.objects.exists():
        call_command("loaddata", "regions", verbosity=0)
    with transaction.atomic():
        _load_org(now=timezone.now())
    t = perf_counter()
    written = br.generate(n, max(n // 10, 10))
    if written:
        br.emit("kpi.generate_requests", round(perf_counter() - t, 1), "s", n, written=written)
    now = timezone.now()
    t = perf_counter()
    made = calls(365, now=now)
    if made:
        br.emit("kpi.generate_calls", round(perf_counter() - t, 1), "s", n, calls=made)
    manager = User.objects.get(username="service_manager")
    tz = periods.company_zone()
    today = now.astimezone(tz).date()
    build_days(now=now, today=today, n=n)
    spans = {
        "month": periods.containing(periods.MONTH, today, tz).back(),
        "year": periods.Period(periods.CUSTOM, today - timedelta(days=365), today - timedelta(days=1), tz),
    }
    for name, period in spans.items():
        ctx = kit.Context(user=manager, period=period, filters={}, now=now)

        def fresh(live: bool, period=period):
            # A new context per view, as a page gets; `live`: no built day seen, all counted live.
            return kit.Context(user=manager, period=period, filters={}, now=now, memo={"kpi.built": {}} if live else {})

        ms, _c = timed(lambda fresh=fresh: kit.compute(KPI, fresh(False)), args.repeat)
        br.emit(f"kpi.{name}.aggregates.dashboard_p95", ms, "ms", n, figures=len(KPI.figures))
        measure_page(f"kpi.{name}.aggregates", manager, period, args.repeat, n)
        if args.live:
            ms, _c = timed(lambda fresh=fresh: kit.compute(KPI, fresh(True)), args.live)
            br.emit(f"kpi.{name}.live.dashboard_p95", ms, "ms", n, figures=len(KPI.figures), repeat=args.live)
        if not args.figures:
            continue
        for fig in KPI.figures:
            ms, value = timed(lambda fig=fig, ctx=ctx: fig.compute(ctx), args.repeat)
            br.emit(f"kpi.{name}.{fig.key}_p95", ms, "ms", n, figure=value.value, base=value.base)
        for table in KPI.tables:
            ms, _rows = timed(lambda table=table, ctx=ctx: table.rows(ctx), args.repeat)
            br.emit(f"kpi.{name}.table.{table.key}_p95", ms, "ms", n)


def build_days(*, now, today, n) -> None:
    """Every day of the generated history built once (the nightly job's work; resumable)."""
    from kefu.kpi.aggregates import STORE
    from kefu.reports import aggregates
    from kefu.reports.models import AggregateDay
    from kefu.servicedesk.models import ServiceRequest

    first = ServiceRequest.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None:
        return
    built = set(AggregateDay.objects.filter(store=STORE.key, built_at__isnull=False).values_list("day", flat=True))
    day, samples, rows = first.astimezone(br.SH).date(), [], 0
    t0 = perf_counter()
    while day <= today:
        if day not in built:
            t = perf_counter()
            rows += aggregates.rebuild(STORE, day, now=now) or 0
            samples.append(perf_counter() - t)
        day += timedelta(days=1)
    if samples:
        samples.sort()
        extra = {"days": len(samples), "rows": rows}
        br.emit("kpi.rebuild_day_p50", round(1000 * samples[len(samples) // 2], 1), "ms", n, **extra)
        br.emit("kpi.rebuild_day_p95", br.p95(samples), "ms", n, **extra)
        br.emit("kpi.rebuild_day_max", round(1000 * samples[-1], 1), "ms", n, **extra)
        br.emit("kpi.rebuild_all_days", round(perf_counter() - t0, 1), "s", n, **extra)


def measure_page(name, manager, period, repeat, n) -> None:
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client

    client = Client(SERVER_NAME="localhost")
    client.force_login(manager)
    query = QueryDict(mutable=True)
    query.update(period.params())
    url = f"/reports/kpi/?{query.urlencode()}"
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
        response = client.get(url)
    br.check(response.status_code == 200, response.status_code)
    ms, response = timed(lambda: client.get(url), repeat)
    br.emit(f"{name}.page_p95", ms, "ms", n, queries=len(queries))


if __name__ == "__main__":
    main()
