"""The pages of a declared report: the page with its ECharts charts, the PDF and the workbook.

All three compute the same `kit.Computed`, so they show the same numbers. The URL carries the
period and the filters, so a page can be bookmarked, shared and exported as it is shown.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_time
from django.utils.translation import gettext_lazy as _

from kefu.core.actions import act
from kefu.core.errors import Invalid
from kefu.deadlines.models import WEEKDAY_LABELS, DeadlineRule
from kefu.org.models import User
from kefu.reports import kit, output, periods, subscriptions
from kefu.reports.models import Subscription

NO_DATA = _("本周期无数据")
BAD_TIME = _("请填写发送时刻，如 09:00。")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(request, key: str) -> kit.Report:
    report = kit.get(key)
    if report is None:
        raise Http404
    if not request.user.has_perm(report.perm):
        raise PermissionDenied
    return report


def _query(computed: kit.Computed, **extra) -> str:
    params = {**computed.ctx.period.params(), **{k: v for k, v in computed.ctx.filters.items() if v}, **extra}
    return urlencode(params)


def chart_data(computed: kit.Computed) -> list[dict]:
    """What report.js hands to ECharts: a line per trend, a bar or pie per drawn table."""
    data = [
        {
            "id": c.chart.key,
            "json_id": f"chart-data-{c.chart.key}",
            "empty": str(NO_DATA),
            "title": str(c.chart.title),
            "type": "line",
            "categories": c.categories,
            "series": [{"name": name, "data": values} for name, values in c.series],
        }
        for c in computed.charts
    ]
    for t in computed.tables:
        if t.table.chart:
            data.append(
                {
                    "id": t.table.key,
                    "json_id": f"chart-data-{t.table.key}",
                    "empty": str(NO_DATA),
                    "title": str(t.table.title),
                    "type": t.table.chart,
                    "categories": [str(r[0]) for r in t.rows],
                    "series": [{"name": str(t.table.columns[1]), "data": [r[1] for r in t.rows]}],
                }
            )
    return data


@login_required
def report_page(request, key):
    report = _report(request, key)
    now = timezone.now()
    tz = periods.company_zone()
    computed, filters, exc = kit.built(report, request.GET, request.user, now=now)
    if exc is not None:
        period = periods.containing(report.default_period, now.astimezone(tz).date(), tz)
        ctx = kit.Context(user=request.user, period=period, filters={}, now=now)
        return render(
            request,
            "reports/page.html",
            {
                "report": report,
                "error": exc,
                "sent": request.GET,
                "kinds": periods.KIND_LABELS.items(),
                "filters": [
                    {
                        "key": f.key,
                        "label": f.label,
                        "value": request.GET.get(f.key, ""),
                        "options": f.choices(request.user),
                    }
                    for f in report.filters
                ],
                "period": ctx.period,
            },
            status=exc.status,
        )
    ctx = computed.ctx
    shortcuts = [
        (label, f"?{urlencode({**p.params(), **{k: v for k, v in ctx.filters.items() if v}})}")
        for label, p in periods.shortcuts(now=now, tz=tz)
    ]
    return render(
        request,
        "reports/page.html",
        {
            "report": report,
            "computed": computed,
            "groups": output.groups(computed),
            "period": ctx.period,
            "sent": request.GET,
            "kinds": periods.KIND_LABELS.items(),
            "filters": filters,
            "shortcuts": shortcuts,
            "charts": chart_data(computed),
            "tables": [{"table": t.table, "html": output.rows_html(t)} for t in computed.tables],
            "query": _query(computed),
            "as_of": computed.as_of,
        },
    )


@login_required
def report_pdf(request, key):
    report = _report(request, key)
    computed, _f, exc = kit.built(report, request.GET, request.user, now=timezone.now())
    if exc is not None:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    response = HttpResponse(output.pdf_bytes(computed), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{output.file_name(computed, "pdf")}"'
    return response


@login_required
def report_xlsx(request, key):
    report = _report(request, key)
    computed, _f, exc = kit.built(report, request.GET, request.user, now=timezone.now())
    if exc is not None:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    response = HttpResponse(output.xlsx_bytes(computed), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{output.file_name(computed, "xlsx")}"'
    return response


def _number(raw, default: int, low: int, high: int) -> int:
    raw = (raw or "").strip()
    return min(max(int(raw), low), high) if raw.isdigit() else default


def _recipient_choices(report: kit.Report, user) -> list:
    staff = User.objects.visible_to(user).filter(is_active=True).prefetch_related("groups").order_by("name", "username")
    return [u for u in staff if u.has_perm(report.perm)]


@login_required
def subscription_list(request, key):
    """The report's subscriptions of this user, and the form to add one (issue 15 §5)."""
    report = _report(request, key)
    if not request.user.has_perm("reports.manage_subscriptions"):
        raise PermissionDenied
    post = request.POST

    def page(error=None):
        return render(
            request,
            "reports/subscriptions.html",
            {
                "report": report,
                "subscriptions": Subscription.objects.filter(
                    owner=request.user, report=key, active=True
                ).prefetch_related("recipients"),
                "people": _recipient_choices(report, request.user),
                "rules": DeadlineRule.objects.filter(enabled=True).order_by("key"),
                "everies": Subscription.Every.choices,
                "weekdays": list(enumerate(WEEKDAY_LABELS)),
                "sent": post if error else None,
                "chosen": post.getlist("recipients") if error else [],
                "error": error,
            },
            status=error.status if error else 200,
        )

    if request.method != "POST":
        return page()
    if post.get("cancel", "").isdigit():
        sub = get_object_or_404(Subscription, pk=int(post["cancel"]), owner=request.user, report=key)
        return act(
            request,
            subscriptions.unsubscribe,
            sub,
            done=_("已取消订阅。"),
            then=reverse("reports:subscriptions", args=[key]),
        )

    def subscribe(*, by, now):
        people = _recipient_choices(report, by)
        chosen = {p for p in post.getlist("recipients") if p.isdigit()}
        at = parse_time(post.get("at", "") or "")
        if at is None:
            raise Invalid(BAD_TIME, field="at")
        return subscriptions.subscribe(
            key,
            every=post.get("every", ""),
            weekday=_number(post.get("weekday"), 0, 0, 6),
            day=_number(post.get("day"), 1, 1, 28),
            at=at,
            recipients=[u for u in people if str(u.pk) in chosen],
            addresses=post.get("addresses", ""),
            due_rule=post.get("due_rule", ""),
            by=by,
            now=now,
        )

    return act(
        request,
        subscribe,
        done=lambda sub: (
            _("已订阅，首次发送时间 %(at)s。") % {"at": f"{timezone.localtime(sub.next_run_at):%Y-%m-%d %H:%M}"}
        ),
        then=reverse("reports:subscriptions", args=[key]),
        again=page,
    )
