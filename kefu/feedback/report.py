"""The feedback analysis (FB-1) declared on the reports kit: categories by period with their
share and the change on the period before, the trend per category, the comments behind each
(every count links to the feedback list filtered by category, source and period)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.feedback import selectors as s
from kefu.feedback.models import Feedback
from kefu.reports import kit
from kefu.reports.kit import COUNT, PERCENT, Chart, Context, Figure, Filter, Link, Report, Table, Value

UNCATEGORISED = _("未分类")


def source_choices(user):
    return list(Feedback.Source.choices)


def _source(ctx: Context) -> str:
    return ctx.filters.get("source", "")


def _list(ctx: Context, **extra) -> str:
    return kit.link("feedback:list", {**ctx.period.dates(), "source": _source(ctx), **extra})


def _counts(ctx: Context, period=None):
    p = period or ctx.period
    return s.counts(ctx.user, p.start, p.end, source=_source(ctx))


def _change(now: int, before: int) -> str:
    d = now - before
    return f"+{d}" if d > 0 else str(d)


def category_rows(ctx: Context) -> list[list]:
    now, before = _counts(ctx), _counts(ctx, ctx.period.back(1))
    total = sum(now.values())
    rows = []
    for c in s.categories():
        if not (c.active or now[c.pk] or before[c.pk]):
            continue
        rows.append(
            [
                Link(c.name, _list(ctx, category=c.pk)),
                now[c.pk],
                round(100.0 * now[c.pk] / total, 1) if total else None,
                before[c.pk],
                _change(now[c.pk], before[c.pk]),
            ]
        )
    if now[None] or before[None]:
        rows.append(
            [
                Link(str(UNCATEGORISED), _list(ctx, category="none")),
                now[None],
                round(100.0 * now[None] / total, 1) if total else None,
                before[None],
                _change(now[None], before[None]),
            ]
        )
    return rows


def comment_rows(ctx: Context) -> list[list]:
    """The latest three comments of each category in the period."""
    rows = []
    for c in s.categories():
        for fb in s.comments(ctx.user, ctx.period.start, ctx.period.end, c.pk, source=_source(ctx)):
            rows.append(
                [
                    c.name,
                    timezone.localtime(fb.at).strftime("%Y-%m-%d %H:%M"),
                    fb.customer.name,
                    fb.get_source_display(),
                    Link(fb.text[:80], fb.get_absolute_url()),
                ]
            )
    return rows


def source_rows(ctx: Context) -> list[list]:
    p = ctx.period
    rows = []
    for value, label in Feedback.Source.choices:
        if _source(ctx) and value != _source(ctx):
            continue
        n = sum(s.counts(ctx.user, p.start, p.end, source=value).values())
        rows.append([Link(str(label), _list(ctx, source=value)), n])
    return rows


def category_series(ctx: Context, periods) -> list[tuple[str, list]]:
    per = s.series(ctx.user, [(p.start, p.end) for p in periods], source=_source(ctx))
    return [(c.name, [counter[c.pk] for counter in per]) for c in s.categories() if c.active]


def _total(ctx: Context) -> Value:
    return Value.count(sum(_counts(ctx).values()))


def _confirmed(ctx: Context) -> Value:
    done, whole = s.confirmed(ctx.user, ctx.period.start, ctx.period.end, source=_source(ctx))
    return Value.rate(done, whole)


FIGURES = [
    Figure(
        "feedback",
        _("客户意见"),
        COUNT,
        _("本周期收到的客户意见数：满意度调查的意见、回访结果（回访内容与发现的问题）和来电意见，按反馈时间计。"),
        compute=_total,
        drill=lambda ctx: ("feedback:list", {**ctx.period.dates(), "source": _source(ctx)}),
        group="feedback",
    ),
    Figure(
        "confirmed",
        _("人工确认分类占比"),
        PERCENT,
        _("本周期的意见中，分类已由工作人员设置或确认的比例（其余为按关键词规则建议的分类）。"),
        compute=_confirmed,
        drill=lambda ctx: ("feedback:list", {**ctx.period.dates(), "source": _source(ctx), "confirmed": "0"}),
        group="feedback",
    ),
]

TABLES = [
    Table(
        "by_category",
        _("意见分类"),
        [_("分类"), _("本期"), _("占比 %"), _("上期"), _("较上期")],
        category_rows,
        chart="pie",
    ),
    Table("by_source", _("意见来源"), [_("来源"), _("本期")], source_rows, chart="bar"),
    Table(
        "comments",
        _("意见摘录（每类最近 3 条）"),
        [_("分类"), _("时间"), _("客户"), _("来源"), _("意见")],
        comment_rows,
    ),
]

CHARTS = [Chart("trend_category", _("意见分类趋势（近 12 个周期）"), series=category_series)]

FEEDBACK = kit.register(
    Report(
        key="feedback",
        title=_("客户意见分析"),
        perm="feedback.view_analysis",
        figures=FIGURES,
        tables=TABLES,
        charts=CHARTS,
        filters=[Filter("source", _("来源"), source_choices)],
        groups={"feedback": _("本期概况")},
    )
)
