"""Project pages (PRJ-1..PRJ-8): lists, the task book, the project page with every step, the
log page; the customer uses the same pages, scoped, at 375 px. Thin: act() calls the workflow."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.approvals import selectors as approval_selectors
from kefu.approvals import workflow as approvals
from kefu.audit.service import events_for
from kefu.core.actions import act
from kefu.customers.models import Contract
from kefu.documents import attachments, pdf
from kefu.org.models import User
from kefu.projects import forms, selectors, tables, workflow
from kefu.projects.models import Acceptance, ChangeRequest, DailyLog, Issue, Phase, PlanVersion, Project, Risk


def _said(text):
    return lambda result: text


@login_required
@permission_required("projects.view_list", raise_exception=True)
def project_list(request):
    return render(
        request,
        "projects/project_list.html",
        {
            "listing": tables.PROJECTS.listing(request),
            "view": request.GET.get("view", ""),
            "views": tables.VIEW_LABELS.items() if not request.user.is_external else [],
            "status": request.GET.get("status", ""),
            "statuses": Project.Status.choices,
        },
    )


@login_required
@permission_required("projects.view_list", raise_exception=True)
def log_list(request):
    return render(request, "projects/log_list.html", {"listing": tables.LOGS.listing(request)})


@login_required
@permission_required("projects.view_taskbooks", raise_exception=True)
def taskbook_list(request):
    contracts = (
        Contract.objects.visible_to(request.user).order_by("-signed_on")[:50]
        if request.user.has_perm("projects.write_taskbook")
        else []
    )
    return render(
        request,
        "projects/taskbook_list.html",
        {"listing": tables.TASK_BOOKS.listing(request), "contracts": contracts},
    )


@login_required
@permission_required("projects.write_taskbook", raise_exception=True)
def taskbook_create(request, contract_pk):
    contract = get_object_or_404(Contract.objects.visible_to(request.user).select_related("customer"), pk=contract_pk)
    form = forms.TaskBookForm(request.POST or None, request.FILES or None)
    initial = workflow.draft_from(contract)

    def page(exc=None):
        sent = request.POST if request.method == "POST" else initial
        return render(
            request,
            "projects/taskbook_form.html",
            {"contract": contract, "sent": sent, "error": exc},
            status=getattr(exc, "status", 200) if exc else 200,
        )

    if request.method != "POST":
        return page()
    return act(
        request, workflow.create_task_book, contract, form=form, done=_("任务书已保存，核对后请提交审批。"), again=page
    )


@login_required
def taskbook_edit(request, pk):
    """The signer revises a draft or returned task book (PRJ-1), then submits it again."""
    book = selectors.task_book_for(request.user, pk)
    if not request.user.has_perm("projects.change_taskbook", book) or book.status not in ("draft", "returned"):
        raise PermissionDenied
    form = forms.TaskBookForm(request.POST or None, initial={"update": True})

    def page(exc=None):
        sent = request.POST if request.method == "POST" else {f: getattr(book, f) for f in forms.TaskBookForm.FIELDS}
        return render(
            request,
            "projects/taskbook_form.html",
            {"contract": book.contract, "book": book, "sent": sent, "error": exc},
            status=getattr(exc, "status", 200) if exc else 200,
        )

    if request.method != "POST":
        return page()
    return act(
        request,
        workflow.update_task_book,
        book,
        form=form,
        done=_("任务书已修改，核对后请提交审批。"),
        then=book.get_absolute_url(),
        again=page,
    )


@login_required
def taskbook_detail(request, pk):
    book = selectors.task_book_for(request.user, pk)
    approval = approvals.approval_of(book, workflow.TASK_BOOK_CHAIN)
    step = approvals.current_step(approval) if approval else None
    return render(
        request,
        "projects/taskbook_detail.html",
        {
            "book": book,
            "approval": approval,
            "history": approval_selectors.history(approval) if approval else [],
            "can_submit": request.user.has_perm("projects.change_taskbook", book)
            and book.status in ("draft", "returned"),
            "can_decide": step is not None and approvals.may_decide(request.user, step),
            "managers": User.objects.filter(is_active=True, groups__name="project_manager").order_by("name"),
            "files": attachments.of(book),
            "project": getattr(book, "project", None) if book.status == "approved" else None,
        },
    )


TASK_BOOK_ACTIONS = {
    "submit": (workflow.submit, None, _("已提交审批。")),
    "approve": (workflow.approve, forms.ApproveForm, _("任务书已批准，项目已创建。")),
    "return": (workflow.return_book, forms.ReasonForm, _("已退回签约人修改。")),
    "reject": (workflow.reject, forms.ReasonForm, _("任务书已驳回。")),
}


@login_required
@require_POST
def taskbook_action(request, pk, action):
    book = selectors.task_book_for(request.user, pk)
    if action not in TASK_BOOK_ACTIONS:
        raise Http404
    fn, form_class, said = TASK_BOOK_ACTIONS[action]
    form = form_class(request.POST) if form_class else None
    then = lambda result: result.project if action == "approve" else result  # noqa: E731
    return act(request, fn, book, form=form, done=_said(said), then=then, back=book.get_absolute_url())


def _context(request, project):
    user = request.user
    internal = not user.is_external
    plans = list(project.plans.order_by("-number"))
    for i, newer in enumerate(plans):
        newer.changes = workflow.diff(plans[i + 1] if i + 1 < len(plans) else None, newer)
    phases = list(project.phase_set.order_by("order"))
    logs = list(selectors.logs_for(user, project=project)[:60])
    changes = list(project.change_requests.select_related("requested_by")) if internal else []
    for change in changes:
        approval = approvals.approval_of(
            change, workflow.PAUSE_CHAIN if change.kind == "pause" else workflow.TERMINATE_CHAIN
        )
        step = approvals.current_step(approval) if approval else None
        change.may_decide = step is not None and approvals.may_decide(user, step)
        change.step = step
    acceptance = project.acceptances.order_by("-round").first()
    gantt = [
        {
            "id": f"phase-{ph.pk}",
            "name": ph.name,
            "start": ph.planned_start.isoformat(),
            "end": ph.planned_end.isoformat(),
            "progress": 100 if ph.status == "done" else 50 if ph.status != "planned" else 0,
            "actual_start": ph.actual_start.isoformat() if ph.actual_start else "",
            "actual_end": ph.actual_end.isoformat() if ph.actual_end else "",
        }
        for ph in phases
    ] + [
        {
            "id": f"milestone-{m.pk}",
            "name": f"◆ {m.name}",
            "start": m.due_on.isoformat(),
            "end": m.due_on.isoformat(),
            "progress": 100 if m.reached_on else 0,
        }
        for m in project.milestone_set.all()
    ]
    return {
        "project": project,
        "internal": internal,
        "manages": user.has_perm("projects.manage", project),
        "works": user.has_perm("projects.work", project),
        "directs": user.has_perm("projects.direct"),
        "signs": user.has_perm("projects.sign", project),
        "is_customer": user.is_customer_user,
        "team": project.team.select_related("user"),
        "plans": plans,
        "phases": phases,
        "phases_done": bool(phases) and all(ph.status == Phase.Status.DONE for ph in phases),
        "milestones": project.milestone_set.all(),
        "risks": project.risks.select_related("owner") if internal else [],
        "issues": project.issues.select_related("owner") if internal else [],
        "logs": logs,
        "hours": selectors.hours_by_consultant(project),
        "blockers": workflow.start_blockers(project) if project.status == "planning" else [],
        "changes": changes,
        "acceptance": acceptance,
        "causes": Acceptance.Cause.choices,
        "checklist": workflow.document_checklist(project) if project.status in ("final", "archived") else [],
        "history": events_for(project)[:50] if internal else [],
        "consultants": User.objects.filter(is_active=True, groups__name__in=["consultant", "project_manager"])
        .distinct()
        .order_by("name")
        if internal
        else [],
        "gantt": {
            "rows": [{**row, "milestone": row["id"].startswith("milestone-")} for row in gantt],
            "today": timezone.localdate().isoformat(),
            "labels": {"plan": str(_("计划")), "actual": str(_("实际")), "milestone": str(_("里程碑"))},
        },
        "has_gantt": bool(gantt),
        "gantt_height": 70 + 34 * len(gantt),
        "sites": project.sites,
        "today": timezone.localdate(),
        "phase_rows": range(forms.PlanForm.ROWS),
        "milestone_rows": range(forms.PlanForm.MILESTONES),
    }


@login_required
def project_detail(request, pk):
    project = selectors.project_for(request.user, pk)
    return render(request, "projects/project_detail.html", _context(request, project))


@login_required
@permission_required("projects.view_internal", raise_exception=True)
def project_report(request, pk):
    """The project report as PDF (PRJ-8): status, phases, hours by consultant, issues, risks."""
    project = selectors.project_for(request.user, pk)
    content = pdf.render(
        "projects/report_pdf.html",
        {
            "project": project,
            "phases": project.phase_set.order_by("order"),
            "milestones": project.milestone_set.all(),
            "hours": selectors.hours_by_consultant(project),
            "issues": project.issues.select_related("owner"),
            "risks": project.risks.select_related("owner"),
            "now": timezone.localtime(),
        },
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{project.number}.pdf"'
    return response


@login_required
def log_detail(request, pk, log_pk):
    project = selectors.project_for(request.user, pk)
    log = get_object_or_404(DailyLog.objects.select_related("author"), project=project, pk=log_pk)
    return render(
        request,
        "projects/log_detail.html",
        {
            "project": project,
            "log": log,
            "photos": attachments.of(log, kind="daily_log_photo"),
            "paper": attachments.of(log, kind="log_confirmation"),
            "can_confirm": request.user.is_customer_user and request.user.has_perm("projects.confirm_log", project),
            "manages": request.user.has_perm("projects.manage", project),
        },
    )


# action → (workflow function, form, item model or None, done message)
PROJECT_ACTIONS = {
    "member": (workflow.add_member, forms.MemberForm, None, _("已加入实施团队。")),
    "kickoff": (workflow.record_kickoff, forms.KickoffForm, None, _("启动会已记录。")),
    "plan": (workflow.write_plan, forms.PlanForm, None, _("实施计划已保存，发送客户签字后生效。")),
    "send_plan": (workflow.send_plan, None, PlanVersion, _("已发送客户签字。")),
    "sign_plan": (workflow.sign_plan, forms.SignForm, PlanVersion, _("实施计划已签字确认，按新计划执行。")),
    "start": (workflow.start, None, None, _("项目已开始实施。")),
    "log": (workflow.write_log, forms.LogForm, None, _("实施日志已提交，等待客户确认。")),
    "confirm_log": (workflow.confirm_log, None, DailyLog, _("日志已确认。")),
    "paper": (workflow.confirm_on_paper, forms.PaperForm, DailyLog, _("纸质确认已登记。")),
    "submit_phase": (workflow.submit_phase, forms.ResultForm, Phase, _("阶段成果已提交，等待项目经理审核。")),
    "review_phase": (workflow.review_phase, None, Phase, _("审核通过，已请客户签字确认。")),
    "return_phase": (workflow.return_phase, forms.ReasonForm, Phase, _("阶段成果已退回。")),
    "sign_phase": (workflow.sign_phase, forms.SignForm, Phase, _("阶段成果已签字确认，阶段完成。")),
    "invite": (workflow.invite, forms.InviteForm, Phase, _("邀请邮件已发出。")),
    "issue": (workflow.raise_issue, forms.IssueForm, None, _("问题已登记，负责人已开始计时。")),
    "resolve": (workflow.resolve_issue, forms.ResolveForm, Issue, _("问题已解决。")),
    "risk": (workflow.add_risk, forms.RiskForm, None, _("风险已登记。")),
    "close_risk": (workflow.close_risk, None, Risk, _("风险已关闭。")),
    "pause": (workflow.request_pause, forms.ReasonForm, None, _("暂停申请已提交项目经理和实施部经理审批。")),
    "terminate": (workflow.request_terminate, forms.TerminateForm, None, _("终止申请已提交审批。")),
    "decide": (workflow.decide, forms.DecideForm, ChangeRequest, _("审批意见已提交。")),
    "resume": (workflow.resume, None, None, _("项目已恢复实施，计时已恢复。")),
    "acceptance": (workflow.submit_acceptance, forms.AcceptanceForm, None, _("已提交验收评估。")),
    "evaluate": (workflow.evaluate_pm, forms.VerdictForm, Acceptance, _("评估意见已提交。")),
    "customer_evaluate": (workflow.evaluate_customer, forms.CustomerVerdictForm, Acceptance, _("验收评估已签字。")),
    "conclude": (workflow.conclude_failed, forms.ConcludeForm, Acceptance, _("验收结果已确定。")),
    "final_review": (workflow.final_review, None, None, _("终验资料已审核。")),
    "archive": (workflow.archive, None, None, _("项目已归档。")),
    "visit": (workflow.schedule_visit, None, None, _("回访已安排给客户代表。")),
}


@login_required
@require_POST
def project_action(request, pk, action, item=None):
    project = selectors.project_for(request.user, pk)
    if action not in PROJECT_ACTIONS:
        raise Http404
    fn, form_class, model, said = PROJECT_ACTIONS[action]
    target = project
    if model is not None:
        if item is None:
            raise Http404
        target = get_object_or_404(model, project=project, pk=item)
    elif item is not None:
        raise Http404
    form = form_class(request.POST, request.FILES) if form_class else None
    back = project.get_absolute_url()
    if action in ("confirm_log", "paper"):
        back = target.get_absolute_url()
    return act(request, fn, target, form=form, done=_said(said), then=back, back=back)


def customer_panel(request, customer) -> dict | None:
    """The customer's implementation projects on its archive page (PRJ-8), as far as the user sees them."""
    if not request.user.has_perm("projects.view_list"):
        return None
    projects = list(selectors.projects_for(request.user).filter(customer=customer)[:10])
    return {"template": "projects/customer_panel.html", "projects": projects} if projects else None
