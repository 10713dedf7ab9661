"""Onsite service pages: the dispatch board, order pages, the engineer's phone page, QA sampling.

Thin: every POST goes through `act()` with its form (kefu/fieldservice/forms.py): one workflow
function, and on an error the page again with what was typed.
"""

from datetime import date

from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.audit.service import events_for
from kefu.core.actions import act, shown_again
from kefu.core.errors import Invalid
from kefu.customers.masking import personal
from kefu.deadlines import clocks, waiting
from kefu.deadlines.forms import WaitForm
from kefu.deadlines.models import OPEN_STATES, WaitingFor
from kefu.fieldservice import documents, selectors, tables, workflow
from kefu.fieldservice.forms import (
    AnswerForm,
    AppointmentForm,
    CompleteForm,
    ConsultationForm,
    ConsultationResultForm,
    DispatchForm,
    MissedForm,
    NoteForm,
    PickSampleForm,
    ReasonForm,
    ReviewSampleForm,
    SignForm,
    WriteOffForm,
)
from kefu.fieldservice.models import Escalation, QASample, ServiceSheet, WorkOrder
from kefu.org import roles
from kefu.org.models import User

# Who can be called to a consultation (OS-9): the people who solve problems.
CONSULT_ROLES = (roles.FIELD_ENGINEER, roles.HOTLINE, roles.SERVICE_MANAGER, roles.AFTERSALES_MANAGER, roles.CONSULTANT)


def _on_sheet(fn):
    """A step on the order's service sheet (Invalid NO_SHEET while there is none)."""
    return lambda order, **kwargs: fn(workflow.sheet_of(order), **kwargs)


def _resolve(order, **kwargs):
    return workflow.resolve_escalation(workflow.open_escalation_of(order), **kwargs)


def _consultation_result(order, *, consultation, **kwargs):
    return workflow.record_consultation_result(consultation, **kwargs)


# verb → (workflow function of the order, the form of its input or None)
PAGE_ACTIONS = {
    "verify": (workflow.verify, NoteForm),
    "send-back": (workflow.send_back, ReasonForm),
    "dispatch": (workflow.dispatch, DispatchForm),
    "confirm": (workflow.confirm, None),
    "appointment": (workflow.set_appointment, AppointmentForm),
    "missed": (workflow.miss_appointment, MissedForm),
    "check-in": (workflow.check_in, None),
    "complete": (workflow.complete, CompleteForm),
    "sign": (workflow.sign, SignForm),
    "write-off": (workflow.write_off, WriteOffForm),
    "archive": (_on_sheet(workflow.archive), None),
    "return-visit": (_on_sheet(workflow.record_return_visit), NoteForm),
    "propose-library": (_on_sheet(workflow.propose_to_library), None),
    "consultation": (workflow.organise_consultation, ConsultationForm),
    "consultation-result": (_consultation_result, ConsultationResultForm),
    "resolve": (_resolve, AnswerForm),
    "wait": (workflow.wait, WaitForm),
    "resume": (workflow.resume, None),
}


def _form(verb: str, order: WorkOrder, request):
    form_class = PAGE_ACTIONS[verb][1]
    if form_class is None:
        return None
    if form_class is ConsultationResultForm:
        return form_class(request.POST, order=order)
    return form_class(request.POST, request.FILES)


def _done(verb: str, order: WorkOrder, result) -> str:
    """What happened, in words (not "saved")."""
    n = order.number
    if verb == "dispatch":
        return _("已派发给%(e)s，派单群已通知。") % {"e": order.engineer.display_name}
    if verb in ("appointment", "missed"):
        when = f"{timezone.localtime(order.appointment_start):%m-%d %H:%M}–{timezone.localtime(order.appointment_end):%H:%M}"
        if verb == "missed":
            return _("已重新预约 %(t)s，并已通知客户。") % {"t": when}
        return _("已预约上门 %(t)s，客户可在门户看到。") % {"t": when}
    if verb == "write-off":
        if order.status == WorkOrder.Status.ESCALATED:
            return _("已核销并升级，%(n)s 的答复由服务部经理跟踪。") % {"n": n}
        follow = order.request.work_orders.filter(previous=order).first()
        if follow is not None:
            return _("已核销，并申请再次上门：%(f)s。") % {"f": follow.number}
        return _("已核销 %(n)s。") % {"n": n}
    if verb == "propose-library":
        return _("已提交到问题库（草稿）：%(t)s。") % {"t": result.title}
    if verb == "consultation":
        return _("已组织会诊，已通知 %(k)d 位参加人员。") % {"k": result.participants.count()}
    if verb == "wait":
        return _("已暂停计时：%(w)s。") % {"w": waiting.label(order)}
    said = {
        "verify": _("已核实 %(n)s，可以派发。"),
        "send-back": _("已将 %(n)s 退回给申请人。"),
        "confirm": _("已确认工单 %(n)s，请与客户约定上门时间。"),
        "check-in": _("已签到，到达现场。"),
        "complete": _("服务单已保存，请客户签字。"),
        "sign": _("客户已签字，服务单 PDF 正在生成。"),
        "archive": _("服务单已存档。"),
        "return-visit": _("回访已记录。"),
        "consultation-result": _("会诊结果已登记，已通知参加人员。"),
        "resolve": _("升级问题已解决，服务请求待客户确认。"),
        "resume": _("已恢复计时。"),
    }
    return said[verb] % {"n": n}


def _safe_next(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


@login_required
@require_POST
def order_action(request, pk, verb):
    """One POST per workflow step. On an error the same page is shown again with what was typed
    and the message beside its field (status 400/403/409), never an empty form."""
    if verb not in PAGE_ACTIONS:
        raise Http404
    order = selectors.order_for(request.user, pk)
    target = _safe_next(request)

    def again(exc):
        fresh = selectors.order_for(request.user, pk)
        phone = target == reverse("fieldservice:phone", args=[fresh.pk])
        key = verb.replace("-", "_")
        context = _order_context(request, fresh) | {
            "here": target or reverse("fieldservice:detail", args=[fresh.pk]),
            "verb": key,
            "files_again": bool(request.FILES),
        }
        template = "fieldservice/phone_order.html" if phone else "fieldservice/order_detail.html"
        return shown_again(request, template, context, exc, key=key)

    return act(
        request,
        PAGE_ACTIONS[verb][0],
        order,
        form=_form(verb, order, request),
        done=lambda result: _done(verb, selectors.order_for(request.user, pk), result),
        then=target or reverse("fieldservice:detail", args=[order.pk]),
        again=again,
    )


@login_required
@permission_required("fieldservice.view_board", raise_exception=True)
def board(request):
    """The dispatch board (OS-1): a page of the oldest waiting requests and every engineer with
    load. Cost is bounded by the page size and one row per engineer, not by the backlog."""
    after = request.GET.get("after", "")
    waiting, more = selectors.waiting_page(after)
    return render(
        request,
        "fieldservice/board.html",
        {
            "waiting": waiting,
            "more": more,
            "after": after,
            "waiting_total": WorkOrder.objects.filter(status__in=workflow.WAITING).count(),
            "engineers": selectors.engineer_rows(timezone.now()),
            "table": tables.BOARD,  # its export; the page pages by keyset ("load more")
        },
    )


@login_required
@permission_required("fieldservice.view_board", raise_exception=True)
def board_rows(request):
    """The next page of waiting rows for the board's 'load more' button (htmx)."""
    waiting, more = selectors.waiting_page(request.GET.get("after", ""))
    # A fragment: rendered without the page shell's context processors (navigation, bell count).
    html = render_to_string(
        "fieldservice/_board_rows.html", {"waiting": waiting, "more": more, "csrf_token": get_token(request)}
    )
    return HttpResponse(html)


@login_required
@permission_required("fieldservice.view_list", raise_exception=True)
def order_list(request):
    return render(
        request,
        "fieldservice/order_list.html",
        {
            "listing": tables.ORDERS.listing(request),
            "status": request.GET.get("status", ""),
            "statuses": WorkOrder.Status.choices,
        },
    )


def _contact(order, user):
    contact = order.request.contact or order.customer.contacts.first()
    allowed = user.has_perm("customers.view_personal_data")
    phone = order.request.caller_phone or (contact.mobile or contact.phone if contact else "")
    return {
        "name": order.request.caller or (contact.name if contact else ""),
        "phone": personal(phone, allowed=allowed),
        "tel": phone if allowed else "",
        "address": personal(order.customer.address, allowed=allowed, kind="address"),
        "geo": order.customer.address if allowed else "",
    }


def _order_context(request, order):
    user = request.user
    sheet = getattr(order, "sheet", None)
    manages = user.has_perm("fieldservice.dispatch", order)
    return {
        "order": order,
        "here": request.path,  # where a form on this page comes back to
        "req": order.request,
        "sheet": sheet,
        "photos": list(sheet.photos.all()) if sheet else [],
        "contact": _contact(order, user),
        "now": timezone.now(),
        "S": WorkOrder.Status,
        "can_work": user.has_perm("fieldservice.work", order),
        "can_manage": manages,
        "can_write_off": user.has_perm("fieldservice.write_off", order),
        "can_archive": user.has_perm("fieldservice.archive", order),
        "can_consult": user.has_perm("fieldservice.consult", order),
        "can_wait": user.has_perm("fieldservice.wait", order) and order.status in workflow.OPEN_ORDER,
        "waiting_label": waiting.label(order),
        "waiting_reasons": WaitingFor.choices,
        "outcomes": ServiceSheet.Outcome.choices,
        "targets": Escalation.Target.choices,
        "appointments": order.appointments.select_related("recorded_by"),
        "escalations": order.escalations.all(),
        "consultations": order.consultations.prefetch_related("participants"),
        "history": order.request.work_orders.exclude(pk=order.pk).select_related("engineer").order_by("-pk"),
        "steps": order.request.steps.select_related("by").order_by("-at", "-id")[:8],
        "clocks": clocks.clocks_of(order),
        "events": events_for(order, limit=30),
        "open_states": OPEN_STATES,
        "engineers": User.objects.filter(is_active=True, groups__name="field_engineer").order_by("username")
        if manages
        else [],
        "staff": User.objects.filter(is_active=True, is_staff=False, groups__name__in=CONSULT_ROLES)
        .distinct()
        .order_by("username")
        if user.has_perm("fieldservice.consult", order)
        else [],
    }


@login_required
def order_detail(request, pk):
    order = selectors.order_for(request.user, pk)
    return render(request, "fieldservice/order_detail.html", _order_context(request, order))


@login_required
@permission_required("fieldservice.view_list", raise_exception=True)
def today(request):
    """The field engineer's phone start page (OS-3): today's orders, big buttons."""
    listing = tables.TODAY.listing(request)
    return render(
        request,
        "fieldservice/phone_today.html",
        {"listing": listing, "orders": listing.page.object_list, "now": timezone.now()},
    )


@login_required
def phone_order(request, pk):
    order = selectors.order_for(request.user, pk)
    return render(request, "fieldservice/phone_order.html", _order_context(request, order))


@login_required
def sheet_pdf(request, pk):
    """The signed sheet: the stored PDF, or for a role without the personal-data permission a
    copy with the phone and address masked (QS-6)."""
    order = selectors.order_for(request.user, pk)
    sheet = getattr(order, "sheet", None)
    if sheet is None or not sheet.pdf:
        raise Http404
    if not request.user.has_perm("customers.view_personal_data", order.customer):
        response = HttpResponse(documents.render(sheet, masked=True), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
        return response
    return FileResponse(sheet.pdf.open("rb"), content_type="application/pdf", filename=f"{order.number}.pdf")


@login_required
@permission_required("fieldservice.qa_review", raise_exception=True)
def qa(request):
    """Weekly QA sampling (OS-7): the proposal to accept or change; the QA library (KB-4)."""
    try:
        week = workflow.week_of(date.fromisoformat(request.GET.get("week", "")))
    except (ValueError, Invalid):  # no week, or one outside 2000–2100: this week
        week = workflow.week_of(timezone.localdate())
    if request.method == "POST":
        back = f"{request.path}?week={week.isoformat()}"
        if "pick" in request.POST:
            return act(
                request,
                workflow.pick_sample,
                week,
                form=PickSampleForm(request.POST),
                done=lambda picked: _("已将 %(k)d 张服务单放入本周 QA 库。") % {"k": len(picked)},
                then=back,
            )
        raw = request.POST.get("sample") or ""
        sample = get_object_or_404(QASample, pk=int(raw) if raw.isdigit() else 0)
        return act(
            request,
            workflow.review_sample,
            sample,
            form=ReviewSampleForm(request.POST),
            done=lambda sample: _("评审结论已记录：%(v)s。") % {"v": sample.get_verdict_display()},
            then=back,
        )
    sheets = list(
        workflow.week_sheets(week).filter(qa_sample__isnull=True).select_related("order__customer", "order__engineer")
    )
    proposal = {s.pk for s in workflow.propose_sample(week)}
    samples = selectors.samples_for(request.user).filter(week=week)
    return render(
        request,
        "fieldservice/qa.html",
        {
            "week": week,
            "sheets": sheets,
            "proposal": proposal,
            "samples": samples,
            "verdicts": QASample.Verdict.choices,
            "can_pick": request.user.has_perm("fieldservice.qa_sample"),
        },
    )


def desk_panel(request) -> dict | None:
    """The customer-service desk's queue of signed sheets to receive and archive (OS-6), with the
    before-Monday clock; archiving is one click here."""
    user = request.user
    if not user.is_authenticated or user.is_external or not user.has_perm("fieldservice.archive"):
        return None
    sheets, total = selectors.sheets_to_archive(user)
    return {
        "title": _("待归档服务单"),
        "template": "fieldservice/desk_panel.html",
        "sheets": sheets,
        "total": total,
        "now": timezone.now(),
    }
