"""Reading: ranked search (KB-2), suggestions while typing (KB-3), and a plain hit filter."""

from django.db import connections
from django.db.models import QuerySet

from kefu.search.backends import backend_for
from kefu.search.tokens import query_tokens, suggestion_tokens

# A top-N query ranks only the newest RANK_WINDOW matching rows. Ranking is per-row work
# (ts_rank / bm25): for a bigram in 70,000 of 100,000 rows, ranking every match took ~100 ms
# on either database, ranking the newest 1,000 ~10-20 ms (bench/bench_search.py). A query
# matching fewer rows than this (the usual case) is ranked in full.
RANK_WINDOW = 1000


def _backend(queryset):
    return backend_for(connections[queryset.db])


def search(queryset: QuerySet, q: str, *, limit: int | None = None, window: int | None = RANK_WINDOW) -> QuerySet:
    """Rows of `queryset` containing everything typed in `q`, best first (KB-2).

    Each CJK run of two or more characters must occur as a substring, one character or a
    letter/digit word as a prefix; several words must all occur. Rows carry `search_rank`
    (higher is better; comparable only within one query and one database), ties newest first.

    Without `limit`: every hit, all ranked (for a paginated list; slower on very common words).
    With `limit`: the best `limit` among the newest `window` hits (window=None: among all).
    A query with nothing searchable in it (empty, spaces, only punctuation) returns no rows:
    a search box left empty is "no search", and the caller shows its unfiltered list instead.
    Evaluate, slice or paginate the result; to use hits inside another query, use matching().
    """
    terms = query_tokens(q)
    if not terms:
        return queryset.none()
    if limit and window:
        return _backend(queryset).top(queryset, terms, match_all=True, limit=limit, window=window)
    found = _backend(queryset).ranked(queryset, terms, match_all=True)
    return found[:limit] if limit else found


def matching(queryset: QuerySet, q: str) -> QuerySet:
    """The same hits as search(), unranked and unordered; usable as a subquery
    (`Customer.objects.filter(requests__in=matching(ServiceRequest.objects.all(), "凭证"))`)."""
    terms = query_tokens(q)
    if not terms:
        return queryset.none()
    return _backend(queryset).matching(queryset, terms, match_all=True)


def suggest(queryset: QuerySet, text: str, *, limit: int = 10, window: int = RANK_WINDOW) -> QuerySet:
    """Rows sharing words with a phenomenon being typed, most words in common first (KB-3).

    Any word may match (a whole sentence rarely occurs verbatim); common filler words
    (客户, 反映, 出现 …) are ignored. Ranked among the newest `window` rows with any word.
    """
    terms = suggestion_tokens(text)
    if not terms:
        return queryset.none()
    return _backend(queryset).top(queryset, terms, match_all=False, limit=limit, window=window)
