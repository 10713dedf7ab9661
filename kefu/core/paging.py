"""The one paginator of the product: pages of lists that may hold a million rows (issues #5, #6).

- The count stops at `cap`: COUNT(*) over a LIMIT subquery reads at most `cap` + 1 index
  entries (an exact COUNT(*) of 1,000,000 requests costs more than the page itself). Past the
  cap the page says "more than" and pages end there, so no OFFSET reads more than `cap` rows
  either: beyond that, filters and search narrow the list.
- A page always asks for `per_page` rows. Django trims the last page's LIMIT to the count, and
  with LIMIT 1 PostgreSQL walks the newest-first index row by row for the one search hit
  instead of using the search index (110 ms for 1 hit in 110,000 rows).
- A first page shorter than `per_page` is the whole list, so its length is the count: a
  filtered list that fits one page costs one query, as a pager without a count did.
- With `refetch`, deep pages (and every page when `ids_first`, e.g. a search) read the page's
  ids first, then only those rows: past an OFFSET that is an index-only scan, and for a search
  SQLite otherwise joins and ranks every hit before sorting (28 ms → 13 ms for 4,500 hits).

The HTML pages (through kefu.core.tables) and the API (`CappedCountPagination` in
kefu/core/api.py) both use it.
"""

from collections.abc import Callable

from django.core.paginator import Paginator
from django.db.models import QuerySet, Subquery
from django.utils.functional import cached_property


def count_upto(rows: QuerySet, limit: int | None = None, *, ordered: bool = False) -> int:
    """How many rows, counting at most `limit`: COUNT(*) over a LIMIT subquery of the ids,
    unordered unless `ordered` (a count source's order decides where a capped count stops). A
    queryset already sliced (a search's best 200 hits) is bounded as it is and counted so."""
    if rows.query.is_sliced:
        n = rows.count()
        return n if limit is None else min(n, limit)
    ids = rows.values("pk") if ordered else rows.values("pk").order_by()
    return (ids if limit is None else ids[:limit]).count()


class CappedPaginator(Paginator):
    cap = 10_000
    deep = 300  # from this OFFSET on, with refetch, the ids first

    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        *,
        cap: int | None = None,
        count_source: QuerySet | Callable[[], QuerySet] | None = None,
        refetch: Callable[[Subquery], QuerySet] | None = None,
        ids_first: bool = False,
        deep: int | None = None,
        **kwargs,
    ):
        super().__init__(object_list, per_page, **kwargs)
        if cap is not None:
            self.cap = cap
        # A count source given is counted in its own order (a capped count of the newest rows
        # stops among them); the page's rows are counted unordered. A function is called only
        # when a count is needed (a short first page is its own count).
        if count_source is None:  # a sliced list (a search's best hits) keeps its slice's order
            count_source = object_list if object_list.query.is_sliced else object_list.order_by()
        self.count_source = count_source
        self.refetch = refetch
        self.ids_first = ids_first
        if deep is not None:
            self.deep = deep

    @cached_property
    def exact_count(self) -> int:
        """The count up to cap + 1 (cap + 1 means "more than cap")."""
        source = self.count_source() if callable(self.count_source) else self.count_source
        return count_upto(source, self.cap + 1, ordered=True)

    @property
    def capped(self) -> bool:
        return self.exact_count > self.cap

    @cached_property
    def count(self) -> int:
        return min(self.exact_count, self.cap)

    def validate_number(self, number):
        # The first page always exists (an empty list shows it empty): no count to know that.
        if self.allow_empty_first_page and str(number).strip() == "1":
            return 1
        return super().validate_number(number)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list
        if self.refetch is not None and (self.ids_first or bottom >= self.deep):
            ids = rows.values("pk")[bottom : bottom + self.per_page]
            rows = self.refetch(Subquery(ids)).order_by(*rows.query.order_by)
        else:
            rows = rows[bottom : bottom + self.per_page]
        rows = list(rows)
        if number == 1 and len(rows) < self.per_page and "exact_count" not in self.__dict__:
            self.exact_count = len(rows)  # a short first page is the whole list: no COUNT query
        return self._get_page(rows, number, self)
