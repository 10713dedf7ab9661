"""The complaint and CAPA lists, declared once for the page and its Excel export (CP-1, CP-6, RPT-4)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.complaints import selectors
from kefu.complaints.models import Complaint, CorrectiveAction
from kefu.core import lists
from kefu.core.tables import Column, Table


class ComplaintTable(Table):
    name = "complaints:list"
    title = _("客户投诉")
    permission = "complaints.view_list"
    testid = "complaint-list"
    empty = _("暂无投诉")
    columns = (
        Column("number", _("编号"), link=lambda c: reverse("complaints:detail", args=[c.pk])),
        Column("customer", _("客户"), value="customer.name"),
        Column("title", _("投诉事项")),
        Column("type", _("投诉类型"), choices=Complaint.Type),
        Column("source", _("来源"), choices=Complaint.Source),
        Column("contact_phone", _("联系电话"), personal="phone", page=False),
        Column("department", _("责任部门"), value="department.name"),
        Column("station", _("维修站"), value="station.name"),
        Column("crisis_level", _("危机级别"), choices=Complaint.Crisis),
        Column("received_at", _("受理时间"), kind="datetime"),
        Column("closed_at", _("关闭时间"), kind="datetime", page=False),
        Column.status(),
    )

    def rows(self, user, params):
        """Scoped and filtered as the page shows them; `from` / `to` (received, the report's
        drill-down) and `valid=counted` (the report's valid complaints)."""
        qs = selectors.complaints_for(
            user,
            status=params.get("status", ""),
            q=params.get("q", ""),
            crisis=params.get("crisis") in ("1", "true"),
            valid=params.get("valid", ""),
        )
        first, last = lists.date_range(params)
        return lists.filter_dates(qs, "received_at", first, last)

    def page_rows(self, rows):
        return rows.select_related("customer", "department", "station")

    def export_rows(self, rows):
        return rows.select_related("customer", "department", "station")


class ActionTable(Table):
    name = "complaints:actions"
    title = _("纠正预防措施")
    permission = "complaints.view_list"
    testid = "capa-list"
    empty = _("暂无纠正预防措施")
    columns = (
        Column(
            "complaint",
            _("投诉"),
            value="complaint.number",
            link=lambda a: reverse("complaints:detail", args=[a.complaint_id]),
        ),
        Column("customer", _("客户"), value="complaint.customer.name"),
        Column("kind", _("类别"), choices=CorrectiveAction.Kind),
        Column("description", _("措施内容")),
        Column("owner", _("负责人"), value="owner.display_name"),
        Column("created_at", _("创建时间"), kind="datetime"),
        Column("done_at", _("完成时间"), kind="datetime"),
        Column.status(),
    )

    def rows(self, user, params):
        return selectors.actions_for(user, status=params.get("status", ""), mine=params.get("mine") == "1")


COMPLAINTS = ComplaintTable()
ACTIONS = ActionTable()
TABLES = (COMPLAINTS, ACTIONS)
