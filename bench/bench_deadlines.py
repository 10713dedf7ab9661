"""Deadline engine benchmarks on a database filled by bench/generate_clocks.py (CAL-5, RPT-1).

Prints one JSON line per figure:
- deadlines.breach_scan_tick: one scan tick (breach + warn + escalate, audit events and
  outbox rows included) one minute after the generator's base instant, i.e. with the
  clocks that became overdue in that minute; median of the repeats, each rolled back;
- deadlines.breach_scan_idle_tick: a tick with nothing due (the cost of the indexed queries);
- deadlines.workbench_query_p95: the workbench panel query for one owner (50 open clocks by
  due time, rule, owner and subjects loaded), p95 over random owners, first with a cold
  cache (first touch of those rows), then warm (the same owners again);
- deadlines.workbench_team_query_p95: the same for a manager's team (50 reports).
`n` is the number of running clocks in the database.

    python bench/bench_deadlines.py [--base 2025-11-24T10:00:00+08:00] [--samples 200] [--scan-only]
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")

import django

django.setup()

# Models import only after django.setup().
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from kefu.deadlines import scan, selectors  # noqa: E402
from kefu.deadlines.models import Clock, ClockState  # noqa: E402
from kefu.notify.models import Notification, Outbox  # noqa: E402
from kefu.org.models import User  # noqa: E402


def emit(bench: str, value: float, unit: str, n: int, command: str, **extra) -> None:
    line = {"bench": bench, "value": value, "unit": unit, "n": n, "db": connection.vendor, "command": command}
    loadavg = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else ""
    print(json.dumps(line | extra | {"loadavg": loadavg}), flush=True)


def tick(now: datetime, repeats: int) -> tuple[float, dict]:
    """Median ms of a scan tick at `now`; every repeat is rolled back so all see the same data.

    The counts say what the tick did: clocks handled per step, the outbox rows (notifications)
    and bell items it wrote, and the SQL statements it ran.
    """
    timings, counts = [], {}
    for _ in range(repeats):
        with transaction.atomic():
            outbox_before, bell_before = Outbox.objects.count(), Notification.objects.count()
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                counts = scan.run(now=now)
                timings.append((time.perf_counter() - began) * 1000)
            counts |= {
                "notifications": Outbox.objects.count() - outbox_before,
                "bell_items": Notification.objects.count() - bell_before,
                "statements": len(queries),
            }
            transaction.set_rollback(True)
    return statistics.median(timings), counts


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def workbench(users: list[User], *, team: bool, now: datetime) -> float:
    timings = []
    for user in users:
        began = time.perf_counter()
        selectors.decorate(selectors.rows(selectors.clocks_for(user, team=team), limit=51), now)
        timings.append((time.perf_counter() - began) * 1000)
    return p95(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="2025-11-24T10:00:00+08:00")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--scan-only", action="store_true", help="only the two scan-tick figures")
    args = parser.parse_args()
    command = "python bench/bench_deadlines.py " + " ".join(sys.argv[1:])
    base = datetime.fromisoformat(args.base)
    rng = random.Random(7)

    running = Clock.objects.filter(state=ClockState.RUNNING).count()
    tick(base + timedelta(minutes=1), 1)  # warm the caches
    ms, counts = tick(base + timedelta(minutes=1), args.repeats)
    emit("deadlines.breach_scan_tick", round(ms, 1), "ms", running, command, handled=counts)
    ms, counts = tick(base - timedelta(minutes=1), args.repeats)
    emit("deadlines.breach_scan_idle_tick", round(ms, 2), "ms", running, command, handled=counts)
    if args.scan_only:
        return

    owners = list(User.objects.filter(username__startswith="bench_owner_", manager__isnull=False))
    if len(owners) < 2:
        sys.exit("no bench owners: fill the database with bench/generate_clocks.py first")
    managers = list(User.objects.filter(username__startswith="bench_owner_", manager__isnull=True))
    for user in owners + managers:
        user.role_keys  # noqa: B018 -- load the roles once, as a request's user has them
    sample = rng.sample(owners, min(args.samples, len(owners)))
    per_owner = round(running / max(len(owners) + len(managers), 1))
    # First touch of each owner's rows (cold cache), then the same owners again (warm: an
    # active user's open clocks stay in the database cache).
    cold = workbench(sample, team=False, now=base)
    warm = workbench(sample, team=False, now=base)
    emit(
        "deadlines.workbench_query_p95",
        round(cold, 2),
        "ms",
        running,
        command,
        cache="cold",
        clocks_per_owner=per_owner,
    )
    emit(
        "deadlines.workbench_query_p95",
        round(warm, 2),
        "ms",
        running,
        command,
        cache="warm",
        clocks_per_owner=per_owner,
    )
    team_sample = rng.sample(managers, min(args.samples, len(managers)))
    cold = workbench(team_sample, team=True, now=base)
    warm = workbench(team_sample, team=True, now=base)
    emit("deadlines.workbench_team_query_p95", round(cold, 2), "ms", running, command, cache="cold", team_size=50)
    emit("deadlines.workbench_team_query_p95", round(warm, 2), "ms", running, command, cache="warm", team_size=50)


if __name__ == "__main__":
    main()
