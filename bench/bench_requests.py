"""Service requests at scale (QS-5, issue 6): generator + benchmarks, one JSON line per figure.

Generates N requests over N/10 customers with realistic Chinese phenomena (bulk rows, search
tokens filled as the workflow would), then measures: the request list with the usual filters
(owner, status, priority, overdue) p95 and its query count, the request page p95, and intake
through the API per second (workflow: clocks + audit + timeline + search tokens).

    python bench/bench_requests.py --requests 1000000            # SQLite, var/bench-requests.sqlite3
    createdb -h 127.0.0.1 -U postgres -T template0 -E UTF8 kefu_bench_requests
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_requests python bench/bench_requests.py
"""

import argparse
import json
import os
import random
import shlex
import sys
from datetime import timedelta
from pathlib import Path
from time import perf_counter
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-requests.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
SYMPTOMS = [
    "凭证无法打印",
    "月末结账报错",
    "报表取数为零",
    "加密锁未找到",
    "工资条乱码",
    "发票无法上传",
    "数据库连接失败",
    "登录超时",
    "银行对账单导入失败",
    "固定资产折旧计算错误",
    "库存数量为负",
    "打印机未就绪",
]
CONTEXT = ["客户反映", "财务部王会计来电：", "今天上午开始", "升级到 V8.3 后", "月末结账时", "新装电脑上"]
TAILS = ["，重启后仍然如此", "，提示代码 E{n}", "，影响全公司开票", "，急需处理", "，其他模块正常"]
NAMES = ["华东", "联创", "鼎盛", "万达", "金桥", "海纳", "瑞丰", "恒信", "宏远", "天成", "永泰", "新科"]


def phenomenon(rnd: random.Random) -> str:
    return rnd.choice(CONTEXT) + rnd.choice(SYMPTOMS) + rnd.choice(TAILS).format(n=rnd.randint(100, 999))


def generate(n: int, customers: int) -> None:
    from kefu.customers.models import Customer
    from kefu.org.models import User
    from kefu.search.tokens import index_tokens
    from kefu.servicedesk.models import ServiceRequest

    rnd = random.Random(6)
    if ServiceRequest.all_objects.count() == n:
        return
    owners = list(User.objects.filter(groups__name__in=["hotline", "customer_rep", "service_manager"]))
    now = timezone.now()
    have = Customer.all_objects.count()
    batch = []
    for i in range(have, customers):
        name = f"{rnd.choice(NAMES)}{rnd.choice(NAMES)}{i}号科技有限公司"
        c = Customer(name=name, short_name=name[:4], created_at=now, updated_at=now)
        c.name_key = name
        c.fill_search_tokens()
        batch.append(c)
        if len(batch) == 5000:
            Customer.objects.bulk_create(batch)
            batch = []
    Customer.objects.bulk_create(batch)
    ids = list(Customer.all_objects.values_list("pk", flat=True)[:customers])
    start = ServiceRequest.all_objects.count()
    statuses, priorities = ServiceRequest.Status.values, ServiceRequest.Priority.values
    t0 = now - timedelta(days=730)
    rows = []
    for i in range(start, n):
        text = phenomenon(rnd)
        created = t0 + timedelta(seconds=i * 730 * 86400 // n)
        status = rnd.choices(statuses, weights=[3, 5, 2, 2, 3, 80, 1])[0]
        r = ServiceRequest(
            number=f"SRB{i:09d}",
            customer_id=rnd.choice(ids),
            channel=rnd.choice(ServiceRequest.Channel.values),
            type=rnd.choice(ServiceRequest.Type.values),
            priority=rnd.choice(priorities),
            status=status,
            title=text[:30],
            phenomenon=text,
            owner=rnd.choice(owners),
            created_at=created,
            created_by=owners[0],
            updated_at=created,
            first_response_due=created + timedelta(hours=rnd.choice([2, 4, 6, 24])),
            first_response_at=None if status == "new" else created + timedelta(minutes=rnd.randint(5, 300)),
        )
        r.search_tokens = index_tokens(r.search_text())
        rows.append(r)
        if len(rows) == 10000:
            with transaction.atomic():
                ServiceRequest.objects.bulk_create(rows)
            rows = []
    with transaction.atomic():
        ServiceRequest.objects.bulk_create(rows)


def p95(samples: list[float]) -> float:
    samples = sorted(samples)
    return round(samples[int(len(samples) * 0.95) - 1] * 1000, 2)


def emit(bench: str, value, unit: str, n: int) -> None:
    print(
        json.dumps(
            {
                "bench": bench,
                "value": value,
                "unit": unit,
                "n": n,
                "db": connection.vendor,
                "command": " ".join(map(shlex.quote, sys.argv)),
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


def check(ok: bool, what) -> None:
    if not ok:
        raise SystemExit(f"benchmark request failed: {what}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--intake", type=int, default=300)
    args = parser.parse_args()
    customers = args.customers or max(args.requests // 10, 10)
    call_command("migrate", verbosity=0)
    from kefu.org.demo_data import _load_org
    from kefu.org.models import Region

    if not Region.objects.exists():
        call_command("loaddata", "regions", verbosity=0)
    with transaction.atomic():
        _load_org()
    from kefu.org.models import User
    from kefu.servicedesk import selectors
    from kefu.servicedesk.models import ServiceRequest

    t = perf_counter()
    generate(args.requests, customers)
    emit("requests.generate", round(perf_counter() - t, 1), "s", args.requests)
    user = User.objects.get(username="hotline")
    manager = User.objects.get(username="service_manager")
    now = timezone.now()
    filters = [
        {},
        {"owner": "me"},
        {"status": "in_progress"},
        {"priority": "urgent", "status": "open"},
        {"overdue": True},
        {"owner": "me", "status": "shelved", "priority": "high"},
        {"q": "凭证"},
    ]
    samples, queries = [], 0
    for i in range(args.repeat):
        f = dict(filters[i % len(filters)])
        who = user if f.get("owner") else manager
        t = perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            list(selectors.requests_for(who, now=now, **f)[:31])
        samples.append(perf_counter() - t)
        queries = max(queries, len(ctx.captured_queries))
    emit("requests.list_p95", p95(samples), "ms", args.requests)
    emit("requests.list_queries_max", queries, "queries", args.requests)
    client = Client(SERVER_NAME="localhost")
    client.force_login(manager)
    client.get("/servicedesk/")
    samples = []
    for i in range(args.repeat):
        f = filters[i % len(filters)]
        t = perf_counter()
        response = client.get("/servicedesk/", {k: ("1" if v is True else v) for k, v in f.items()})
        check(response.status_code == 200, response.status_code)
        samples.append(perf_counter() - t)
    emit("requests.list_page_p95", p95(samples), "ms", args.requests)
    pks = list(ServiceRequest.objects.order_by("-id").values_list("pk", flat=True)[: args.repeat])
    samples = []
    for pk in pks:
        t = perf_counter()
        response = client.get(f"/servicedesk/{pk}/")
        check(response.status_code == 200, response.status_code)
        samples.append(perf_counter() - t)
    emit("requests.detail_page_p95", p95(samples), "ms", args.requests)
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    api = APIClient(SERVER_NAME="localhost")
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    customer_ids = list(ServiceRequest.objects.values_list("customer_id", flat=True)[:50])
    rnd = random.Random(1)
    reset_queries()
    t = perf_counter()
    for _ in range(args.intake):
        r = api.post(
            "/api/requests/",
            {
                "customer": rnd.choice(customer_ids),
                "phenomenon": phenomenon(rnd),
                "priority": rnd.choice(ServiceRequest.Priority.values),
            },
            format="json",
        )
        check(r.status_code == 201, r.content)
    emit("requests.api_intake_rate", round(args.intake / (perf_counter() - t), 1), "requests/s", args.requests)


if __name__ == "__main__":
    main()
