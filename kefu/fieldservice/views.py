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
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.core.errors import Forbidden, Invalid, KefuError
from kefu.customers.masking import personal
from kefu.fieldservice import selectors, workflow
from kefu.fieldservice.models import Escalation, QASample, ServiceSheet, WorkOrder
from kefu.org.models import User

DONE = _("已保存。")
TIME_INVALID = _("请填写正确的时间。")


def _when(value: str) -> datetime:
    parsed = parse_datetime(value or "")
    if parsed is None:
        raise Invalid(TIME_INVALID)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _engineer(request):
    return get_object_or_404(User, pk=request.POST.get("engineer") or 0)


def _sheet_data(post) -> dict:
    data = {name: post.get(name, "") for name in workflow.SHEET_TEXT}
    data.update(
        backup_done=post.get("backup_done") in ("1", "on", "true"),
        backup_location=post.get("backup_location", ""),
        outcome=post.get("outcome", ""),
        minutes_spent=post.get("minutes_spent") or 0,
    )
    return data


def _sheet(order):
    try:
        return order.sheet
    except ServiceSheet.DoesNotExist:
        raise Invalid(_("尚未填写服务单。")) from None


# verb → (workflow call). Each receives (order, request, now).
ACTIONS = {
    "verify": lambda o, r, now: workflow.verify(o, note=r.POST.get("note", ""), by=r.user, now=now),
    "send-back": lambda o, r, now: workflow.send_back(o, reason=r.POST.get("reason", ""), by=r.user, now=now),
    "dispatch": lambda o, r, now: workflow.dispatch(o, _engineer(r), by=r.user, now=now),
    "confirm": lambda o, r, now: workflow.confirm(o, by=r.user, now=now),
    "appointment": lambda o, r, now: workflow.set_appointment(
        o,
        start=_when(r.POST.get("start")),
        end=_when(r.POST.get("end")),
        note=r.POST.get("note", ""),
        by=r.user,
        now=now,
    ),
    "missed": lambda o, r, now: workflow.miss_appointment(
        o,
        reason=r.POST.get("reason", ""),
        start=_when(r.POST.get("start")),
        end=_when(r.POST.get("end")),
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
    "archive": lambda o, r, now: workflow.archive(_sheet(o), by=r.user, now=now),
    "return-visit": lambda o, r, now: workflow.record_return_visit(
        _sheet(o), note=r.POST.get("note", ""), by=r.user, now=now
    ),
    "propose-library": lambda o, r, now: workflow.propose_to_library(_sheet(o), by=r.user, now=now),
    "consultation": lambda o, r, now: workflow.organise_consultation(
        o,
        topic=r.POST.get("topic", ""),
        participants=list(User.objects.filter(pk__in=r.POST.getlist("participants"))),
        by=r.user,
        now=now,
    ),
    "resolve": lambda o, r, now: workflow.resolve_escalation(
        get_object_or_404(Escalation, order=o, resolved_at__isnull=True),
        answer=r.POST.get("answer", ""),
        by=r.user,
        now=now,
    ),
}


@login_required
@require_POST
def order_action(request, pk, verb):
    if verb not in ACTIONS:
        raise Http404
    order = selectors.order_for(request.user, pk)
    try:
        ACTIONS[verb](order, request, timezone.now())
        messages.success(request, DONE)
    except Forbidden as exc:
        messages.error(request, exc.message)
    except KefuError as exc:
        messages.error(request, exc.message)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("fieldservice:detail", pk=order.pk)


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
    page = Paginator(selectors.orders_for(request.user, status=status), 30).get_page(request.GET.get("page"))
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
    }


def _order_context(request, order):
    user = request.user
    sheet = getattr(order, "sheet", None)
    return {
        "order": order,
        "sheet": sheet,
        "contact": _contact(order, user),
        "now": timezone.now(),
        "S": WorkOrder.Status,
        "can_work": user.has_perm("fieldservice.work", order),
        "can_manage": user.has_perm("fieldservice.dispatch", order),
        "can_write_off": user.has_perm("fieldservice.write_off", order),
        "can_archive": user.has_perm("fieldservice.archive", order),
        "can_consult": user.has_perm("fieldservice.consult", order),
        "outcomes": ServiceSheet.Outcome.choices,
        "targets": Escalation.Target.choices,
        "appointments": order.appointments.select_related("recorded_by"),
        "escalations": order.escalations.all(),
        "engineers": User.objects.filter(is_active=True, groups__name="field_engineer").order_by("username")
        if user.has_perm("fieldservice.dispatch", order)
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
    order = selectors.order_for(request.user, pk)
    sheet = getattr(order, "sheet", None)
    if sheet is None or not sheet.pdf:
        raise Http404
    return FileResponse(sheet.pdf.open("rb"), content_type="application/pdf", filename=f"{order.number}.pdf")


@login_required
@permission_required("fieldservice.qa_review", raise_exception=True)
def qa(request):
    """Weekly QA sampling (OS-7): the proposal to accept or change; the QA library (KB-4)."""
    try:
        week = workflow.week_of(date.fromisoformat(request.GET.get("week", "")))
    except ValueError:
        week = workflow.week_of(timezone.localdate())
    now = timezone.now()
    if request.method == "POST":
        try:
            if "pick" in request.POST:
                ids = request.POST.getlist("sheets")
                sheets = list(ServiceSheet.objects.filter(pk__in=ids))
                workflow.pick_sample(week, sheets, by=request.user, now=now)
            else:
                sample = get_object_or_404(QASample, pk=request.POST.get("sample"))
                workflow.review_sample(
                    sample,
                    verdict=request.POST.get("verdict", ""),
                    comment=request.POST.get("comment", ""),
                    by=request.user,
                    now=now,
                )
            messages.success(request, DONE)
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
