"""待我审批, declared once for its page and its Excel export (PLAN-2, SR-7, RPT-4): one row per
step waiting for the user's decision, the row marked with its approval (what the user opens)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kefu.approvals import chains, selectors
from kefu.core.tables import Column, Table, object_key

SHORT = "m-d H:i"


def _subject_cell(step) -> str:
    link = format_html(
        '<a href="{}">{}</a>', reverse("approvals:detail", args=[step.approval_id]), step.approval.subject_label
    )
    if step.approval.round > 1:
        badge = _("第 %(n)s 次提交") % {"n": step.approval.round}
        return format_html('{} <span class="badge bg-orange-lt">{}</span>', link, badge)
    return link


def _submitted_cell(step) -> str:
    approval = step.approval
    at = date_format(timezone.localtime(approval.submitted_at), SHORT)
    return format_html("{} · {}", approval.submitted_by.display_name, at)


def _due_cell(step) -> str:
    if not step.due_at:
        return "—"
    css = "text-red fw-bold" if step.overdue else ""
    return format_html('<span class="{}">{}</span>', css, date_format(timezone.localtime(step.due_at), SHORT))


def _open_cell(step) -> str:
    return format_html(
        '<a class="btn btn-sm btn-primary" href="{}" data-testid="open-approval">{}</a>',
        reverse("approvals:detail", args=[step.approval_id]),
        _("审批"),
    )


class InboxTable(Table):
    name = "approvals:inbox"
    title = _("待我审批")
    permission = "approvals.view_inbox"
    testid = "approval-inbox"
    empty = _("没有待您审批的事项")
    per_page = 100
    stack = True
    columns = (
        Column("subject", _("审批事项"), value="approval.subject_label", cell=_subject_cell),
        Column("round", _("提交次数"), value="approval.round", kind="number", page=False),
        Column("chain", _("流程"), value="chain_label"),
        Column("label", _("环节")),
        Column("submitted_by", _("提交人"), value="approval.submitted_by.display_name", cell=_submitted_cell),
        Column("submitted_at", _("提交时间"), value="approval.submitted_at", kind="datetime", page=False),
        Column("due_at", _("审批时限"), kind="datetime", cell=_due_cell, css="text-nowrap"),
        Column("open", _("操作"), cell=_open_cell, export=False),
    )

    def rows(self, user, params):
        return selectors.pending_for(user)

    def row_attrs(self, row):
        return {"data-object": object_key(row.approval)}

    def decorate(self, rows, user, now=None) -> None:
        now = now or timezone.now()
        for step in rows:
            chain = chains.CHAINS.get(step.approval.chain)
            step.chain_label = chain.label if chain else ""
            step.overdue = bool(step.due_at and step.due_at < now)


INBOX = InboxTable()
