"""Service desk pages (thin: forms in, workflow call, message out): requests, hotline, duty, calls."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.audit.service import events_for
from kefu.core import lists
from kefu.core.errors import Invalid, KefuError
from kefu.customers.masking import personal
from kefu.customers.models import Contact, Customer
from kefu.customers.selectors import can_see_personal
from kefu.deadlines import clocks, waiting
from kefu.deadlines.models import OPEN_STATES, WaitingFor
from kefu.documents import pdf
from kefu.fieldservice.workflow import OPEN_ORDER
from kefu.org.models import Company, User
from kefu.servicedesk import selectors, workflow
from kefu.servicedesk.models import HotlineRecord, RequestStep, ServiceRequest

PAGE = 30


class LitePage(list):
    """A page without COUNT(*): one query of size+1 rows tells whether there is a next page."""

    def __init__(self, qs, number: str | None, size: int = PAGE):
        self.number = int(number) if (number or "").isdigit() and int(number) > 0 else 1
        rows = list(qs[(self.number - 1) * size : self.number * size + 1])
        self.has_next = len(rows) > size
        self.has_previous = self.number > 1
        super().__init__(rows[:size])


def _now():
    return timezone.now()


LABELLED = {"type": ServiceRequest.Type, "priority": ServiceRequest.Priority, "status": ServiceRequest.Status}


def with_labels(rows):
    """Set `<field>_label` on each row from one translation per choice and page:
    get_FOO_display() rebuilds and translates the whole choice list on every call."""
    labels = {field: {value: str(label) for value, label in choices.choices} for field, choices in LABELLED.items()}
    for row in rows:
        for field, table in labels.items():
            value = getattr(row, field)
            setattr(row, f"{field}_label", table.get(value, value))
    return rows


def _act(request, fn, target, said):
    """Call the workflow; say what happened (`said(result)`), or the error; go to `target`."""
    try:
        result = fn()
    except KefuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, said(result))
    return redirect(target)


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

FILTERS = ("q", "owner", "status", "priority", "type", "channel", "customer")


@login_required
@permission_required("servicedesk.view_request_list", raise_exception=True)
def request_list(request):
    params = {k: request.GET.get(k, "") for k in FILTERS}
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.requests_for(request.user, **params, overdue=overdue, now=_now())
    # A report's drill-down sends the period (issue 15): requests taken in on those dates.
    qs = lists.filter_dates(qs, "created_at", *lists.date_range(request.GET))
    return render(
        request,
        "servicedesk/request_list.html",
        {
            "page": with_labels(LitePage(qs, request.GET.get("page"))),
            "f": params,
            "overdue": overdue,
            "now": _now(),
            "statuses": ServiceRequest.Status.choices,
            "priorities": ServiceRequest.Priority.choices,
            "types": ServiceRequest.Type.choices,
            "channels": ServiceRequest.Channel.choices,
            "can_add": request.user.has_perm("servicedesk.add_request"),
            "query": _query_without_page(request),
        },
    )


def _query_without_page(request) -> str:
    """The list's filters for the pager's links, encoded (a search may hold & or #)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _customer_choice(request, field="customer"):
    pk = request.POST.get(field, "")
    if not pk.isdigit():
        return None
    return Customer.objects.visible_to(request.user).filter(pk=pk).first()


@login_required
@permission_required("servicedesk.add_request", raise_exception=True)
def request_create(request):
    post = request.POST
    error = None
    if request.method == "POST":
        customer = _customer_choice(request)
        if customer is None:
            error = Invalid(_("请选择客户。"), field="customer")
        else:
            try:
                req = workflow.create_request(
                    customer,
                    channel=post.get("channel", ""),
                    phenomenon=post.get("phenomenon", ""),
                    title=post.get("title", ""),
                    type=post.get("type", "fault"),
                    priority=post.get("priority", "medium"),
                    product=post.get("product", ""),
                    caller=post.get("caller", ""),
                    caller_phone=post.get("caller_phone", ""),
                    needs_onsite=post.get("needs_onsite") == "1",
                    files=request.FILES.getlist("files"),
                    by=request.user,
                    now=_now(),
                )
            except KefuError as exc:
                error = exc
            else:
                messages.success(request, _("已受理：%(n)s") % {"n": req.number})
                return redirect(req)
    return render(
        request,
        "servicedesk/request_form.html",
        {
            "error": error,
            "chosen": _customer_choice(request) if request.method == "POST" else None,
            "types": ServiceRequest.Type.choices,
            "priorities": ServiceRequest.Priority.choices,
            "channels": [c for c in ServiceRequest.Channel.choices if c[0] != "portal"],
            "post": post,
        },
        status=error.status if error is not None else 200,
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


def _files(request):
    return request.FILES.getlist("files")


def _transfer_to(q):
    pk = q.POST.get("to") or ""
    return User.objects.filter(pk=pk).first() if pk.isdigit() else None


REQUEST_ACTIONS = {
    "take": lambda r, q, now: workflow.take(r, by=q.user, now=now),
    "transfer": lambda r, q, now: workflow.transfer(
        r, _transfer_to(q), reason=q.POST.get("reason", ""), by=q.user, now=now
    ),
    "step": lambda r, q, now: workflow.add_step(
        r, q.POST.get("kind", ""), q.POST.get("notes", ""), by=q.user, now=now, visible=q.POST.get("internal") != "1"
    ),
    "sheet": lambda r, q, now: workflow.update_sheet(
        r, by=q.user, now=now, **{k: q.POST.get(k) for k in workflow.SHEET_FIELDS}
    ),
    "solve": lambda r, q, now: workflow.solve(
        r,
        result=q.POST.get("result", ""),
        cause=q.POST.get("cause", ""),
        method=q.POST.get("method", ""),
        prevention=q.POST.get("prevention", ""),
        by=q.user,
        now=now,
    ),
    "confirm": lambda r, q, now: workflow.confirm(
        r, via=q.POST.get("via", ""), note=q.POST.get("note", ""), by=q.user, now=now
    ),
    "reopen": lambda r, q, now: workflow.reopen(r, reason=q.POST.get("reason", ""), by=q.user, now=now),
    "onsite": lambda r, q, now: workflow.request_onsite(r, reason=q.POST.get("reason", ""), by=q.user, now=now),
    "withdraw": lambda r, q, now: workflow.request_withdrawal(r, reason=q.POST.get("reason", ""), by=q.user, now=now),
    "review": lambda r, q, now: workflow.review_withdrawal(
        r, approve=q.POST.get("approve") == "1", note=q.POST.get("note", ""), by=q.user, now=now
    ),
    "wait": lambda r, q, now: workflow.wait(
        r, reason=q.POST.get("reason", ""), note=q.POST.get("note", ""), by=q.user, now=now
    ),
    "resume": lambda r, q, now: workflow.resume(r, by=q.user, now=now),
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
    handler = REQUEST_ACTIONS.get(action)
    if handler is None:
        raise Http404
    req = selectors.request_for(request.user, pk)
    try:
        handler(req, request, _now())
    except KefuError as exc:
        req = selectors.request_for(request.user, pk)
        context = _detail_context(request, req) | {
            "sent": {action: request.POST},
            "errors": {action: exc},
            "error": exc,
        }
        return render(request, "servicedesk/request_detail.html", context, status=exc.status)
    req = selectors.request_for(request.user, pk)
    messages.success(request, _said(action, req))
    return redirect(req)


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
    error = None
    if request.method == "POST":
        customer = _customer_choice(request)
        post = request.POST
        if customer is None:
            error = Invalid(_("请选择客户。"), field="customer")
        else:
            try:
                rec = workflow.record_call(
                    customer,
                    phenomenon=post.get("phenomenon", ""),
                    caller=post.get("caller", ""),
                    caller_phone=post.get("caller_phone", ""),
                    product=post.get("product", ""),
                    answer=post.get("answer", ""),
                    steps=post.get("steps", ""),
                    type=post.get("type", "fault"),
                    priority=post.get("priority", "medium"),
                    needs_onsite=post.get("needs_onsite") == "1",
                    by=request.user,
                    now=now,
                )
            except KefuError as exc:
                error = exc
            else:
                messages.success(request, _("已记录来电：%(n)s") % {"n": rec.request.number})
                return redirect("servicedesk:record", pk=rec.pk)
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
            "error": error,
            "chosen": _customer_choice(request) if request.method == "POST" else None,
            "suggest_url": _suggest_url(),
            # My shift of today still waiting for me to report ready or take over (HL-2).
            "my_shift": selectors.shifts_for(request.user, start=now - timedelta(hours=14), days=1, mine=True)
            .filter(Q(ready_at__isnull=True) | Q(taken_over_at__isnull=True))
            .first(),
        },
        status=error.status if error is not None else 200,
    )


def _suggest_url() -> str:
    """KB-3: the problem library's htmx suggestions endpoint, when that app is installed."""
    from django.urls import NoReverseMatch, reverse

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
    "solve": lambda r, q, now: workflow.solve_on_phone(
        r, answer=q.POST.get("answer", ""), steps=q.POST.get("steps", ""), by=q.user, now=now
    ),
    "shelve": lambda r, q, now: workflow.shelve(
        r, note=q.POST.get("note", ""), callback=q.POST.get("callback", "1") == "1", by=q.user, now=now
    ),
    "callback": lambda r, q, now: workflow.call_back(
        r, solved=q.POST.get("solved") == "1", answer=q.POST.get("answer", ""), by=q.user, now=now
    ),
    "propose": lambda r, q, now: workflow.propose_to_library(r, by=q.user, now=now),
    "close-loop": lambda r, q, now: workflow.close_loop(r, note=q.POST.get("note", ""), by=q.user, now=now),
}


@login_required
@require_POST
def record_action(request, pk, action):
    handler = RECORD_ACTIONS.get(action)
    if handler is None:
        raise Http404
    rec = get_object_or_404(selectors.hotline_records_for(request.user).select_related("request__customer"), pk=pk)
    target = "servicedesk:unsolved" if action == "close-loop" else rec
    if action == "close-loop":
        return _act(request, lambda: handler(rec, request, _now()), target, RECORD_SAID[action])
    return _act(request, lambda: handler(rec, request, _now()), f"/servicedesk/hotline/{rec.pk}/", RECORD_SAID[action])


@login_required
@permission_required("servicedesk.hotline", raise_exception=True)
def hotline_records(request):
    qs = selectors.hotline_records_for(
        request.user, mine=request.GET.get("mine") == "1", outcome=request.GET.get("outcome", "")
    )
    qs = lists.filter_dates(qs, "started_at", *lists.date_range(request.GET))
    return render(
        request,
        "servicedesk/hotline_records.html",
        {
            "page": LitePage(qs, request.GET.get("page")),
            "outcomes": HotlineRecord.Outcome.choices,
            "outcome": request.GET.get("outcome", ""),
            "query": "",
        },
    )


@login_required
def unsolved(request):
    """HL-7: the engineer submits; the service manager tracks each record to a closed loop."""
    user = request.user
    if request.method == "POST":
        return _act(
            request,
            lambda: workflow.submit_unsolved(by=user, now=_now()),
            "servicedesk:unsolved",
            lambda records: (
                _("已向服务部经理提交 %(n)d 条未解决记录。") % {"n": len(records)}
                if records
                else _("没有需要提交的未解决记录。")
            ),
        )
    if not (user.has_perm("servicedesk.view_unsolved") or user.has_perm("servicedesk.hotline")):
        raise PermissionDenied
    manager = user.has_perm("servicedesk.view_unsolved")
    qs = selectors.unsolved_for(user, open_only=request.GET.get("all") != "1")
    if not manager:
        qs = qs.filter(engineer=user)
    pending = selectors.hotline_records_for(user, mine=True).filter(
        outcome__in=["shelved", "onsite"], submitted_at__isnull=True
    )
    return render(
        request, "servicedesk/unsolved.html", {"records": qs[:200], "manager": manager, "pending": pending.count()}
    )


# --- duty roster (HL-1, HL-2) -------------------------------------------------------------


def _week_start(request, now):
    day = parse_date(request.GET.get("week", "") or "") or timezone.localdate(now)
    return day - timedelta(days=day.weekday())


@login_required
@permission_required("servicedesk.view_duty", raise_exception=True)
def duty(request):
    now = _now()
    monday = _week_start(request, now)
    start = timezone.make_aware(datetime.combine(monday, datetime.min.time()))
    shifts = list(selectors.shifts_for(request.user, start=start))
    days = [monday + timedelta(days=i) for i in range(7)]
    grid = [{"day": d, "shifts": [s for s in shifts if timezone.localdate(s.starts_at) == d]} for d in days]
    return render(
        request,
        "servicedesk/duty.html",
        {
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


@login_required
@require_POST
def duty_action(request, action):
    now, post = _now(), request.POST
    week = post.get("week", "")
    target = f"/servicedesk/duty/?week={week}" if week else "servicedesk:duty"
    if action == "plan":

        def plan():
            engineer = User.objects.filter(pk=post.get("engineer") or 0).first()
            s, e = parse_datetime(post.get("starts_at", "")), parse_datetime(post.get("ends_at", ""))
            if engineer is None or s is None or e is None:
                raise KefuError(_("请填写值班人员和起止时间。"))
            return workflow.plan_shift(
                engineer,
                starts_at=timezone.make_aware(s) if timezone.is_naive(s) else s,
                ends_at=timezone.make_aware(e) if timezone.is_naive(e) else e,
                by=request.user,
                now=now,
            )

        return _act(
            request,
            plan,
            target,
            lambda shift: (
                _("已排班：%(e)s %(s)s–%(t)s。")
                % {
                    "e": shift.engineer.display_name,
                    "s": timezone.localtime(shift.starts_at).strftime("%m-%d %H:%M"),
                    "t": timezone.localtime(shift.ends_at).strftime("%H:%M"),
                }
            ),
        )
    if action == "copy":
        monday = parse_date(week) or timezone.localdate(now)
        return _act(
            request,
            lambda: workflow.copy_week(monday, by=request.user, now=now),
            target,
            lambda shifts: _("已从上周复制 %(n)d 个班次。") % {"n": len(shifts)},
        )
    if action in ("take-over", "ready"):
        shift = get_object_or_404(
            selectors.shifts_for(request.user, start=now - timedelta(days=2), days=3), pk=post.get("shift") or 0
        )
        if action == "ready":
            return _act(
                request,
                lambda: workflow.report_ready(shift, by=request.user, now=now),
                "servicedesk:hotline",
                lambda shift: _("已报到岗就绪：%(t)s。") % {"t": timezone.localtime(shift.ready_at).strftime("%H:%M")},
            )
        return _act(
            request,
            lambda: workflow.take_over(shift, note=post.get("note", ""), by=request.user, now=now),
            "servicedesk:hotline",
            lambda handover: _("交接完成：已接手上一班 %(n)d 项未结事项。") % {"n": handover.items.count()},
        )
    raise Http404


# --- calls and connection rate (HL-8) -----------------------------------------------------


@login_required
@permission_required("servicedesk.view_calls", raise_exception=True)
def calls(request):
    now = _now()
    user = request.user
    errors = []
    if request.method == "POST":
        if request.FILES.get("file"):
            try:
                text = request.FILES["file"].read().decode("utf-8-sig")
                created, errors = workflow.import_call_log(text, by=user, now=now)
            except (KefuError, UnicodeDecodeError) as exc:
                messages.error(request, getattr(exc, "message", _("文件必须是 UTF-8 编码的 CSV。")))
            else:
                if not errors:
                    messages.success(request, _("已导入 %(n)s 条来电记录。") % {"n": created})
                    return redirect("servicedesk:calls")
        else:
            at = parse_datetime(request.POST.get("at", "")) or now
            return _act(
                request,
                lambda: workflow.log_call(
                    at=timezone.make_aware(at) if timezone.is_naive(at) else at,
                    answered=request.POST.get("answered") == "1",
                    caller_phone=request.POST.get("caller_phone", ""),
                    by=user,
                    now=now,
                ),
                "servicedesk:calls",
                lambda call: _("来电已登记（%(a)s）。") % {"a": _("已接通") if call.answered else _("未接通")},
            )
    last = parse_date(request.GET.get("to", "") or "") or timezone.localdate(now)
    first = parse_date(request.GET.get("from", "") or "") or last - timedelta(days=6)
    return render(
        request,
        "servicedesk/calls.html",
        {
            "page": LitePage(selectors.calls_for(user), request.GET.get("page")),
            "errors": errors,
            "rate": selectors.connection_rate(user, first=first, last=last),
            "first": first,
            "last": last,
            "can_log": user.has_perm("servicedesk.log_calls"),
            "show_personal": can_see_personal(user),
            "query": "",
        },
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
