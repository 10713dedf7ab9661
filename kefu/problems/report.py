"""The problem summary (RPT-3, seed 002 §5.2.5) declared on the reports kit: for the technical
and management departments, the period's most frequent problems by product / version / module,
each grouped by its problem-library article or by similar phenomenon, with its count, the trend
over the last periods, example requests and, where no article exists, "建议入库" and the link
that starts a draft article from the requests (knowledge workflow)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.problems import selectors as s
from kefu.reports import kit
from kefu.reports.kit import COUNT, PERCENT, Chart, Context, Figure, Filter, Link, Links, Report, Table, Value

CANDIDATE = _("建议入库")
NO_ARTICLE = _("无条目")


def product_choices(user):
    return [(p, p) for p in s.product_names(user)]


def _summary(ctx: Context, periods=None) -> s.Summary:
    periods = periods or ctx.period.trend(s.WINDOW)
    return s.summary(ctx.user, periods, now=ctx.now, product=ctx.filters.get("product", ""))


def _current(ctx: Context) -> s.Summary:
    return _summary(ctx)


def _window(ctx: Context, periods) -> s.Summary:
    """The trend's periods end with the report's: the same summary as the tables'."""
    return _summary(ctx, periods if len(periods) == s.WINDOW else None)


def _drill_requests(ctx: Context):
    return "servicedesk:list", ctx.period.dates()


def _library_cell(p: s.Problem):
    if p.article is not None:
        text = _("%(title)s（%(status)s）") % {"title": p.article_title, "status": p.article_status}
        return Link(text, reverse("knowledge:detail", args=[p.article]))
    url = f"{reverse('problems:draft')}?request={p.draft_from}" if p.draft_from else ""
    return Link(str(CANDIDATE if p.candidate else NO_ARTICLE), url)


def _examples(p: s.Problem) -> Links:
    return Links(tuple(Link(e.number, reverse("servicedesk:detail", args=[e.pk])) for e in p.examples))


def _change(p: s.Problem) -> str:
    d = p.now - p.before
    return f"+{d}" if d > 0 else str(d)


def top_rows(ctx: Context) -> list[list]:
    return [
        [
            p.title,
            p.product or "—",
            p.version or "—",
            p.module or "—",
            p.now,
            p.before,
            _change(p),
            sum(p.counts),
            _library_cell(p),
            _examples(p),
        ]
        for p in _current(ctx).problems[: s.TOP]
    ]


def candidate_rows(ctx: Context) -> list[list]:
    return [
        [p.title, p.product or "—", p.module or "—", p.now, _examples(p), _library_cell(p)]
        for p in _current(ctx).problems
        if p.candidate
    ]


def top_series(ctx: Context, periods) -> list[tuple[str, list]]:
    """The five most frequent problems of the period, each one line over the window."""
    summary = _window(ctx, periods)
    return [(p.title[:20], p.counts) for p in summary.problems[:5]]


def _coverage_series(ctx: Context, periods) -> list[Value]:
    summary = _window(ctx, periods)
    return [Value.rate(c, r) for c, r in zip(summary.covered, summary.requests, strict=True)]


FIGURES = [
    Figure(
        "requests",
        _("本期服务请求"),
        COUNT,
        _("本周期受理的服务请求数（不含已撤销）。"),
        compute=lambda ctx: Value.count(_current(ctx).requests[-1]),
        series=lambda ctx, ps: [Value.count(n) for n in _window(ctx, ps).requests],
        drill=_drill_requests,
        group="problems",
    ),
    Figure(
        "problems",
        _("问题数"),
        COUNT,
        _(
            "本周期的请求归并成的问题数：有问题库条目的按条目归并（条目来源于该请求，或标题与现象相似），其余按现象相似度归并。"
        ),
        compute=lambda ctx: Value.count(len(_current(ctx).problems)),
        group="problems",
    ),
    Figure(
        "coverage",
        _("问题库覆盖率"),
        PERCENT,
        _("本周期的请求中，其问题已有问题库条目（含草稿）的比例。"),
        compute=lambda ctx: Value.rate(_current(ctx).covered[-1], _current(ctx).requests[-1]),
        series=_coverage_series,
        group="problems",
    ),
    Figure(
        "candidates",
        _("建议入库"),
        COUNT,
        _("尚无问题库条目、本周期出现 %(n)d 次及以上的问题数：建议整理为问题库条目。") % {"n": s.CANDIDATE_MIN},
        compute=lambda ctx: Value.count(sum(1 for p in _current(ctx).problems if p.candidate)),
        higher_is_better=False,
        group="problems",
    ),
]

TABLES = [
    Table(
        "top",
        _("高频问题"),
        [
            _("问题"),
            _("产品"),
            _("版本"),
            _("模块"),
            _("本期"),
            _("上期"),
            _("较上期"),
            _("近 6 期"),
            _("问题库"),
            _("示例请求"),
        ],
        top_rows,
    ),
    Table(
        "by_product",
        _("按产品与版本"),
        [_("产品/版本"), _("请求数"), _("问题数"), _("建议入库")],
        lambda ctx: s.breakdown(_current(ctx), "product"),
        chart="bar",
    ),
    Table(
        "by_module",
        _("按模块"),
        [_("模块"), _("请求数"), _("问题数"), _("建议入库")],
        lambda ctx: s.breakdown(_current(ctx), "module"),
        chart="bar",
    ),
    Table(
        "candidates",
        _("建议入库的问题"),
        [_("问题"), _("产品"), _("模块"), _("本期"), _("示例请求"), _("操作")],
        candidate_rows,
    ),
]

CHARTS = [
    Chart("trend_top", _("高频问题趋势（近 6 个周期）"), periods=s.WINDOW, series=top_series),
    Chart("trend_coverage", _("请求数与问题库覆盖率（近 6 个周期）"), ["requests", "coverage"], periods=s.WINDOW),
]

PROBLEMS = kit.register(
    Report(
        key="problems",
        title=_("客户问题总结"),
        perm="problems.view_summary",
        figures=FIGURES,
        tables=TABLES,
        charts=CHARTS,
        filters=[Filter("product", _("产品"), product_choices)],
        groups={"problems": _("本期概况")},
    )
)
