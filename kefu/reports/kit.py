"""The reports kit (issue 15): a report is declared once and rendered as a page, a PDF and a
workbook from the same computed figures.

    report = kit.Report(
        key="kpi", title=_("服务台 KPI"), perm="reports.view_kpi",
        filters=[kit.Filter("department", _("部门"), choices=departments_for)],
        figures=[kit.Figure("fr_urgent", _("首次响应及时率（紧急）"), unit="%", target=95,
                            definition=_("…"), compute=lambda ctx: …, drill=lambda ctx: ("servicedesk:list", {…}))],
        tables=[kit.Table(...)], charts=[kit.Chart.trend(...), kit.Chart(...)],
    )
    kit.register(report)

A figure's `compute(ctx)` returns a `Value`; `drill(ctx)` names the list page (a URL name of
`kefu.core.lists`) and its GET filters, so every figure links to the rows behind it. A table's
cell may be a `Link` (text and URL: a link on the page, its text in the PDF and the workbook)
or a `Links` (several); a chart whose lines are data (one per category) gives `series`.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from kefu.core import words
from kefu.core.errors import Invalid, KefuError
from kefu.reports import periods
from kefu.reports.periods import Period

NOT_ALLOWED = _("“%(label)s”没有这个选项，或您无权查看。")
PERCENT, HOURS, COUNT, SCORE = "%", "h", "count", "score"
UNIT_LABELS = {PERCENT: "%", HOURS: _("小时"), COUNT: _("件"), SCORE: _("分")}


@dataclass(frozen=True)
class Value:
    """A figure's value; `value` None means no data in the period (shown as —). `base` is
    the number of items it was computed from (the denominator of a rate), shown beside it."""

    value: float | None
    base: int | None = None
    part: int | None = None  # a rate's numerator (what daily aggregates add up)

    @classmethod
    def rate(cls, part: int, whole: int) -> "Value":
        return cls(round(100.0 * part / whole, 1) if whole else None, whole, part)

    @classmethod
    def count(cls, n: int) -> "Value":
        return cls(n, None)


@dataclass(frozen=True)
class Filter:
    """A parameter besides the period (department, engineer …); `choices(user)` lists only
    what the user may see, and a value outside it is refused."""

    key: str
    label: str
    choices: Callable[[Any], Sequence[tuple[str, str]]]

    def read(self, params, user) -> tuple[str, list[tuple[str, str]]]:
        options = [(str(v), str(label)) for v, label in self.choices(user)]
        value = (params.get(self.key) or "").strip()
        if value and value not in {v for v, _l in options}:
            raise Invalid(NOT_ALLOWED % {"label": self.label}, field=self.key)
        return value, options


@dataclass(frozen=True)
class Context:
    """What every figure, table and chart is computed for."""

    user: Any
    period: Period
    filters: dict[str, str]
    now: datetime
    # Scratch space of one computation, shared by `at()` copies (e.g. which days are built, read
    # once for every figure); never part of what a figure means.
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def at(self, period: Period) -> "Context":
        return replace(self, period=period)

    @property
    def until(self) -> datetime:
        """The end of the period, or now if the period is still running."""
        return min(self.period.end, self.now)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    definition: str
    compute: Callable[[Context], Value]
    target: float | None = None
    higher_is_better: bool = True
    drill: Callable[[Context], tuple[str, dict]] | None = None
    group: str = ""
    # The same figure for many periods in one go (a trend): (ctx, periods) → values. Without
    # it a trend computes the figure once per period.
    series: Callable[[Context, list[Period]], list[Value]] | None = None


@dataclass(frozen=True)
class Link:
    """A table cell that links somewhere on the page (a request, the rows behind a count);
    the PDF and the workbook show its text."""

    text: str
    url: str = ""

    def __str__(self) -> str:
        return str(self.text)


@dataclass(frozen=True)
class Links:
    """A cell of several links (example requests), shown side by side; text joined by "、"."""

    items: tuple[Link, ...]

    def __str__(self) -> str:
        return words.join(self.items)


@dataclass(frozen=True)
class Table:
    """Rows of a breakdown: `rows(ctx)` returns lists of cells, numbers as numbers."""

    key: str
    title: str
    columns: Sequence[str]
    rows: Callable[[Context], list[list]]
    chart: str = ""  # "bar" or "pie": the table is also drawn (first column: categories)


@dataclass(frozen=True)
class Chart:
    """A trend (line) of figures over the last `periods` periods, or of the lines `series(ctx,
    periods)` returns, [(name, values)], where the lines are data (one per category)."""

    key: str
    title: str
    figures: Sequence[str] = ()
    periods: int = 12
    kind: str = "line"
    series: Callable[[Context, list[Period]], list[tuple[str, list[float | None]]]] | None = None


@dataclass(frozen=True)
class Report:
    key: str
    title: str
    perm: str
    figures: Sequence[Figure]
    tables: Sequence[Table] = ()
    charts: Sequence[Chart] = ()
    filters: Sequence[Filter] = ()
    default_period: str = "month"
    groups: dict[str, str] = field(default_factory=dict)
    # As of when the figures are (the page's "数据截至"): figures read from daily aggregates are
    # as old as the oldest day built; default: computed now.
    as_of: Callable[[Context], datetime] | None = None

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


REPORTS: dict[str, Report] = {}


def register(report: Report) -> Report:
    REPORTS[report.key] = report
    return report


def get(key: str) -> Report | None:
    return REPORTS.get(key)


# --- computing --------------------------------------------------------------------------


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == PERCENT:
        return f"{value:.1f}%"
    if unit in (HOURS, SCORE):
        return f"{value:.1f}"
    return f"{value:g}"


def link(url_name: str, filters: dict) -> str:
    """`reverse(url_name) + "?" + urlencode(filters)`: a list page filtered to a figure's rows."""
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        return ""
    query = urlencode({k: v for k, v in filters.items() if v not in (None, "")})
    return f"{url}?{query}" if query else url


@dataclass
class FigureResult:
    figure: Figure
    value: Value
    url: str

    @property
    def text(self) -> str:
        return fmt(self.value.value, self.figure.unit)

    @property
    def unit_label(self) -> str:
        return str(UNIT_LABELS.get(self.figure.unit, self.figure.unit))

    @property
    def met(self) -> bool | None:
        target, value = self.figure.target, self.value.value
        if target is None or value is None:
            return None
        return value >= target if self.figure.higher_is_better else value <= target


@dataclass
class TableResult:
    table: Table
    rows: list[list]


@dataclass
class ChartResult:
    chart: Chart
    categories: list[str]
    series: list[tuple[str, list[float | None]]]


@dataclass
class Computed:
    report: Report
    ctx: Context
    figures: list[FigureResult]
    tables: list[TableResult]
    charts: list[ChartResult]
    as_of: datetime

    def figure(self, key: str) -> FigureResult:
        return next(f for f in self.figures if f.figure.key == key)


def compute(report: Report, ctx: Context) -> Computed:
    figures = []
    for fig in report.figures:
        url = link(*fig.drill(ctx)) if fig.drill else ""
        figures.append(FigureResult(fig, fig.compute(ctx), url))
    tables = [TableResult(t, t.rows(ctx)) for t in report.tables]
    charts = []
    for chart in report.charts:
        periods = ctx.period.trend(chart.periods)
        series = [(str(name), values) for name, values in chart.series(ctx, periods)] if chart.series else []
        for key in chart.figures:
            fig = report.figure(key)
            values = fig.series(ctx, periods) if fig.series else [fig.compute(ctx.at(p)) for p in periods]
            series.append((str(fig.label), [v.value for v in values]))
        charts.append(ChartResult(chart, [p.short_label for p in periods], series))
    return Computed(report, ctx, figures, tables, charts, as_of=report.as_of(ctx) if report.as_of else ctx.now)


def read_filters(report: Report, params, user) -> tuple[dict[str, str], list[dict]]:
    """The report's filters from GET, each checked against the user's choices."""
    values, shown = {}, []
    for f in report.filters:
        value, options = f.read(params, user)
        values[f.key] = value
        shown.append({"key": f.key, "label": f.label, "value": value, "options": options})
    return values, shown


def built(report: Report, params, user, *, now: datetime):
    """build(), for a page: (computed, shown filters, None), or (None, None, the Invalid) when
    the period or a filter in the URL is no good — a read, answered by the page with its form."""
    try:
        computed, shown = build(report, params, user, now=now)
    except KefuError as exc:
        return None, None, exc
    return computed, shown, None


def build(report: Report, params, user, *, now: datetime) -> tuple[Computed, list[dict]]:
    """Read the period and the filters from `params` (Invalid on bad input) and compute."""
    tz = periods.company_zone()
    period = periods.parse(params, now=now, default=report.default_period, tz=tz)
    values, shown = read_filters(report, params, user)
    return compute(report, Context(user=user, period=period, filters=values, now=now)), shown
