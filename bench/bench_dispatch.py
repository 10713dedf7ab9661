"""Dispatch benchmarks (OS-1, QS-3). Run against a scratch database (it writes demo rows):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench python bench/bench_dispatch.py

Prints one JSON line per figure:
- fieldservice.board_p95: the dispatch board view (500 waiting orders, 200 engineers with
  today's load), p95 over --samples renders; `queries` is the query count of one render;
- fieldservice.concurrent_dispatch_succeeded: 50 dispatch attempts on 10 verified orders from
  --procs processes at once; must be exactly 10 (the conditional UPDATE);
- fieldservice.concurrent_dispatch_p95: p95 latency of those attempts (won or lost).
"""

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")

import django

django.setup()

from django.core.signals import request_finished  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from kefu.fieldservice import workflow  # noqa: E402
from kefu.fieldservice.models import WorkOrder  # noqa: E402
from kefu.org.models import User  # noqa: E402
from kefu.org.tests.factories import UserFactory  # noqa: E402

COMMAND = "python bench/bench_dispatch.py"


def emit(bench: str, value: float, unit: str, n: int, **extra) -> None:
    line = {"bench": bench, "value": value, "unit": unit, "n": n, "db": connection.vendor, "command": COMMAND}
    print(json.dumps(line | extra), flush=True)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def team():
    # Factory usernames restart at user0 in each process; continue after the existing rows.
    UserFactory.reset_sequence(User.objects.count() + 1000)
    manager = User.objects.filter(username="bench_manager").first() or UserFactory(
        roles=["service_manager"], username="bench_manager", name="压测经理"
    )
    hotline = User.objects.filter(username="bench_hotline").first() or UserFactory(
        roles=["hotline"], username="bench_hotline", manager=manager
    )
    engineers = list(User.objects.filter(username__startswith="bench_fe_").order_by("pk"))
    for i in range(len(engineers), 200):
        engineers.append(UserFactory(roles=["field_engineer"], username=f"bench_fe_{i:03d}", name=f"工程师{i}"))
    return manager, hotline, engineers


def waiting_orders(n: int, *, manager, hotline, verified: bool) -> list[WorkOrder]:
    from kefu.servicedesk.tests.factories import new_request

    now = timezone.now()
    orders = []
    for i in range(n):
        req = new_request(by=hotline, now=now, title=f"压测上门申请 {i}")
        order = workflow.request_onsite(req, reason="压测：需上门", by=hotline, now=now)
        if verified:
            workflow.verify(order, by=manager, now=now)
        orders.append(order)
    return orders


def board(samples: int, manager) -> None:
    waiting = WorkOrder.objects.filter(status__in=workflow.WAITING).count()
    if waiting < 500:
        waiting_orders(
            500 - waiting, manager=manager, hotline=User.objects.get(username="bench_hotline"), verified=False
        )
    # As Django's test runner does: keep the connection (and its query log) across requests.
    request_finished.disconnect(close_old_connections)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(manager)
    client.get("/fieldservice/board/")
    with CaptureQueriesContext(connection) as ctx:
        status = client.get("/fieldservice/board/").status_code
    if status != 200:
        raise SystemExit(f"board answered {status}")
    timings = []
    for _ in range(samples):
        began = time.perf_counter()
        client.get("/fieldservice/board/")
        timings.append((time.perf_counter() - began) * 1000)
    emit(
        "fieldservice.board_p95",
        round(p95(timings), 1),
        "ms",
        WorkOrder.objects.filter(status__in=workflow.WAITING).count(),
        engineers=User.objects.filter(groups__name="field_engineer").count(),
        queries=len(ctx.captured_queries),
    )


def _attempt(args) -> tuple[bool, float]:
    order_pk, engineer_pk, manager_pk, barrier = args
    from django.db import connection as conn

    from kefu.core.errors import Conflict

    conn.close()
    order = WorkOrder.objects.get(pk=order_pk)
    engineer, manager = User.objects.get(pk=engineer_pk), User.objects.get(pk=manager_pk)
    barrier.wait()
    began = time.perf_counter()
    try:
        workflow.dispatch(order, engineer, by=manager, now=timezone.now())
        won = True
    except Conflict:
        won = False
    return won, (time.perf_counter() - began) * 1000


def _worker(jobs, barrier, out) -> None:
    django.db.connections.close_all()
    for order_pk, engineer_pk, manager_pk in jobs:
        out.put(_attempt((order_pk, engineer_pk, manager_pk, barrier)))
    django.db.connections.close_all()


def concurrent(procs: int, manager, engineers) -> None:
    orders = waiting_orders(10, manager=manager, hotline=User.objects.get(username="bench_hotline"), verified=True)
    attempts = [(orders[i % 10].pk, engineers[i % len(engineers)].pk, manager.pk) for i in range(50)]
    per_proc = [attempts[i::procs] for i in range(procs)]
    rounds = max(len(p) for p in per_proc)
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(procs), ctx.Queue()
    for jobs in per_proc:  # equal rounds so the barrier lines every round up
        jobs.extend([jobs[-1]] * (rounds - len(jobs)))
    django.db.connections.close_all()
    workers = [ctx.Process(target=_worker, args=(jobs, barrier, out)) for jobs in per_proc]
    for w in workers:
        w.start()
    results = [out.get() for _ in range(procs * rounds)]
    for w in workers:
        w.join()
    won = sum(1 for ok, _ms in results if ok)
    dispatched = WorkOrder.objects.filter(pk__in=[o.pk for o in orders], status=WorkOrder.Status.DISPATCHED).count()
    emit(
        "fieldservice.concurrent_dispatch_succeeded",
        won,
        "count",
        len(results),
        orders=10,
        procs=procs,
        dispatched=dispatched,
    )
    emit(
        "fieldservice.concurrent_dispatch_p95",
        round(p95([ms for _ok, ms in results]), 1),
        "ms",
        len(results),
        procs=procs,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--procs", type=int, default=10)
    args = parser.parse_args()
    manager, _hotline, engineers = team()
    board(args.samples, manager)
    concurrent(args.procs, manager, engineers)


if __name__ == "__main__":
    main()
