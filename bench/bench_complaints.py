"""Complaints at scale (issue 16 §Benchmarks): the complaint list p95 and its query count, and the
monthly complaint analysis report (page and PDF) for a month with many complaints. One JSON line
per figure.

Runs against a dedicated database. SQLite by default (var/bench-complaints.sqlite3); PostgreSQL
with DATABASE_URL. The data (N complaints over N customers, a tenth of them in last month, each
valid one with its 3-hour contact clock and its verification clock) is generated once, in bulk
(not through the workflow: the workflow's cost is measured by its tests, here the reads are),
and kept; a second run only measures.

    python bench/bench_complaints.py --complaints 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_complaints python bench/bench_complaints.py
    # beside the 1 M requests and 5.1 M clocks of bench_requests.py (its customers are reused):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_requests python bench/bench_complaints.py
"""

import argparse
import json
import os
import random
import statistics
import sys
from datetime import datetime, timedelta
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{Path(__file__).resolve().parents[1] / 'var' / 'bench-complaints.sqlite3'}"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
os.environ.setdefault("KEFU_JOBS_EAGER", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from kefu.complaints.models import Complaint  # noqa: E402
from kefu.customers.models import Customer  # noqa: E402
from kefu.deadlines import clocks  # noqa: E402
from kefu.deadlines.models import Clock, ClockState  # noqa: E402
from kefu.org.models import Company, Department, User  # noqa: E402

SEED = 16


def emit(bench: str, value: float, unit: str, n: int, **extra) -> None:
    print(
        json.dumps(
            {"bench": bench, "value": round(value, 2), "unit": unit, "n": n, "db": connection.vendor, **extra},
            ensure_ascii=False,
        ),
        flush=True,
    )


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)


def generate(n: int, *, now: datetime) -> int:
    if Complaint.objects.count() >= n:
        return 0
    for key in ("quality", "dept_head"):
        Group.objects.get_or_create(name=key)
    company = Company.objects.get_or_create(name="基准公司")[0]
    quality = User.objects.filter(username="bench-quality").first()
    if quality is None:
        quality = User.objects.create_user("bench-quality", password="kefu2026", name="质量监督员")  # noqa: S106 -- bench user
        quality.groups.add(Group.objects.get(name="quality"))
    departments = [
        Department.objects.get_or_create(code=f"bench-{i}", defaults={"company": company, "name": f"部门{i}"})[0]
        for i in range(8)
    ]
    rnd = random.Random(SEED)
    if Customer.objects.count() < n:  # on bench_requests.py's database its 100,000 customers serve
        Customer.objects.bulk_create(
            [Customer(name=f"基准客户{i}有限公司", created_at=now, updated_at=now) for i in range(n)], batch_size=5000
        )
    customers = list(Customer.objects.values_list("pk", flat=True))
    contact_rule, verify_rule = clocks.get_rule("complaint.contact"), clocks.get_rule("complaint.verify")
    ct = ContentType.objects.get_for_model(Complaint)
    statuses = [Complaint.Status.CLOSED] * 6 + [
        Complaint.Status.INVALID,
        Complaint.Status.HANDLING,
        Complaint.Status.NEW,
    ]
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_month = (month_start - timedelta(days=1)).replace(day=1)
    done = 0
    while done < n:
        batch = []
        for i in range(done, min(n, done + 5000)):
            in_last_month = i % 10 == 0
            start = last_month if in_last_month else month_start - timedelta(days=365)
            span = (month_start - last_month) if in_last_month else timedelta(days=330)
            received = start + timedelta(seconds=rnd.randint(0, int(span.total_seconds()) - 1))
            status = rnd.choice(statuses)
            batch.append(
                Complaint(
                    number=f"CPB{i:09d}",
                    customer_id=customers[rnd.randrange(len(customers))],
                    title="基准投诉",
                    content="工程师迟到",
                    type=rnd.choice(Complaint.Type.values),
                    product=rnd.choice(["ERP", "财务软件", "终端"]),
                    cause=rnd.choice(["路线", "备件", "态度"]),
                    status=status,
                    valid=status not in (Complaint.Status.NEW, Complaint.Status.INVALID) or None,
                    department=departments[i % 8] if status != Complaint.Status.NEW else None,
                    received_at=received,
                    updated_at=received,
                    closed_at=received + timedelta(days=1) if status == Complaint.Status.CLOSED else None,
                )
            )
        with transaction.atomic():
            Complaint.objects.bulk_create(batch, batch_size=2000)
            numbers = [c.number for c in batch]
            rows = Complaint.objects.filter(number__in=numbers).values_list("pk", "received_at", "status")
            made = []
            for pk, received, status in rows:
                if status in (Complaint.Status.NEW, Complaint.Status.INVALID):
                    continue
                for rule, minutes in ((contact_rule, 180), (verify_rule, 60 * 24)):
                    due = received + timedelta(minutes=minutes)
                    met = received + timedelta(minutes=rnd.randint(30, minutes + 120))
                    made.append(
                        Clock(
                            content_type=ct,
                            object_id=str(pk),
                            rule=rule,
                            kind=rule.kind,
                            spec={},
                            calendar=rule.calendar,
                            owner=quality,
                            started_at=received,
                            due_at=due,
                            state=ClockState.MET,
                            met_at=met,
                            breached_at=met if met > due else None,
                        )
                    )
            Clock.objects.bulk_create(made, batch_size=2000)
        done += len(batch)
    return n


def ok(response) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{response.status_code} from {response.request['PATH_INFO']}")


def measure(n: int, repeat: int, *, now: datetime) -> None:
    client = Client()
    client.force_login(User.objects.get(username="bench-quality"))
    settings.ALLOWED_HOSTS = ["*"]
    for name, url in (("complaint_list", "/complaints/"), ("complaint_list_open", "/complaints/?status=open")):
        ok(client.get(url))  # warm: templates, rules, caches
        samples = []
        for _ in range(repeat):
            t = perf_counter()
            with CaptureQueriesContext(connection) as q:
                ok(client.get(url))
            samples.append((perf_counter() - t) * 1000)
        emit(f"{name}_p95", p95(samples), "ms", n, queries=len(q.captured_queries))
    last = (timezone.localdate(now).replace(day=1) - timedelta(days=1)).replace(day=1)
    month_n = Complaint.objects.filter(
        received_at__date__gte=last, received_at__date__lt=timezone.localdate(now).replace(day=1)
    ).count()
    query = f"?period=month&on={last:%Y-%m-%d}"
    for name, url in (("report_page", "/reports/complaints/"), ("report_pdf", "/reports/complaints/report.pdf")):
        samples = []
        for _ in range(max(3, repeat // 10)):
            t = perf_counter()
            ok(client.get(url + query))
            samples.append((perf_counter() - t) * 1000)
        emit(f"{name}_p95", p95(samples), "ms", n, month_complaints=month_n)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    now = timezone.now()
    t = perf_counter()
    made = generate(args.complaints, now=now)
    if made:
        emit("generate", perf_counter() - t, "s", made)
    measure(Complaint.objects.count(), args.repeat, now=now)


if __name__ == "__main__":
    main()
