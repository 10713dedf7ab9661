"""The service-plan list, declared once for its page and its Excel export (PLAN-1, RPT-4)."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kefu.core.tables import DATE_FORMAT, Column, Table
from kefu.plans import selectors
from kefu.plans.models import ServicePlan


def _period_cell(plan) -> str:
    return format_html(
        "{} – {}", date_format(plan.period_start, DATE_FORMAT), date_format(plan.period_end, DATE_FORMAT)
    )


class PlanTable(Table):
    name = "plans:list"
    title = _("客户服务计划")
    permission = "plans.view_list"
    testid = "plan-table"
    empty = _("暂无服务计划")
    columns = (
        Column("customer", _("客户"), value="customer.name", link=lambda p: reverse("plans:detail", args=[p.pk])),
        Column("period", _("服务期限"), cell=_period_cell, export=False),
        Column("period_start", _("服务期限自"), kind="date", page=False),
        Column("period_end", _("服务期限至"), kind="date", page=False),
        Column("visit_frequency", _("回访频度"), choices=ServicePlan.Frequency),
        Column("author", _("编写人"), value="author.display_name"),
        Column("status", _("状态"), choices=ServicePlan.Status),
        Column("created_at", _("编写时间"), kind="datetime", page=False),
        Column("decided_at", _("审批时间"), kind="datetime", page=False),
    )

    def rows(self, user, params):
        return selectors.plans_for(user, status=params.get("status", ""))


PLANS = PlanTable()
