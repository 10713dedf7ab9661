"""Problem library (KB-2, KB-3): p95 of 2-character searches and of suggestions over N generated articles.

SQLite by default (var/bench-kb.sqlite3); PostgreSQL with DATABASE_URL, e.g.

    createdb -h 127.0.0.1 -U postgres -T template0 -E UTF8 kefu_bench_kb
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_kb python bench/bench_kb.py

The articles are rebuilt unless the table already holds exactly N. Texts come from the seeded
after-sales generator of kefu.search (tests/corpus.py) mixed with the demo articles. Prints one
JSON line per figure: build rate; p95 (ms) of the search page query (count + first 20, what
/kb/?q= and /api/kb/articles/?q= run), of the top-20 search, and of a suggestion while typing.
"""

import argparse
import json
import os
import random
import shlex
import sys
from pathlib import Path
from time import perf_counter
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(__file__).resolve().parents[1] / 'var' / 'bench-kb.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from kefu import search  # noqa: E402
from kefu.knowledge import selectors, suggest  # noqa: E402
from kefu.knowledge.demo import ARTICLES  # noqa: E402
from kefu.knowledge.models import Article  # noqa: E402
from kefu.org.models import User  # noqa: E402
from kefu.search.backends import SqliteBackend  # noqa: E402
from kefu.search.tests.corpus import PRODUCTS, phrase  # noqa: E402

TWO_CHARS = ["凭证", "打印", "空调", "制冷", "加密", "发票", "报表", "漏水", "卡纸", "故障"]
TYPING = [
    "客户反映凭证无法打印，提示打印机脱机",
    "空调开机后不制冷，外机有异响",
    "加密锁插上后识别失败，财务软件登录不了",
    "税控盘开票失败，数据库连接超时",
    "针式打印机卡纸，打印字迹模糊",
]


def generate(n: int, author: User) -> list[Article]:
    rng = random.Random(20251124)
    now = timezone.now()
    rows = []
    for i in range(n):
        if i % 50 == 0:  # one in 50 is a hand-written demo article, the rest generated
            title, product, version, symptom, cause, solution, steps, tags = ARTICLES[(i // 50) % len(ARTICLES)]
        else:
            symptom = phrase(rng)
            title, product, version = symptom[:40], rng.choice(PRODUCTS), f"V{rng.randint(1, 9)}.{rng.randint(0, 9)}"
            cause, solution, steps = phrase(rng), phrase(rng), "。".join(phrase(rng) for _ in range(2))
            tags = ",".join(rng.sample(PRODUCTS, 2))
        article = Article(
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
        article.fill_search_tokens()
        rows.append(article)
    return rows


def load(n: int, author: User) -> float | None:
    if Article.all_objects.count() == n:
        return None
    table = Article._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")
        else:
            cursor.execute(f"DELETE FROM {table}")
            fts = SqliteBackend.fts_table(Article)
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('delete-all')")
    began = perf_counter()
    rows = generate(n, author)
    with transaction.atomic():
        Article.all_objects.bulk_create(rows, batch_size=2000)
    seconds = perf_counter() - began
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            fts = SqliteBackend.fts_table(Article)
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
        cursor.execute(f"ANALYZE {table}" if connection.vendor == "postgresql" else "ANALYZE")
    return n / seconds


def p95(samples: list[float]) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def timed(run, inputs: list[str], repeat: int) -> list[float]:
    for value in inputs:
        run(value)
    samples = []
    for _ in range(repeat):
        for value in inputs:
            began = perf_counter()
            run(value)
            samples.append((perf_counter() - began) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles (default 100,000)")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of each query")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    author, _ = User.objects.get_or_create(username="bench_kb", defaults={"is_superuser": True, "name": "基准测试"})
    rate = load(args.n, author)
    db = connection.vendor
    command = shlex.join(["python", "bench/bench_kb.py", *sys.argv[1:]])
    if not os.environ["DATABASE_URL"].startswith("sqlite:"):
        url = urlsplit(os.environ["DATABASE_URL"])
        netloc = url.netloc.replace(f":{url.password}@", "@") if url.password else url.netloc
        command = f"DATABASE_URL={urlunsplit(url._replace(netloc=netloc))} {command}"

    def emit(bench: str, value: float, unit: str) -> None:
        print(
            json.dumps(
                {"bench": bench, "value": round(value, 1), "unit": unit, "n": args.n, "db": db, "command": command},
                ensure_ascii=False,
            )
        )

    if rate is not None:
        emit("kb.build", rate, "articles/s")

    def page(q: str) -> None:  # the search page / API list: count + first page of 20, all hits ranked
        p = Paginator(selectors.articles_for(author, q=q), 20).get_page(1)
        list(p.object_list)

    def top20(q: str) -> None:
        list(search.search(Article.objects.published(), q, limit=20))

    def typing(text: str) -> None:
        suggest.suggest(text, user=author)

    emit("kb.search_2char_page_p95", p95(timed(page, TWO_CHARS, args.repeat)), "ms")
    emit("kb.search_2char_top20_p95", p95(timed(top20, TWO_CHARS, args.repeat)), "ms")
    emit("kb.suggest_p95", p95(timed(typing, TYPING, args.repeat)), "ms")


if __name__ == "__main__":
    main()
