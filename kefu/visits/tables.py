"""The return-visit list, declared once for its page and its Excel export (RV-8, RPT-4): my
visits, all visits or the overdue ones (managers), in the order of the work."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kefu.core import lists
from kefu.core.tables import DATETIME_FORMAT, Column, Table
from kefu.visits import selectors
from kefu.visits.models import ReturnVisit

UNASSIGNED = _("未分配")


def filters_of(user, params) -> dict:
    """The page's scope (mine / all / overdue: the last two for managers), status and kind."""
    scope = params.get("scope", "mine")
    overdue = scope == "overdue"
    if overdue and not user.has_perm("visits.view_overdue"):
        scope, overdue = "mine", False
    status = params.get("status", "todo" if not overdue else "")
    return {"scope": scope, "overdue": overdue, "status": status, "kind": params.get("kind", "")}


def _due_cell(visit) -> str:
    if not visit.due_at:
        return "—"
    css = "text-red fw-bold" if visit.overdue else ""
    return format_html(
        '<span class="{}">{}</span>', css, date_format(timezone.localtime(visit.due_at), DATETIME_FORMAT)
    )


class VisitTable(Table):
    name = "visits:list"
    title = _("回访")
    permission = "visits.view_list"
    testid = "visit-table"
    empty = _("暂无回访")
    columns = (
        Column("customer", _("客户"), value="customer.name", link=lambda v: reverse("visits:detail", args=[v.pk])),
        Column("kind", _("类型"), choices=ReturnVisit.Kind),
        Column("channel", _("方式"), choices=ReturnVisit.Channel),
        Column("planned_for", _("计划日期"), kind="date"),
        Column("due_at", _("截止时间"), kind="datetime", cell=_due_cell),
        Column("assignee", _("回访人"), value=lambda v: v.assignee.display_name if v.assignee else UNASSIGNED),
        Column("status", _("状态"), choices=ReturnVisit.Status),
    )

    def rows(self, user, params):
        f = filters_of(user, params)
        now = timezone.now()  # the overdue list: open visits past due now
        qs = selectors.visits_for(
            user,
            scope="all" if f["overdue"] else f["scope"],
            status=f["status"],
            kind=f["kind"],
            overdue_at=now if f["overdue"] else None,
        )
        qs = lists.filter_people(qs, "assignee", params)
        return lists.filter_dates(qs, "opened_at", *lists.date_range(params))

    def decorate(self, rows, user, now=None) -> None:
        now = now or timezone.now()
        for visit in rows:
            visit.overdue = bool(visit.due_at and visit.due_at < now)


VISITS = VisitTable()
