"""The list-and-export kit (RPT-4): a list is declared once and drives its page and its Excel.

A domain declares each list page as a `Table`: its columns (label, value, kind, masking), the
scoped and filtered rows for a user and the page's GET parameters, its permission and page
size. The page view renders `table.listing(request)` with `{% list_table listing %}` (one
paginator, capped count); "导出 Excel" (`{% export_button listing %}`) exports exactly the rows
of the page's filters through the same declaration — same scoping, same masking — with Chinese
headers, real dates and numbers, a frozen header and an auto filter. Big exports run as a job
(kefu/core/exports.py). Register the table in the domain's AppConfig.ready():
`lists.register(MyTable())`; the list guard tests walk every registered table.

    class RequestTable(tables.Table):
        name = "servicedesk:list"
        title = _("服务请求")
        permission = "servicedesk.view_request_list"
        columns = (
            Column("number", _("编号"), link=lambda r: reverse("servicedesk:detail", args=[r.pk])),
            Column("customer", _("客户"), value="customer.name"),
            Column("created_at", _("登记时间"), kind="datetime"),
            Column.status(),
        )

        def rows(self, user, params):
            return selectors.requests_for(user, q=params.get("q", ""))
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from kefu.core import masking, states
from kefu.core.paging import CappedPaginator

KINDS = ("text", "number", "date", "datetime")
DATE_FORMAT, DATETIME_FORMAT = "Y-m-d", "Y-m-d H:i"
EXCEL_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}
CHUNK = 1000  # rows read, decorated and written at a time: memory stays flat however long the list
EMPTY = "—"
STATUS = _("状态")


def _dig(row: Any, path: str) -> Any:
    value = row
    for part in path.split("."):
        if value is None:
            return None
        value = getattr(value, part)
    return value() if callable(value) else value


class Column:
    """One column. `value`: an attribute path ("customer.name") or a function of the row;
    `choices`: a TextChoices class whose label is shown for the value; `personal`: "phone" or
    "address", masked for users without the personal-data permission (QS-6); `link`: the
    row's URL for the page cell; `cell`: the page cell's HTML as a function of the row, when a
    plain value won't do (badges, clocks); `page` / `export`: where the column appears; `css`:
    the page cell's CSS classes ("text-nowrap")."""

    def __init__(
        self,
        key: str,
        label,
        *,
        value: str | Callable[[Any], Any] | None = None,
        kind: str = "text",
        choices=None,
        personal: str | None = None,
        link: Callable[[Any], str] | None = None,
        cell: Callable[[Any], str] | None = None,
        page: bool = True,
        export: bool = True,
        width: int | None = None,
        testid: str | None = None,
        css: str = "",
    ):
        if kind not in KINDS:
            raise ValueError(f"column {key}: kind {kind!r} is not one of {KINDS}")
        self.key, self.label, self.kind = key, label, kind
        self.value = value if value is not None else key
        self.choices, self.personal, self.link, self.cell = choices, personal, link, cell
        self.page, self.export, self.testid, self.css = page, export, testid, css
        self.width = width or (18 if kind == "datetime" else 12 if kind in ("date", "number") else 16)

    @classmethod
    def status(cls, key: str = "status", label=None, **kwargs) -> "Column":
        """The row's status: a badge from its state machine on the page, the label in Excel."""
        return cls(
            key,
            label or STATUS,
            value=lambda row: states.badge(row, key)["label"],
            cell=lambda row: _badge(row, key),
            **kwargs,
        )

    def raw(self, row: Any, labels: dict) -> Any:
        value = self.value(row) if callable(self.value) else _dig(row, self.value)
        if self.choices is not None:
            value = labels[self.key].get(value, value)
        return value

    def shown(self, row: Any, labels: dict, sees_personal: bool) -> Any:
        value = self.raw(row, labels)
        if self.personal and not sees_personal and value:
            value = masking.personal(value, allowed=False, kind=self.personal)
        return value

    def excel(self, row: Any, labels: dict, sees_personal: bool) -> Any:
        value = self.shown(row, labels, sees_personal)
        if isinstance(value, datetime):
            return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        if value is None or isinstance(value, (int, float, date)):
            return value
        return str(value)

    def td(self) -> SafeString | str:
        """The page cell's attributes (its classes)."""
        return format_html(' class="{}"', self.css) if self.css else ""

    def html(self, row: Any, labels: dict, sees_personal: bool) -> str:
        if self.cell is not None:
            return self.cell(row)
        value = self.shown(row, labels, sees_personal)
        if value is None or value == "":
            text = EMPTY
        elif isinstance(value, datetime):
            text = date_format(timezone.localtime(value) if timezone.is_aware(value) else value, DATETIME_FORMAT)
        elif isinstance(value, date):
            text = date_format(value, DATE_FORMAT)
        else:
            text = str(value)
        if self.link is not None and text != EMPTY:
            return format_html('<a href="{}">{}</a>', self.link(row), text)
        return format_html("{}", text)


def object_key(obj: Any) -> str:
    """`app.model:pk`, the `data-object` of a list row (as the `object_key` template filter)."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def _badge(row: Any, field: str) -> SafeString:
    b = states.badge(row, field)
    return format_html('<span class="badge bg-{}-lt" data-status="{}">{}</span>', b["colour"], b["status"], b["label"])


class Table:
    """A list page declared once. Subclass, set the attributes, implement rows()."""

    name: str = ""  # the URL name of the page ("customers:list")
    title = ""
    sheet = ""  # the Excel sheet's name, if not the title
    columns: tuple[Column, ...] = ()
    permission: str | tuple[str, ...] | None = None  # to see the page, and so to export it
    export_permission: str | None = None  # an extra permission to export, where one exists
    per_page = 30
    cap = 10_000  # the count stops here (see kefu.core.paging)
    empty = _("暂无记录")
    testid = "list-table"
    export = True
    stack = False  # on a phone each row is a block, its cells labelled (kefu.css, stack-tables.js)

    def rows(self, user, params: QueryDict) -> QuerySet:
        """The user's rows under the page's filters: scoped, filtered, ordered."""
        raise NotImplementedError

    def export_rows(self, rows: QuerySet) -> QuerySet:
        """The same rows with what the export's columns read (select_related, prefetch)."""
        return rows

    def page_rows(self, rows: QuerySet) -> QuerySet:
        """The same rows with what the page's columns read."""
        return rows

    def decorate(self, rows: list, user, **known) -> None:
        """Set per-row attributes both the page and the export read (names from one query);
        `known`: what the page view has read already and passes to listing()."""

    refetch: Callable | None = None  # see CappedPaginator: deep pages by ids first
    ids_first_params: tuple[str, ...] = ()  # a page with one of these set reads ids first
    ids_first = False  # every page reads its ids first (with refetch), e.g. from an index of its own

    def page_columns(self, user, params: QueryDict) -> list[Column]:
        """The page's columns for this user and these filters (a column only some views show:
        the owner of a team's clocks). The export writes every export column."""
        return [c for c in self.columns if c.page]

    def row_attrs(self, row: Any) -> dict[str, str]:
        """The page row's attributes: `data-object` is the key of the object the row shows
        (the isolation guard reads it), by default the row itself."""
        return {"data-object": object_key(row)}

    def count_rows(self, user, params: QueryDict) -> QuerySet | None:
        """The same rows in a form cheaper to count, if there is one: counted in its own order
        (see CappedPaginator). It may be a function returning it, called only when needed."""
        return None

    def sees_personal(self, user) -> bool:
        return user.has_perm("customers.view_personal_data")

    def may_view(self, user) -> bool:
        perms = (self.permission,) if isinstance(self.permission, str) else (self.permission or ())
        return user.is_authenticated and user.has_perms(perms)

    def may_export(self, user) -> bool:
        if not (self.export and self.may_view(user)):
            return False
        return self.export_permission is None or user.has_perm(self.export_permission)

    def export_link(self, request, params: QueryDict | None = None) -> str:
        """The "导出 Excel" URL of this list under `params` (default the request's GET, without
        the page), or "" for a user who may not export. `{% export_button %}` takes a Table
        too, for a page that keeps its own paging (a keyset board) and has no Listing."""
        if not self.may_export(request.user):
            return ""
        query = (request.GET if params is None else params).copy()
        query.pop("page", None)
        url = reverse("exports:start", args=[self.name])
        return f"{url}?{query.urlencode()}" if query else url

    def filename(self) -> str:
        return f"{self.title}-{timezone.localdate():%Y%m%d}.xlsx"

    def labels(self) -> dict[str, dict]:
        """Each choice column's labels, translated once per page or export."""
        return {c.key: {v: str(label) for v, label in c.choices.choices} for c in self.columns if c.choices}

    # --- the page ---------------------------------------------------------------------------

    def listing(self, request, *, params: QueryDict | None = None, rows: QuerySet | None = None, **known) -> "Listing":
        params = request.GET if params is None else params
        user = request.user
        qs = self.page_rows(self.rows(user, params) if rows is None else rows)
        paginator = CappedPaginator(
            qs,
            self.per_page,
            cap=self.cap,
            count_source=self.count_rows(user, params),
            refetch=self.refetch,
            ids_first=self.ids_first or any(params.get(p) for p in self.ids_first_params),
        )
        page = paginator.get_page(params.get("page"))
        self.decorate(page.object_list, user, **known)
        return Listing(self, page, request, params)

    # --- the export -------------------------------------------------------------------------

    def export_chunks(self, user, params: QueryDict) -> Iterable[list[list[Any]]]:
        """The export's rows, CHUNK at a time, as the cells of the export columns."""
        columns = [c for c in self.columns if c.export]
        labels, sees = self.labels(), self.sees_personal(user)
        qs = self.export_rows(self.rows(user, params))
        rows = qs.iterator(chunk_size=CHUNK)
        while chunk := list(islice(rows, CHUNK)):
            self.decorate(chunk, user)
            yield [[c.excel(row, labels, sees) for c in columns] for row in chunk]


class Listing:
    """What a list page renders: the table's page of rows, as cells, with its pager."""

    def __init__(self, table: Table, page, request, params: QueryDict):
        self.table, self.page, self.request = table, page, request
        self.columns = table.page_columns(request.user, params)
        labels, sees = table.labels(), table.sees_personal(request.user)
        self.rows = [(row, [c.html(row, labels, sees) for c in self.columns]) for row in page.object_list]
        # What the table component writes: each row's attributes, each cell's with its HTML.
        tds = [c.td() for c in self.columns]
        self.lines = [(flatatt(table.row_attrs(row)), list(zip(tds, cells, strict=True))) for row, cells in self.rows]
        query = params.copy()
        query.pop("page", None)
        self.query = query.urlencode()
        self.count = page.paginator.count
        self.capped = page.paginator.capped

    def __iter__(self):
        return iter(self.page.object_list)

    @property
    def export_url(self) -> str:
        if not self.table.may_export(self.request.user):
            return ""
        url = reverse("exports:start", args=[self.table.name])
        return f"{url}?{self.query}" if self.query else url
