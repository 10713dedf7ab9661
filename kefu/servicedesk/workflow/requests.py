"""Requests (SR-1..SR-7): intake, first-question ownership, steps, closing, withdrawal."""

import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.audit.service import record
from kefu.core.errors import REASON_REQUIRED, Conflict, Forbidden, Invalid
from kefu.core.permissions import require
from kefu.customers import timeline
from kefu.customers.models import Customer
from kefu.deadlines import clocks
from kefu.notify import outbox
from kefu.org import roles
from kefu.org.models import User
from kefu.org.selectors import active_with_role
from kefu.search import index
from kefu.servicedesk import integrations
from kefu.servicedesk.models import (
    HotlineRecord,
    RequestAttachment,
    RequestStep,
    ServiceRequest,
)
from kefu.servicedesk.workflow._common import (
    CONFIRMATION_REQUIRED,
    FILE_TOO_BIG,
    MAX_ATTACHMENT,
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
    _move,
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
    by,
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
    flagged to the quality role; a request needing a visit from the start must reach the
    service manager within 30 minutes (HL-6).
    """
    from_customer = getattr(by, "is_customer_user", False)
    if from_customer:
        require(by, "servicedesk.submit_portal")
        if not Customer.objects.visible_to(by).filter(pk=customer.pk).exists():
            raise Forbidden(NOT_YOUR_CUSTOMER)
        channel = ServiceRequest.Channel.PORTAL if channel != ServiceRequest.Channel.API else channel
        contact = getattr(by, "customer_contact", None)
    else:
        require(by, "servicedesk.add_request")
    phenomenon = (phenomenon or "").strip()
    if not phenomenon:
        raise Invalid(PHENOMENON_REQUIRED, field="phenomenon")
    for f in files:
        if f.size > MAX_ATTACHMENT:
            raise Invalid(FILE_TOO_BIG, field="files")
    if channel not in ServiceRequest.Channel.values:
        raise Invalid(_("来源渠道无效。"), field="channel")
    if priority not in ServiceRequest.Priority.values or type not in ServiceRequest.Type.values:
        raise Invalid(_("类型或优先级无效。"), field="priority")
    owner = on_duty(now) if from_customer else by
    with transaction.atomic():
        req = ServiceRequest(
            number=uuid.uuid4().hex[:20],
            customer=customer,
            contact=contact,
            caller=caller or (contact.name if contact else ""),
            caller_phone=caller_phone or (contact.mobile if contact else ""),
            channel=channel,
            type=type,
            priority=priority,
            title=(title or phenomenon[:40]).strip(),
            product=product,
            phenomenon=phenomenon,
            needs_onsite=needs_onsite,
            owner=owner,
            created_at=now,
            created_by=by,
            updated_at=now,
        )
        req.save()
        req.number = f"SR{timezone.localtime(now):%y%m%d}{req.pk:07d}"
        req.fill_search_tokens()
        clock = clocks.start(req, first_response_rule(priority), owner=owner, now=now, by=by, new_subject=True)
        req.first_response_due = clock.due_at if clock else None
        ServiceRequest.objects.filter(pk=req.pk).update(
            number=req.number, search_tokens=req.search_tokens, first_response_due=req.first_response_due
        )
        for f in files:
            RequestAttachment.objects.create(
                request=req, file=f, name=f.name[:200], size=f.size, uploaded_at=now, uploaded_by=by
            )
        if needs_onsite:
            clocks.start(req, "hotline.onsite_submit", owner=owner, now=now, by=by, new_subject=True)
        record(
            req,
            "create",
            by=by,
            at=now,
            after=req.get_status_display(),
            data={"channel": channel, "priority": priority, "type": type, "owner": owner and owner.pk},
        )
        timeline.add(
            customer, "request", title=f"{req.number} {req.title}", body=phenomenon, at=now, by=by, subject=req
        )
        if owner is not None and owner != by:
            outbox.enqueue(
                "request.assigned",
                req,
                to=[owner],
                key=f"request.assigned:{req.pk}:{owner.pk}",
                subject=str(_("新的服务请求：%(n)s %(t)s") % {"n": req.number, "t": req.title}),
                link=req.get_absolute_url(),
                now=now,
            )
        if type == ServiceRequest.Type.COMPLAINT:
            outbox.enqueue(
                "request.complaint",
                req,
                to=active_with_role(roles.QUALITY),
                subject=str(_("客户投诉：%(c)s %(t)s") % {"c": customer.name, "t": req.title}),
                link=req.get_absolute_url(),
                now=now,
            )
    return req


def take(req: ServiceRequest, *, by, now: datetime) -> ServiceRequest:
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


def transfer(req: ServiceRequest, to: User | None, *, reason: str, by, now: datetime) -> ServiceRequest:
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
        raise Invalid(SAME_OWNER, field="to")
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


def add_step(req: ServiceRequest, kind: str, notes: str, *, by, now: datetime, visible: bool = True) -> RequestStep:
    """A handling step with its notes and time (SR-4); the first one answers the customer."""
    require(by, "servicedesk.work", req)
    notes = (notes or "").strip()
    if not notes:
        raise Invalid(NOTES_REQUIRED, field="notes")
    if kind not in RequestStep.Kind.values:
        raise Invalid(_("步骤类型无效。"), field="kind")
    with transaction.atomic():
        if req.status == S.NEW:
            _move(req, S.IN_PROGRESS, now=now)
        elif not req.is_open or req.status == S.SOLVED:
            raise Invalid(MOVE_NOT_ALLOWED % {"before": _label(req.status), "after": _label(S.IN_PROGRESS)})
        step = _step(req, kind, notes, by=by, now=now, visible=visible)
        _respond(req, by=by, now=now)
        record(req, "add_step", by=by, at=now, after=step.get_kind_display(), data={"step": step.pk})
    return step


SHEET_FIELDS = ("phenomenon", "cause", "method", "result", "prevention", "product")


def update_sheet(req: ServiceRequest, *, by, now: datetime, **fields) -> ServiceRequest:
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
    req: ServiceRequest, *, result: str, by, now: datetime, cause: str = "", method: str = "", prevention: str = ""
) -> ServiceRequest:
    """The problem is solved; the customer is asked to confirm (SR-5 closes only on confirmation)."""
    require(by, "servicedesk.work", req)
    result = (result or "").strip()
    if not result:
        raise Invalid(RESULT_REQUIRED, field="result")
    with transaction.atomic():
        fields = {"result": result, "solved_at": now}
        fields |= {k: v.strip() for k, v in (("cause", cause), ("method", method), ("prevention", prevention)) if v}
        before = _move(req, S.SOLVED, now=now, **fields)
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


def confirm(req: ServiceRequest, *, via: str, by, now: datetime, note: str = "") -> ServiceRequest:
    """Close with the customer's confirmation (SR-5): recorded by staff with how, or in the portal.

    Closing asks the customer representative for the confirmation call (return visit).
    """
    require(by, "servicedesk.confirm", req)
    if getattr(by, "is_customer_user", False):
        via = ServiceRequest.Confirmation.PORTAL
    if via not in ServiceRequest.Confirmation.values:
        raise Invalid(CONFIRMATION_REQUIRED, field="via")
    with transaction.atomic():
        before = _move(
            req, S.CLOSED, now=now, closed_at=now, confirmed_via=via, confirmation_note=(note or "").strip()[:500]
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


def reopen(req: ServiceRequest, *, reason: str, by, now: datetime) -> ServiceRequest:
    """The customer is not satisfied with the solution: back to the owner (SR-5)."""
    require(by, "servicedesk.reopen", req)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    with transaction.atomic():
        before = _move(req, S.IN_PROGRESS, now=now, reopened=req.reopened + 1, solved_at=None)
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


def request_withdrawal(req: ServiceRequest, *, reason: str, by, now: datetime) -> ServiceRequest:
    """Ask the call centre to withdraw a request solved on the phone before a visit (SR-7, RS-6)."""
    require(by, "servicedesk.request_withdrawal", req)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    if req.status != S.SOLVED or req.needs_onsite:
        raise Invalid(WITHDRAW_ONLY_PHONE_SOLVED)
    with transaction.atomic():
        if not ServiceRequest.objects.filter(
            pk=req.pk, status=S.SOLVED, withdrawal__in=["", ServiceRequest.Withdrawal.REJECTED]
        ).update(
            withdrawal=ServiceRequest.Withdrawal.REQUESTED,
            withdrawal_reason=reason,
            withdrawal_requested_by=by,
            updated_at=now,
        ):
            raise Conflict()
        req.refresh_from_db()
        record(req, "request_withdrawal", by=by, at=now, after=req.get_withdrawal_display(), data={"reason": reason})
        outbox.enqueue(
            "request.withdrawal",
            req,
            to=active_with_role(roles.CALL_CENTER),
            key=f"request.withdrawal:{req.pk}:{now.isoformat()}",
            subject=str(_("撤销申请待审核：%(n)s") % {"n": req.number}),
            body=reason,
            link=req.get_absolute_url(),
            now=now,
        )
    return req


def review_withdrawal(req: ServiceRequest, *, approve: bool, by, now: datetime, note: str = "") -> ServiceRequest:
    """The call centre reviews a withdrawal (SR-7): approved, the row stays with its reason."""
    require(by, "servicedesk.review_withdrawal", req)
    with transaction.atomic():
        target = ServiceRequest.Withdrawal.APPROVED if approve else ServiceRequest.Withdrawal.REJECTED
        fields = {"withdrawal": target, "updated_at": now}
        if approve:
            fields |= {
                "status": S.WITHDRAWN,
                "deleted_at": now,
                "deleted_by": by,
                "delete_reason": req.withdrawal_reason,
            }
        if not ServiceRequest.all_objects.filter(
            pk=req.pk, status=S.SOLVED, withdrawal=ServiceRequest.Withdrawal.REQUESTED
        ).update(**fields):
            raise Invalid(NO_WITHDRAWAL_PENDING)
        req.refresh_from_db()
        if approve:
            _stop_all(req, now=now, by=by)
        record(
            req,
            "review_withdrawal",
            by=by,
            at=now,
            before=_label(S.SOLVED),
            after=req.get_status_display(),
            data={"approved": approve, "note": note, "reason": req.withdrawal_reason},
        )
        if req.withdrawal_requested_by_id:
            outbox.enqueue(
                "request.withdrawal_reviewed",
                req,
                to=[req.withdrawal_requested_by],
                key=f"request.withdrawal_reviewed:{req.pk}:{now.isoformat()}",
                subject=str(
                    _("撤销申请%(r)s：%(n)s") % {"r": _("已通过") if approve else _("未通过"), "n": req.number}
                ),
                body=note,
                link=req.get_absolute_url(),
                now=now,
            )
    return req
