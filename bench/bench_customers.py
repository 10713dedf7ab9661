"""Customer archive at scale (CRM, QS-5): list + search p95, the timeline of a 2,000-entry customer,
and a 10,000-row Excel import. One JSON line per figure.

Runs against a dedicated database. SQLite by default (var/bench-customers.sqlite3);
PostgreSQL with DATABASE_URL, e.g.

    createdb -h 127.0.0.1 -U postgres -T template0 -E UTF8 kefu_bench_customers
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_customers python bench/bench_customers.py

The data (100,000 customers, 250,000 contacts, a customer with 2,000 timeline entries) is
generated once and kept; a second run only measures. Pages are requested through Django's test
client as a logged-in customer representative (full view + template), queries are counted.
"""

import argparse
import json
import os
import random
import shlex
import statistics
import sys
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from time import perf_counter, thread_time
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{Path(__file__).resolve().parents[1] / 'var' / 'bench-customers.sqlite3'}"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
os.environ.setdefault("KEFU_JOBS_EAGER", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import generate_customers as gen  # noqa: E402
from kefu.customers import excel, names  # noqa: E402
from kefu.customers.models import Contact, Contract, Customer, TimelineEntry  # noqa: E402
from kefu.org.models import Region, User  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 1, 1, 9, 0, tzinfo=SH)
SEED = 20251124


def db_label() -> str:
    return connection.vendor


def emit(bench: str, value: float, unit: str, n: int, command: str, **extra) -> None:
    print(
        json.dumps(
            {
                "bench": bench,
                "value": round(value, 2),
                "unit": unit,
                "n": n,
                "db": db_label(),
                "command": command,
                **extra,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)


def generate(n_customers: int, n_contacts: int, rep: User) -> float:
    """Rebuild customers and contacts; returns rows per second."""
    rng = random.Random(SEED)
    places = gen.regions()
    began = perf_counter()
    levels = ["normal"] * 17 + ["key"] * 2 + ["vip"]
    with transaction.atomic():
        batch = []
        for i in range(n_customers):
            pc, _pn, cc, cn, dc, dn = rng.choice(places)
            full, short = gen.company(rng, cn if cn != "市辖区" else _pn, i)
            c = Customer(
                name=full,
                short_name=short,
                province_id=pc,
                city_id=cc,
                district_id=dc,
                address=gen.address(rng, dn),
                industry=short[-2:],
                level=rng.choice(levels),
                owner=rep,
                created_at=T0 + timedelta(minutes=i),
                updated_at=T0,
            )
            c.name_key = names.name_key(c.name)
            c.short_key = names.name_key(c.short_name)
            c.initials = names.initials(c.short_name)
            c.fill_search_tokens()
            batch.append(c)
            if len(batch) == 5000:
                Customer.objects.bulk_create(batch)
                batch = []
        Customer.objects.bulk_create(batch)
        ids = list(Customer.objects.values_list("pk", flat=True))
        contacts = []
        for i in range(n_contacts):
            contacts.append(
                Contact(
                    customer_id=ids[i % len(ids)],
                    name=gen.person(rng),
                    mobile=gen.mobile(rng),
                    email=f"c{i}@example.com",
                    is_main=i < len(ids),
                )
            )
            if len(contacts) == 10000:
                Contact.objects.bulk_create(contacts)
                contacts = []
        Contact.objects.bulk_create(contacts)
        Contract.objects.bulk_create(
            [
                Contract(
                    customer_id=pk,
                    number=f"HT-B-{pk:07d}",
                    signed_on=date(2025, 1, 1),
                    products="财务软件",
                    dongle_no=f"SD{pk:08d}",
                    service_start=date(2025, 1, 1),
                    service_end=date(2026, 12, 31),
                    created_at=T0,
                )
                for pk in ids[:20000]
            ],
            batch_size=5000,
        )
    return (n_customers + n_contacts) / (perf_counter() - began)


def timeline_customer(n: int, rep: User) -> Customer:
    customer = Customer.objects.order_by("pk").first()
    have = TimelineEntry.objects.filter(customer=customer).count()
    if have < n:
        kinds = ["call", "visit", "note", "request", "email", "survey", "complaint", "project"]
        TimelineEntry.objects.bulk_create(
            [
                TimelineEntry(
                    customer=customer,
                    at=T0 + timedelta(hours=i),
                    kind=kinds[i % len(kinds)],
                    title=f"第 {i} 次联系：客户反映凭证打印问题已解决",
                    body="处理过程与结果……" * 5,
                    actor=rep,
                    actor_name=rep.display_name,
                )
                for i in range(have, n)
            ],
            batch_size=2000,
        )
    return customer


def timed_get(client: Client, url: str, params: dict) -> tuple[float, float, int]:
    with CaptureQueriesContext(connection) as ctx:
        began, began_cpu = perf_counter(), thread_time()
        response = client.get(url, params)
        elapsed, cpu = (perf_counter() - began) * 1000, (thread_time() - began_cpu) * 1000
        queries = len(ctx.captured_queries)  # inside: captured_queries slices the live log
    if response.status_code != 200:
        raise SystemExit(f"{url} {params}: HTTP {response.status_code}")
    return elapsed, cpu, queries


def measure(client: Client, url: str, param_sets: list[dict], repeat: int) -> tuple[float, dict]:
    """p95 wall time; beside it the p95 CPU time of this process (steadier than wall time on a
    shared machine), the most queries one request made, and the 1-minute load average."""
    for params in param_sets:
        timed_get(client, url, params)  # warm caches
    samples, cpu, queries = [], [], 0
    load = os.getloadavg()[0]
    for _ in range(repeat):
        for params in param_sets:
            ms, cpu_ms, q = timed_get(client, url, params)
            samples.append(ms)
            cpu.append(cpu_ms)
            queries = max(queries, q)
    return p95(samples), {"queries": queries, "cpu_p95": round(p95(cpu), 1), "loadavg": load}


def import_file(rows: int, run: int) -> bytes:
    """A template-shaped file of new customers; `run` keeps names new when the bench runs again."""
    from openpyxl import Workbook

    rng = random.Random(SEED + 1)
    places = gen.regions()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(excel.SHEET_CUSTOMERS)
    ws.append([c[0] for c in excel.CUSTOMER_COLUMNS])
    for i in range(rows):
        _pc, pn, _cc, cn, _dc, dn = rng.choice(places)
        full, short = gen.company(rng, cn if cn != "市辖区" else pn, int(f"{run}{i:05d}"))
        ws.append(
            [
                full.replace("有限公司", f"{run}号导入有限公司"),
                short,
                rng.choice(["普通", "重点", "VIP"]),
                pn,
                cn,
                dn,
                gen.address(rng, dn),
                "软件",
                "",
                "",
                "bench_rep",
                gen.person(rng),
                "经理",
                gen.mobile(rng),
                "",
                f"i{i}@example.com",
                "",
                "",
            ]
        )
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=250_000)
    parser.add_argument("--timeline", type=int, default=2_000)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-import", action="store_true", help="measure the pages only (no rows added)")
    args = parser.parse_args()
    url = urlsplit(os.environ["DATABASE_URL"])
    safe_url = urlunsplit(url._replace(netloc=url.hostname or "")) if url.password else os.environ["DATABASE_URL"]
    command = f"DATABASE_URL={safe_url} python bench/bench_customers.py " + shlex.join(sys.argv[1:])
    settings.ALLOWED_HOSTS.append("testserver")
    call_command("migrate", verbosity=0)
    if not Region.objects.exists():
        call_command("loaddata", "regions", verbosity=0)
    rep, _ = User.objects.get_or_create(username="bench_rep", defaults={"name": "钱客代"})
    rep.groups.add(Group.objects.get_or_create(name="customer_rep")[0])
    if Customer.all_objects.count() < args.customers:
        rate = generate(args.customers, args.contacts, rep)
        emit("customers.generate_rows_per_s", rate, "rows/s", args.customers + args.contacts, command)
    with connection.cursor() as cursor:
        # What autovacuum does after a bulk load: planner statistics, and on PostgreSQL the
        # visibility map that lets COUNT(*) of a page use an index-only scan.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    n = Customer.all_objects.count()
    customer = timeline_customer(args.timeline, rep)

    client = Client()
    client.force_login(rep)
    reset_queries()
    # 334 is the last page: the list counts and pages at most 10,000 rows (views.ListPaginator).
    pages = [{"page": p} for p in (1, 2, 3, 50, 334)]
    filters = [
        {"level": "vip"},
        {"province": "33"},
        {"level": "key", "province": "44"},
        {"owner": str(rep.pk)},
        {"status": "active", "page": 10},
    ]
    searches = [{"q": q} for q in ("瑞丰", "恒达机械", "华信", "鼎盛", "精密仪器", "HT-B-0000123", "SD00000042")]
    initials = [{"q": q} for q in ("rfjx", "hdkj", "ydsm")]
    for bench, params in (
        ("customers.list_p95", pages),
        ("customers.list_filtered_p95", filters),
        ("customers.search_p95", searches),
        ("customers.search_initials_p95", initials),
    ):
        ms, extra = measure(client, "/customers/", params, args.repeat)
        emit(bench, ms, "ms", n, command, **extra)
    ms, extra = measure(client, f"/api/customers/{customer.pk}/timeline/", [{}], args.repeat * 10)
    emit("customers.timeline_api_p95", ms, "ms", args.timeline, command, **extra)
    first_page = {}
    ms, extra = measure(client, f"/customers/{customer.pk}/", [first_page], args.repeat * 4)
    emit("customers.detail_with_timeline_p95", ms, "ms", args.timeline, command, **extra)
    ms, extra = measure(client, "/api/customers/", [{"page": p} for p in (1, 2, 50)], args.repeat)
    emit("customers.api_list_p95", ms, "ms", n, command, **extra)
    from kefu.customers.timeline import page

    cursor = page(customer).next_cursor
    deep = []
    for _ in range(40):  # walk 40 pages deep: keyset pagination costs the same at any depth
        began = perf_counter()
        result = page(customer, before=cursor)
        deep.append((perf_counter() - began) * 1000)
        cursor = result.next_cursor or cursor
    emit("customers.timeline_deep_page_p95", p95(deep), "ms", args.timeline, command)

    if args.skip_import:
        return
    data = import_file(args.import_rows, Customer.all_objects.count())
    from django.core.files.uploadedfile import SimpleUploadedFile

    began = perf_counter()
    job = excel.start_import(SimpleUploadedFile("bench.xlsx", data), by=rep, now=datetime.now(tz=SH))
    job.refresh_from_db()
    elapsed = perf_counter() - began
    if job.status != "done":
        raise SystemExit(f"import failed: {job.errors[:5]}")
    emit(
        "customers.import_10k_s", elapsed, "s", args.import_rows, command, rows_per_s=round(args.import_rows / elapsed)
    )


if __name__ == "__main__":
    main()
