"""Excel exports of big lists (RPT-4, issue 14 §4): seconds and peak memory. One JSON line per figure.

Measures what the export job runs (kefu.core.exports.write through the list's declaration,
the rows read 1,000 at a time into openpyxl's write-only workbook) on the data the other
benchmarks generate, in the same database:

    # 100,000 customers with 250,000 contacts (bench_customers.py generates them when missing)
    .venv/bin/python bench/bench_customers.py --skip-import
    .venv/bin/python bench/bench_exports.py --list customers:list

    # 1,000,000 requests over two years, exported filtered to about 100,000: the last ten weeks
    # (the generator spreads them evenly; priority=low alone would be ~20 %)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_requests .venv/bin/python bench/bench_requests.py --only generate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_requests .venv/bin/python bench/bench_exports.py \
        --list servicedesk:list --filter from=2026-09-23 --filter to=2026-12-04

`rss_growth_mb` is the growth of the process's peak resident size during the export: what would
grow with the number of rows if they were held in memory (tracemalloc would say the same but
slows the export several times over).
"""

import argparse
import json
import os
import resource
import shlex
import sys
import tempfile
from pathlib import Path
from time import perf_counter
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
DEFAULT_DB = {
    "customers:list": "bench-customers.sqlite3",
    "servicedesk:list": "bench-requests.sqlite3",
}


def _default_db(list_name: str) -> None:
    var = Path(os.environ.get("KEFU_VAR_DIR", Path(__file__).resolve().parents[1] / "var"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var / DEFAULT_DB.get(list_name, 'bench.sqlite3')}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", default="customers:list", help="the URL name of a registered list")
    parser.add_argument("--filter", action="append", default=[], help="a page filter, name=value")
    parser.add_argument("--user", default="", help="export as this user (default: a staff user who may)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    _default_db(args.list)

    import django

    django.setup()
    from django.db import connection
    from django.http import QueryDict

    from kefu.core import exports, lists
    from kefu.org.models import User

    url = urlsplit(os.environ["DATABASE_URL"])
    safe_url = urlunsplit(url._replace(netloc=url.hostname or "")) if url.password else os.environ["DATABASE_URL"]
    command = f"DATABASE_URL={safe_url} python bench/bench_exports.py " + shlex.join(sys.argv[1:])
    table = lists.table(args.list)
    users = User.objects.filter(is_active=True).order_by("pk")
    user = users.get(username=args.user) if args.user else next(u for u in users if table.may_export(u))
    params = QueryDict("&".join(args.filter))
    rows = table.rows(user, params).count()

    for _ in range(args.repeat):
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = perf_counter()
        with tempfile.TemporaryFile() as out:
            written = exports.write(table, user, params, out)
            size = out.tell()
        seconds = perf_counter() - started
        rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
        common = {"n": written, "db": connection.vendor, "list": args.list, "filter": args.filter, "command": command}
        for bench, value, unit in (
            ("export.seconds", round(seconds, 2), "s"),
            ("export.rows_per_s", round(written / seconds), "rows/s"),
            ("export.rss_growth_mb", round(rss_growth / 1024, 1), "MB"),
            ("export.file_mb", round(size / 2**20, 1), "MB"),
        ):
            print(json.dumps({"bench": bench, "value": value, "unit": unit, **common}, ensure_ascii=False))
    if written != rows:
        sys.exit(f"the export wrote {written} rows, the list has {rows}")


if __name__ == "__main__":
    main()
