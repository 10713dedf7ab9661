"""Chinese full-text search (KB-2, KB-3): p95 of ranked queries over N generated after-sales texts.

Runs against a dedicated database with the search test model (kefu.search.tests.testapp,
installed because KEFU_TESTING=1 is set here). SQLite by default, var/bench-search.sqlite3;
PostgreSQL with DATABASE_URL, e.g.

    createdb -h 127.0.0.1 -U postgres -T template0 -E UTF8 kefu_bench_search
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_search python bench/bench_search.py

The rows are rebuilt unless the table already holds exactly N of them. Prints one JSON line per
figure: index build rate (when rebuilt), then p95 (ms) of 2-character queries (top 20 by rank),
longer phrases, one-character / model-number prefixes, selective multi-word queries, and
suggestion queries (top 10, any word). The corpus is deliberately harsh: every 2-character query
above is in 14-71 % of the rows, every phrase in ~26 %, so ranking (not matching) dominates.
"""

import argparse
import json
import os
import shlex
import sys
from pathlib import Path
from time import perf_counter
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["KEFU_TESTING"] = "1"  # installs the test model
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{Path(__file__).resolve().parents[1] / 'var' / 'bench-search.sqlite3'}"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")

import django

django.setup()

# Models import only after django.setup().
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from kefu import search  # noqa: E402
from kefu.search.backends import SqliteBackend  # noqa: E402
from kefu.search.tests.corpus import texts  # noqa: E402
from kefu.search.tests.testapp.models import Note  # noqa: E402

QUERIES = {
    "search.2char_top20_p95": ["打印", "凭证", "空调", "制冷", "卡纸", "失败", "跳闸", "漏水", "故障", "远程"],
    "search.phrase_top20_p95": ["不制冷", "凭证无法打印", "加密锁识别", "外机有异响", "数据库连接超时"],
    "search.prefix_top20_p95": ["跳", "印", "KFR-35", "E3", "HP10"],
    # Several words, 0-8 % of the rows: closer to real queries; takes the index path of the window.
    "search.selective_top20_p95": [
        "打印 E3",
        "空调 KFR-35GW 不制冷",
        "税控盘 开票失败 远程",
        "收银机 漏水",
        "主板烧毁",
    ],
}
SUGGESTIONS = [
    "客户反映凭证无法打印，提示打印机脱机",
    "空调开机后不制冷，外机有异响",
    "加密锁插上后识别失败，财务软件登录不了",
    "税控盘开票失败，数据库连接超时",
    "针式打印机卡纸，打印字迹模糊",
]


def load(n: int) -> float | None:
    """Rebuild the table with n rows; returns rows per second, or None if it was already there."""
    if Note.objects.count() == n:
        return None
    table = Note._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table} RESTART IDENTITY")
        else:
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(
                f"INSERT INTO {SqliteBackend.fts_table(Note)}({SqliteBackend.fts_table(Note)}) VALUES ('delete-all')"
            )
    rows = texts(n)
    began = perf_counter()
    with transaction.atomic():
        batch = []
        for title, body in rows:
            note = Note(title=title, body=body)
            note.fill_search_tokens()
            batch.append(note)
            if len(batch) == 2000:
                Note.objects.bulk_create(batch)
                batch = []
        Note.objects.bulk_create(batch)
    seconds = perf_counter() - began
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            fts = SqliteBackend.fts_table(Note)
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
        cursor.execute(f"ANALYZE {table}" if connection.vendor == "postgresql" else "ANALYZE")
    return n / seconds


def p95(samples: list[float]) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def timed(run, queries: list[str], repeat: int) -> list[float]:
    for q in queries:  # warm the caches and the tokenizer once
        run(q)
    samples = []
    for _ in range(repeat):
        for q in queries:
            began = perf_counter()
            run(q)
            samples.append((perf_counter() - began) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="rows (default 100,000)")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each query")
    args = parser.parse_args()

    call_command("migrate", "search_testapp", verbosity=0)  # only the test model: no other app's migrations
    rate = load(args.n)
    db = connection.vendor
    command = shlex.join(["python", "bench/bench_search.py", *sys.argv[1:]])
    if not os.environ["DATABASE_URL"].startswith("sqlite:"):
        # The database as given, minus any password.
        url = urlsplit(os.environ["DATABASE_URL"])
        netloc = url.netloc.replace(f":{url.password}@", "@") if url.password else url.netloc
        command = f"DATABASE_URL={urlunsplit(url._replace(netloc=netloc))} {command}"

    def emit(bench: str, value: float, unit: str) -> None:
        print(
            json.dumps(
                {"bench": bench, "value": round(value, 1), "unit": unit, "n": args.n, "db": db, "command": command}
            )
        )

    if rate is not None:
        emit("search.index_build", rate, "rows/s")
    notes = Note.objects.all()
    for bench, queries in QUERIES.items():
        emit(bench, p95(timed(lambda q: list(search.search(notes, q, limit=20)), queries, args.repeat)), "ms")
    emit(
        "search.suggest_top10_p95",
        p95(timed(lambda q: list(search.suggest(notes, q, limit=10)), SUGGESTIONS, args.repeat)),
        "ms",
    )


if __name__ == "__main__":
    main()
