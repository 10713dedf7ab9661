"""《客户投诉分析报告》 (CP-8), declared on the reports kit: counts, valid / not counted, by type,
cause, department, customer and product; 3-hour response and 1-day verification compliance;
the trend over 12 months; open CAPA; the top repeat customers. Page, PDF and Excel from the kit.

Complaints found outside the contract's promised service (not counted, CP-2) appear in one
figure only, their own count: every other figure, table and trend reads `counted()` complaints.
A complaint belongs to the period in which it was received."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from kefu.complaints.models import Complaint, CorrectiveAction
from kefu.deadlines.models import Clock, ClockState
from kefu.reports import kit
from kefu.reports.kit import COUNT, PERCENT, Chart, Context, Figure, Report, Table

S = Complaint.Status
TOP = 10


def received(start: datetime, end: datetime):
    return Complaint.objects.filter(received_at__gte=start, received_at__lt=end)


def counted(start: datetime, end: datetime):
    return received(start, end).counted()


def _count_series(qs_for, periods) -> list[kit.Value]:
    """The trend in one query: a conditional count per period over the whole span."""
    rows = qs_for(periods[0].start, periods[-1].end)
    counts = rows.aggregate(
        **{
            f"p{i}": Count("pk", filter=Q(received_at__gte=p.start, received_at__lt=p.end))
            for i, p in enumerate(periods)
        }
    )
    return [kit.Value.count(counts[f"p{i}"]) for i in range(len(periods))]


def _clocks(rule: str, start: datetime, end: datetime):
    ct = ContentType.objects.get_for_model(Complaint)
    return Clock.objects.filter(rule__key=rule, started_at__gte=start, started_at__lt=end, content_type=ct)


def _decided(now: datetime) -> Q:
    return Q(state=ClockState.MET) | Q(due_at__lt=now)


ON_TIME = Q(state=ClockState.MET, met_at__lte=F("due_at"))


def compliance(rule: str, start: datetime, end: datetime, *, now: datetime) -> kit.Value:
    """Of the complaint clocks of `rule` started in the period and decided (met, or past due at
    `now`), the share met by the due time; read from the clocks' (rule, started_at) index, as the
    KPI dashboard does. Only a valid complaint has these clocks (they start at the review), so a
    complaint not counted never reaches this figure."""
    return compliance_series(rule, [(start, end)], now=now)[0]


def compliance_series(rule: str, spans: list[tuple[datetime, datetime]], *, now: datetime) -> list[kit.Value]:
    """`compliance` for each span, in one query."""
    rows = _clocks(rule, spans[0][0], spans[-1][1]).filter(_decided(now))
    counts = rows.aggregate(
        **{f"d{i}": Count("pk", filter=Q(started_at__gte=a, started_at__lt=b)) for i, (a, b) in enumerate(spans)},
        **{
            f"m{i}": Count("pk", filter=Q(started_at__gte=a, started_at__lt=b) & ON_TIME)
            for i, (a, b) in enumerate(spans)
        },
    )
    return [kit.Value.rate(counts[f"m{i}"], counts[f"d{i}"]) for i in range(len(spans))]


def _span(ctx: Context) -> tuple[datetime, datetime]:
    return ctx.period.start, ctx.period.end


def _drill(**extra):
    def build(ctx: Context):
        return "complaints:list", {**ctx.period.dates(), **extra}

    return build


def _by(field: str, label_of=None):
    def rows(ctx: Context) -> list[list]:
        qs = counted(*_span(ctx)).values(field).annotate(n=Count("pk")).order_by("-n", field)[:TOP]
        total = counted(*_span(ctx)).count()
        return [
            [
                label_of(r[field]) if label_of else (r[field] or str(_("未填写"))),
                r["n"],
                round(100.0 * r["n"] / total, 1),
            ]
            for r in qs
        ]

    return rows


def _type_label(value) -> str:
    return str(Complaint.Type(value).label) if value in Complaint.Type.values else str(value)


def repeat_customers(ctx: Context) -> list[list]:
    """Customers with more than one counted complaint in the 12 months up to the period's end."""
    first = ctx.period.back(11)
    qs = (
        Complaint.objects.filter(received_at__gte=first.start, received_at__lt=ctx.period.end)
        .counted()
        .values("customer__name")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("-n", "customer__name")[:TOP]
    )
    return [[r["customer__name"], r["n"]] for r in qs]


def open_capa(ctx: Context) -> list[list]:
    qs = (
        CorrectiveAction.objects.filter(created_at__lt=ctx.period.end)
        .exclude(status=CorrectiveAction.Status.CHECKED)
        .exclude(complaint__status=S.INVALID)
        .select_related("complaint", "owner")
        .order_by("created_at")[:50]
    )
    return [
        [a.complaint.number, a.description[:60], a.owner.display_name, a.get_status_display(), a.created_at.date()]
        for a in qs
    ]


def open_capa_count(ctx: Context) -> kit.Value:
    return kit.Value.count(
        CorrectiveAction.objects.filter(created_at__lt=ctx.period.end)
        .exclude(status=CorrectiveAction.Status.CHECKED)
        .exclude(complaint__status=S.INVALID)
        .count()
    )


FIGURES = [
    Figure(
        "valid",
        _("有效投诉"),
        COUNT,
        _("本期受理、经审核成立的投诉数（不含待审核和不计为有效的投诉）。"),
        compute=lambda ctx: kit.Value.count(counted(*_span(ctx)).count()),
        series=lambda ctx, ps: _count_series(counted, ps),
        drill=_drill(valid="counted"),
        group="counts",
    ),
    Figure(
        "invalid",
        _("不计为有效的投诉"),
        COUNT,
        _("本期受理、经审核超出合同承诺服务范围、已解释并归档的投诉数；不计入其他任何指标。"),
        compute=lambda ctx: kit.Value.count(received(*_span(ctx)).filter(status=S.INVALID).count()),
        series=lambda ctx, ps: _count_series(lambda a, b: received(a, b).filter(status=S.INVALID), ps),
        drill=_drill(status=S.INVALID),
        higher_is_better=False,
        group="counts",
    ),
    Figure(
        "closed",
        _("已关闭"),
        COUNT,
        _("本期受理的有效投诉中已关闭的数量。"),
        compute=lambda ctx: kit.Value.count(counted(*_span(ctx)).filter(status=S.CLOSED).count()),
        drill=_drill(status=S.CLOSED),
        group="counts",
    ),
    Figure(
        "contact_3h",
        _("3 小时内联系客户"),
        PERCENT,
        _(
            "本期受理的有效投诉中，责任人在 3 个办公小时内联系客户的比例（计时：complaint.contact，已完成或已过时限的计时）。"
        ),
        compute=lambda ctx: compliance("complaint.contact", *_span(ctx), now=ctx.now),
        series=lambda ctx, ps: compliance_series("complaint.contact", [(p.start, p.end) for p in ps], now=ctx.now),
        target=100,
        group="compliance",
    ),
    Figure(
        "verify_1d",
        _("1 个工作日内回访验证"),
        PERCENT,
        _(
            "本期反馈结果的有效投诉中，1 个工作日内完成回访验证的比例（计时：complaint.verify，本期开始、已完成或已过时限的计时）。"
        ),
        compute=lambda ctx: compliance("complaint.verify", *_span(ctx), now=ctx.now),
        series=lambda ctx, ps: compliance_series("complaint.verify", [(p.start, p.end) for p in ps], now=ctx.now),
        target=100,
        group="compliance",
    ),
    Figure(
        "open_capa",
        _("未关闭的纠正预防措施"),
        COUNT,
        _("截至本期末已创建、尚未通过检查的纠正预防措施数。"),
        compute=open_capa_count,
        higher_is_better=False,
        group="compliance",
    ),
]

PERCENT_COL = _("占比 %")
TABLES = [
    Table("by_type", _("按投诉类型"), [_("投诉类型"), _("投诉数"), PERCENT_COL], _by("type", _type_label), chart="pie"),
    Table("by_cause", _("按原因"), [_("原因分析"), _("投诉数"), PERCENT_COL], _by("cause")),
    Table(
        "by_department",
        _("按责任部门"),
        [_("责任部门"), _("投诉数"), PERCENT_COL],
        _by("department__name"),
        chart="bar",
    ),
    Table("by_customer", _("按客户"), [_("客户"), _("投诉数"), PERCENT_COL], _by("customer__name")),
    Table("by_product", _("按产品"), [_("产品"), _("投诉数"), PERCENT_COL], _by("product")),
    Table("repeat_customers", _("重复投诉客户（近 12 个月）"), [_("客户"), _("投诉数")], repeat_customers),
    Table(
        "open_capa",
        _("未关闭的纠正预防措施"),
        [_("投诉"), _("措施内容"), _("负责人"), _("状态"), _("创建日期")],
        open_capa,
    ),
]

CHARTS = [
    Chart("trend_counts", _("投诉数趋势（近 12 个月）"), ["valid", "invalid"]),
    Chart("trend_compliance", _("响应及验证及时率趋势（近 12 个月）"), ["contact_3h", "verify_1d"]),
]

COMPLAINTS_REPORT = kit.register(
    Report(
        key="complaints",
        title=_("客户投诉分析报告"),
        perm="complaints.view_report",
        figures=FIGURES,
        tables=TABLES,
        charts=CHARTS,
        groups={"counts": _("投诉数量"), "compliance": _("时限与整改")},
    )
)
