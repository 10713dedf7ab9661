"""Approval pages: 待我审批 (the inbox), one approval with its history and the decision form,
the workbench panel. Thin: each POST calls one workflow function."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.approvals import chains, selectors, tables, workflow
from kefu.approvals.forms import DecisionForm, ResubmitForm
from kefu.approvals.models import Approval
from kefu.core.actions import act, shown_again

VERDICT_LABELS = {workflow.APPROVE: _("同意"), workflow.RETURN: _("退回修改"), workflow.REJECT: _("驳回")}
SAID = {
    workflow.APPROVE: _("已同意：%(s)s。"),
    workflow.RETURN: _("已退回修改：%(s)s，提交人已收到通知。"),
    workflow.REJECT: _("已驳回：%(s)s，提交人已收到通知。"),
}


@login_required
@permission_required("approvals.view_inbox", raise_exception=True)
def inbox(request):
    listing = tables.INBOX.listing(request, now=timezone.now())
    return render(request, "approvals/inbox.html", {"listing": listing})


def _context(request, approval: Approval) -> dict:
    step = workflow.current_step(approval)
    chain = chains.CHAINS.get(approval.chain)
    return {
        "approval": approval,
        "chain_label": chain.label if chain else approval.chain,
        "step": step,
        "history": selectors.history(approval),
        "can_decide": step is not None and workflow.may_decide(request.user, step),
        "can_resubmit": approval.status == Approval.Status.RETURNED and workflow.may_resubmit(request.user, approval),
        "verdicts": [(v, label) for v, label in VERDICT_LABELS.items() if chain is None or v in chain.verdicts],
    }


@login_required
def detail(request, pk):
    approval = selectors.approval_for(request.user, pk)
    return render(request, "approvals/detail.html", _context(request, approval))


def _again(request, approval: Approval):
    """The approval's page again after a refused decision, with the verdict and reason as typed."""

    def again(exc):
        approval.refresh_from_db()
        return shown_again(request, "approvals/detail.html", _context(request, approval), exc)

    return again


@login_required
@require_POST
def decide(request, pk):
    """A decision; on an error the page comes back with the verdict and reason as typed."""
    approval = selectors.approval_for(request.user, pk)
    form = DecisionForm(request.POST)
    return act(
        request,
        workflow.decide,
        approval,
        form=form,
        done=lambda a: SAID[form.cleaned_data["verdict"]] % {"s": a.subject_label},
        then="approvals:inbox",
        again=_again(request, approval),
    )


@login_required
@require_POST
def resubmit(request, pk):
    """The submitter sends a returned approval round again (after revising its subject)."""
    approval = selectors.approval_for(request.user, pk)
    return act(
        request,
        workflow.resubmit,
        approval,
        form=ResubmitForm(request.POST),
        done=lambda a: _("已重新提交：%(s)s。") % {"s": a.subject_label},
        then=lambda a: reverse("approvals:detail", args=[a.pk]),
        again=_again(request, approval),
    )


def workbench_panel(request) -> dict | None:
    """待我审批 on the workbench, with each step's deadline."""
    user = request.user
    if not user.is_authenticated or user.is_external:
        return None
    steps = list(selectors.pending_for(user)[:8])
    if not steps:
        return None
    return {"title": _("待我审批"), "template": "approvals/workbench_panel.html", "steps": steps, "now": timezone.now()}
