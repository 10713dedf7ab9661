"""Service desk pages (thin: forms in, workflow call, message out): requests, hotline, duty, calls."""

from datetime import timedelta
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.audit.service import events_for
from kefu.core.actions import act, shown_again
from kefu.customers.masking import personal
from kefu.customers.models import Contact, Customer
from kefu.customers.selectors import can_see_personal
from kefu.deadlines import clocks, waiting
from kefu.deadlines.forms import WaitForm
from kefu.deadlines.models import OPEN_STATES, WaitingFor
from kefu.documents import pdf
from kefu.fieldservice.workflow import OPEN_ORDER
from kefu.org.models import Company, User
from kefu.servicedesk import selectors, tables, workflow
from kefu.servicedesk.forms import (
    AnswerForm,
    CallBackForm,
    CallImportForm,
    CallLogForm,
    ConfirmForm,
    CopyWeekForm,
    HotlineCallForm,
    IntakeForm,
    NoteForm,
    ReasonForm,
    ReviewForm,
    SheetForm,
    ShelveForm,
    ShiftForm,
    SolveForm,
    StepForm,
    TransferForm,
)
from kefu.servicedesk.models import HotlineRecord, RequestStep, ServiceRequest


def _now():
    return timezone.now()


def _owners():
    return (
        User.objects.filter(
            is_active=True,
            groups__name__in=[
                "hotline",
                "service_manager",
                "customer_rep",
                "service_desk",
                "field_engineer",
                "call_center",
            ],
        )
        .distinct()
        .order_by("username")
    )


# --- requests -----------------------------------------------------------------------------


@login_required
@permission_required("servicedesk.view_request_list", raise_exception=True)
def request_list(request):
    return render(
        request,
        "servicedesk/request_list.html",
        {
            "listing": tables.REQUESTS.listing(request),
            "f": tables.request_filters(request.GET),
            "overdue": request.GET.get("overdue") == "1",
            "statuses": ServiceRequest.Status.choices,
            "priorities": ServiceRequest.Priority.choices,
            "types": ServiceRequest.Type.choices,
            "channels": ServiceRequest.Channel.choices,
            "can_add": request.user.has_perm("servicedesk.add_request"),
        },
    )


def _customer_choice(request, field="customer"):
    pk = request.POST.get(field, "")
    if not pk.isdigit():
        return None
    return Customer.objects.visible_to(request.user).filter(pk=pk).first()


@login_required
@permission_required("servicedesk.add_request", raise_exception=True)
def request_create(request):
    """Take in a request (SR-1); a refused one shows the form again as typed."""

    def page(exc=None):
        return render(
            request,
            "servicedesk/request_form.html",
            {
                "error": exc,
                "chosen": _customer_choice(request) if request.method == "POST" else None,
                "types": ServiceRequest.Type.choices,
                "priorities": ServiceRequest.Priority.choices,
                "channels": [c for c in ServiceRequest.Channel.choices if c[0] != "portal"],
                "post": request.POST,
            },
            status=exc.status if exc is not None else 200,
        )

    if request.method != "POST":
        return page()
    return act(
        request,
        workflow.create_request,
        form=IntakeForm(request.POST, request.FILES, user=request.user),
        done=lambda req: _("已受理：%(n)s") % {"n": req.number},
        again=page,
    )


def _detail_context(request, req) -> dict:
    user = request.user
    can_work = user.has_perm("servicedesk.work", req) and req.is_open
    allowed = can_see_personal(user, req.customer)
    orders = selectors.work_orders_of(req)
    return {
        "req": req,
        "phone": personal(req.caller_phone, allowed=allowed),
        "steps": selectors.steps_of(req),
        "records": req.hotline_records.select_related("engineer"),
        "attachments": req.attachments.all(),
        "orders": orders,
        "open_order": next((o for o in orders if o.status in OPEN_ORDER), None),
        "clocks": clocks.clocks_of(req),
        "open_states": OPEN_STATES,
        "events": events_for(req, limit=30),
        "step_kinds": list(RequestStep.Kind.choices),
        "confirmations": [c for c in ServiceRequest.Confirmation.choices if c[0] != "portal"],
        "owners": _owners(),
        "can_work": can_work,
        "can_wait": can_work and req.status in workflow.WAITABLE,
        "waiting_label": waiting.label(req),
        "waiting_reasons": WaitingFor.choices,
        # SR-6: the service sheet stays editable after solving, by whoever may work on it.
        "can_edit_sheet": user.has_perm("servicedesk.work", req),
        "can_take": req.owner_id is None and req.is_open and user.has_perm("servicedesk.take", req),
        "can_transfer": req.is_open and user.has_perm("servicedesk.transfer", req),
        "can_confirm": req.status == "solved" and user.has_perm("servicedesk.confirm", req),
        "can_withdraw": req.status == "solved"
        and not req.needs_onsite
        and req.withdrawal in ("", "rejected")
        and user.has_perm("servicedesk.request_withdrawal", req),
        "can_review": req.withdrawal == "requested" and user.has_perm("servicedesk.review_withdrawal", req),
    }


@login_required
def request_detail(request, pk):
    req = selectors.request_for(request.user, pk)
    user = request.user
    if user.is_customer_user:
        return redirect("portal:detail", pk=req.pk)
    if not user.has_perm("servicedesk.view_request", req):
        raise PermissionDenied
    return render(request, "servicedesk/request_detail.html", _detail_context(request, req))


# action → (workflow function, the form of its input or None)
REQUEST_ACTIONS = {
    "take": (workflow.take, None),
    "transfer": (workflow.transfer, TransferForm),
    "step": (workflow.add_step, StepForm),
    "sheet": (workflow.update_sheet, SheetForm),
    "solve": (workflow.solve, SolveForm),
    "confirm": (workflow.confirm, ConfirmForm),
    "reopen": (workflow.reopen, ReasonForm),
    "onsite": (workflow.request_onsite, ReasonForm),
    "withdraw": (workflow.request_withdrawal, ReasonForm),
    "review": (workflow.review_withdrawal, ReviewForm),
    "wait": (workflow.wait, WaitForm),
    "resume": (workflow.resume, None),
}


def _said(action: str, req: ServiceRequest) -> str:
    """What happened, in words (not "saved")."""
    if action in ("take", "transfer"):
        return _("%(n)s 现由 %(o)s 负责。") % {"n": req.number, "o": req.owner.display_name if req.owner else "—"}
    if action == "onsite":
        order = next(iter(selectors.work_orders_of(req)), None)
        return _("已提交上门申请 %(o)s，等待服务部经理核实派工。") % {"o": order.number if order else ""}
    if action == "wait":
        return _("已暂停计时：%(w)s。") % {"w": waiting.label(req)}
    said = {
        "step": _("处理步骤已记录。"),
        "sheet": _("服务单已更新。"),
        "solve": _("已标记解决，已请客户确认。"),
        "confirm": _("客户已确认，%(n)s 已关闭，客户代表将电话回访。"),
        "reopen": _("已重新打开，负责人已收到通知。"),
        "withdraw": _("撤销申请已提交呼叫中心审核。"),
        "review": _("撤销审核结果已记录：%(s)s。"),
        "resume": _("已恢复计时。"),
    }
    return said[action] % {"n": req.number, "s": req.get_withdrawal_display()}


@login_required
@require_POST
def request_action(request, pk, action):
    """One POST per workflow step. On an error the request page is shown again with what was
    typed and the message beside its field, never an empty form."""
    if action not in REQUEST_ACTIONS:
        raise Http404
    req = selectors.request_for(request.user, pk)
    fn, form_class = REQUEST_ACTIONS[action]

    def again(exc):
        fresh = selectors.request_for(request.user, pk)
        return shown_again(request, "servicedesk/request_detail.html", _detail_context(request, fresh), exc, key=action)

    return act(
        request,
        fn,
        req,
        form=form_class(request.POST) if form_class else None,
        done=lambda _result: _said(action, selectors.request_for(request.user, pk)),
        then=req,
        again=again,
    )


@login_required
def service_sheet_pdf(request, pk):
    """客户服务单 (SR-6), printable PDF with the company's header."""
    req = selectors.request_for(request.user, pk)
    if not request.user.has_perm("servicedesk.view_request", req):
        raise PermissionDenied
    data = pdf.render(
        "servicedesk/service_sheet_pdf.html",
        {
            "req": req,
            "company": Company.objects.order_by("pk").first(),
            "steps": selectors.steps_of(req, customer_view=True),
            "printed_at": timezone.localtime(_now()),
        },
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="service-sheet-{req.number}.pdf"'
    return response


# --- hotline ------------------------------------------------------------------------------


@login_required
@permission_required("servicedesk.hotline", raise_exception=True)
def hotline(request):
    """The hotline desk (HL-3): who is on duty, take a call, my open records. A call that cannot
    be recorded shows the form again as typed, the message beside its field."""
    now = _now()

    def page(exc=None):
        mine = selectors.hotline_records_for(request.user, mine=True).filter(outcome__in=["open", "shelved"])[:20]
        return render(
            request,
            "servicedesk/hotline.html",
            {
                "on_duty": selectors.on_duty_now(now),
                "mine": mine,
                "types": ServiceRequest.Type.choices,
                "priorities": ServiceRequest.Priority.choices,
                "post": request.POST,
                "error": exc,
                "chosen": _customer_choice(request) if request.method == "POST" else None,
                "suggest_url": _suggest_url(),
                # My shift of today still waiting for me to report ready or take over (HL-2).
                "my_shift": selectors.shifts_for(request.user, start=now - timedelta(hours=14), days=1, mine=True)
                .filter(Q(ready_at__isnull=True) | Q(taken_over_at__isnull=True))
                .first(),
            },
            status=exc.status if exc is not None else 200,
        )

    if request.method != "POST":
        return page()
    return act(
        request,
        workflow.record_call,
        form=HotlineCallForm(request.POST, user=request.user),
        done=lambda rec: _("已记录来电：%(n)s") % {"n": rec.request.number},
        then=lambda rec: reverse("servicedesk:record", args=[rec.pk]),
        again=page,
    )


def _suggest_url() -> str:
    """KB-3: the problem library's htmx suggestions endpoint, when that app is installed."""
    from django.urls import NoReverseMatch

    try:
        return reverse("knowledge:suggest")
    except NoReverseMatch:
        return ""


@login_required
@permission_required("servicedesk.hotline", raise_exception=True)
def customer_lookup(request):
    """Customers found by phone number or name as the engineer types (HL-3), an htmx fragment."""
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


@login_required
@permission_required("servicedesk.hotline", raise_exception=True)
def record_detail(request, pk):
    rec = get_object_or_404(selectors.hotline_records_for(request.user), pk=pk)
    return render(
        request,
        "servicedesk/record_detail.html",
        {
            "rec": rec,
            "req": rec.request,
            "clocks": clocks.clocks_of(rec.request),
            "open_states": OPEN_STATES,
            "can_work": request.user.has_perm("servicedesk.work", rec.request),
        },
    )


def _shelved_said(rec) -> str:
    reply = clocks.open_clock(rec.request, "hotline.shelved_reply")
    if reply is None:
        return str(_("已搁置。"))
    return str(_("已搁置：请在 %(t)s 前答复客户。") % {"t": timezone.localtime(reply.due_at).strftime("%m-%d %H:%M")})


RECORD_SAID = {
    "solve": lambda rec: _("已记录电话解决，3 天内的回访已安排。"),
    "shelve": _shelved_said,
    "callback": lambda rec: (
        _("回拨已记录，问题已解决。")
        if rec.outcome == HotlineRecord.Outcome.SOLVED
        else _("回拨已记录，已提交上门申请。")
    ),
    "propose": lambda article: _("已生成问题库草稿：%(t)s。") % {"t": getattr(article, "title", "")},
    "close-loop": lambda rec: _("已闭环：%(n)s。") % {"n": rec.request.number},
}

RECORD_ACTIONS = {
    "solve": (workflow.solve_on_phone, AnswerForm),
    "shelve": (workflow.shelve, ShelveForm),
    "callback": (workflow.call_back, CallBackForm),
    "propose": (workflow.propose_to_library, None),
    "close-loop": (workflow.close_loop, NoteForm),
}


@login_required
@require_POST
def record_action(request, pk, action):
    if action not in RECORD_ACTIONS:
        raise Http404
    rec = get_object_or_404(selectors.hotline_records_for(request.user).select_related("request__customer"), pk=pk)
    fn, form_class = RECORD_ACTIONS[action]
    target = "servicedesk:unsolved" if action == "close-loop" else f"/servicedesk/hotline/{rec.pk}/"
    form = form_class(request.POST) if form_class else None
    return act(request, fn, rec, form=form, done=RECORD_SAID[action], then=target)


@login_required
@permission_required("servicedesk.hotline", raise_exception=True)
def hotline_records(request):
    return render(request, "servicedesk/hotline_records.html", {"listing": tables.HOTLINE_RECORDS.listing(request)})


@login_required
def unsolved(request):
    """HL-7: the engineer submits; the service manager tracks each record to a closed loop."""
    user = request.user
    if request.method == "POST":
        return act(
            request,
            workflow.submit_unsolved,
            done=lambda records: (
                _("已向服务部经理提交 %(n)d 条未解决记录。") % {"n": len(records)}
                if records
                else _("没有需要提交的未解决记录。")
            ),
            then="servicedesk:unsolved",
        )
    if not tables.UNSOLVED.may_view(user):
        raise PermissionDenied
    pending = selectors.hotline_records_for(user, mine=True).filter(
        outcome__in=["shelved", "onsite"], submitted_at__isnull=True
    )
    return render(
        request,
        "servicedesk/unsolved.html",
        {"listing": tables.UNSOLVED.listing(request, csrf_token=get_token(request)), "pending": pending.count()},
    )


# --- duty roster (HL-1, HL-2) -------------------------------------------------------------


@login_required
@permission_required("servicedesk.view_duty", raise_exception=True)
def duty(request):
    now = _now()
    monday = tables.week_start(request.GET, now)
    listing = tables.DUTY.listing(request)
    shifts = listing.page.object_list
    days = [monday + timedelta(days=i) for i in range(7)]
    grid = [{"day": d, "shifts": [s for s in shifts if timezone.localdate(s.starts_at) == d]} for d in days]
    return render(
        request,
        "servicedesk/duty.html",
        {
            "listing": listing,
            "grid": grid,
            "monday": monday,
            "prev": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "on_duty": selectors.on_duty_now(now),
            "can_plan": request.user.has_perm("servicedesk.plan_duty"),
            "engineers": User.objects.filter(is_active=True, groups__name="hotline").order_by("username"),
            "shifts": shifts,
            "now": now,
            "soon": now + timedelta(minutes=15),  # a shift can be reported or taken over from then
            # Uncovered hotline hours from now on: the past cannot be filled.
            "gaps": [
                (max(s, now), e) for s, e in selectors.duty_gaps(days, shifts, selectors.hotline_hours()) if e > now
            ],
        },
    )


def _shift_said(shift) -> str:
    return _("已排班：%(e)s %(s)s–%(t)s。") % {
        "e": shift.engineer.display_name,
        "s": timezone.localtime(shift.starts_at).strftime("%m-%d %H:%M"),
        "t": timezone.localtime(shift.ends_at).strftime("%H:%M"),
    }


@login_required
@require_POST
def duty_action(request, action):
    now, post = _now(), request.POST
    week = post.get("week", "")
    target = f"/servicedesk/duty/?week={quote(week)}" if week else "servicedesk:duty"
    if action == "plan":
        return act(request, workflow.plan_shift, form=ShiftForm(post), done=_shift_said, then=target)
    if action == "copy":
        return act(
            request,
            workflow.copy_week,
            form=CopyWeekForm(post),
            done=lambda shifts: _("已从上周复制 %(n)d 个班次。") % {"n": len(shifts)},
            then=target,
        )
    if action in ("take-over", "ready"):
        shift = get_object_or_404(
            selectors.shifts_for(request.user, start=now - timedelta(days=2), days=3),
            pk=int(post["shift"]) if post.get("shift", "").isdigit() else 0,
        )
        if action == "ready":
            return act(
                request,
                workflow.report_ready,
                shift,
                done=lambda shift: (
                    _("已报到岗就绪：%(t)s。") % {"t": timezone.localtime(shift.ready_at).strftime("%H:%M")}
                ),
                then="servicedesk:hotline",
            )
        return act(
            request,
            workflow.take_over,
            shift,
            form=NoteForm(post),
            done=lambda handover: _("交接完成：已接手上一班 %(n)d 项未结事项。") % {"n": handover.items.count()},
            then="servicedesk:hotline",
        )
    raise Http404


# --- calls and connection rate (HL-8) -----------------------------------------------------


@login_required
@permission_required("servicedesk.view_calls", raise_exception=True)
def calls(request):
    now = _now()
    user = request.user

    def page(errors=(), failed=None):
        if failed is not None:
            messages.error(request, failed.message)
        last = parse_date(request.GET.get("to", "") or "") or timezone.localdate(now)
        first = parse_date(request.GET.get("from", "") or "") or last - timedelta(days=6)
        return render(
            request,
            "servicedesk/calls.html",
            {
                "listing": tables.CALLS.listing(request),
                "errors": list(errors),
                "rate": selectors.connection_rate(user, first=first, last=last, params=request.GET),
                "first": first,
                "last": last,
                "can_log": user.has_perm("servicedesk.log_calls"),
            },
        )

    if request.method != "POST":
        return page()
    if request.FILES.get("file"):  # all rows or none: the bad lines are listed on the page
        return act(
            request,
            workflow.import_call_log,
            form=CallImportForm(request.POST, request.FILES),
            done=lambda result: None if result[1] else _("已导入 %(n)s 条来电记录。") % {"n": result[0]},
            then=lambda result: page(errors=result[1]) if result[1] else "servicedesk:calls",
            again=lambda exc: page(failed=exc),
        )
    return act(
        request,
        workflow.log_call,
        form=CallLogForm(request.POST),
        done=lambda call: _("来电已登记（%(a)s）。") % {"a": _("已接通") if call.answered else _("未接通")},
        then="servicedesk:calls",
    )


# --- workbench ----------------------------------------------------------------------------


def workbench_panel(request) -> dict | None:
    """My open requests with their first-response deadline; who is on duty now (RPT-1, HL-1)."""
    user = request.user
    if not user.is_authenticated or user.is_external or not user.has_perm("servicedesk.view_request_list"):
        return None
    now = _now()
    mine = list(selectors.requests_for(user, owner="me", status="open")[:8])
    if not mine and not user.has_role("hotline", "service_manager"):
        return None
    return {
        "title": _("我的服务请求"),
        "template": "servicedesk/workbench_panel.html",
        "requests": mine,
        "on_duty": selectors.on_duty_now(now),
        "now": now,
    }
