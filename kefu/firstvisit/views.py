"""First-visit pages: handover form, my first visits, the first-visit page, needs, the template."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.core import lists
from kefu.core.errors import KefuError
from kefu.customers.masking import personal
from kefu.customers.selectors import can_see_personal
from kefu.customers.workflow import DuplicateSuspected
from kefu.deadlines import clocks
from kefu.deadlines.models import OPEN_STATES, Clock
from kefu.firstvisit import selectors, workflow
from kefu.firstvisit.forms import CompleteForm, HandOverForm, NeedForm, NotCompletedForm, TemplateForm
from kefu.firstvisit.models import FirstVisit, Need, sees_first_visits

SAID = {
    "verify": _("客户信息已核实。"),
    "explain": _("已记录：向客户讲解了服务流程。"),
    "email": _("服务流程邮件已发送给客户联系人。"),
    "need": _("需求已记录，提交后将通知负责部门。"),
    "submit": _("需求已提交给各部门负责人。"),
    "complete": _("首访已完成。"),
    "retry": _("已记录未完成原因，并约定下次联系时间。"),
}
PERSONAL_KEYS = {"contact.mobile", "contact.phone"}


@login_required
@permission_required("firstvisit.hand_over", raise_exception=True)
def hand_over(request):
    form = HandOverForm(request.POST or None, user=request.user)
    candidates = []
    if request.method == "POST" and form.is_valid():
        try:
            visit = workflow.hand_over_new(
                **form.parts(),
                by=request.user,
                now=timezone.now(),
                confirm_duplicate=request.POST.get("confirm_duplicate") == "1",
            )
        except DuplicateSuspected as exc:
            candidates = exc.candidates
            messages.warning(request, exc.message)
        except KefuError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("合同已移交首访，首访专员：%(s)s") % {"s": visit.specialist.display_name})
            return redirect("firstvisit:list")
    return render(request, "firstvisit/hand_over.html", {"form": form, "candidates": candidates})


@login_required
@permission_required("firstvisit.view_list", raise_exception=True)
def first_visit_list(request):
    q, status = request.GET.get("q", ""), request.GET.get("status", "")
    mine = request.GET.get("mine") == "1"
    qs = selectors.first_visits_for(request.user, q=q, status=status, mine=mine)
    qs = lists.filter_dates(qs, "handed_over_at", *lists.date_range(request.GET))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "firstvisit/first_visit_list.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "mine": mine,
            "statuses": FirstVisit.Status.choices,
            "can_hand_over": request.user.has_perm("firstvisit.hand_over"),
        },
    )


def _checks(visit: FirstVisit, allowed: bool) -> list[dict]:
    values = workflow.current_values(visit)
    labels = {
        "customer": visit.customer._meta,
        "contact": workflow.Contact._meta,
        "contract": visit.contract._meta,
    }
    rows = []
    for key in workflow.CHECKS:
        rec, name = workflow.CHECKS[key]
        value = values[key] or ""
        shown = personal(value, allowed=allowed) if key in PERSONAL_KEYS else value
        rows.append(
            {
                "key": key,
                "label": f"{labels[rec].verbose_name}·{labels[rec].get_field(name).verbose_name}",
                "value": value,
                "shown": shown,
                "verified": key in visit.verified_fields,
            }
        )
    return rows


@login_required
def first_visit_detail(request, pk):
    visit = selectors.first_visit_for(request.user, pk)
    user = request.user
    allowed = can_see_personal(user, visit.customer)
    can_work = user.has_perm("firstvisit.work", visit)
    subject, body = workflow.render_process_email(visit)
    values = workflow.current_values(visit)
    return render(
        request,
        "firstvisit/first_visit_detail.html",
        {
            "visit": visit,
            "checks": _checks(visit, allowed),
            "flag_qq": values["contact.in_marketing_qq"],
            "flag_wechat": values["contact.in_wechat_service"],
            "needs": visit.needs.select_related("department", "submitted_to"),
            "clocks": clocks.clocks_of(visit),
            "open_states": OPEN_STATES,
            "email_subject": subject,
            "email_body": body,
            "can_work": can_work and visit.status != FirstVisit.Status.COMPLETED,
            "can_submit": can_work and visit.needs.filter(status=Need.Status.RECORDED).exists(),
            "can_edit_template": user.has_perm("firstvisit.change_template"),
            "need_form": NeedForm(),
            "complete_form": CompleteForm(),
            "retry_form": NotCompletedForm(),
        },
    )


def _act(request, pk, action, said):
    visit = selectors.first_visit_for(request.user, pk)
    now = timezone.now()
    try:
        action(visit, request, now)
    except KefuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, said)
    return redirect(visit)


def _verify(visit, request, now):
    post = request.POST
    corrections, expected = {}, {}
    for key in workflow.CHECKS:
        new = post.get(f"fix:{key}", "").strip()
        if new:
            corrections[key] = new
            expected[key] = post.get(f"was:{key}", "")
    for flag in workflow.FLAGS:
        current = bool(workflow.current_values(visit)[flag])
        wanted = post.get(f"flag:{flag}") == "1"
        if wanted != current:
            corrections[flag] = wanted
    workflow.verify(
        visit, verified=post.getlist("verified"), corrections=corrections, expected=expected, by=request.user, now=now
    )


def _need(visit, request, now):
    form = NeedForm(request.POST)
    if not form.is_valid():
        raise KefuError(workflow.NEED_CONTENT_REQUIRED)
    workflow.record_need(
        visit,
        department=form.cleaned_data["department"],
        content=form.cleaned_data["content"],
        by=request.user,
        now=now,
    )


def _retry(visit, request, now):
    form = NotCompletedForm(request.POST)
    if not form.is_valid():
        raise KefuError(workflow.NEXT_ATTEMPT_REQUIRED)
    workflow.not_completed(
        visit,
        reason=form.cleaned_data["reason"],
        next_attempt_at=form.cleaned_data["next_attempt_at"],
        by=request.user,
        now=now,
    )


ACTIONS = {
    "verify": _verify,
    "explain": lambda v, r, now: workflow.explain_process(v, by=r.user, now=now),
    "email": lambda v, r, now: workflow.send_process_email(v, by=r.user, now=now),
    "need": _need,
    "submit": lambda v, r, now: workflow.submit_needs(v, by=r.user, now=now),
    "complete": lambda v, r, now: workflow.complete(v, summary=r.POST.get("summary", ""), by=r.user, now=now),
    "retry": _retry,
}


@login_required
@require_POST
def first_visit_action(request, pk, action):
    handler = ACTIONS.get(action)
    if handler is None:
        raise PermissionDenied
    return _act(request, pk, handler, SAID[action])


@login_required
@permission_required("firstvisit.view_needs", raise_exception=True)
def need_list(request):
    status = request.GET.get("status", "")
    page = Paginator(selectors.needs_for(request.user, status=status), 30).get_page(request.GET.get("page"))
    return render(
        request, "firstvisit/need_list.html", {"page": page, "status": status, "statuses": Need.Status.choices}
    )


@login_required
@permission_required("firstvisit.view_needs", raise_exception=True)
def need_detail(request, pk):
    """One need, for the department head it was submitted to (the 客户需求 notice leads here)."""
    need = get_object_or_404(selectors.needs_for(request.user).select_related("first_visit"), pk=pk)
    user = request.user
    return render(
        request,
        "firstvisit/need_detail.html",
        {
            "need": need,
            "sees_visit": sees_first_visits(user),
            "sees_customer": user.has_perm("customers.view_customer", need.customer),
        },
    )


@login_required
@permission_required("firstvisit.change_template", raise_exception=True)
def template_edit(request):
    template = workflow.process_template()
    form = TemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.update_template(
                template,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                by=request.user,
                now=timezone.now(),
            )
        except KefuError as exc:
            form.add_error("body", exc.message)
        else:
            messages.success(request, _("服务流程邮件模板已更新，此后发送的邮件使用新内容。"))
            return redirect("firstvisit:template")
    return render(request, "firstvisit/template_edit.html", {"form": form, "template": template})


def workbench_panel(request) -> dict | None:
    """我的首访 (FV-1): open first visits of the specialist, by due time."""
    user = request.user
    if not user.is_authenticated or not user.has_role("first_visit"):
        return None
    visits = list(selectors.first_visits_for(user, status="open", mine=True)[:10])
    due = {}
    if visits:
        ct = ContentType.objects.get_for_model(FirstVisit)
        for clock in Clock.objects.filter(
            content_type=ct, object_id__in=[str(v.pk) for v in visits], state__in=OPEN_STATES
        ).order_by("due_at"):
            due.setdefault(clock.object_id, clock.due_at)
    for v in visits:
        v.due_at = due.get(str(v.pk))
    visits.sort(key=lambda v: (v.due_at is None, v.due_at or v.handed_over_at))
    return {
        "title": _("我的首访"),
        "template": "firstvisit/workbench_panel.html",
        "visits": visits,
        "now": timezone.now(),
    }


def needs_panel(request) -> dict | None:
    """Needs submitted to me as a department head (FV-5)."""
    user = request.user
    if not user.is_authenticated or user.is_external:
        return None
    needs = list(
        Need.objects.filter(submitted_to=user).select_related("customer", "department").order_by("-submitted_at")[:8]
    )
    if not needs:
        return None
    return {"title": _("提交给我的客户需求"), "template": "firstvisit/needs_panel.html", "needs": needs}


def customer_panel(request, customer) -> dict | None:
    if not request.user.has_perm("firstvisit.view_list"):
        return None
    visits = list(customer.first_visits.select_related("contract", "specialist"))
    return {"template": "firstvisit/customer_panel.html", "visits": visits} if visits else None
