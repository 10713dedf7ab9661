"""Problem library (KB-2, KB-3): p95 of 2-character searches and of suggestions over N generated articles.

SQLite by default (var/bench-kb.sqlite3); PostgreSQL with DATABASE_URL, e.g.

    createdb -h 127.0.0.1 -U postgres -T template0 -E UTF8 kefu_bench_kb
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_kb python bench/bench_kb.py

The articles are rebuilt unless the table already holds exactly N (bench/_kb_data.py: the
seeded after-sales generator of kefu.search's tests mixed with the demo articles). Prints one
JSON line per figure: build rate; p95 (ms) of the search page query (count + first page of 20,
what /kb/?q= and /api/kb/articles/?q= run), of the top-20 search, and of a suggestion while
typing (the whole phenomenon, and every prefix of it as it is typed).
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _kb_data

_kb_data.setup("bench-kb.sqlite3")

# Models import only after setup().
from django.core.management import call_command  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402

from kefu import search  # noqa: E402
from kefu.knowledge import selectors, suggest  # noqa: E402
from kefu.knowledge.models import Article  # noqa: E402
from kefu.org.models import User  # noqa: E402

TWO_CHARS = ["凭证", "打印", "空调", "制冷", "加密", "发票", "报表", "漏水", "卡纸", "故障"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles (default 100,000)")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of each query")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    author, _ = User.objects.get_or_create(username="bench_kb", defaults={"is_superuser": True, "name": "基准测试"})
    rate = _kb_data.rebuild(Article, _kb_data.articles(args.n, author), args.n)
    emit = _kb_data.emitter(args.n, _kb_data.command("bench_kb.py"))
    if rate is not None:
        emit("kb.build", rate, "articles/s")

    def page(q: str) -> None:  # the search page / API list: count + first page of 20
        p = Paginator(selectors.articles_for(author, q=q), 20).get_page(1)
        list(p.object_list)

    def top20(q: str) -> None:
        list(search.search(Article.objects.published(), q, limit=20))

    def typing(text: str) -> None:
        suggest.suggest(text, user=author)

    # What the suggestion box asks while the phenomenon is typed: every prefix of 2+ characters.
    prefixes = [text[:end] for text in _kb_data.TYPING for end in range(suggest.MIN_CHARS, len(text) + 1)]
    emit("kb.search_2char_page_p95", _kb_data.p95(_kb_data.timed(page, TWO_CHARS, args.repeat)), "ms")
    emit("kb.search_2char_top20_p95", _kb_data.p95(_kb_data.timed(top20, TWO_CHARS, args.repeat)), "ms")
    emit("kb.suggest_p95", _kb_data.p95(_kb_data.timed(typing, _kb_data.TYPING, args.repeat)), "ms")
    emit(
        "kb.suggest_typing_p95",
        _kb_data.p95(_kb_data.timed(typing, prefixes, max(1, args.repeat // 5))),
        "ms",
        prefixes=len(prefixes),
    )


if __name__ == "__main__":
    main()
