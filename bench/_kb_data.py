"""What bench_kb.py and bench_search.py share: the database, the generated after-sales texts,
the table rebuild, the timing loop and the JSON output (KB-2, KB-3).

Call setup() before anything imports a model:

    import _kb_data
    _kb_data.setup("bench-kb.sqlite3")   # SQLite in var/ unless DATABASE_URL is set
    from kefu.knowledge.models import Article  # noqa: E402
"""

import json
import os
import random
import shlex
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from time import perf_counter
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
SEED = 20251124

# Phenomena as a hotline engineer types them (suggestions while typing, KB-3).
TYPING = [
    "客户反映凭证无法打印，提示打印机脱机",
    "空调开机后不制冷，外机有异响",
    "加密锁插上后识别失败，财务软件登录不了",
    "税控盘开票失败，数据库连接超时",
    "针式打印机卡纸，打印字迹模糊",
]


def setup(sqlite_file: str, *, testing: bool = False) -> None:
    """Point Django at the bench database (var/<sqlite_file> unless DATABASE_URL is set) and set
    it up; `testing` installs the test models (kefu.search.tests.testapp)."""
    sys.path.insert(0, str(ROOT))
    if testing:
        os.environ["KEFU_TESTING"] = "1"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / sqlite_file}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    import django

    django.setup()


def command(script: str) -> str:
    """The command line as run, with the database URL (minus any password) when not SQLite."""
    line = shlex.join(["python", f"bench/{script}", *sys.argv[1:]])
    if os.environ["DATABASE_URL"].startswith("sqlite:"):
        return line
    url = urlsplit(os.environ["DATABASE_URL"])
    netloc = url.netloc.replace(f":{url.password}@", "@") if url.password else url.netloc
    return f"DATABASE_URL={urlunsplit(url._replace(netloc=netloc))} {line}"


def emitter(n: int, command_line: str) -> Callable:
    """emit(bench, value, unit, **extra): print one JSON line, with the machine's load average."""
    from django.db import connection

    def emit(bench: str, value: float, unit: str, **extra) -> None:
        line = {"bench": bench, "value": round(value, 1), "unit": unit, "n": n, "db": connection.vendor}
        line |= {"command": command_line, **extra, "loadavg": _loadavg()}
        print(json.dumps(line, ensure_ascii=False), flush=True)

    return emit


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return ""


def p95(samples: list[float]) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def timed(run: Callable, inputs: list[str], repeat: int) -> list[float]:
    """ms of each run(value), `repeat` rounds over the inputs, after one untimed warm-up round."""
    for value in inputs:
        run(value)
    samples = []
    for _ in range(repeat):
        for value in inputs:
            began = perf_counter()
            run(value)
            samples.append((perf_counter() - began) * 1000)
    return samples


def notes(n: int) -> Iterable:
    """n search test rows (kefu.search.tests.testapp.Note): a short title, one to three phrases."""
    from kefu.search.tests.corpus import texts
    from kefu.search.tests.testapp.models import Note

    for title, body in texts(n, seed=SEED):
        yield Note(title=title, body=body)


def articles(n: int, author) -> Iterable:
    """n published problem-library articles: one in 50 a hand-written demo article, the rest
    generated from the same after-sales phrases as notes()."""
    from django.utils import timezone

    from kefu.knowledge.demo import ARTICLES
    from kefu.knowledge.models import Article
    from kefu.search.tests.corpus import PRODUCTS, phrase

    rng = random.Random(SEED)
    now = timezone.now()
    for i in range(n):
        if i % 50 == 0:
            title, product, version, symptom, cause, solution, steps, tags = ARTICLES[(i // 50) % len(ARTICLES)]
        else:
            symptom = phrase(rng)
            title, product, version = symptom[:40], rng.choice(PRODUCTS), f"V{rng.randint(1, 9)}.{rng.randint(0, 9)}"
            cause, solution, steps = phrase(rng), phrase(rng), "。".join(phrase(rng) for _ in range(2))
            tags = ",".join(rng.sample(PRODUCTS, 2))
        yield Article(
            title=title,
            product=product,
            version=version,
            symptom=symptom,
            cause=cause,
            solution=solution,
            steps=steps,
            tags=tags,
            status=Article.Status.PUBLISHED,
            author=author,
            created_at=now,
            updated_at=now,
            published_at=now,
        )


def rebuild(model, rows: Iterable, n: int, *, batch: int = 2000) -> float | None:
    """Refill `model`'s table with `rows` unless it holds exactly n rows already; returns rows per
    second (tokenizing and inserting, the search index kept by the triggers), or None."""
    from django.db import connection, transaction

    from kefu.search.backends import SqliteBackend

    manager = model._base_manager
    if manager.count() == n:
        return None
    table = model._meta.db_table
    fts = SqliteBackend.fts_table(model)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")
        else:
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('delete-all')")
    began = perf_counter()
    with transaction.atomic():
        chunk = []
        for row in rows:
            row.fill_search_tokens()
            chunk.append(row)
            if len(chunk) == batch:
                manager.bulk_create(chunk)
                chunk = []
        manager.bulk_create(chunk)
    seconds = perf_counter() - began
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
        cursor.execute(f"ANALYZE {table}" if connection.vendor == "postgresql" else "ANALYZE")
    return n / seconds
