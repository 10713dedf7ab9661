"""Complaint pages (CP-1..CP-9): list and export, intake, the complaint with its steps as forms,
the 《用户投诉登记表》 PDF, the CAPA list, the workbench panels. Thin: every change is a workflow
call through `act()`."""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.approvals import selectors as approval_selectors
from kefu.approvals import workflow as approvals
from kefu.complaints import documents, forms, selectors, tables, workflow
from kefu.complaints.models import Complaint, CorrectiveAction, MonthlyReport
from kefu.core import words
from kefu.core.actions import act
from kefu.core.errors import Invalid
from kefu.customers.models import Contact, Customer
from kefu.deadlines import clocks
from kefu.deadlines.models import OPEN_STATES, Clock
from kefu.org.models import Department
from kefu.surveys.models import Survey

NO_SUCH_ITEM = _("该记录不存在。")
BAD_MONTH = _("月份格式应为 YYYY-MM。")

SAID = {
    "create": _("投诉已登记，质量监督员已收到通知。"),
    "accept": _("投诉成立，已转交处理。"),
    "invalid": _("已记录解释并归档，不计入有效投诉。"),
    "responsible": _("已确定原因和责任人。"),
    "contact": _("已记录联系客户的情况。"),
    "result": _("处理结果已反馈，等待回访验证。"),
    "gm": _("已记录总经理联系客户。"),
    "verify": _("已记录回访验证。"),
    "escalate": _("已再次联系厂商。"),
    "vendor_answer": _("已记录厂商答复。"),
    "feedback": _("已向厂商反馈结果。"),
    "help": _("已请求总部协助。"),
    "station_result": _("维修站处理结果已反馈。"),
    "solution": _("已记录总部解决方案。"),
    "capa": _("已添加纠正预防措施。"),
    "capa_done": _("措施已完成，等待检查。"),
    "capa_check": _("已记录检查结果。"),
    "publish": _("报告已发布，已发送给各部门负责人和总经理。"),
}


@login_required
@permission_required("complaints.view_list", raise_exception=True)
def complaint_list(request):
    return render(
        request,
        "complaints/complaint_list.html",
        {
            "listing": tables.COMPLAINTS.listing(request),
            "status": request.GET.get("status", ""),
            "statuses": [("open", _("未关闭")), *Complaint.Status.choices],
            "q": request.GET.get("q", ""),
            "crisis": request.GET.get("crisis", ""),
            "can_add": request.user.has_perm("complaints.add"),
        },
    )


@login_required
@permission_required("complaints.view_list", raise_exception=True)
def action_list(request):
    return render(
        request,
        "complaints/action_list.html",
        {"listing": tables.ACTIONS.listing(request), "mine": request.GET.get("mine", "")},
    )


@login_required
@permission_required("complaints.add", raise_exception=True)
def complaint_create(request):
    # An unsatisfied survey answer the supervisor escalates (CP-1): the form starts from it.
    survey = _unsatisfied_survey(request)
    initial = {"customer": request.GET.get("customer", ""), **(_from_survey(survey) if survey else {})}
    form = forms.IntakeForm(request.POST or None, initial=initial)
    form.fields["customer"].queryset = Customer.objects.visible_to(request.user)
    initial_customer = survey.customer if survey else None
    if request.GET.get("customer", "").isdigit():
        initial_customer = Customer.objects.visible_to(request.user).filter(pk=request.GET["customer"]).first()

    def page(exc=None):
        return render(request, "complaints/complaint_form.html", {"form": form, "initial_customer": initial_customer})

    if request.method != "POST":
        return page()

    def create(**data):
        customer = form.cleaned_data.get("customer")
        if customer is None:
            raise Invalid(_("请选择客户。"), field="customer")
        if survey is not None and customer == survey.customer:
            data.setdefault("subject", survey.subject)  # what was served: the request or work order
        return workflow.create_complaint(customer, **data)

    return act(request, create, form=form, done=SAID["create"], again=page)


def _unsatisfied_survey(request) -> Survey | None:
    pk = request.GET.get("survey", "")
    survey = Survey.objects.visible_to(request.user).filter(pk=int(pk)).first() if pk.isdigit() else None
    return survey if survey is not None and survey.unsatisfied else None


def _from_survey(survey: Survey) -> dict:
    rating = _("评分 %(r)s 分") % {"r": survey.rating} if survey.rating else ""
    return {
        "customer": survey.customer_id,
        "channel": Complaint.Channel.SURVEY,
        "title": _("满意度调查不满意：%(s)s") % {"s": survey.subject_label},
        "content": words.join(part for part in (rating, survey.comment) if part),
        "served_by": survey.served_by.display_name if survey.served_by_id else "",
    }


def _can(user, perm, complaint, *statuses) -> bool:
    return (not statuses or complaint.status in statuses) and user.has_perm(perm, complaint)


@login_required
def complaint_detail(request, pk):
    complaint = selectors.complaint_for(request.user, pk)
    user, S = request.user, Complaint.Status
    approval = approvals.approval_of(complaint, workflow.COMPENSATION_CHAIN) if not user.is_external else None
    actions = list(complaint.actions.select_related("owner"))
    open_escalation = complaint.escalations.filter(answered_at__isnull=True).order_by("-id").first()
    can = {
        "review": _can(user, "complaints.review", complaint, S.NEW),
        "responsible": _can(user, "complaints.assign_responsible", complaint, S.ASSIGNED),
        "contact": _can(user, "complaints.handle", complaint, S.HANDLING)
        and complaint.compensation != Complaint.Compensation.PENDING,
        "result": _can(user, "complaints.handle", complaint, S.HANDLING) and complaint.contacted_at is not None,
        "gm": complaint.gm_flag and not complaint.gm_contacted_at and _can(user, "complaints.gm_contact", complaint),
        "verify": _can(user, "complaints.verify", complaint, S.RESULT),
        "escalate": _can(user, "complaints.verify", complaint, S.ESCALATED),
        "feedback": complaint.source == Complaint.Source.VENDOR
        and not complaint.vendor_fed_back_at
        and _can(user, "complaints.verify", complaint, S.RESULT, S.ESCALATED, S.CLOSED),
        "station": _can(user, "complaints.station_handle", complaint, S.AT_STATION),
        "solution": _can(user, "complaints.coordinate", complaint, S.HQ_HELP),
        "capa": complaint.status != S.INVALID and _can(user, "complaints.add_action", complaint),
        "check": user.has_perm("complaints.check_action"),
    }
    return render(
        request,
        "complaints/complaint_detail.html",
        {
            "complaint": complaint,
            "clocks": clocks.clocks_of(complaint) if not user.is_external else [],
            "actions": actions,
            "escalations": complaint.escalations.select_related("sent_by"),
            "open_escalation": open_escalation,
            "approval": approval,
            "history": approval_selectors.history(approval) if approval else [],
            "can": can,
            "departments": Department.objects.order_by("code"),
            "staff": forms.STAFF.order_by("name")[:500],
            "remedies": Complaint.Remedy.choices,
            "crisis_levels": Complaint.Crisis.choices[1:],
            "types": Complaint.Type.choices,
            "limit": workflow.compensation_limit(),
            "show_personal": user.has_perm("customers.view_personal_data", complaint.customer),
            "now": timezone.now(),
        },
    )


def _capa(complaint: Complaint, capa) -> CorrectiveAction:
    action = complaint.actions.filter(pk=capa or 0).first()
    if action is None:
        raise Invalid(NO_SUCH_ITEM)
    return action


def _complete_capa(complaint, *, capa, evidence, by, now):
    return workflow.complete_action(_capa(complaint, capa), evidence=evidence, by=by, now=now)


def _check_capa(complaint, *, capa, passed, note, by, now):
    return workflow.check_action(_capa(complaint, capa), passed=passed, note=note, by=by, now=now)


def _vendor_answer(complaint, *, escalation, answer, solved, by, now):
    found = complaint.escalations.filter(pk=escalation or 0).first()
    if found is None:
        raise Invalid(NO_SUCH_ITEM)
    return workflow.vendor_answer(found, answer=answer, solved=solved, by=by, now=now)


# action → (workflow function, the form of its input)
PAGE_ACTIONS = {
    "accept": (workflow.accept, forms.AcceptForm),
    "invalid": (workflow.archive_invalid, forms.InvalidForm),
    "responsible": (workflow.assign_responsible, forms.ResponsibleForm),
    "contact": (workflow.record_contact, forms.ContactForm),
    "result": (workflow.record_result, forms.ResultForm),
    "gm": (workflow.gm_contact, forms.GmContactForm),
    "verify": (workflow.verify, forms.VerifyForm),
    "escalate": (workflow.escalate_again, forms.EscalateForm),
    "vendor_answer": (_vendor_answer, forms.VendorAnswerForm),
    "feedback": (workflow.vendor_feedback, forms.FeedbackForm),
    "help": (workflow.ask_headquarters, forms.HelpForm),
    "station_result": (workflow.station_result, forms.StationResultForm),
    "solution": (workflow.hq_solution, forms.SolutionForm),
    "capa": (workflow.add_action, forms.CapaForm),
    "capa_done": (_complete_capa, forms.EvidenceForm),
    "capa_check": (_check_capa, forms.CheckForm),
}


@login_required
@require_POST
def complaint_action(request, pk, action):
    complaint = selectors.complaint_for(request.user, pk)
    if action not in PAGE_ACTIONS:
        raise PermissionDenied
    fn, form_class = PAGE_ACTIONS[action]
    return act(request, fn, complaint, form=form_class(request.POST), done=SAID[action], then=complaint)


@login_required
def registration_pdf(request, pk):
    """《用户投诉登记表》 with the company header (CP-1); the phone masked for a role without the
    personal-data permission (QS-6)."""
    complaint = selectors.complaint_for(request.user, pk)
    masked = not request.user.has_perm("customers.view_personal_data", complaint.customer)
    response = HttpResponse(documents.registration_form(complaint, masked=masked), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{complaint.number}.pdf"'
    return response


def _month(value: str) -> date:
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise Http404(BAD_MONTH) from None


def _report_urls(first: date) -> dict:
    query = f"?period=month&on={first:%Y-%m-%d}"
    return {
        "page_url": reverse("reports:page", args=["complaints"]) + query,
        "pdf_url": reverse("reports:pdf", args=["complaints"]) + query,
        "xlsx_url": reverse("reports:xlsx", args=["complaints"]) + query,
    }


@login_required
@permission_required("complaints.view_report", raise_exception=True)
def monthly(request, month):
    """The month's 《客户投诉分析报告》 (CP-8): its clock, publishing, and the reports kit's page,
    PDF and Excel for that month."""
    first = _month(month)
    report = MonthlyReport.objects.filter(month=first).first() or MonthlyReport(month=first)
    return render(
        request,
        "complaints/monthly.html",
        {
            "report": report,
            "month": f"{first:%Y-%m}",
            "clock": clocks.open_clock(report, workflow.MONTHLY_REPORT) if report.pk else None,
            "can_publish": request.user.has_perm("complaints.publish_report"),
            **_report_urls(first),
        },
    )


@login_required
@permission_required("complaints.view_report", raise_exception=True)
def monthly_latest(request):
    """Last month's report (the one due now)."""
    last = timezone.localdate().replace(day=1) - timedelta(days=1)
    return monthly(request, f"{last:%Y-%m}")


@login_required
@require_POST
def monthly_publish(request, month):
    first = _month(month)
    with transaction.atomic():
        report = workflow.report_for(first, now=timezone.now())
    back = reverse("complaints:monthly", args=[f"{first:%Y-%m}"])
    return act(request, workflow.publish, report, form=forms.PublishForm(request.POST), done=SAID["publish"], then=back)


@login_required
@permission_required("complaints.add", raise_exception=True)
def customer_lookup(request):
    """Customers by name or contact phone as the intake form is typed (an htmx fragment)."""
    q = request.GET.get("q", "").strip()
    found = []
    if len(q) >= 2:
        contacts = (
            Contact.objects.visible_to(request.user)
            .filter(Q(mobile__startswith=q) | Q(phone__contains=q) | Q(name__startswith=q))
            .select_related("customer")[:8]
        )
        found = [{"customer": c.customer, "contact": c} for c in contacts]
        seen = {f["customer"].pk for f in found}
        for c in Customer.objects.visible_to(request.user).filter(Q(name__contains=q) | Q(short_name__contains=q))[:8]:
            if c.pk not in seen:
                found.append({"customer": c, "contact": None})
    return render(request, "servicedesk/_customer_lookup.html", {"found": found[:10], "q": q})


def workbench_panel(request) -> dict | None:
    """What waits for me, each on its clock, in one query: my open corrective actions (CP-6), a
    contact within 3 hours, a verification, the GM's contact with a key customer, the feedback to
    a vendor (CP-3..CP-7)."""
    user = request.user
    if not user.is_authenticated or user.is_external:
        return None
    rows = list(
        Clock.objects.filter(owner=user, rule__key__in=WORKBENCH_RULES, state__in=OPEN_STATES)
        .select_related("rule")
        .prefetch_related(
            GenericPrefetch(
                "subject",
                [
                    Complaint.objects.select_related("customer"),
                    CorrectiveAction.objects.select_related("complaint__customer"),
                ],
            )
        )
        .order_by("due_at")[:10]
    )
    if not rows:
        return None
    items = []
    for clock in rows:
        subject = clock.subject
        complaint = subject.complaint if isinstance(subject, CorrectiveAction) else subject
        if complaint is not None:
            items.append(
                {"clock": clock, "complaint": complaint, "action": subject if complaint is not subject else None}
            )
    return {
        "title": _("投诉待办"),
        "template": "complaints/workbench_panel.html",
        "items": items,
        "now": timezone.now(),
    }


WORKBENCH_RULES = (
    workflow.CAPA,
    "complaint.contact",
    "complaint.verify",
    "complaint.gm_contact",
    "complaint.vendor_feedback",
)


def monthly_report_panel(request) -> dict | None:
    """The supervisor's monthly report clock (CP-8)."""
    user = request.user
    if not user.is_authenticated or not user.has_perm("complaints.publish_report"):
        return None
    pending = MonthlyReport.objects.filter(published_at__isnull=True, month__lt=timezone.localdate().replace(day=1))
    report = pending.order_by("month").first()
    if report is None:
        return None
    return {
        "title": _("月度投诉分析报告"),
        "template": "complaints/report_panel.html",
        "report": report,
        "clock": clocks.open_clock(report, workflow.MONTHLY_REPORT),
    }


def customer_panel(request, customer) -> dict | None:
    """The customer's complaints on the customer page, and registering one for them (CP-1)."""
    user = request.user
    if user.is_external or not user.has_perm("complaints.view_list"):
        return None
    return {
        "template": "complaints/customer_panel.html",
        "complaints": list(selectors.complaints_for(user, customer=customer.pk)[:5]),
        "customer": customer,
        "can_add": user.has_perm("complaints.add"),
    }
