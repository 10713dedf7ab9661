"""Onsite service's lists, each declared once for its page and its Excel export (RPT-4).

The dispatch board's waiting requests (OS-1), the engineer's orders of today (OS-3, the phone
page) and every work order the user may see. The board and the phone page keep their own
layout (a keyset "load more" table, big cards at 375 px); their exports use these columns. The
customer's address is masked for roles without the personal-data permission (QS-6).
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core import lists
from kefu.core.tables import Column, Table
from kefu.fieldservice import selectors
from kefu.fieldservice.models import WorkOrder
from kefu.fieldservice.workflow import WAITING

STATUS = Column("status", _("状态"), choices=WorkOrder.Status)  # the label as text, as the pages show it


def _detail(o) -> str:
    return reverse("fieldservice:detail", args=[o.pk])


class BoardTable(Table):
    """The board's waiting requests (OS-1), oldest first. The page shows them a page at a time
    by keyset (`selectors.waiting_page`, "load more"); the export writes them all."""

    name = "fieldservice:board"
    title = _("待核实 / 待派发的上门申请")
    sheet = _("派工看板")
    permission = "fieldservice.view_board"
    testid = "waiting-table"
    empty = _("暂无待派发的上门申请")
    columns = (
        Column("number", _("编号"), link=_detail),
        Column("customer", _("客户"), value="customer.name"),
        Column("district", _("区县"), value="customer.district.name"),
        Column("reason", _("上门原因")),
        STATUS,
        Column("created_at", _("申请时间"), kind="datetime"),
        Column("request", _("服务请求"), value="request.number"),
    )

    def rows(self, user, params):
        # The same rows as the board's pages: every waiting order, for the dispatchers who see it.
        return WorkOrder.objects.filter(status__in=WAITING).order_by("created_at", "id")

    def export_rows(self, rows):
        return rows.select_related("customer__district", "request")


BOARD = BoardTable()


class TodayTable(Table):
    """The field engineer's orders of today, then those without an appointment (OS-3). The phone
    page shows them as cards; the export as rows."""

    name = "fieldservice:today"
    title = _("今日工单")
    permission = "fieldservice.view_list"
    testid = "today-orders"
    empty = _("今天没有工单")
    per_page = 50
    columns = (
        Column("number", _("编号"), link=lambda o: reverse("fieldservice:phone", args=[o.pk])),
        Column("customer", _("客户"), value="customer.name"),
        STATUS,
        Column("appointment_start", _("预约开始"), kind="datetime"),
        Column("appointment_end", _("预约结束"), kind="datetime"),
        Column("reason", _("上门原因")),
        Column("address", _("地址"), value="customer.address", personal="address"),
    )

    def rows(self, user, params):
        return selectors.today_for_engineer(user, now=timezone.now())


TODAY = TodayTable()


class OrderTable(Table):
    """Every work order the user may see (office roles all, an engineer their own), by status."""

    name = "fieldservice:list"
    title = _("派工单")
    permission = "fieldservice.view_list"
    testid = "order-table"
    stack = True
    empty = _("暂无派工单")
    columns = (
        Column("number", _("编号"), link=_detail),
        Column("customer", _("客户"), value="customer.name"),
        Column("engineer", _("服务工程师"), value="engineer.display_name"),
        Column("appointment_start", _("预约"), kind="datetime"),
        STATUS,
        Column("request", _("服务请求"), value="request.number", page=False),
        Column("reason", _("上门原因"), page=False),
        Column("address", _("地址"), value="customer.address", personal="address", page=False),
        Column("created_at", _("申请时间"), kind="datetime", page=False),
    )

    def rows(self, user, params):
        qs = lists.filter_people(selectors.orders_for(user, status=params.get("status", "")), "engineer", params)
        return lists.filter_dates(qs, "created_at", *lists.date_range(params))


ORDERS = OrderTable()

TABLES = (BOARD, TODAY, ORDERS)
