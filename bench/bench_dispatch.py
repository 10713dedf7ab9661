"""Dispatch benchmarks (OS-1, QS-3). Run against a scratch database (it writes demo rows):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench python bench/bench_dispatch.py

Prints one JSON line per figure:
- fieldservice.board_p95: the dispatch board page (500 waiting orders, half of them verified;
  200 engineers with skills, region, open orders and today's appointments), p95 wall time
  over --samples requests through Django's test client (whole middleware stack + template);
  `queries` is the query count of one request, `cpu_p95` the p95 CPU time of this process
  (steadier than wall time on a shared machine), `kb` the page size;
- fieldservice.board_more_p95: the htmx "load more" fragment (the next page of waiting rows);
- fieldservice.concurrent_dispatch_succeeded: 50 dispatch attempts on 10 verified orders from
  --procs processes at once; must be exactly 10 (the conditional UPDATE);
- fieldservice.concurrent_dispatch_p95: p95 latency of those attempts (won or lost), with the
  winners' and losers' p95 beside it. Each worker process first dispatches one order of its own,
  untimed (a server process is warm: imports, caches, broker connection). The winners' time includes publishing the outbox task on
  commit to the configured Celery broker (set CELERY_BROKER_URL to measure with Redis).

--skip-board / --skip-concurrent run one half. Data is created once and reused.
"""

import argparse
import json
import multiprocessing
import os
import shlex
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signals import request_finished  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from kefu.fieldservice import workflow  # noqa: E402
from kefu.fieldservice.models import EngineerProfile, WorkOrder  # noqa: E402
from kefu.org.models import Region, User  # noqa: E402
from kefu.org.tests.factories import UserFactory  # noqa: E402


def _command() -> str:
    """How to run this again: the database (without a password) and broker, and the arguments."""
    env = []
    for name in ("DATABASE_URL", "CELERY_BROKER_URL"):
        if os.environ.get(name):
            url = urlsplit(os.environ[name])
            env.append(
                f"{name}={urlunsplit(url._replace(netloc=url.hostname or '')) if url.password else url.geturl()}"
            )
    return " ".join([*env, "python bench/bench_dispatch.py", *map(shlex.quote, sys.argv[1:])])


COMMAND = _command()


def emit(bench: str, value: float, unit: str, n: int, **extra) -> None:
    line = {"bench": bench, "value": value, "unit": unit, "n": n, "db": connection.vendor, "command": COMMAND}
    print(json.dumps(line | extra), flush=True)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


SKILLS = ["财务软件", "打印机", "网络", "服务器", "数据库", "税控盘", "ERP 实施", "硬件维修"]


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
    profiles(engineers)
    return manager, hotline, engineers


def profiles(engineers) -> None:
    """Skills and a district for every engineer (reference data, kept by the admin)."""
    if not Region.objects.exists():
        call_command("loaddata", "regions", verbosity=0)
    districts = list(Region.objects.filter(level=Region.Level.DISTRICT).order_by("code")[:200])
    have = set(EngineerProfile.objects.values_list("user_id", flat=True))
    EngineerProfile.objects.bulk_create(
        EngineerProfile(
            user=e,
            skills="、".join(SKILLS[(i + k) % len(SKILLS)] for k in range(1 + i % 3)),
            region=districts[i % len(districts)] if districts else None,
        )
        for i, e in enumerate(engineers)
        if e.pk not in have
    )


def busy(engineers, *, manager, hotline, n: int = 60) -> None:
    """Today's load: `n` orders dispatched, confirmed and booked for today, spread over the engineers."""
    have = WorkOrder.objects.filter(status=WorkOrder.Status.SCHEDULED, engineer__username__startswith="bench_fe_")
    now = timezone.now()
    day = timezone.localtime(now).replace(hour=9, minute=0, second=0, microsecond=0)
    for i, order in enumerate(
        waiting_orders(max(0, n - have.count()), manager=manager, hotline=hotline, verified=True)
    ):
        engineer = engineers[(i * 7) % len(engineers)]
        workflow.dispatch(order, engineer, by=manager, now=now)
        workflow.confirm(order, by=engineer, now=now)
        start = day + timedelta(hours=2 * (i % 4))
        workflow.set_appointment(order, start=start, end=start + timedelta(hours=2), by=engineer, now=now)


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


def measure(client, url: str, samples: int) -> dict:
    """p95 wall and CPU time of `samples` GETs, the query count and size of one."""
    client.get(url)
    # The query log is read inside the block: CaptureQueriesContext.captured_queries slices the
    # live log, which later requests (reset_queries on request_started) would empty again.
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        queries = len(ctx.captured_queries)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    wall, cpu = [], []
    for _ in range(samples):
        began, began_cpu = time.perf_counter(), time.thread_time()
        client.get(url)
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.thread_time() - began_cpu) * 1000)
    return {
        "p95": round(p95(wall), 1),
        "queries": queries,
        "cpu_p95": round(p95(cpu), 1),
        "kb": round(len(response.content) / 1024, 1),
        "rows": response.content.decode().count('data-object="fieldservice.workorder:'),
    }


def board(samples: int, manager, engineers) -> None:
    hotline = User.objects.get(username="bench_hotline")
    busy(engineers, manager=manager, hotline=hotline)
    waiting = WorkOrder.objects.filter(status__in=workflow.WAITING)
    waiting_orders(max(0, 500 - waiting.count()), manager=manager, hotline=hotline, verified=False)
    verified = waiting.filter(status=workflow.S.VERIFIED).count()
    now = timezone.now()
    requested = list(waiting.filter(status=workflow.S.REQUESTED).order_by("created_at", "id"))
    for order in requested[::2][: max(0, 250 - verified)]:  # every other row: half to verify, half to dispatch
        workflow.verify(order, by=manager, now=now)
    request_finished.disconnect(close_old_connections)  # keep one connection, as a server would
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(manager)
    load = os.getloadavg()[0]
    page = measure(client, "/fieldservice/board/", samples)
    emit(
        "fieldservice.board_p95",
        page.pop("p95"),
        "ms",
        waiting.count(),
        engineers=User.objects.filter(is_active=True, groups__name="field_engineer").count(),
        loadavg=load,
        **page,
    )
    after = waiting.order_by("created_at", "id").values_list("pk", flat=True)[24]
    more = measure(client, f"/fieldservice/board/rows/?after={after}", samples)
    emit("fieldservice.board_more_p95", more.pop("p95"), "ms", waiting.count(), loadavg=os.getloadavg()[0], **more)


def _attempt(args) -> tuple[bool, float]:
    order_pk, engineer_pk, manager_pk, barrier = args
    from kefu.core.errors import Conflict

    # The worker keeps its connection across attempts, as a server process does (CONN_MAX_AGE):
    # a new PostgreSQL backend would first have to load its catalog caches.
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


def _worker(jobs, warm, barrier, out) -> None:
    django.db.connections.close_all()
    # Untimed: one dispatch of this worker's own order first, as a running server process would
    # have done before (imports, caches, the broker connection); the figure is the contention.
    order_pk, engineer_pk, manager_pk = warm
    workflow.dispatch(
        WorkOrder.objects.get(pk=order_pk),
        User.objects.get(pk=engineer_pk),
        by=User.objects.get(pk=manager_pk),
        now=timezone.now(),
    )
    for order_pk, engineer_pk, manager_pk in jobs:
        out.put(_attempt((order_pk, engineer_pk, manager_pk, barrier)))
    django.db.connections.close_all()


def concurrent(procs: int, manager, engineers) -> None:
    hotline = User.objects.get(username="bench_hotline")
    orders = waiting_orders(10, manager=manager, hotline=hotline, verified=True)
    warm = [
        (o.pk, engineers[-1 - i].pk, manager.pk)
        for i, o in enumerate(waiting_orders(procs, manager=manager, hotline=hotline, verified=True))
    ]
    attempts = [(orders[i % 10].pk, engineers[i % len(engineers)].pk, manager.pk) for i in range(50)]
    per_proc = [attempts[i::procs] for i in range(procs)]
    rounds = max(len(p) for p in per_proc)
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(procs), ctx.Queue()
    for jobs in per_proc:  # equal rounds so the barrier lines every round up
        jobs.extend([jobs[-1]] * (rounds - len(jobs)))
    django.db.connections.close_all()
    workers = [ctx.Process(target=_worker, args=(jobs, warm[i], barrier, out)) for i, jobs in enumerate(per_proc)]
    for w in workers:
        w.start()
    results = [out.get() for _ in range(procs * rounds)]
    for w in workers:
        w.join()
    won = sum(1 for ok, _ms in results if ok)
    won_ms, lost_ms = [ms for ok, ms in results if ok], [ms for ok, ms in results if not ok]
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
        won_p95=round(p95(won_ms), 1) if won_ms else None,
        lost_p95=round(p95(lost_ms), 1) if lost_ms else None,
        broker=settings.CELERY_BROKER_URL.split(":", 1)[0],
        loadavg=os.getloadavg()[0],
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--procs", type=int, default=10)
    parser.add_argument("--skip-board", action="store_true")
    parser.add_argument("--skip-concurrent", action="store_true")
    args = parser.parse_args()
    manager, _hotline, engineers = team()
    if not args.skip_board:
        board(args.samples, manager, engineers)
    if not args.skip_concurrent:
        concurrent(args.procs, manager, engineers)


if __name__ == "__main__":
    main()
