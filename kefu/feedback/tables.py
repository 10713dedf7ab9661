"""The feedback list (FB-1), declared once for its page and its Excel export (RPT-4): the
filters a drill-down from the analysis sends (category, source, period), and on each row the
category with the select that sets or changes it."""

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from kefu.core import lists
from kefu.core.tables import Column, Table
from kefu.feedback import selectors
from kefu.feedback.models import Feedback

SUGGESTED = _("建议")
SET = _("改分类")


def filters_of(params) -> dict:
    return {k: params.get(k, "") for k in ("category", "source", "confirmed")}


def _category_label(fb) -> str:
    if fb.category_id is None:
        return ""
    return fb.category.name


def _category_cell(fb) -> str:
    """The category, "建议" while it is the rule table's, and the select that sets it (the form
    around the table posts it: feedback/list.html)."""
    badge = format_html(
        '<span class="badge {}" data-testid="category-{}">{}</span>',
        "bg-blue-lt" if fb.confirmed else "bg-secondary-lt",
        fb.pk,
        _category_label(fb) or "—",
    )
    hint = "" if fb.confirmed else format_html(' <small class="text-secondary">{}</small>', SUGGESTED)
    options = getattr(fb, "category_options", None)
    if not options:
        return format_html("{}{}", badge, hint)
    opts = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((c.pk, " selected" if c.pk == fb.category_id else "", c.name) for c in options),
    )
    return format_html(
        '{}{}<div class="input-group input-group-sm mt-1" style="min-width: 11rem">'
        '<select class="form-select" name="category-{}" aria-label="{}">{}</select>'
        '<input type="hidden" name="was-{}" value="{}">'
        '<button class="btn btn-outline-primary" name="row" value="{}" data-testid="set-category-{}">{}</button></div>',
        badge,
        hint,
        fb.pk,
        SET,
        opts,
        fb.pk,
        fb.category_id or "",
        fb.pk,
        fb.pk,
        SET,
    )


class FeedbackTable(Table):
    name = "feedback:list"
    title = _("客户意见")
    permission = "feedback.view_list"
    testid = "feedback-table"
    empty = _("暂无客户意见")
    stack = True
    columns = (
        Column("at", _("反馈时间"), kind="datetime"),
        Column("source", _("来源"), choices=Feedback.Source),
        Column(
            "customer",
            _("客户"),
            value="customer.name",
            link=lambda fb: reverse("customers:detail", args=[fb.customer_id]),
        ),
        Column("source_label", _("来源事项"), link=lambda fb: fb.get_absolute_url(), width=24),
        Column("text", _("意见内容"), width=50),
        Column("rating", _("评价")),
        Column("staff", _("服务人员"), value="staff.display_name"),
        Column("category", _("分类"), value=_category_label, cell=_category_cell),
        Column("confirmed", _("分类方式"), value=lambda fb: str(_("人工") if fb.confirmed else SUGGESTED), page=False),
        Column("suggested", _("建议分类"), value="suggested.name", page=False),
    )

    def rows(self, user, params):
        qs = selectors.feedback_for(user, **filters_of(params))
        return lists.filter_dates(qs, "at", *lists.date_range(params))

    def page_rows(self, rows):
        return rows.select_related("customer", "staff", "category", "source_type")

    def export_rows(self, rows):
        return rows.select_related("customer", "staff", "category", "suggested", "source_type")

    def decorate(self, rows, user, **known) -> None:
        options = known.get("categories")
        if options is None:
            return
        for fb in rows:
            if user.has_perm("feedback.categorise", fb):
                fb.category_options = options


FEEDBACK = FeedbackTable()
