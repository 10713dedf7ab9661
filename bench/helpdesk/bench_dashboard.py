"""Times django-helpdesk 2.6.1's dashboard and ticket list at 1 M tickets (issue 15, for the record).

Run in helpdesk's own virtualenv after generate_tickets.py:

    cd bench/helpdesk && .venv/bin/python bench_dashboard.py [--repeat R] [--user staff001] [--only list|dashboard|stats]

Logs in as a staff user with Django's test client and requests, R times each (default 5: the dashboard
is slow), the ticket list page (`helpdesk:list`, its default query: open and reopened tickets), the JSON
its table loads for the first page of 25 rows (`helpdesk:datatables_ticket_list`, the request the list
page makes in the browser) and helpdesk's dashboard (`helpdesk:dashboard`). Then the dashboard's "basic
ticket stats" box alone (`calc_basic_ticket_stats`, called directly): where its time goes.

One JSON line per figure, p50 and p95 wall time, with: the query count of one request (a first, untimed
request, so with colder caches) and the time its SQL statements took (`sql_s`, as Django's debug cursor
sees it: execution and the rows' transfer, not model building); this process's CPU time p95 (`cpu_p95`,
steadier on a busy machine; PostgreSQL's own time is not in it); the process's peak RSS so far
(`maxrss_mb`); the machine's load average (`loadavg`).
"""

import argparse
import json
import os
import resource
import shlex
import statistics
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdbench.settings")

import django

django.setup()
# helpdesk's dashboard filters on naive date strings (calc_basic_ticket_stats): one warning per request.
warnings.filterwarnings("ignore", message="DateTimeField .* received a naive datetime", category=RuntimeWarning)

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from helpdesk.models import Queue, Ticket  # noqa: E402
from helpdesk.query import query_to_base64  # noqa: E402
from helpdesk.views.staff import calc_basic_ticket_stats  # noqa: E402

# ticket_list's default query (helpdesk/views/staff.py, default_query_params), as the page encodes it.
DEFAULT_LIST_QUERY = {
    "filtering": {"status__in": [1, 2]},
    "sorting": "created",
    "search_string": "",
    "sortreverse": False,
}
# The parameters DataTables sends for the first page (draw 1, 25 rows, the default order).
DATATABLES_PARAMS = {"draw": "1", "start": "0", "length": "25"}


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def percentile(samples: list[float], q: float) -> float:
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def emit(bench: str, value: float, unit: str, n: int, **extra) -> None:
    line = {
        "bench": bench,
        "value": round(value, 3),
        "unit": unit,
        "n": n,
        "db": connection.vendor,
        "command": " ".join(map(shlex.quote, ["python", *sys.argv])),
        "loadavg": loadavg(),
        **extra,
    }
    print(json.dumps(line, ensure_ascii=False), flush=True)


def get(client: Client, url: str, params: dict | None = None):
    response = client.get(url, params or {})
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    return response


def measure(client: Client, name: str, url: str, params: dict | None, repeat: int, n: int) -> None:
    with CaptureQueriesContext(connection) as ctx:
        response = get(client, url, params)
        captured = ctx.captured_queries  # inside: captured_queries slices the live log
    queries, sql_s = len(captured), round(sum(float(q["time"]) for q in captured), 3)
    size = len(response.content)
    walls, cpus = [], []
    for _ in range(repeat):
        cpu0, t0 = time.process_time(), time.perf_counter()
        get(client, url, params)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - cpu0)
    maxrss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    common = {"queries": queries, "sql_s": sql_s, "repeat": repeat, "bytes": size, "maxrss_mb": maxrss_mb}
    emit(f"helpdesk_{name}_p50", percentile(walls, 50), "s", n, **common)
    emit(f"helpdesk_{name}_p95", percentile(walls, 95), "s", n, cpu_p95=round(percentile(cpus, 95), 3), **common)


def measure_stats(repeat: int, n: int) -> None:
    """The dashboard's "basic ticket stats" box alone, as the view calls it for a user of every queue:
    it len()s the open/resolved tickets by age and loads every closed ticket to average its days open."""
    tickets = Ticket.objects.filter(queue__in=Queue.objects.all())
    walls, cpus = [], []
    for _ in range(repeat):
        cpu0, t0 = time.process_time(), time.perf_counter()
        calc_basic_ticket_stats(tickets)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - cpu0)
    maxrss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    common = {"repeat": repeat, "maxrss_mb": maxrss_mb}
    emit("helpdesk_dashboard_basic_stats_p50", percentile(walls, 50), "s", n, **common)
    emit(
        "helpdesk_dashboard_basic_stats_p95",
        percentile(walls, 95),
        "s",
        n,
        cpu_p95=round(percentile(cpus, 95), 3),
        **common,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--user", default="staff001")
    parser.add_argument("--only", choices=["dashboard", "list", "stats"])
    args = parser.parse_args()
    n = Ticket.objects.count()
    client = Client()
    client.force_login(get_user_model().objects.get(username=args.user))
    if args.only in (None, "list"):
        measure(client, "ticket_list_page", reverse("helpdesk:list"), None, args.repeat, n)
        datatables = reverse("helpdesk:datatables_ticket_list", args=[query_to_base64(DEFAULT_LIST_QUERY)])
        measure(client, "ticket_list_first_page_json", datatables, DATATABLES_PARAMS, args.repeat, n)
    if args.only in (None, "dashboard"):
        measure(client, "dashboard", reverse("helpdesk:dashboard"), None, args.repeat, n)
    if args.only in (None, "stats"):
        measure_stats(args.repeat, n)


if __name__ == "__main__":
    main()
