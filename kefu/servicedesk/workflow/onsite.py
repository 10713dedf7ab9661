"""A request and its onsite visits are one story (HL-6, OS-1..OS-6, SR-5).

The service desk calls down into onsite service (`fieldservice.workflow.request_onsite`) and
hears back through the callbacks registered below (`kefu.fieldservice.handoffs`), each run
inside the work order's transition:

- returned:  the request goes back to its owner in progress, with the manager's reason;
- contacted: the engineer agreed a time with the customer: the first response is met and
  the customer sees the appointment;
- outcome:   solved (or the escalation's answer) → the customer is asked to confirm (SR-5);
  not solved → the request stays with its owner with the next step (another visit, or the
  vendor / headquarters), and the owner is told.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.audit import verbs
from kefu.audit.service import record
from kefu.core import states
from kefu.core.errors import REASON_REQUIRED, Conflict, Invalid
from kefu.core.permissions import require
from kefu.core.validation import text
from kefu.deadlines import clocks
from kefu.fieldservice import handoffs
from kefu.fieldservice import workflow as fieldservice
from kefu.notify import outbox
from kefu.org.models import User
from kefu.org.selectors import service_manager_for
from kefu.servicedesk.models import HotlineRecord, RequestStep, ServiceRequest
from kefu.servicedesk.workflow._common import HO, S, _label, _respond, _step
from kefu.servicedesk.workflow.requests import mark_solved

verbs.register(
    "servicedesk",
    onsite_appointment=_("预约上门"),
    onsite_outcome=_("上门结果"),
)

ONSITE_PLANNED = _("已安排上门服务，工程师将与您联系预约上门时间。")
APPOINTMENT_STEP = _("已预约上门：%(s)s–%(e)s，服务工程师 %(n)s。")
REDISPATCH_STEP = _("上门服务未能完全解决问题，已安排再次上门。")


def request_onsite(req: ServiceRequest, *, reason: str, by: User, now: datetime) -> ServiceRequest:
    """An onsite request to the service manager (HL-6), who verifies and dispatches it (OS-1).

    A request whose work order is still under way gets no second one: Conflict (409).
    """
    require(by, "servicedesk.work", req)
    reason = text(RequestStep, "notes", reason, field="reason")
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    with transaction.atomic():
        current = fieldservice.open_order_of(req)
        if current is not None:
            raise Conflict(fieldservice.ORDER_OPEN % {"n": current.number, "s": current.get_status_display()})
        before = states.move(req, S.ONSITE, by=by, now=now, needs_onsite=True)
        for key in ("hotline.onsite_submit", "hotline.shelved_reply", "hotline.callback"):
            clocks.stop(req, key, now=now, by=by)
        states.move_many(
            HotlineRecord.objects.filter(request=req), HO.ONSITE, by=by, now=now, verb="record_onsite", field="outcome"
        )
        _step(req, RequestStep.Kind.SOLUTION, _("建议派发现场：%(r)s") % {"r": reason}, by=by, now=now, visible=False)
        _step(req, RequestStep.Kind.SOLUTION, ONSITE_PLANNED, by=by, now=now)
        fieldservice.request_onsite(req, reason=reason, by=by, now=now)
        record(
            req,
            "request_onsite",
            by=by,
            at=now,
            before=_label(before),
            after=req.get_status_display(),
            data={"reason": reason},
        )
        manager = service_manager_for(by)
        outbox.enqueue(
            "request.onsite",
            req,
            to=[manager],
            group="dispatch",
            key=f"request.onsite:{req.pk}:{now.isoformat()}",
            subject=str(_("上门服务申请：%(c)s %(t)s") % {"c": req.customer.name, "t": req.title}),
            body=reason,
            link=req.get_absolute_url(),
            now=now,
        )
    return req


def onsite_returned(req: ServiceRequest, *, reason: str, by: User, now: datetime) -> ServiceRequest:
    """The service manager sent the onsite request back (OS-1): the request returns to its owner
    in progress, with the reason as an internal step, so it can be handled further or resubmitted.

    The request's owner is told by the work order's transition.
    """
    req.refresh_from_db()
    if req.status != S.ONSITE:
        return req  # already moved on (e.g. solved meanwhile): nothing to undo
    states.move(req, S.IN_PROGRESS, by=by, now=now, needs_onsite=False)
    _step(req, RequestStep.Kind.ASSESSMENT, _("上门申请被退回：%(r)s") % {"r": reason}, by=by, now=now, visible=False)
    record(
        req,
        "onsite_returned",
        by=by,
        at=now,
        before=_label(S.ONSITE),
        after=req.get_status_display(),
        data={"reason": reason},
    )
    return req


def _local(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _returned(order, *, by, now: datetime, reason: str) -> None:
    onsite_returned(order.request, reason=reason, by=by, now=now)


def _contacted(order, *, by, now: datetime, start: datetime, end: datetime) -> None:
    """The engineer agreed a time with the customer: that answers the customer (SR-2)."""
    req = order.request
    _respond(req, by=by, now=now)
    engineer = order.engineer.display_name if order.engineer_id else ""
    step = APPOINTMENT_STEP % {"s": _local(start), "e": timezone.localtime(end).strftime("%H:%M"), "n": engineer}
    _step(req, RequestStep.Kind.IMPLEMENTATION, step, by=by, now=now)
    record(req, "onsite_appointment", by=by, at=now, after=_local(start), data={"order": order.pk})


def _outcome(order, *, by, now: datetime, outcome: str, text: str) -> None:
    """What came of the visit moves the request on (SR-5, OS-5)."""
    req = ServiceRequest.objects.get(pk=order.request_id)
    _respond(req, by=by, now=now)
    if outcome in (handoffs.SOLVED, handoffs.RESOLVED):
        if req.status in (S.ONSITE, S.IN_PROGRESS, S.SHELVED):
            mark_solved(req, result=text, method=text, by=by, now=now)
        return
    before = req.status
    if outcome == handoffs.ESCALATED and req.status == S.ONSITE:
        states.move(req, S.IN_PROGRESS, by=by, now=now)
    if outcome == handoffs.REDISPATCH:
        _step(req, RequestStep.Kind.IMPLEMENTATION, REDISPATCH_STEP, by=by, now=now)
        _step(req, RequestStep.Kind.NOTE, text, by=by, now=now, visible=False)
    else:
        _step(req, RequestStep.Kind.IMPLEMENTATION, text, by=by, now=now)
    record(
        req,
        "onsite_outcome",
        by=by,
        at=now,
        before=_label(before),
        after=req.get_status_display(),
        data={"order": order.pk, "outcome": outcome},
    )
    if req.owner_id and req.owner_id != getattr(by, "pk", None):
        outbox.enqueue(
            "request.onsite_outcome",
            req,
            to=[req.owner],
            key=f"request.onsite_outcome:{req.pk}:{order.pk}:{outcome}",
            subject=str(_("上门未解决，请跟进：%(n)s %(t)s") % {"n": req.number, "t": req.title}),
            body=text,
            link=req.get_absolute_url(),
            now=now,
        )


def register_handoffs() -> None:
    """From ServiceDeskConfig.ready(): onsite service tells the desk what became of its requests."""
    handoffs.register(handoffs.RETURNED, _returned)
    handoffs.register(handoffs.CONTACTED, _contacted)
    handoffs.register(handoffs.OUTCOME, _outcome)
