"""The hotline record and its outcomes (HL-3..HL-7)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.audit.service import record
from kefu.core import states
from kefu.core.errors import Conflict, Invalid
from kefu.core.permissions import require
from kefu.core.validation import phone, text
from kefu.customers import timeline
from kefu.customers.models import Customer
from kefu.deadlines import clocks
from kefu.notify import outbox
from kefu.org.models import User
from kefu.org.selectors import service_manager_for
from kefu.servicedesk import integrations
from kefu.servicedesk.models import (
    HotlineRecord,
    RequestStep,
    ServiceRequest,
)
from kefu.servicedesk.workflow._common import (
    ANSWER_REQUIRED,
    HO,
    NOT_SUBMITTED,
    NOTES_REQUIRED,
    RECORD_STATE,
    S,
    _label,
    _respond,
    _step,
    promise_calendar,
)
from kefu.servicedesk.workflow.onsite import request_onsite
from kefu.servicedesk.workflow.requests import (
    create_request,
    solve,
)


def record_call(
    customer: Customer,
    *,
    phenomenon: str,
    by: User,
    now: datetime,
    caller: str = "",
    caller_phone: str = "",
    product: str = "",
    answer: str = "",
    steps: str = "",
    request: ServiceRequest | None = None,
    type: str = ServiceRequest.Type.FAULT,
    priority: str = ServiceRequest.Priority.MEDIUM,
    needs_onsite: bool = False,
) -> HotlineRecord:
    """A hotline call (HL-3): caller, customer, product, phenomenon, answer, steps; linked to
    its request (a new one, logged from the phone, unless it continues `request`)."""
    require(by, "servicedesk.hotline")
    caller = text(HotlineRecord, "caller", caller)
    caller_phone = phone(
        caller_phone, label=HotlineRecord._meta.get_field("caller_phone").verbose_name, field="caller_phone"
    )
    product = text(HotlineRecord, "product", product)
    answer, steps = text(HotlineRecord, "answer", answer), text(HotlineRecord, "steps", steps)
    with transaction.atomic():
        if request is None:
            request = create_request(
                customer,
                channel=ServiceRequest.Channel.PHONE,
                phenomenon=phenomenon,
                by=by,
                now=now,
                type=type,
                priority=priority,
                product=product,
                caller=caller,
                caller_phone=caller_phone,
                needs_onsite=needs_onsite,
            )
        elif request.customer_id != customer.pk:
            raise Invalid(_("该请求不属于此客户。"), field="request")
        rec = HotlineRecord.objects.create(
            request=request,
            customer=customer,
            engineer=by,
            caller=caller,
            caller_phone=caller_phone,
            product=product,
            phenomenon=text(HotlineRecord, "phenomenon", phenomenon, required=True),
            answer=answer,
            steps=steps,
            started_at=now,
        )
        if request.status == S.NEW:
            states.move(request, S.IN_PROGRESS, by=by, now=now)
        _step(
            request,
            RequestStep.Kind.ASSESSMENT,
            answer.strip() or _("热线受理：%(p)s") % {"p": phenomenon.strip()},
            by=by,
            now=now,
        )
        _respond(request, by=by, now=now)
        record(rec, "record_call", by=by, at=now, after=rec.get_outcome_display(), data={"request": request.pk})
        timeline.add(
            customer,
            "call",
            title=_("热线来电：%(t)s") % {"t": request.title},
            body=answer or phenomenon,
            at=now,
            by=by,
            subject=request,
        )
    return rec


def solve_on_phone(rec: HotlineRecord, *, answer: str, by: User, now: datetime, steps: str = "") -> HotlineRecord:
    """Solved during the call (HL-4): recorded; the return visit is due in 3 days (RV-1)."""
    require(by, "servicedesk.work", rec.request)
    answer = (answer or "").strip()
    if not answer:
        raise Invalid(ANSWER_REQUIRED, field="answer")
    with transaction.atomic():
        states.move(rec, HO.SOLVED, by=by, now=now, field="outcome", answer=answer, steps=(steps or rec.steps).strip())
        solve(rec.request, result=answer, method=steps, by=by, now=now)
        record(rec, "solve", by=by, at=now, before=HO.OPEN.label, after=rec.get_outcome_display())
        integrations.return_visit_after_hotline(rec.request, by=by, now=now)
    return rec


def shelve(rec: HotlineRecord, *, note: str, by: User, now: datetime, callback: bool = True) -> HotlineRecord:
    """Not solvable at once (HL-5): shelved to consult; a reply is due in 3 h, a promised
    callback in 1 h. The unsolved record must reach the service manager by the next start of
    work (HL-7)."""
    require(by, "servicedesk.work", rec.request)
    note = (note or "").strip()
    if not note:
        raise Invalid(NOTES_REQUIRED, field="note")
    req = rec.request
    duty = promise_calendar(by, "hotline.shelved_reply", now=now)
    with transaction.atomic():
        states.move(rec, HO.SHELVED, by=by, now=now, field="outcome", callback_promised=callback)
        before = states.move(req, S.SHELVED, by=by, now=now)
        _step(
            req, RequestStep.Kind.DIAGNOSIS, _("搁置，内部请教中：%(n)s") % {"n": note}, by=by, now=now, visible=False
        )
        reply = clocks.start(req, "hotline.shelved_reply", owner=req.owner, now=now, by=by, calendar=duty)
        if callback:
            clocks.start(req, "hotline.callback", owner=req.owner, now=now, by=by, calendar=duty)
        if reply is not None:
            # What the customer is told: a time, not the internal consultation.
            promise = _("您的问题需要进一步分析，我们将于 %(t)s 前答复您。") % {
                "t": timezone.localtime(reply.due_at).strftime("%Y-%m-%d %H:%M")
            }
            _step(req, RequestStep.Kind.DIAGNOSIS, promise, by=by, now=now)
        clocks.start(rec, "hotline.unsolved_submit", owner=by, now=now, by=by)
        record(
            req,
            "shelve",
            by=by,
            at=now,
            before=_label(before),
            after=req.get_status_display(),
            data={"note": note, "callback": callback},
        )
    return rec


def call_back(
    rec: HotlineRecord, *, solved: bool, answer: str, by: User, now: datetime, onsite_reason: str = ""
) -> HotlineRecord:
    """The promised callback (HL-5). Solved: closed as a phone solution (RV-1 follows).
    Still unsolved: an onsite request goes to the service manager (HL-6)."""
    require(by, "servicedesk.work", rec.request)
    answer = (answer or "").strip()
    if not answer:
        raise Invalid(ANSWER_REQUIRED, field="answer")
    req = rec.request
    with transaction.atomic():
        target = HO.SOLVED if solved else HO.ONSITE
        states.move(rec, target, by=by, now=now, field="outcome", called_back_at=now, answer=answer)
        clocks.stop(req, "hotline.callback", now=now, by=by)
        clocks.stop(req, "hotline.shelved_reply", now=now, by=by)
        record(req, "call_back", by=by, at=now, after=rec.get_outcome_display(), data={"record": rec.pk})
        if solved:
            clocks.stop(rec, "hotline.unsolved_submit", now=now, by=by)
            solve(req, result=answer, by=by, now=now)
            integrations.return_visit_after_hotline(req, by=by, now=now)
        else:
            _step(req, RequestStep.Kind.DIAGNOSIS, _("回拨：%(a)s") % {"a": answer}, by=by, now=now)
            request_onsite(req, reason=onsite_reason or answer, by=by, now=now)
    return rec


def submit_unsolved(*, by: User, now: datetime) -> list[HotlineRecord]:
    """The engineer's unsolved records go to the service manager (HL-7)."""
    require(by, "servicedesk.hotline")
    manager = service_manager_for(by)
    with transaction.atomic():
        records = list(
            HotlineRecord.objects.select_for_update().filter(
                engineer=by, outcome__in=[HO.SHELVED, HO.ONSITE], submitted_at__isnull=True
            )
        )
        if not records:
            return []
        HotlineRecord.objects.filter(pk__in=[r.pk for r in records]).update(submitted_to=manager, submitted_at=now)
        for rec in records:
            clocks.stop(rec, "hotline.unsolved_submit", now=now, by=by)
            record(rec, "submit_unsolved", by=by, at=now, after=manager.display_name if manager else "")
        outbox.enqueue(
            "hotline.unsolved",
            None,
            to=[manager],
            key=f"hotline.unsolved:{by.pk}:{now.isoformat()}",
            subject=str(_("%(e)s 提交了 %(n)s 条未解决热线问题") % {"e": by.display_name, "n": len(records)}),
            link="/servicedesk/hotline/unsolved/",
            now=now,
        )
    for rec in records:
        rec.refresh_from_db()
    return records


def close_loop(rec: HotlineRecord, *, note: str, by: User, now: datetime) -> HotlineRecord:
    """The service manager closes the loop on an unsolved record (HL-7)."""
    require(by, "servicedesk.close_loop", rec)
    note = text(HotlineRecord, "loop_note", note, field="note")
    if not note:
        raise Invalid(NOTES_REQUIRED, field="note")
    if rec.submitted_at is None:
        raise Invalid(NOT_SUBMITTED)
    with transaction.atomic():
        if not HotlineRecord.objects.filter(pk=rec.pk, loop_closed_at__isnull=True).update(
            loop_closed_at=now, loop_note=note
        ):
            raise Conflict()
        rec.refresh_from_db()
        record(rec, "close_loop", by=by, at=now, after=str(_("已闭环")), data={"note": note})
    return rec


def propose_to_library(rec: HotlineRecord, *, by: User, now: datetime):
    """One click: the phone solution becomes a draft article of the problem library (HL-4, KB-1)."""
    require(by, "servicedesk.work", rec.request)
    if rec.outcome != HO.SOLVED:
        raise Invalid(RECORD_STATE)
    return integrations.propose_to_library(rec.request, by=by, now=now)
