"""Onsite service pages: the dispatch board, order pages, the engineer's phone page, QA sampling.

Thin: every POST calls one workflow function; a KefuError becomes a message on the page.
"""

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.audit.service import events_for
from kefu.core import lists
from kefu.core.errors import Invalid, KefuError
from kefu.customers.masking import personal
from kefu.deadlines import clocks, waiting
from kefu.deadlines.models import OPEN_STATES, WaitingFor
from kefu.fieldservice import documents, selectors, workflow
from kefu.fieldservice.models import Escalation, QASample, ServiceSheet, SheetPhoto, WorkOrder
from kefu.org import roles
from kefu.org.models import User

# Who can be called to a consultation (OS-9): the people who solve problems.
CONSULT_ROLES = (roles.FIELD_ENGINEER, roles.HOTLINE, roles.SERVICE_MANAGER, roles.AFTERSALES_MANAGER, roles.CONSULTANT)

TIME_INVALID = _("请填写正确的时间。")


def _when(value: str, field: str) -> datetime:
    parsed = parse_datetime(value or "")
    if parsed is None:
        raise Invalid(TIME_INVALID, field=field)
    try:
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
    except (ValueError, OverflowError):
        raise Invalid(TIME_INVALID, field=field) from None


def _engineer(request):
    pk = request.POST.get("engineer") or ""
    return User.objects.filter(pk=pk).first() if pk.isdigit() else None


def _sheet_data(post) -> dict:
    data = {name: post.get(name, "") for name in workflow.SHEET_TEXT}
    data.update(
        backup_done=post.get("backup_done") in ("1", "on", "true"),
        backup_location=post.get("backup_location", ""),
        outcome=post.get("outcome", ""),
        minutes_spent=post.get("minutes_spent") or 0,
    )
    return data


def _consultation(order, request):
    pk = request.POST.get("consultation") or ""
    found = order.consultations.filter(pk=pk).first() if pk.isdigit() else None
    if found is None:
        raise Invalid(_("请选择会诊。"), field="consultation")
    return found


# verb → (workflow call). Each receives (order, request, now).
ACTIONS = {
    "verify": lambda o, r, now: workflow.verify(o, note=r.POST.get("note", ""), by=r.user, now=now),
    "send-back": lambda o, r, now: workflow.send_back(o, reason=r.POST.get("reason", ""), by=r.user, now=now),
    "dispatch": lambda o, r, now: workflow.dispatch(o, _engineer(r), by=r.user, now=now),
    "confirm": lambda o, r, now: workflow.confirm(o, by=r.user, now=now),
    "appointment": lambda o, r, now: workflow.set_appointment(
        o,
        start=_when(r.POST.get("start"), "start"),
        end=_when(r.POST.get("end"), "end"),
        note=r.POST.get("note", ""),
        by=r.user,
        now=now,
    ),
    "missed": lambda o, r, now: workflow.miss_appointment(
        o,
        reason=r.POST.get("reason", ""),
        start=_when(r.POST.get("start"), "start"),
        end=_when(r.POST.get("end"), "end"),
        by=r.user,
        now=now,
    ),
    "check-in": lambda o, r, now: workflow.check_in(o, by=r.user, now=now),
    "complete": lambda o, r, now: workflow.complete(
        o, data=_sheet_data(r.POST), photos=r.FILES.getlist("photos"), by=r.user, now=now
    ),
    "sign": lambda o, r, now: workflow.sign(
        o,
        signer_name=r.POST.get("signer_name", ""),
        signature=r.POST.get("signature", ""),
        paper_photo=r.FILES.get("paper_photo"),
        by=r.user,
        now=now,
    ),
    "write-off": lambda o, r, now: workflow.write_off(
        o,
        next_step=r.POST.get("next_step", ""),
        note=r.POST.get("note", ""),
        target=r.POST.get("target", Escalation.Target.VENDOR),
        party=r.POST.get("party", ""),
        by=r.user,
        now=now,
    ),
    "archive": lambda o, r, now: workflow.archive(workflow.sheet_of(o), by=r.user, now=now),
    "return-visit": lambda o, r, now: workflow.record_return_visit(
        workflow.sheet_of(o), note=r.POST.get("note", ""), by=r.user, now=now
    ),
    "propose-library": lambda o, r, now: workflow.propose_to_library(workflow.sheet_of(o), by=r.user, now=now),
    "consultation": lambda o, r, now: workflow.organise_consultation(
        o,
        topic=r.POST.get("topic", ""),
        participants=list(User.objects.filter(pk__in=[p for p in r.POST.getlist("participants") if p.isdigit()])),
        by=r.user,
        now=now,
    ),
    "consultation-result": lambda o, r, now: workflow.record_consultation_result(
        _consultation(o, r), result=r.POST.get("result", ""), by=r.user, now=now
    ),
    "resolve": lambda o, r, now: workflow.resolve_escalation(
        workflow.open_escalation_of(o), answer=r.POST.get("answer", ""), by=r.user, now=now
    ),
    "wait": lambda o, r, now: workflow.wait(
        o, reason=r.POST.get("reason", ""), note=r.POST.get("note", ""), by=r.user, now=now
    ),
    "resume": lambda o, r, now: workflow.resume(o, by=r.user, now=now),
}


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
    if verb not in ACTIONS:
        raise Http404
    order = selectors.order_for(request.user, pk)
    target = _safe_next(request)
    try:
        result = ACTIONS[verb](order, request, timezone.now())
    except KefuError as exc:
        order = selectors.order_for(request.user, pk)
        phone = target == reverse("fieldservice:phone", args=[order.pk])
        key = verb.replace("-", "_")
        context = _order_context(request, order) | {
            "here": target or reverse("fieldservice:detail", args=[order.pk]),
            "sent": {key: request.POST},
            "errors": {key: exc},
            "error": exc,
            "verb": key,
        }
        if request.FILES:
            context["files_again"] = True
        template = "fieldservice/phone_order.html" if phone else "fieldservice/order_detail.html"
        return render(request, template, context, status=exc.status)
    order = selectors.order_for(request.user, pk)
    messages.success(request, _done(verb, order, result))
    return redirect(target or reverse("fieldservice:detail", args=[order.pk]))


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
    status = request.GET.get("status", "")
    qs = lists.filter_dates(
        selectors.orders_for(request.user, status=status), "created_at", *lists.date_range(request.GET)
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request, "fieldservice/order_list.html", {"page": page, "status": status, "statuses": WorkOrder.Status.choices}
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
    orders = list(selectors.today_for_engineer(request.user, now=timezone.now()))
    return render(request, "fieldservice/phone_today.html", {"orders": orders, "now": timezone.now()})


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
def sheet_photo(request, pk, photo):
    """A photo of the sheet, only to whoever may see the order (never a public media URL)."""
    order = selectors.order_for(request.user, pk)
    item = get_object_or_404(SheetPhoto, pk=photo, sheet__order=order)
    return FileResponse(
        item.file.open("rb"),
        content_type="image/jpeg" if item.file.name.lower().endswith((".jpg", ".jpeg")) else "image/png",
    )


@login_required
@permission_required("fieldservice.qa_review", raise_exception=True)
def qa(request):
    """Weekly QA sampling (OS-7): the proposal to accept or change; the QA library (KB-4)."""
    try:
        week = workflow.week_of(date.fromisoformat(request.GET.get("week", "")))
    except (ValueError, Invalid):  # no week, or one outside 2000–2100: this week
        week = workflow.week_of(timezone.localdate())
    now = timezone.now()
    if request.method == "POST":
        try:
            if "pick" in request.POST:
                ids = request.POST.getlist("sheets")
                sheets = list(ServiceSheet.objects.filter(pk__in=[i for i in ids if i.isdigit()]))
                picked = workflow.pick_sample(week, sheets, by=request.user, now=now)
                said = _("已将 %(k)d 张服务单放入本周 QA 库。") % {"k": len(picked)}
            else:
                raw = request.POST.get("sample") or ""
                sample = get_object_or_404(QASample, pk=int(raw) if raw.isdigit() else 0)
                workflow.review_sample(
                    sample,
                    verdict=request.POST.get("verdict", ""),
                    comment=request.POST.get("comment", ""),
                    by=request.user,
                    now=now,
                )
                said = _("评审结论已记录：%(v)s。") % {"v": sample.get_verdict_display()}
            messages.success(request, said)
        except KefuError as exc:
            messages.error(request, exc.message)
        return redirect(f"{request.path}?week={week.isoformat()}")
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
