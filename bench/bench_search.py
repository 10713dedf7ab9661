"""Chinese full-text search (KB-2, KB-3): p95 of ranked queries over N generated after-sales texts.

Runs against a dedicated database with the search test model (kefu.search.tests.testapp,
installed because setup(testing=True) sets KEFU_TESTING=1). SQLite by default,
var/bench-search.sqlite3; PostgreSQL with DATABASE_URL, e.g.

    createdb -h 127.0.0.1 -U postgres -T template0 -E UTF8 kefu_bench_search
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_search python bench/bench_search.py

The rows are rebuilt unless the table already holds exactly N of them (bench/_kb_data.py).
Prints one JSON line per figure: index build rate (when rebuilt), then p95 (ms) of 2-character
queries (top 20 by rank), longer phrases, one-character / model-number prefixes, selective
multi-word queries, and suggestion queries (top 10, any word). The corpus is deliberately
harsh: every 2-character query above is in 14-71 % of the rows, every phrase in ~26 %, so
ranking (not matching) dominates.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _kb_data

_kb_data.setup("bench-search.sqlite3", testing=True)

# Models import only after setup().
from django.core.management import call_command  # noqa: E402

from kefu import search  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="rows (default 100,000)")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each query")
    args = parser.parse_args()

    call_command("migrate", "search_testapp", verbosity=0)  # only the test model: no other app's migrations
    rate = _kb_data.rebuild(Note, _kb_data.notes(args.n), args.n)
    emit = _kb_data.emitter(args.n, _kb_data.command("bench_search.py"))
    if rate is not None:
        emit("search.index_build", rate, "rows/s")
    notes = Note.objects.all()
    for bench, queries in QUERIES.items():
        emit(
            bench,
            _kb_data.p95(_kb_data.timed(lambda q: list(search.search(notes, q, limit=20)), queries, args.repeat)),
            "ms",
        )
    emit(
        "search.suggest_top10_p95",
        _kb_data.p95(_kb_data.timed(lambda q: list(search.suggest(notes, q, limit=10)), _kb_data.TYPING, args.repeat)),
        "ms",
    )


if __name__ == "__main__":
    main()
