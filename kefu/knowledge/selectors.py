"""Scoped reads of the problem library: the search list (KB-2) and one article."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from kefu import search
from kefu.knowledge.models import Article

# A search shows the best RESULT_LIMIT hits (ranked among the newest hits, kefu.search.RANK_WINDOW):
# ranking every one of 30,000 hits of a common word took ~0.8 s at 100,000 articles (bench/bench_kb.py).
RESULT_LIMIT = 200


def articles_for(
    user, *, q: str = "", status: str = "", product: str = "", limit: int | None = RESULT_LIMIT
) -> QuerySet:
    """Articles the user may read; with `q`, every article containing it, best first (KB-2).

    Published only unless `status` asks for another state the user may see.
    """
    qs = Article.objects.visible_to(user)
    if status and status != "all":
        qs = qs.filter(status=status)
    elif not status:
        qs = qs.published()
    if product:
        qs = qs.filter(product=product)
    qs = qs.select_related("author")
    if (q or "").strip():
        return search.search(qs, q, limit=limit)
    return qs.order_by("-id")


def article_for(user, pk) -> Article:
    qs = Article.objects.visible_to(user).select_related(
        "author", "reviewed_by", "published_by", "source_type", "customer"
    )
    return get_object_or_404(qs, pk=pk)


def products() -> list[str]:
    return list(
        Article.objects.published()
        .exclude(product="")
        .order_by("product")
        .values_list("product", flat=True)
        .distinct()[:100]
    )
