"""The service desk's lists, each declared once for its page and its Excel export (RPT-4).

Requests (SR), the portal's own requests (SR-1), hotline records (HL-3), the unsolved records
tracked to a closed loop (HL-7), the duty roster (HL-1, HL-2) and the call log (HL-8). Rows
come from the domain's selectors, so a page and its export are scoped alike; callers' phones
are masked for roles without the personal-data permission (QS-6).
"""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from kefu.core import lists
from kefu.core.tables import EMPTY, Column, Table
from kefu.servicedesk import selectors
from kefu.servicedesk.models import CallLog, HotlineRecord, ServiceRequest

REQUEST_FILTERS = ("q", "owner", "status", "priority", "type", "channel", "customer")
LABELLED = {"type": ServiceRequest.Type, "priority": ServiceRequest.Priority, "status": ServiceRequest.Status}
SHORT = "m-d H:i"  # the roster's and the desk's own lists show the day and time only


def request_filters(params) -> dict[str, str]:
    return {k: params.get(k, "") for k in REQUEST_FILTERS}


def with_labels(rows):
    """Set `<field>_label` on each row from one translation per choice and page:
    get_FOO_display() rebuilds and translates the whole choice list on every call."""
    labels = {field: {value: str(label) for value, label in choices.choices} for field, choices in LABELLED.items()}
    for row in rows:
        for field, table in labels.items():
            value = getattr(row, field)
            setattr(row, f"{field}_label", table.get(value, value))
    return rows


def _short(value) -> str:
    return date_format(timezone.localtime(value), SHORT) if value else ""


def _truncated(text: str) -> str:
    """The page's cut of a long text (as `|truncatechars:40`); the export has it whole."""
    return format_html("{}", Truncator(text or "").chars(40))


# --- requests (servicedesk:list) ----------------------------------------------------------


def _first_response(r) -> str:
    if r.first_response_at:
        return format_html('<span class="text-green">{}</span>', _("已响应"))
    late = r.first_response_due is not None and r.first_response_due < r.listed_at
    return format_html('<span class="{}">{}</span>', "text-red" if late else "", _short(r.first_response_due))


class RequestTable(Table):
    """The request list (SR): the usual filters, overdue from the running clocks, search. Its
    count stops at 1,000, like the API's: COUNT over a LIMIT subquery is cheap at 1 M rows."""

    name = "servicedesk:list"
    title = _("服务请求")
    permission = "servicedesk.view_request_list"
    testid = "request-list"
    empty = _("暂无服务请求")
    cap = 1_000
    columns = (
        Column("number", _("编号"), link=lambda r: reverse("servicedesk:detail", args=[r.pk])),
        Column("customer", _("客户"), value="customer.name"),
        Column("title", _("标题")),
        Column("type", _("类型"), value="type_label"),
        Column("priority", _("优先级"), value="priority_label"),
        Column("owner", _("负责人"), value="owner.display_name"),
        Column("first_response_due", _("首次响应时限"), kind="datetime", cell=_first_response),
        Column("first_response_at", _("首次响应时间"), kind="datetime", page=False),
        Column.status(),
        Column("channel", _("来源渠道"), choices=ServiceRequest.Channel, page=False),
        Column("caller", _("来电人/提出人"), page=False),
        Column("caller_phone", _("联系电话"), personal="phone", page=False),
        Column("phenomenon", _("问题现象"), page=False),
        Column("created_at", _("受理时间"), kind="datetime", page=False),
    )

    def _filters(self, user, params, *, for_count=False):
        qs = selectors.requests_for(
            user,
            **request_filters(params),
            overdue=params.get("overdue") == "1",
            now=timezone.now(),
            for_count=for_count,
        )
        # A report's drill-down sends the period (issue 15): requests taken in on those dates.
        return lists.filter_people(lists.filter_dates(qs, "created_at", *lists.date_range(params)), "owner", params)

    def rows(self, user, params):
        return self._filters(user, params)

    def count_rows(self, user, params):
        # The API's form, cheapest to count; built only when a count is needed, as building it
        # probes the search words again.
        return lambda: self._filters(user, params, for_count=True)

    def decorate(self, rows, user, **known) -> None:
        with_labels(rows)
        now = timezone.now()
        for r in rows:
            r.listed_at = now


REQUESTS = RequestTable()


class PortalTable(Table):
    """A customer's own requests in the portal (SR-1, SR-5): scoped to its organisation by
    `visible_to`, as everywhere; no personal columns (the caller is the customer)."""

    name = "portal:list"
    title = _("我的服务请求")
    permission = "servicedesk.submit_portal"
    testid = "portal-list"
    stack = True
    empty = _("暂无服务请求")
    cap = 1_000
    columns = (
        Column("number", _("编号"), link=lambda r: reverse("portal:detail", args=[r.pk])),
        Column("title", _("标题")),
        Column("created_at", _("提交时间"), kind="datetime"),
        Column.status(),
        Column("phenomenon", _("问题现象"), page=False),
    )

    def rows(self, user, params):
        return selectors.requests_for(user, status=params.get("status", ""))

    def decorate(self, rows, user, **known) -> None:
        with_labels(rows)


PORTAL = PortalTable()


# --- hotline records (servicedesk:hotline_records) ----------------------------------------


class HotlineRecordTable(Table):
    """Every hotline record the user may see (HL-3); `mine=1`, `outcome=` narrow it."""

    name = "servicedesk:hotline_records"
    title = _("热线记录")
    permission = "servicedesk.hotline"
    testid = "hotline-records"
    empty = _("暂无热线记录")
    columns = (
        Column(
            "started_at", _("来电时间"), kind="datetime", link=lambda rec: reverse("servicedesk:record", args=[rec.pk])
        ),
        Column("customer", _("客户"), value="customer.name"),
        Column("phenomenon", _("问题现象"), cell=lambda rec: _truncated(rec.phenomenon)),
        Column("engineer", _("工程师"), value="engineer.display_name"),
        Column("outcome", _("结果"), choices=HotlineRecord.Outcome),
        Column("request", _("请求"), value="request.number"),
        Column("caller", _("来电人"), page=False),
        Column("caller_phone", _("来电号码"), personal="phone", page=False),
        Column("answer", _("答复"), page=False),
    )

    def rows(self, user, params):
        qs = selectors.hotline_records_for(user, mine=params.get("mine") == "1", outcome=params.get("outcome", ""))
        qs = lists.filter_people(qs, "engineer", params)
        return lists.filter_dates(qs, "started_at", *lists.date_range(params))


HOTLINE_RECORDS = HotlineRecordTable()


# --- unsolved records (servicedesk:unsolved, HL-7) ----------------------------------------


def _request_cell(rec) -> str:
    return format_html(
        '<a href="{}">{}</a> {}',
        reverse("servicedesk:detail", args=[rec.request_id]),
        rec.request.number,
        rec.request_status,
    )


def _loop_cell(rec) -> str:
    if rec.loop_closed_at:
        return format_html("{} {}", _short(rec.loop_closed_at), rec.loop_note)
    if not rec.closes_loop:
        return EMPTY
    return format_html(
        '<form method="post" action="{}" class="d-flex gap-1">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input class="form-control form-control-sm" name="note" placeholder="{}" aria-label="{}">'
        '<button class="btn btn-sm">{}</button></form>',
        reverse("servicedesk:record_action", args=[rec.pk, "close-loop"]),
        rec.csrf_token,
        _("闭环说明"),
        _("闭环说明"),
        _("闭环"),
    )


class UnsolvedTable(Table):
    """The unsolved records submitted to the service manager (HL-7), oldest first, each tracked
    to a closed loop; an engineer sees their own. `all=1` shows the closed loops too."""

    name = "servicedesk:unsolved"
    title = _("未解决热线问题")
    testid = "unsolved-records"
    empty = _("暂无未解决问题")
    per_page = 100
    columns = (
        Column("submitted_at", _("提交时间"), kind="datetime", cell=lambda rec: _short(rec.submitted_at)),
        Column("customer", _("客户"), value="customer.name"),
        Column("phenomenon", _("问题现象"), cell=lambda rec: _truncated(rec.phenomenon)),
        Column("engineer", _("工程师"), value="engineer.display_name"),
        Column("request", _("请求"), value="request.number", cell=_request_cell),
        Column("request_status", _("请求状态"), page=False),
        Column("loop", _("闭环"), value="loop_closed_at", kind="datetime", cell=_loop_cell),
        Column("loop_note", _("闭环说明"), page=False),
    )

    def may_view(self, user) -> bool:
        # The manager tracks everyone's; a hotline engineer sees (and submits) their own.
        return user.is_authenticated and (
            user.has_perm("servicedesk.view_unsolved") or user.has_perm("servicedesk.hotline")
        )

    def rows(self, user, params):
        qs = selectors.unsolved_for(user, open_only=params.get("all") != "1")
        if not user.has_perm("servicedesk.view_unsolved"):
            qs = qs.filter(engineer=user)
        return qs

    def decorate(self, rows, user, csrf_token: str = "", **known) -> None:
        # The page passes its CSRF token: the manager closes each loop from its row.
        statuses = {v: str(label) for v, label in ServiceRequest.Status.choices}
        closes = bool(csrf_token) and user.has_perm("servicedesk.view_unsolved")
        for rec in rows:
            rec.request_status = statuses.get(rec.request.status, rec.request.status)
            rec.closes_loop, rec.csrf_token = closes, csrf_token


UNSOLVED = UnsolvedTable()


# --- the duty roster (servicedesk:duty, HL-1, HL-2) ---------------------------------------


def week_start(params, now):
    """The Monday of the week the roster shows: `week=` (any day of it), else this week."""
    try:
        day = parse_date(params.get("week", "") or "")
    except ValueError:  # a week like 2025-13-45 is no date: this week
        day = None
    day = day or timezone.localdate(now)
    return day - timedelta(days=day.weekday())


class DutyTable(Table):
    """The week's shifts (HL-1): the page shows them as a roster by day, the export as rows."""

    name = "servicedesk:duty"
    title = _("值班安排")
    permission = "servicedesk.view_duty"
    testid = "duty-shifts"
    empty = _("本周暂无排班")
    per_page = 500  # a week of shifts is one page: the roster shows them all
    columns = (
        Column("day", _("日期"), kind="date", value=lambda s: timezone.localdate(s.starts_at)),
        Column("starts_at", _("开始"), kind="datetime"),
        Column("ends_at", _("结束"), kind="datetime"),
        Column("engineer", _("值班人员"), value="engineer.display_name"),
        Column("ready_at", _("到岗就绪时间"), kind="datetime"),
        Column("taken_over_at", _("交接时间"), kind="datetime"),
    )

    def rows(self, user, params):
        monday = week_start(params, timezone.now())
        start = timezone.make_aware(datetime.combine(monday, datetime.min.time()))
        return selectors.shifts_for(user, start=start)


DUTY = DutyTable()


# --- calls (servicedesk:calls, HL-8) ------------------------------------------------------


class CallTable(Table):
    """The call log behind the connection rate (HL-8), newest first."""

    name = "servicedesk:calls"
    title = _("来电记录")
    permission = "servicedesk.view_calls"
    testid = "call-log"
    empty = _("暂无来电记录")
    columns = (
        Column("at", _("时间"), kind="datetime", cell=lambda c: _short(c.at)),
        Column("caller_phone", _("来电号码"), personal="phone"),
        Column("engineer", _("工程师"), value="engineer.display_name"),
        Column(
            "answered",
            _("接通"),
            value=lambda c: _("已接通") if c.answered else _("未接通"),
            cell=lambda c: "✓" if c.answered else "✗",
        ),
        Column("duration", _("通话秒数"), kind="number", page=False),
        Column("source", _("来源"), choices=CallLog.Source),
    )

    def rows(self, user, params):
        # A report's drill-down (HL-8) sends the period and the engineer or department.
        qs = lists.filter_people(selectors.calls_for(user), "engineer", params)
        return lists.filter_dates(qs, "at", *lists.date_range(params))


CALLS = CallTable()

TABLES = (REQUESTS, HOTLINE_RECORDS, UNSOLVED, DUTY, CALLS, PORTAL)
