"""The satisfaction-survey list, declared once for its page and its Excel export (RV-7, RPT-4)."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kefu.core import lists
from kefu.core.tables import Column, Table
from kefu.surveys import selectors
from kefu.surveys.models import Rectification, Survey


def filters_of(params) -> dict:
    return {"status": params.get("status", ""), "unsatisfied": params.get("unsatisfied") == "1"}


def _rating_cell(survey) -> str:
    if not survey.rating:
        return "—"
    return format_html(
        '<span class="badge {}">{}</span>', "bg-red-lt" if survey.rating <= 2 else "bg-green-lt", survey.rating
    )


def _rectification(survey):
    return getattr(survey, "rectification", None)  # none yet: the reverse one-to-one raises


class SurveyTable(Table):
    name = "surveys:list"
    title = _("满意度调查")
    permission = "surveys.view_list"
    testid = "survey-table"
    empty = _("暂无满意度调查")
    columns = (
        Column("customer", _("客户"), value="customer.name", link=lambda s: reverse("surveys:detail", args=[s.pk])),
        Column("subject_label", _("调查事项"), width=30),
        Column("served_by", _("服务人员"), value="served_by.display_name"),
        Column("status", _("状态"), choices=Survey.Status),
        Column("rating", _("评分"), kind="number", cell=_rating_cell),
        Column("comment", _("意见"), width=30, page=False),
        Column("answered_at", _("评价时间"), kind="datetime", page=False),
        Column("rectification", _("整改"), value="rectification_label"),
        Column("created_at", _("发起时间"), kind="datetime"),
    )

    def rows(self, user, params):
        qs = selectors.surveys_for(user, **filters_of(params))
        qs = lists.filter_people(qs, "served_by", params)
        return lists.filter_dates(qs, "answered_at", *lists.date_range(params))

    def decorate(self, rows, user, **known) -> None:
        labels = {v: str(label) for v, label in Rectification.Status.choices}
        for survey in rows:
            rect = _rectification(survey)
            survey.rectification_label = labels.get(rect.status, rect.status) if rect else ""


SURVEYS = SurveyTable()
