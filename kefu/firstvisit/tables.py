"""The first-visit lists, declared once for their page and their Excel export (FV-6, FV-5, RPT-4):
first visits (searchable) and the customers' needs."""

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kefu.core import lists
from kefu.core.tables import Column, Table
from kefu.firstvisit import selectors
from kefu.firstvisit.models import Need


def filters_of(params) -> dict:
    return {"q": params.get("q", ""), "status": params.get("status", ""), "mine": params.get("mine") == "1"}


class FirstVisitTable(Table):
    name = "firstvisit:list"
    title = _("首访")
    permission = "firstvisit.view_list"
    testid = "first-visit-table"
    empty = _("暂无首访")
    columns = (
        Column("customer", _("客户"), value="customer.name", link=lambda v: reverse("firstvisit:detail", args=[v.pk])),
        Column("contract", _("合同"), value="contract.number"),
        Column("specialist", _("首访专员"), value=lambda v: v.specialist.display_name if v.specialist else ""),
        Column("handed_over_at", _("移交时间"), kind="datetime"),
        Column.status(),
        Column("next_attempt_at", _("下次联系时间"), kind="datetime", page=False),
        Column("completed_at", _("完成时间"), kind="datetime", page=False),
    )

    def rows(self, user, params):
        qs = selectors.first_visits_for(user, **filters_of(params))
        qs = lists.filter_people(qs, "specialist", params)
        return lists.filter_dates(qs, "handed_over_at", *lists.date_range(params))


FIRST_VISITS = FirstVisitTable()


def _need_status_cell(need) -> str:
    if need.submitted_to:
        return format_html("{} · {}", need.status_label, need.submitted_to.display_name)
    return format_html("{}", need.status_label)


def _recorded_cell(need) -> str:
    at = date_format(timezone.localtime(need.recorded_at), "Y-m-d H:i")
    return format_html("{} · {}", need.recorded_by.display_name, at)


class NeedTable(Table):
    name = "firstvisit:needs"
    title = _("客户需求")
    permission = "firstvisit.view_needs"
    testid = "need-table"
    empty = _("暂无需求")
    columns = (
        Column("customer", _("客户"), value="customer.name", link=lambda n: reverse("firstvisit:need", args=[n.pk])),
        Column("department", _("部门"), value="department.name"),
        Column("content", _("需求内容"), width=40),
        Column("status", _("状态"), value="status_label", cell=_need_status_cell),
        Column(
            "submitted_to",
            _("提交给"),
            value=lambda n: n.submitted_to.display_name if n.submitted_to else "",
            page=False,
        ),
        Column("recorded_by", _("记录"), value="recorded_by.display_name", cell=_recorded_cell),
        Column("recorded_at", _("记录时间"), kind="datetime", page=False),
    )

    def rows(self, user, params):
        return selectors.needs_for(user, status=params.get("status", ""))

    def decorate(self, rows, user, **known) -> None:
        labels = {v: str(label) for v, label in Need.Status.choices}
        for need in rows:
            need.status_label = labels.get(need.status, need.status)


NEEDS = NeedTable()
