"""Generate deadline clocks for the benchmarks (CAL-5): by default 1 M running and 4 M
finished clocks over 2,000 owners, on the rules and calendars `migrate` seeds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench python bench/generate_clocks.py --scale 1

`--scale 0.1` writes a tenth (100 k running, 400 k finished). PostgreSQL gets the rows by
COPY, SQLite by executemany in large batches. Running clocks are due between the base
instant (--base, default 2025-11-24 10:00 Asia/Shanghai) and ten days later, so a scan
tick one minute after the base finds about running/14,400 newly overdue clocks, as a
real minute would. The subjects are departments that do not exist (only the ids matter
for the engine); the owners are bench users `bench_owner_<n>` with 40 managers.
Prints one JSON line with the counts and the time taken.
"""

import argparse
import io
import json
import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")

import django

django.setup()

# Models import only after django.setup().
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from kefu.deadlines.models import Clock, DeadlineRule  # noqa: E402
from kefu.deadlines.spec import RuleSpec  # noqa: E402
from kefu.org.models import Department, User  # noqa: E402

UTC = ZoneInfo("UTC")
RUNNING_FULL = 1_000_000
FINISHED_FULL = 4_000_000
BATCH = 50_000
COLUMNS = [
    "content_type_id",
    "object_id",
    "rule_id",
    "calendar_id",
    "owner_id",
    "kind",
    "spec",
    "escalations",
    "state",
    "started_at",
    "due_at",
    "warn_at",
    "warned_at",
    "next_escalation_at",
    "escalated_through",
    "paused_at",
    "paused_for",
    "pauses",
    "met_at",
    "breached_at",
]


def owners(n: int) -> list[int]:
    """n bench users; every 50th is the manager of the next 49 (service-manager role)."""
    existing = dict(User.objects.filter(username__startswith="bench_owner_").values_list("username", "pk"))
    missing = [f"bench_owner_{i}" for i in range(n) if f"bench_owner_{i}" not in existing]
    User.objects.bulk_create(
        [User(username=name, name=f"压测{name[12:]}", password="!", is_active=True) for name in missing],  # noqa: S106 -- unusable
        batch_size=1000,
    )
    ids = dict(User.objects.filter(username__startswith="bench_owner_").values_list("username", "pk"))
    ordered = [ids[f"bench_owner_{i}"] for i in range(n)]
    managers = ordered[::50]
    manager_group, _ = Group.objects.get_or_create(name="service_manager")
    manager_group.user_set.add(*managers)
    with transaction.atomic():
        for i, pk in enumerate(ordered):
            if i % 50:
                User.objects.filter(pk=pk, manager__isnull=True).update(manager_id=ordered[i - i % 50])
    return ordered


def iso(value: datetime | None) -> str | None:
    """UTC text as each backend stores it: with the offset for PostgreSQL, naive for SQLite."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return str(value if connection.vendor == "postgresql" else value.replace(tzinfo=None))


def rows(count: int, *, running: bool, first_id: int, base: datetime, owner_ids, rules, ct_id, rng):
    """Yield `count` rows as tuples in COLUMNS order."""
    horizon = 10 * 24 * 3600
    for i in range(count):
        rule = rules[rng.randrange(len(rules))]
        started = base - timedelta(seconds=rng.randrange(3 * 24 * 3600)) if running else None
        escalations = rule["escalations"]
        if running:
            due = base + timedelta(seconds=rng.randrange(1, horizon))
            roll = rng.random()
            state, paused_at, breached_at = "running", None, None
            if roll < 0.03:
                state, paused_at = "paused", base - timedelta(minutes=rng.randrange(1, 600))
            elif roll < 0.05:
                due = base - timedelta(seconds=rng.randrange(60, 3 * 24 * 3600))
                state, breached_at = "breached", due + timedelta(minutes=1)
            warn = started + (due - started) * 0.8 if state == "running" else None
            warned = None
            if warn is not None and warn <= base:
                warn, warned = None, base - timedelta(minutes=1)
            # Levels whose moment is before the base have fired already.
            through, next_escalation = None, None
            for offset, _notify in escalations:
                if due + timedelta(minutes=offset) <= base:
                    through = offset
                else:
                    next_escalation = due + timedelta(minutes=offset)
                    break
            met = None
        else:
            started = base - timedelta(seconds=rng.randrange(365 * 24 * 3600))
            due = started + timedelta(hours=rng.randrange(1, 200))
            met = started + timedelta(seconds=rng.randrange(1, int((due - started).total_seconds() * 1.2)))
            state, paused_at, warn, warned, next_escalation, through = "met", None, None, None, None, None
            breached_at = due if met > due else None
        yield (
            ct_id,
            str(first_id + i),
            rule["id"],
            rule["calendar_id"],
            owner_ids[rng.randrange(len(owner_ids))],
            rule["kind"],
            rule["spec"],
            json.dumps(escalations),
            state,
            iso(started),
            iso(due),
            iso(warn),
            iso(warned),
            iso(next_escalation),
            through,
            iso(paused_at),
            0,
            "[]",
            iso(met),
            iso(breached_at),
        )


def write_postgres(batch_rows) -> None:
    buffer = io.StringIO()
    for row in batch_rows:
        buffer.write(
            "\t".join(
                "\\N" if v is None else (f"{v} seconds" if i == 16 else str(v).replace("\\", "\\\\"))
                for i, v in enumerate(row)
            )
        )
        buffer.write("\n")
    with connection.cursor() as cursor:
        table = Clock._meta.db_table
        with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())


def write_sqlite(batch_rows) -> None:
    table = Clock._meta.db_table
    marks = ", ".join(["%s"] * len(COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({marks})", list(batch_rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 1 M running + 4 M finished")
    parser.add_argument("--owners", type=int, default=2000)
    parser.add_argument("--base", default="2025-11-24T10:00:00+08:00")
    parser.add_argument("--seed", type=int, default=20251124)
    args = parser.parse_args()

    began = time.perf_counter()
    rng = random.Random(args.seed)
    base = datetime.fromisoformat(args.base)
    owner_ids = owners(args.owners)
    ct_id = ContentType.objects.get_for_model(Department).pk
    rules = []
    for rule in DeadlineRule.objects.prefetch_related("escalations"):
        spec = {**RuleSpec.of_rule(rule).to_json(), "warn_ratio": rule.effective_warn_ratio}
        levels = sorted([e.offset_minutes, e.notify] for e in rule.escalations.all())
        rules.append(
            {
                "id": rule.pk,
                "calendar_id": rule.calendar_id,
                "kind": rule.kind,
                "spec": json.dumps(spec),
                "escalations": levels,
            }
        )
    running = round(RUNNING_FULL * args.scale)
    finished = round(FINISHED_FULL * args.scale)
    write = write_postgres if connection.vendor == "postgresql" else write_sqlite
    offset = (Clock.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) * 10 + 1
    written = 0
    for count, is_running in ((running, True), (finished, False)):
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            with transaction.atomic():
                write(
                    rows(
                        size,
                        running=is_running,
                        first_id=offset + written,
                        base=base,
                        owner_ids=owner_ids,
                        rules=rules,
                        ct_id=ct_id,
                        rng=rng,
                    )
                )
            written += size
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Clock._meta.db_table}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        json.dumps(
            {
                "bench": "deadlines.generate_clocks",
                "value": round(time.perf_counter() - began, 1),
                "unit": "s",
                "n": written,
                "db": connection.vendor,
                "command": "python bench/generate_clocks.py " + " ".join(sys.argv[1:]),
                "running": running,
                "finished": finished,
                "owners": len(owner_ids),
            }
        )
    )


if __name__ == "__main__":
    main()
