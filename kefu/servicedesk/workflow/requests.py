"""Requests (SR-1..SR-7): intake, first-question ownership, steps, closing, withdrawal."""

import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.approvals import workflow as approvals
from kefu.audit.service import event, record, record_many
from kefu.core import states
from kefu.core.errors import REASON_REQUIRED, Conflict, Forbidden, Invalid
from kefu.core.models import reserve_pks
from kefu.core.permissions import require
from kefu.core.validation import phone, text
from kefu.customers import timeline
from kefu.customers.models import Customer
from kefu.deadlines import clocks, waiting
from kefu.documents import attachments
from kefu.notify import outbox
from kefu.org import roles
from kefu.org.models import Company, User
from kefu.org.selectors import active_with_role
from kefu.search import index
from kefu.servicedesk import handoffs, integrations
from kefu.servicedesk.models import (
    HotlineRecord,
    RequestStep,
    ServiceRequest,
)
from kefu.servicedesk.workflow._common import (
    CONFIRMATION_REQUIRED,
    MOVE_NOT_ALLOWED,
    NO_WITHDRAWAL_PENDING,
    NOT_YOUR_CUSTOMER,
    NOTES_REQUIRED,
    OPEN,
    PHENOMENON_REQUIRED,
    RECEIVER_INVALID,
    RECEIVER_REQUIRED,
    RESULT_REQUIRED,
    SAME_OWNER,
    TAKEN,
    WITHDRAW_ONLY_PHONE_SOLVED,
    S,
    _label,
    _respond,
    _step,
    _stop_all,
    first_response_rule,
    on_duty,
)


def create_request(
    customer: Customer,
    *,
    channel: str,
    phenomenon: str,
    by: User,
    now: datetime,
    title: str = "",
    type: str = ServiceRequest.Type.FAULT,
    priority: str = ServiceRequest.Priority.MEDIUM,
    product: str = "",
    caller: str = "",
    caller_phone: str = "",
    contact=None,
    needs_onsite: bool = False,
    files=(),
) -> ServiceRequest:
    """Intake from any channel (SR-1, SR-2); the staff member who takes it owns it (SR-3).

    A customer's own submission (portal, or the API with a portal token) goes to the engineer
    on duty now (HL-1). The first-response clock of its priority starts; a complaint is
    handed to the complaints domain (CP-1); a request needing a visit from the start must reach the
    service manager within 30 minutes (HL-6). Attachments are kept with it (SR-1).
    """
    files = list(files)
    for f in files:  # before any change: a file of a type or size not allowed is refused, by name
        attachments.check(f, kind="request", field="files")
    item = {
        "customer": customer,
        "channel": channel,
        "phenomenon": phenomenon,
        "title": title,
        "type": type,
        "priority": priority,
        "product": product,
        "caller": caller,
        "caller_phone": caller_phone,
        "contact": contact,
        "needs_onsite": needs_onsite,
    }
    with transaction.atomic():
        req = create_requests([item], by=by, now=now)[0]
        attachments.attach_all(req, files, kind="request", by=by, now=now, field="files")
    return req


PHONE_LABEL = ServiceRequest._meta.get_field("caller_phone").verbose_name
MAX_BATCH = 100
BATCH_TOO_BIG = _("一次最多提交 %(max)d 条服务请求。")
BATCH_EMPTY = _("请至少提交一条服务请求。")
ITEM_ERROR = _("第 %(n)d 条：%(message)s")


def _clean_item(item: dict, *, by, from_customer: bool, visible: set[int] | None) -> dict:
    """One intake's fields checked and completed; Invalid or Forbidden names what is wrong."""
    customer = item["customer"]
    channel = item.get("channel", ServiceRequest.Channel.API)
    contact = item.get("contact")
    if from_customer:
        if visible is not None and customer.pk not in visible:
            raise Forbidden(NOT_YOUR_CUSTOMER)
        channel = ServiceRequest.Channel.PORTAL if channel != ServiceRequest.Channel.API else channel
        contact = getattr(by, "customer_contact", None)
    phenomenon = text(ServiceRequest, "phenomenon", item.get("phenomenon"))
    if not phenomenon:
        raise Invalid(PHENOMENON_REQUIRED, field="phenomenon")
    type_ = item.get("type", ServiceRequest.Type.FAULT)
    priority = item.get("priority", ServiceRequest.Priority.MEDIUM)
    if channel not in ServiceRequest.Channel.values:
        raise Invalid(_("来源渠道无效。"), field="channel")
    if priority not in ServiceRequest.Priority.values or type_ not in ServiceRequest.Type.values:
        raise Invalid(_("类型或优先级无效。"), field="priority")
    title = text(ServiceRequest, "title", item.get("title"))
    caller_phone = phone(item.get("caller_phone"), label=PHONE_LABEL, field="caller_phone")
    return {
        "customer": customer,
        "contact": contact,
        "caller": text(ServiceRequest, "caller", item.get("caller")) or (contact.name if contact else ""),
        "caller_phone": caller_phone or (contact.mobile if contact else ""),
        "channel": channel,
        "type": type_,
        "priority": priority,
        "title": title or phenomenon[:40].strip(),
        "product": text(ServiceRequest, "product", item.get("product")),
        "phenomenon": phenomenon,
        "needs_onsite": bool(item.get("needs_onsite")),
    }


def create_requests(items: list[dict], *, by: User, now: datetime) -> list[ServiceRequest]:
    """Take in several requests at once (SR-1): each as `create_request` takes in one.

    For an integration that hands over a batch (a mail gateway, a phone system, a spreadsheet
    of requests): the same owner rule (SR-3, HL-1), first-response clock (SR-2), onsite clock
    (HL-6), audit event, care-column line and notifications per request, written a table at a
    time. All or nothing: one bad item rejects the batch, and the message names the item
    ("第 3 条：请填写问题现象。"). Each item is a dict of create_request's fields.
    """
    if not items:
        raise Invalid(BATCH_EMPTY)
    if len(items) > MAX_BATCH:
        raise Invalid(BATCH_TOO_BIG % {"max": MAX_BATCH})
    from_customer = getattr(by, "is_customer_user", False)
    require(by, "servicedesk.submit_portal" if from_customer else "servicedesk.add_request")
    visible = None
    if from_customer:
        wanted = {item["customer"].pk for item in items}
        visible = set(Customer.objects.visible_to(by).filter(pk__in=wanted).values_list("pk", flat=True))
    cleaned = []
    for n, item in enumerate(items, start=1):
        try:
            cleaned.append(_clean_item(item, by=by, from_customer=from_customer, visible=visible))
        except (Invalid, Forbidden) as error:
            if len(items) == 1:
                raise
            raise type(error)(ITEM_ERROR % {"n": n, "message": error.message}, field=error.field) from None
    owner = off_duty_owner(now) if from_customer else by
    # Joins the caller's transaction when there is one (create_request's): no savepoint.
    with transaction.atomic(savepoint=False):
        pks = reserve_pks(ServiceRequest, len(cleaned))
        reqs = [
            ServiceRequest(
                pk=pks[i] if pks else None,
                number=uuid.uuid4().hex[:20],
                owner=owner,
                created_at=now,
                created_by=by,
                updated_at=now,
                **fields,
            )
            for i, fields in enumerate(cleaned)
        ]
        # The number and the search words derive from the id: with the ids reserved each row
        # is written once; without (SQLite) the rows are inserted for their ids, then completed.
        if pks is None:
            ServiceRequest.objects.bulk_create(reqs)
        day = f"{timezone.localtime(now):%y%m%d}"
        for req in reqs:
            req.number = f"SR{day}{req.pk:07d}"
            req.fill_search_tokens()
        starts = [(req, first_response_rule(req.priority), owner) for req in reqs]
        onsite = [(req, "hotline.onsite_submit", owner) for req in reqs if req.needs_onsite]
        started = clocks.start_new(starts + onsite, now=now, by=by)
        for req, clock in zip(reqs, started, strict=False):
            req.first_response_due = clock.due_at if clock else None
        if pks is None:
            ServiceRequest.objects.bulk_update(reqs, ["number", "search_tokens", "first_response_due"])
        else:
            ServiceRequest.objects.bulk_create(reqs)
        record_many(
            [
                event(
                    req,
                    "create",
                    by=by,
                    at=now,
                    after=req.get_status_display(),
                    data={
                        "channel": req.channel,
                        "priority": req.priority,
                        "type": req.type,
                        "owner": owner and owner.pk,
                    },
                )
                for req in reqs
            ]
        )
        timeline.add_many(
            [
                timeline.entry(
                    req.customer,
                    "request",
                    title=f"{req.number} {req.title}",
                    body=req.phenomenon,
                    at=now,
                    by=by,
                    subject=req,
                )
                for req in reqs
            ]
        )
        # A complaint-type request opens a complaint in the complaints domain (CP-1).
        for req in reqs:
            if req.type == ServiceRequest.Type.COMPLAINT:
                handoffs.emit(handoffs.COMPLAINT, req, by=by, now=now)
        outbox.enqueue_many(_intake_messages(reqs, owner=owner, by=by), now=now)
    return reqs


def off_duty_owner(now: datetime) -> User | None:
    """Who owns a customer's own submission (SR-3, HL-1): the engineer on duty now; with nobody
    on duty, as the company chose: the service manager, or nobody until the next shift takes
    it over at its handover (its clocks then tell the rules' manager role, never nobody)."""
    engineer = on_duty(now)
    if engineer is not None:
        return engineer
    company = Company.objects.order_by("pk").only("off_duty_intake").first()
    if company is not None and company.off_duty_intake == Company.OffDutyIntake.SERVICE_MANAGER:
        return next(iter(active_with_role(roles.SERVICE_MANAGER)), None)
    return None


def _intake_messages(reqs: list[ServiceRequest], *, owner, by) -> list[dict]:
    """The engineer a customer's request went to is told (HL-1); a complaint goes to quality
    (when no domain opens complaints: that domain tells quality itself, CP-1)."""
    messages = []
    if owner is not None and owner != by:
        messages += [
            {
                "event": "request.assigned",
                "obj": req,
                "to": [owner],
                "key": f"request.assigned:{req.pk}:{owner.pk}",
                "subject": str(_("新的服务请求：%(n)s %(t)s") % {"n": req.number, "t": req.title}),
                "link": req.get_absolute_url(),
            }
            for req in reqs
        ]
    complaints = [req for req in reqs if req.type == ServiceRequest.Type.COMPLAINT]
    if complaints and not handoffs.received(handoffs.COMPLAINT):
        quality = list(active_with_role(roles.QUALITY))
        messages += [
            {
                "event": "request.complaint",
                "obj": req,
                "to": quality,
                "subject": str(_("客户投诉：%(c)s %(t)s") % {"c": req.customer.name, "t": req.title}),
                "link": req.get_absolute_url(),
            }
            for req in complaints
        ]
    return messages


def take(req: ServiceRequest, *, by: User, now: datetime) -> ServiceRequest:
    """An unowned request (nobody on duty when it came) is taken by a handler (SR-3)."""
    require(by, "servicedesk.take", req)
    with transaction.atomic():
        if not ServiceRequest.objects.filter(pk=req.pk, owner__isnull=True, status__in=OPEN).update(
            owner=by, updated_at=now
        ):
            raise Conflict(TAKEN)
        req.refresh_from_db()
        _reassign_clocks(req, by)
        record(req, "take", by=by, at=now, after=by.display_name)
    return req


def _reassign_clocks(req: ServiceRequest, owner: User) -> None:
    """The new owner's workbench shows the request's running deadlines."""
    clocks.reassign(req, owner, exclude_prefix="returnvisit.")


def transfer(req: ServiceRequest, to: User | None, *, reason: str, by: User, now: datetime) -> ServiceRequest:
    """Explicit hand-over of ownership, with receiver and reason (SR-3, 首问责任制)."""
    require(by, "servicedesk.transfer", req)
    if to is None:
        raise Invalid(RECEIVER_REQUIRED, field="to")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    if not to.is_active or to.is_external or not to.has_perm("servicedesk.take"):
        raise Invalid(RECEIVER_INVALID, field="to")
    if to.pk == req.owner_id:
        raise Conflict(SAME_OWNER)  # already theirs: transferred by someone else first
    with transaction.atomic():
        before = req.owner
        if not ServiceRequest.objects.filter(pk=req.pk, owner_id=req.owner_id, status__in=OPEN).update(
            owner=to, updated_at=now
        ):
            raise Conflict(TAKEN)
        req.refresh_from_db()
        _reassign_clocks(req, to)
        _step(
            req,
            RequestStep.Kind.NOTE,
            _("转交给 %(to)s：%(r)s") % {"to": to.display_name, "r": reason},
            by=by,
            now=now,
            visible=False,
        )
        record(
            req,
            "transfer",
            by=by,
            at=now,
            before=before.display_name if before else "",
            after=to.display_name,
            data={"reason": reason},
        )
        outbox.enqueue(
            "request.transferred",
            req,
            to=[to],
            key=f"request.transferred:{req.pk}:{now.isoformat()}",
            subject=str(_("转交给您的服务请求：%(n)s %(t)s") % {"n": req.number, "t": req.title}),
            body=reason,
            link=req.get_absolute_url(),
            now=now,
        )
    return req


def add_step(
    req: ServiceRequest, kind: str, notes: str, *, by: User, now: datetime, visible: bool = True
) -> RequestStep:
    """A handling step with its notes and time (SR-4); the first one answers the customer."""
    require(by, "servicedesk.work", req)
    notes = (notes or "").strip()
    if not notes:
        raise Invalid(NOTES_REQUIRED, field="notes")
    if kind not in RequestStep.Kind.values:
        raise Invalid(_("步骤类型无效。"), field="kind")
    with transaction.atomic():
        if req.status == S.NEW:
            states.move(req, S.IN_PROGRESS, by=by, now=now)
        elif not req.is_open or req.status == S.SOLVED:
            raise Invalid(MOVE_NOT_ALLOWED % {"before": _label(req.status), "after": _label(S.IN_PROGRESS)})
        step = _step(req, kind, notes, by=by, now=now, visible=visible)
        _respond(req, by=by, now=now)
        record(req, "add_step", by=by, at=now, after=step.get_kind_display(), data={"step": step.pk})
    return step


SHEET_FIELDS = ("phenomenon", "cause", "method", "result", "prevention", "product")


def update_sheet(req: ServiceRequest, *, by: User, now: datetime, **fields) -> ServiceRequest:
    """The service sheet (客户服务单, SR-6): phenomenon, cause, method, result, prevention advice."""
    require(by, "servicedesk.work", req)
    changes = {k: (v or "").strip() for k, v in fields.items() if k in SHEET_FIELDS and v is not None}
    if "phenomenon" in changes and not changes["phenomenon"]:
        raise Invalid(PHENOMENON_REQUIRED, field="phenomenon")
    with transaction.atomic():
        ServiceRequest.objects.filter(pk=req.pk).update(updated_at=now, **changes)
        req.refresh_from_db()
        index(req)
        record(req, "update_sheet", by=by, at=now, data={"fields": sorted(changes)})
    return req


def solve(
    req: ServiceRequest,
    *,
    result: str,
    by: User,
    now: datetime,
    cause: str = "",
    method: str = "",
    prevention: str = "",
) -> ServiceRequest:
    """The problem is solved; the customer is asked to confirm (SR-5 closes only on confirmation)."""
    require(by, "servicedesk.work", req)
    result = text(ServiceRequest, "result", result, field="result")
    if not result:
        raise Invalid(RESULT_REQUIRED, field="result")
    return mark_solved(req, result=result, cause=cause, method=method, prevention=prevention, by=by, now=now)


def mark_solved(
    req: ServiceRequest,
    *,
    result: str,
    by: User,
    now: datetime,
    cause: str = "",
    method: str = "",
    prevention: str = "",
) -> ServiceRequest:
    """solve() after its checks, also for a solution that came back from elsewhere (a signed
    onsite sheet, an escalation's answer): the caller has checked its own actor."""
    fields = {"result": result, "solved_at": now}
    for name, value in (("cause", cause), ("method", method), ("prevention", prevention)):
        if value and value.strip():
            fields[name] = text(ServiceRequest, name, value)
    with transaction.atomic():
        before = states.move(req, S.SOLVED, by=by, now=now, **fields)
        _respond(req, by=by, now=now)
        for key in ("hotline.shelved_reply", "hotline.callback", "hotline.onsite_submit"):
            clocks.stop(req, key, now=now, by=by)
        _step(req, RequestStep.Kind.SOLUTION, result, by=by, now=now)
        record(req, "solve", by=by, at=now, before=_label(before), after=req.get_status_display())
        portal_users = [
            c.portal_user for c in req.customer.contacts.filter(portal_user__isnull=False).select_related("portal_user")
        ]
        outbox.enqueue(
            "request.solved",
            req,
            to=portal_users,
            key=f"request.solved:{req.pk}:{now.isoformat()}",
            subject=str(_("您的服务请求已处理，请确认：%(n)s") % {"n": req.number}),
            link=f"/portal/requests/{req.pk}/",
            now=now,
        )
    return req


def confirm(req: ServiceRequest, *, via: str, by: User, now: datetime, note: str = "") -> ServiceRequest:
    """Close with the customer's confirmation (SR-5): recorded by staff with how, or in the portal.

    Closing asks the customer representative for the confirmation call (return visit).
    """
    require(by, "servicedesk.confirm", req)
    if getattr(by, "is_customer_user", False):
        via = ServiceRequest.Confirmation.PORTAL
    if via not in ServiceRequest.Confirmation.values:
        raise Invalid(CONFIRMATION_REQUIRED, field="via")
    with transaction.atomic():
        before = states.move(
            req,
            S.CLOSED,
            by=by,
            now=now,
            closed_at=now,
            confirmed_via=via,
            confirmation_note=text(ServiceRequest, "confirmation_note", note, field="note"),
        )
        _stop_all(req, now=now, by=by)
        HotlineRecord.objects.filter(request=req, submitted_at__isnull=False, loop_closed_at__isnull=True).update(
            loop_closed_at=now, loop_note=str(_("请求已经客户确认关闭"))
        )
        record(
            req,
            "confirm",
            by=by,
            at=now,
            before=_label(before),
            after=req.get_status_display(),
            data={"via": via, "note": req.confirmation_note},
        )
        timeline.add(
            req.customer,
            "request",
            title=_("%(n)s 已关闭（%(v)s）") % {"n": req.number, "v": req.get_confirmed_via_display()},
            body=req.result,
            at=now,
            by=by,
            subject=req,
        )
        integrations.confirmation_call(req, by=by, now=now)
        integrations.open_survey(req, by=by, now=now)
    return req


def reopen(req: ServiceRequest, *, reason: str, by: User, now: datetime) -> ServiceRequest:
    """The customer is not satisfied with the solution: back to the owner (SR-5)."""
    require(by, "servicedesk.reopen", req)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    with transaction.atomic():
        before = states.move(req, S.IN_PROGRESS, by=by, now=now, reopened=req.reopened + 1, solved_at=None)
        _step(req, RequestStep.Kind.NOTE, _("客户要求重新处理：%(r)s") % {"r": reason}, by=by, now=now)
        record(
            req, "reopen", by=by, at=now, before=_label(before), after=req.get_status_display(), data={"reason": reason}
        )
        outbox.enqueue(
            "request.reopened",
            req,
            to=[req.owner],
            key=f"request.reopened:{req.pk}:{now.isoformat()}",
            subject=str(_("服务请求被重新打开：%(n)s") % {"n": req.number}),
            body=reason,
            link=req.get_absolute_url(),
            now=now,
        )
    return req


WITHDRAWAL_CHAIN = "servicedesk.withdrawal"


def request_withdrawal(req: ServiceRequest, *, reason: str, by: User, now: datetime) -> ServiceRequest:
    """Ask the call centre to withdraw a request solved on the phone before a visit (SR-7, RS-6):
    an approval chain (`kefu.approvals`) whose one step the call centre decides."""
    require(by, "servicedesk.request_withdrawal", req)
    reason = text(ServiceRequest, "withdrawal_reason", reason, field="reason")
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    if req.status != S.SOLVED or req.needs_onsite:
        raise Invalid(WITHDRAW_ONLY_PHONE_SOLVED)
    with transaction.atomic():
        states.move(
            req,
            ServiceRequest.Withdrawal.REQUESTED,
            by=by,
            now=now,
            field="withdrawal",
            verb="request_withdrawal",
            data={"reason": reason},
            where={"status": S.SOLVED},
            withdrawal_reason=reason,
            withdrawal_requested_by=by,
        )
        approvals.submit(req, WITHDRAWAL_CHAIN, by=by, now=now, note=reason)
    return req


def review_withdrawal(req: ServiceRequest, *, approve: bool, by: User, now: datetime, note: str = "") -> ServiceRequest:
    """The call centre reviews a withdrawal (SR-7) as the decider of its approval step: approved,
    the row stays with its reason (soft-deleted); rejected, the request stays solved."""
    approval = approvals.approval_of(req, WITHDRAWAL_CHAIN)
    if req.withdrawal != ServiceRequest.Withdrawal.REQUESTED or approval is None:
        raise Invalid(NO_WITHDRAWAL_PENDING)
    verdict = approvals.APPROVE if approve else approvals.REJECT
    approvals.decide(
        approval, verdict=verdict, reason=note or ("" if approve else str(_("撤销审核未通过"))), by=by, now=now
    )
    req.refresh_from_db()
    return req


def _withdrawal_decided(req: ServiceRequest, *, approval, step, by, now: datetime, reason: str, approved: bool) -> None:
    """The approval's callback: the request makes its own move (the approvals app never does)."""
    target = ServiceRequest.Withdrawal.APPROVED if approved else ServiceRequest.Withdrawal.REJECTED
    data = {"approved": approved, "note": reason, "reason": req.withdrawal_reason}
    rows = ServiceRequest.all_objects
    if not approved:  # the request stays solved; the review is the withdrawal's own move
        states.move(req, target, by=by, now=now, field="withdrawal", verb="review_withdrawal", data=data, manager=rows)
        return
    states.move(req, target, by=by, now=now, field="withdrawal", where={"status": S.SOLVED}, manager=rows)
    # Withdrawn, the row stays with its reason (soft-deleted, RS-6).
    states.move(
        req,
        S.WITHDRAWN,
        by=by,
        now=now,
        verb="review_withdrawal",
        data=data,
        manager=rows,
        deleted_at=now,
        deleted_by=by,
        delete_reason=req.withdrawal_reason,
    )
    _stop_all(req, now=now, by=by)
    # The requester hears the outcome from the approval (approval.approved / approval.rejected).


def define_chains() -> None:
    """From ServiceDeskConfig.ready(): the withdrawal review (SR-7) is an approval chain."""
    approvals.chains.define(
        approvals.chains.Chain(
            key=WITHDRAWAL_CHAIN,
            label=_("服务请求撤销审核"),
            steps=[
                approvals.chains.Step(
                    _("呼叫中心审核"), deciders=approvals.chains.role(roles.CALL_CENTER), rule="approval.withdrawal"
                )
            ],
            verdicts=(approvals.APPROVE, approvals.REJECT),
            on_approved=lambda req, **kw: _withdrawal_decided(req, approved=True, **kw),
            on_rejected=lambda req, **kw: _withdrawal_decided(req, approved=False, **kw),
        )
    )


WAITABLE = (S.NEW, S.IN_PROGRESS, S.SHELVED, S.ONSITE)


def wait(req: ServiceRequest, *, reason: str, note: str = "", by: User, now: datetime) -> ServiceRequest:
    """The request waits for the customer or a part (CAL-4): its clocks pause with the reason;
    asking the customer for something answers them (SR-2); the customer sees what we wait for."""
    require(by, "servicedesk.work", req)
    if req.status not in WAITABLE:
        raise Invalid(waiting.NOT_OPEN)
    with transaction.atomic():
        _respond(req, by=by, now=now)
        waiting.start(req, reason=reason, note=note, by=by, now=now)
        _step(req, RequestStep.Kind.NOTE, waiting.label(req), by=by, now=now)
    return req


def resume(req: ServiceRequest, *, by: User, now: datetime) -> ServiceRequest:
    """The wait is over: the request's clocks go on with the time they had left (CAL-4)."""
    require(by, "servicedesk.work", req)
    with transaction.atomic():
        waiting.end(req, by=by, now=now)
    return req
