"""The service-desk KPI dashboard (RPT-2) declared on the reports kit: figures with their
definitions and targets, breakdown tables, 12-period trends; each figure drills down to the
list page of its rows (`kefu.core.lists`), filtered to the period."""

from django.utils.translation import gettext_lazy as _

from kefu.kpi import aggregates as a
from kefu.kpi import selectors as s
from kefu.org import roles
from kefu.org.models import User
from kefu.org.selectors import departments_for
from kefu.reports import kit
from kefu.reports.kit import COUNT, HOURS, PERCENT, SCORE, Chart, Context, Figure, Filter, Report, Table

# The people whose work the dashboard measures (the engineer filter's choices).
STAFF_ROLES = (
    roles.HOTLINE,
    roles.FIELD_ENGINEER,
    roles.SERVICE_DESK,
    roles.CUSTOMER_REP,
    roles.FIRST_VISIT,
    roles.CALL_CENTER,
    roles.SERVICE_MANAGER,
)


def department_choices(user):
    return [(d.pk, d.name) for d in departments_for(user)]


def engineer_choices(user):
    qs = User.objects.visible_to(user).filter(is_active=True, groups__name__in=STAFF_ROLES).distinct()
    return [(u.pk, u.display_name) for u in qs.order_by("name", "username")]


def people(ctx: Context):
    """User ids to narrow to (the engineer, or a department's members), or None for all."""
    if ctx.filters.get("engineer"):
        return [int(ctx.filters["engineer"])]
    if ctx.filters.get("department"):
        return list(User.objects.filter(department_id=int(ctx.filters["department"])).values_list("pk", flat=True))
    return None


def _span(ctx: Context) -> dict:
    return {"user": ctx.user, "start": ctx.period.start, "end": ctx.period.end, "people": people(ctx)}


def _spans(periods) -> list:
    return [(p.start, p.end) for p in periods]


def _who(ctx: Context) -> dict:
    return {"user": ctx.user, "people": people(ctx)}


def _people_params(ctx: Context) -> dict:
    """The engineer or department the dashboard is narrowed to, as the lists read it (`lists.people`)."""
    for key in ("engineer", "department"):
        if ctx.filters.get(key):
            return {key: ctx.filters[key]}
    return {}


def _drill(url_name: str, **extra):
    def build(ctx: Context):
        # The list narrowed as the dashboard is: the period, and the engineer or department.
        return url_name, {**ctx.period.dates(), **extra, **_people_params(ctx)}

    return build


def _first_response(priority: str, label, name, hours: int) -> Figure:
    return Figure(
        f"first_response_{priority}",
        name,
        PERCENT,
        _(
            "本周期受理、已有结果的%(p)s优先级服务请求中，在 %(h)d 个热线工作小时内首次响应的比例（计时：request.first_response.%(key)s，已完成或已过时限的计时）。"
        )
        % {"p": label, "h": hours, "key": priority},
        compute=lambda ctx: a.rate(ctx, f"fr.{priority}", people(ctx)),
        series=lambda ctx, ps: a.rate_series(ctx, f"fr.{priority}", ps, people(ctx)),
        drill=_drill("servicedesk:list", priority=priority),
        group="response",
    )


FIGURES = [
    _first_response("urgent", _("紧急"), _("首次响应及时率（紧急）"), 2),
    _first_response("high", _("高"), _("首次响应及时率（高）"), 4),
    _first_response("medium", _("中"), _("首次响应及时率（中）"), 6),
    _first_response("low", _("低"), _("首次响应及时率（低）"), 24),
    Figure(
        "shelved_reply",
        _("搁置答复及时率"),
        PERCENT,
        _("本周期搁置的问题中，3 个热线工作小时内答复客户的比例（HL-5，计时 hotline.shelved_reply）。"),
        compute=lambda ctx: a.rate(ctx, "shelved_reply", people(ctx)),
        drill=_drill("servicedesk:hotline_records", outcome="shelved"),
        group="response",
    ),
    Figure(
        "callback",
        _("承诺回拨及时率"),
        PERCENT,
        _("本周期挂机后承诺的回拨中，1 小时内回拨的比例（HL-5，计时 hotline.callback）。"),
        compute=lambda ctx: a.rate(ctx, "callback", people(ctx)),
        drill=_drill("servicedesk:hotline_records"),
        group="response",
    ),
    Figure(
        "resolution_median",
        _("解决时长中位数"),
        HOURS,
        _("本周期受理且已解决的服务请求，从受理到解决的时长（自然小时）的中位数。"),
        compute=lambda ctx: a.median_resolution(ctx, people(ctx)),
        higher_is_better=False,
        drill=_drill("servicedesk:list"),
        group="response",
    ),
    Figure(
        "first_call_resolution",
        _("一次电话解决率"),
        PERCENT,
        _(
            "本周期电话受理的服务请求中，由接听人在通话中解决（热线记录为“电话解决”，不含搁置后回拨解决）、没有上门也没有转交他人的比例。"
        ),
        compute=lambda ctx: a.rate(ctx, "fcr", people(ctx)),
        series=lambda ctx, ps: a.rate_series(ctx, "fcr", ps, people(ctx)),
        drill=_drill("servicedesk:list", channel="phone"),
        group="hotline",
    ),
    Figure(
        "connection_rate",
        _("接通率"),
        PERCENT,
        _("本周期来电中已接通的比例（HL-8，目标 ≥ 90%）。"),
        compute=lambda ctx: a.rate(ctx, "calls", people(ctx)),
        series=lambda ctx, ps: a.rate_series(ctx, "calls", ps, people(ctx)),
        target=90,
        drill=_drill("servicedesk:calls"),
        group="hotline",
    ),
    Figure(
        "appointments_kept",
        _("预约守约率"),
        PERCENT,
        _("预约开始时间在本周期内的上门预约中，未记录爽约的比例（OS-2）。"),
        compute=lambda ctx: a.rate(ctx, "appointments", people(ctx)),
        drill=_drill("fieldservice:list"),
        group="onsite",
    ),
    Figure(
        "on_time_arrival",
        _("准时到达率"),
        PERCENT,
        _("本周期到达现场的派工单中，在约定时段结束前签到的比例。"),
        compute=lambda ctx: a.rate(ctx, "arrival", people(ctx)),
        drill=_drill("fieldservice:list"),
        group="onsite",
    ),
    Figure(
        "write_off",
        _("次日上班前核销率"),
        PERCENT,
        _("本周期开始计时的工单核销中，在次日上班前完成的比例（OS-5，计时 fieldservice.write_off）。"),
        compute=lambda ctx: a.rate(ctx, "write_off", people(ctx)),
        drill=_drill("fieldservice:list", status="written_off"),
        group="onsite",
    ),
    Figure(
        "onsite_solved",
        _("上门解决率"),
        PERCENT,
        _("本周期签字的服务单中，结果为“已解决”的比例（部分解决、未解决见下表）。"),
        compute=lambda ctx: a.rate(ctx, "onsite_solved", people(ctx)),
        drill=_drill("fieldservice:list"),
        group="onsite",
    ),
    Figure(
        "repeat_visits",
        _("重复上门率"),
        PERCENT,
        _("本周期申请的派工单中，同一服务请求此前已上门过（再次派工）的比例。"),
        compute=lambda ctx: a.rate(ctx, "repeat", people(ctx)),
        higher_is_better=False,
        drill=_drill("fieldservice:list"),
        group="onsite",
    ),
    Figure(
        "return_visits",
        _("回访按时完成率"),
        PERCENT,
        _("本周期开始的热线回访、上门回访、定期关怀回访和结单确认回访中，按时限完成的比例（RV-1/2/5/8、SR-5）。"),
        compute=lambda ctx: a.rate(ctx, "return_visits", people(ctx)),
        series=lambda ctx, ps: a.rate_series(ctx, "return_visits", ps, people(ctx)),
        drill=_drill("visits:list", scope="all", status="done"),
        group="care",
    ),
    Figure(
        "satisfaction",
        _("平均满意度"),
        SCORE,
        _("本周期作答的满意度调查的平均评分（1–5 分）。"),
        compute=lambda ctx: a.satisfaction_average(ctx, people(ctx)),
        drill=_drill("surveys:list", status="answered"),
        group="care",
    ),
    Figure(
        "unsatisfied",
        _("不满意占比"),
        PERCENT,
        _("本周期作答的调查中评分 1–2 分或勾选“存在问题”的比例（每份会生成整改）。"),
        compute=lambda ctx: a.rate(ctx, "unsatisfied", people(ctx)),
        higher_is_better=False,
        drill=_drill("surveys:list", status="answered", unsatisfied="1"),
        group="care",
    ),
    Figure(
        "rectifications_open",
        _("待整改"),
        COUNT,
        _("当前尚未完成的整改项数（不限周期）。"),
        compute=lambda ctx: s.rectifications_open(ctx.user, people=people(ctx)),
        higher_is_better=False,
        drill=lambda ctx: ("surveys:list", {"unsatisfied": "1", **_people_params(ctx)}),
        group="care",
    ),
    Figure(
        "first_visits",
        _("首访一周内完成率"),
        PERCENT,
        _("本周期移交的首访中，在移交后 1 周内完成首访电话的比例（FV-2，计时 firstvisit.call）。"),
        compute=lambda ctx: a.rate(ctx, "first_visits", people(ctx)),
        drill=_drill("firstvisit:list"),
        group="care",
    ),
    Figure(
        "needs_submitted",
        _("需求次日上班前提交率"),
        PERCENT,
        _("本周期记录的客户需求中，在次日上班前提交部门负责人的比例（FV-5，计时 firstvisit.need_submit）。"),
        compute=lambda ctx: a.rate(ctx, "needs", people(ctx)),
        drill=lambda ctx: ("firstvisit:needs", {}),
        group="care",
    ),
    Figure(
        "overdue_requests",
        _("当前超时服务请求"),
        COUNT,
        _("此刻有计时已过时限的未结服务请求数（与服务请求列表的“已超时”相同）。"),
        compute=lambda ctx: s.overdue_requests(ctx.user, now=ctx.now, people=people(ctx)),
        higher_is_better=False,
        drill=lambda ctx: ("servicedesk:list", {"overdue": "1", **_people_params(ctx)}),
        group="load",
    ),
    Figure(
        "overdue_clocks",
        _("当前超时事项"),
        COUNT,
        _("此刻已过时限的全部计时（请求、回访、首访、审批等）。"),
        compute=lambda ctx: s.overdue_clocks(ctx.user, now=ctx.now, people=people(ctx)),
        higher_is_better=False,
        drill=lambda ctx: ("deadlines:clock_list", {"clock_scope": "team"}),
        group="load",
    ),
]


def _table(key, title, columns, rows, chart=""):
    return Table(key, title, columns, rows, chart)


TABLES = [
    _table(
        "resolution",
        _("解决时长分布"),
        [_("时长"), _("请求数"), _("占比 %")],
        lambda ctx: a.resolution_distribution(ctx, people(ctx)),
        chart="bar",
    ),
    _table(
        "calls_engineer",
        _("接通率（按工程师）"),
        [_("工程师"), _("来电"), _("接通"), _("接通率 %")],
        lambda ctx: a.connection_by_engineer(ctx, people(ctx)),
    ),
    _table(
        "calls_day",
        _("接通率（按日）"),
        [_("日期"), _("来电"), _("接通"), _("接通率 %")],
        lambda ctx: a.connection_by_day(ctx, people(ctx)),
    ),
    _table(
        "sheet_outcomes",
        _("上门结果"),
        [_("结果"), _("服务单"), _("占比 %")],
        lambda ctx: a.sheet_outcomes(ctx, people(ctx)),
        chart="pie",
    ),
    _table(
        "satisfaction",
        _("满意度分布"),
        [_("评分"), _("份数"), _("占比 %")],
        lambda ctx: a.satisfaction_distribution(ctx, people(ctx)),
        chart="bar",
    ),
    _table(
        "workload_engineer",
        _("工作量（按人员）"),
        [_("人员"), _("受理请求"), _("派工单"), _("完成回访"), _("当前未结计时")],
        lambda ctx: a.workload(ctx, people(ctx), by="engineer"),
    ),
    _table(
        "workload_department",
        _("工作量（按部门）"),
        [_("部门"), _("受理请求"), _("派工单"), _("完成回访"), _("当前未结计时")],
        lambda ctx: a.workload(ctx, people(ctx), by="department"),
    ),
]

CHARTS = [
    Chart(
        "trend_response",
        _("首次响应及时率趋势（近 12 个周期）"),
        ["first_response_urgent", "first_response_high", "first_response_medium", "first_response_low"],
    ),
    Chart(
        "trend_service",
        _("服务质量趋势（近 12 个周期）"),
        ["connection_rate", "first_call_resolution", "return_visits"],
    ),
]

KPI = kit.register(
    Report(
        key="kpi",
        title=_("服务台 KPI"),
        perm="kpi.view_dashboard",
        figures=FIGURES,
        tables=TABLES,
        charts=CHARTS,
        as_of=a.as_of,
        filters=[
            Filter("department", _("部门"), department_choices),
            Filter("engineer", _("人员"), engineer_choices),
        ],
        groups={
            "response": _("响应与解决"),
            "hotline": _("热线"),
            "onsite": _("上门服务"),
            "care": _("回访、满意度与首访"),
            "load": _("超时"),
        },
    )
)
