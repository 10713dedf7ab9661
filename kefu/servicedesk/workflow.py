"""Every state change of the service desk (SR-1..SR-7, HL-1..HL-8).

Shape of each transition: permission → state check against TRANSITIONS → conditional UPDATE
(two people at once: one wins, the other gets Conflict) → clocks → audit → outbox, in one
transaction. `now` is always a parameter.
"""

import csv
import io
import uuid
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from kefu.audit import verbs
from kefu.audit.service import record
from kefu.core.errors import REASON_REQUIRED, Conflict, Forbidden, Invalid
from kefu.core.permissions import require
from kefu.customers import timeline
from kefu.customers.models import Customer
from kefu.deadlines import clocks
from kefu.deadlines.models import OPEN_STATES, Clock
from kefu.notify import outbox
from kefu.org import roles
from kefu.org.models import User
from kefu.search import index
from kefu.servicedesk import integrations
from kefu.servicedesk.models import (
    CallLog,
    DutyShift,
    Handover,
    HotlineRecord,
    RequestAttachment,
    RequestStep,
    ServiceRequest,
)

S = ServiceRequest.Status
HO = HotlineRecord.Outcome

PHENOMENON_REQUIRED = _("请填写问题现象。")
MOVE_NOT_ALLOWED = _("服务请求不能从“%(before)s”变为“%(after)s”。")
TAKEN = _("该服务请求已被他人接手或状态已变更，请刷新后重试。")
RECEIVER_REQUIRED = _("转交必须选择接收人。")
RECEIVER_INVALID = _("接收人不能处理服务请求。")
SAME_OWNER = _("接收人已是该请求的负责人。")
OWNER_CANNOT_DROP = _("首问负责人不能放弃请求，只能转交给他人（首问责任制）。")
NOTES_REQUIRED = _("请填写步骤说明。")
RESULT_REQUIRED = _("请填写处理结果。")
CONFIRMATION_REQUIRED = _("请选择客户确认方式。")
WITHDRAW_ONLY_PHONE_SOLVED = _("只有电话中已解决、尚未上门的请求才能申请撤销。")
NO_WITHDRAWAL_PENDING = _("该请求没有待审核的撤销申请。")
NOT_YOUR_CUSTOMER = _("只能为本单位提交服务请求。")
ANSWER_REQUIRED = _("请填写答复内容。")
RECORD_STATE = _("该热线记录已处理或状态已变更，请刷新后重试。")
NOT_SUBMITTED = _("该记录尚未提交给服务部经理。")
NOT_ON_DUTY_ROLE = _("值班人员必须是热线工程师。")
SHIFT_OVERLAPS = _("该人员在此时段已有值班。")
SHIFT_TIMES = _("结束时间必须晚于开始时间。")
NOT_YOUR_SHIFT = _("只能交接自己的班次。")
SHIFT_NOT_STARTED = _("班次尚未开始，开始前 15 分钟起可交接。")
ALREADY_TAKEN_OVER = _("该班次已交接。")
FILE_TOO_BIG = _("附件不能超过 10 MB。")

MAX_ATTACHMENT = 10 * 1024 * 1024
OPEN = (S.NEW, S.IN_PROGRESS, S.SHELVED, S.ONSITE, S.SOLVED)

TRANSITIONS: dict[str, set[str]] = {
    S.NEW: {S.IN_PROGRESS, S.SHELVED, S.ONSITE, S.SOLVED},
    S.IN_PROGRESS: {S.SHELVED, S.ONSITE, S.SOLVED},
    S.SHELVED: {S.IN_PROGRESS, S.ONSITE, S.SOLVED},
    S.ONSITE: {S.IN_PROGRESS, S.SOLVED},
    S.SOLVED: {S.CLOSED, S.IN_PROGRESS, S.WITHDRAWN},
    S.CLOSED: set(),
    S.WITHDRAWN: set(),
}

verbs.register(
    take=_("接手"),
    transfer=_("转交"),
    add_step=_("处理步骤"),
    update_sheet=_("填写服务单"),
    shelve=_("搁置"),
    call_back=_("回拨"),
    request_onsite=_("申请上门"),
    solve=_("已解决"),
    confirm=_("客户确认关闭"),
    reopen=_("重新打开"),
    request_withdrawal=_("申请撤销"),
    review_withdrawal=_("撤销审核"),
    record_call=_("热线记录"),
    submit_unsolved=_("提交未解决问题"),
    close_loop=_("闭环"),
    plan_shift=_("排班"),
    take_over=_("交接班"),
    import_calls=_("导入话单"),
)


def first_response_rule(priority: str) -> str:
    return f"request.first_response.{priority}"


def _label(status: str) -> str:
    return str(S(status).label)


def _move(req: ServiceRequest, target: str, *, now: datetime, **fields) -> str:
    """Move from the status the caller saw to `target`; returns the status left."""
    before = req.status
    if target not in TRANSITIONS[before]:
        raise Invalid(MOVE_NOT_ALLOWED % {"before": _label(before), "after": _label(target)})
    if not ServiceRequest.objects.filter(pk=req.pk, status=before).update(status=target, updated_at=now, **fields):
        raise Conflict(TAKEN)
    req.refresh_from_db()
    return before


def _users_with(role: str):
    return list(User.objects.filter(is_active=True, groups__name=role).order_by("pk"))


def _service_manager_for(user) -> User | None:
    if user.manager_id and user.manager.has_role(roles.SERVICE_MANAGER):
        return user.manager
    managers = _users_with(roles.SERVICE_MANAGER)
    return managers[0] if managers else None


def _respond(req: ServiceRequest, *, by, now: datetime) -> None:
    """The first answer to the customer meets the first-response clock (SR-2)."""
    if req.first_response_at is None and ServiceRequest.objects.filter(
        pk=req.pk, first_response_at__isnull=True
    ).update(first_response_at=now):
        req.first_response_at = now
        clocks.stop(req, first_response_rule(req.priority), now=now, by=by)


def _step(req, kind, notes, *, by, now, visible=True) -> RequestStep:
    return RequestStep.objects.create(request=req, kind=kind, notes=notes, at=now, by=by, visible_to_customer=visible)


def _stop_all(req: ServiceRequest, *, now: datetime, by) -> None:
    ct = ContentType.objects.get_for_model(ServiceRequest)
    keys = Clock.objects.filter(content_type=ct, object_id=str(req.pk), state__in=OPEN_STATES).values_list(
        "rule__key", flat=True
    )
    for key in list(keys):
        clocks.stop(req, key, now=now, by=by)


def on_duty(now: datetime) -> User | None:
    """Who answers the hotline now (HL-1): the engineer of the shift running at `now`."""
    shift = DutyShift.objects.on_duty(now).select_related("engineer").order_by("starts_at", "id").first()
    return shift.engineer if shift else None


# --- requests (SR) -------------------------------------------------------------------------


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
        clock = clocks.start(req, first_response_rule(priority), owner=owner, now=now, by=by)
        req.first_response_due = clock.due_at if clock else None
        ServiceRequest.objects.filter(pk=req.pk).update(
            number=req.number, search_tokens=req.search_tokens, first_response_due=req.first_response_due
        )
        for f in files:
            RequestAttachment.objects.create(
                request=req, file=f, name=f.name[:200], size=f.size, uploaded_at=now, uploaded_by=by
            )
        if needs_onsite:
            clocks.start(req, "hotline.onsite_submit", owner=owner, now=now, by=by)
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
                to=_users_with(roles.QUALITY),
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
    ct = ContentType.objects.get_for_model(ServiceRequest)
    Clock.objects.filter(content_type=ct, object_id=str(req.pk), state__in=OPEN_STATES).exclude(
        rule__key__startswith="returnvisit."
    ).update(owner=owner)


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
            to=_users_with(roles.CALL_CENTER),
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


# --- hotline (HL) --------------------------------------------------------------------------


def record_call(
    customer: Customer,
    *,
    phenomenon: str,
    by,
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
            phenomenon=phenomenon.strip(),
            answer=answer.strip(),
            steps=steps.strip(),
            started_at=now,
        )
        if request.status == S.NEW:
            _move(request, S.IN_PROGRESS, now=now)
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


def _record_move(rec: HotlineRecord, allowed: tuple, target: str, *, now: datetime, **fields) -> str:
    before = rec.outcome
    if before not in allowed:
        raise Invalid(RECORD_STATE)
    if not HotlineRecord.objects.filter(pk=rec.pk, outcome=before).update(outcome=target, **fields):
        raise Conflict(RECORD_STATE)
    rec.refresh_from_db()
    return before


def solve_on_phone(rec: HotlineRecord, *, answer: str, by, now: datetime, steps: str = "") -> HotlineRecord:
    """Solved during the call (HL-4): recorded; the return visit is due in 3 days (RV-1)."""
    require(by, "servicedesk.work", rec.request)
    answer = (answer or "").strip()
    if not answer:
        raise Invalid(ANSWER_REQUIRED, field="answer")
    with transaction.atomic():
        _record_move(rec, (HO.OPEN,), HO.SOLVED, now=now, answer=answer, steps=(steps or rec.steps).strip())
        solve(rec.request, result=answer, method=steps, by=by, now=now)
        record(rec, "solve", by=by, at=now, before=HO.OPEN.label, after=rec.get_outcome_display())
        integrations.return_visit_after_hotline(rec.request, by=by, now=now)
    return rec


def shelve(rec: HotlineRecord, *, note: str, by, now: datetime, callback: bool = True) -> HotlineRecord:
    """Not solvable at once (HL-5): shelved to consult; a reply is due in 3 h, a promised
    callback in 1 h. The unsolved record must reach the service manager by the next start of
    work (HL-7)."""
    require(by, "servicedesk.work", rec.request)
    note = (note or "").strip()
    if not note:
        raise Invalid(NOTES_REQUIRED, field="note")
    req = rec.request
    with transaction.atomic():
        _record_move(rec, (HO.OPEN,), HO.SHELVED, now=now, callback_promised=callback)
        before = _move(req, S.SHELVED, now=now)
        _step(req, RequestStep.Kind.DIAGNOSIS, _("搁置，内部请教中：%(n)s") % {"n": note}, by=by, now=now)
        clocks.start(req, "hotline.shelved_reply", owner=req.owner, now=now, by=by)
        if callback:
            clocks.start(req, "hotline.callback", owner=req.owner, now=now, by=by)
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
    rec: HotlineRecord, *, solved: bool, answer: str, by, now: datetime, onsite_reason: str = ""
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
        _record_move(rec, (HO.SHELVED,), target, now=now, called_back_at=now, answer=answer)
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


def request_onsite(req: ServiceRequest, *, reason: str, by, now: datetime) -> ServiceRequest:
    """An onsite request to the service manager (HL-6), who verifies and dispatches it (OS-1)."""
    require(by, "servicedesk.work", req)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    with transaction.atomic():
        before = _move(req, S.ONSITE, now=now, needs_onsite=True)
        clocks.stop(req, "hotline.onsite_submit", now=now, by=by)
        clocks.stop(req, "hotline.shelved_reply", now=now, by=by)
        clocks.stop(req, "hotline.callback", now=now, by=by)
        HotlineRecord.objects.filter(request=req, outcome__in=[HO.OPEN, HO.SHELVED]).update(outcome=HO.ONSITE)
        _step(req, RequestStep.Kind.SOLUTION, _("建议派发现场：%(r)s") % {"r": reason}, by=by, now=now)
        # HL-6 → OS-1: the onsite request becomes a work order waiting for the manager's check.
        from kefu.fieldservice import workflow as fieldservice_workflow

        fieldservice_workflow.request_onsite(req, reason=reason, by=by, now=now)
        record(
            req,
            "request_onsite",
            by=by,
            at=now,
            before=_label(before),
            after=req.get_status_display(),
            data={"reason": reason},
        )
        manager = _service_manager_for(by)
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


def submit_unsolved(*, by, now: datetime) -> list[HotlineRecord]:
    """The engineer's unsolved records go to the service manager (HL-7)."""
    require(by, "servicedesk.hotline")
    manager = _service_manager_for(by)
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


def close_loop(rec: HotlineRecord, *, note: str, by, now: datetime) -> HotlineRecord:
    """The service manager closes the loop on an unsolved record (HL-7)."""
    require(by, "servicedesk.close_loop", rec)
    note = (note or "").strip()
    if not note:
        raise Invalid(NOTES_REQUIRED, field="note")
    if rec.submitted_at is None:
        raise Invalid(NOT_SUBMITTED)
    with transaction.atomic():
        if not HotlineRecord.objects.filter(pk=rec.pk, loop_closed_at__isnull=True).update(
            loop_closed_at=now, loop_note=note[:500]
        ):
            raise Conflict()
        rec.refresh_from_db()
        record(rec, "close_loop", by=by, at=now, after=str(_("已闭环")), data={"note": note})
    return rec


def propose_to_library(rec: HotlineRecord, *, by, now: datetime):
    """One click: the phone solution becomes a draft article of the problem library (HL-4, KB-1)."""
    require(by, "servicedesk.work", rec.request)
    if rec.outcome != HO.SOLVED:
        raise Invalid(RECORD_STATE)
    return integrations.propose_to_library(rec.request, by=by, now=now)


# --- duty roster and handover (HL-1, HL-2) ------------------------------------------------


def plan_shift(engineer: User, *, starts_at: datetime, ends_at: datetime, by, now: datetime) -> DutyShift:
    """The service manager schedules a hotline shift (HL-1)."""
    require(by, "servicedesk.plan_duty")
    if not engineer.has_role(roles.HOTLINE):
        raise Invalid(NOT_ON_DUTY_ROLE, field="engineer")
    if ends_at <= starts_at:
        raise Invalid(SHIFT_TIMES, field="ends_at")
    with transaction.atomic():
        if DutyShift.objects.filter(engineer=engineer, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
            raise Invalid(SHIFT_OVERLAPS, field="starts_at")
        shift = DutyShift.objects.create(engineer=engineer, starts_at=starts_at, ends_at=ends_at, planned_by=by)
        record(shift, "plan_shift", by=by, at=now, after=f"{timezone.localtime(starts_at):%m-%d %H:%M}")
        outbox.enqueue(
            "duty.planned",
            shift,
            to=[engineer],
            subject=str(_("您的值班：%(s)s") % {"s": f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M}"}),
            link="/servicedesk/duty/",
            now=now,
        )
    return shift


def copy_week(week_start: date, *, by, now: datetime) -> list[DutyShift]:
    """Copy last week's shifts into the week starting `week_start` (HL-1); existing ones stay."""
    require(by, "servicedesk.plan_duty")
    zone = timezone.get_current_timezone()
    start = datetime.combine(week_start, datetime.min.time(), tzinfo=zone)
    created = []
    with transaction.atomic():
        for shift in DutyShift.objects.filter(
            starts_at__gte=start - timedelta(days=7), starts_at__lt=start
        ).select_related("engineer"):
            s = timezone.localtime(shift.starts_at) + timedelta(days=7)
            e = timezone.localtime(shift.ends_at) + timedelta(days=7)
            # Wall-clock times stay the same across a DST change (none in Shanghai, but say it).
            s, e = s.replace(tzinfo=None).replace(tzinfo=zone), e.replace(tzinfo=None).replace(tzinfo=zone)
            if DutyShift.objects.filter(engineer=shift.engineer, starts_at__lt=e, ends_at__gt=s).exists():
                continue
            created.append(plan_shift(shift.engineer, starts_at=s, ends_at=e, by=by, now=now))
    return created


def previous_shift(shift: DutyShift) -> DutyShift | None:
    return (
        DutyShift.objects.filter(starts_at__lt=shift.starts_at)
        .exclude(pk=shift.pk)
        .select_related("engineer")
        .order_by("-starts_at", "-id")
        .first()
    )


def open_items(shift: DutyShift | None):
    """The previous shift's unresolved items: open requests of its engineer, and unowned ones."""
    qs = ServiceRequest.objects.filter(status__in=[S.NEW, S.IN_PROGRESS, S.SHELVED])
    cond = Q(owner__isnull=True)
    if shift is not None:
        cond |= Q(owner=shift.engineer)
    return qs.filter(cond)


def start_due_handovers(*, now: datetime) -> int:
    """The job: each shift that has begun gets its 30-minute handover clock (HL-2). Idempotent."""
    started = 0
    for shift in DutyShift.objects.filter(
        starts_at__lte=now, ends_at__gt=now, taken_over_at__isnull=True
    ).select_related("engineer"):
        if clocks.open_clock(shift, "hotline.handover") is None:
            clocks.start(shift, "hotline.handover", owner=shift.engineer, now=shift.starts_at)
            started += 1
    return started


def take_over(shift: DutyShift, *, by, now: datetime, note: str = "") -> Handover:
    """The engineer on duty takes over the previous shift's open items; recorded (HL-2).

    Later than 30 minutes after the shift start, the handover clock is already breached (the
    breach scan raised it); it is met late.
    """
    require(by, "servicedesk.take_over", shift)
    if shift.engineer_id != by.pk and not by.has_perm("servicedesk.plan_duty"):
        raise Forbidden(NOT_YOUR_SHIFT)
    if now < shift.starts_at - timedelta(minutes=15):
        raise Invalid(SHIFT_NOT_STARTED)
    with transaction.atomic():
        if not DutyShift.objects.filter(pk=shift.pk, taken_over_at__isnull=True).update(taken_over_at=now):
            raise Conflict(ALREADY_TAKEN_OVER)
        shift.refresh_from_db()
        prev = previous_shift(shift)
        handover = Handover.objects.create(shift=shift, previous=prev, by=by, at=now, note=(note or "").strip())
        items = list(open_items(prev))
        handover.items.set(items)
        clocks.start(shift, "hotline.handover", owner=shift.engineer, now=min(shift.starts_at, now), by=by)
        clock = clocks.stop(shift, "hotline.handover", now=now, by=by)
        record(
            shift,
            "take_over",
            by=by,
            at=now,
            after=str(len(items)),
            data={"items": [r.pk for r in items], "late": bool(clock and now > clock.due_at)},
        )
    return handover


# --- connection rate (HL-8) ---------------------------------------------------------------

ANSWERED_WORDS = {"1", "true", "yes", "y", "是", "接通", "已接通", "answered"}
MISSED_WORDS = {"0", "false", "no", "n", "否", "未接", "未接通", "no answer", "missed", "busy"}
CSV_COLUMNS = ("id", "time", "caller", "engineer", "answered", "duration")


def log_call(
    *,
    at: datetime,
    answered: bool,
    by,
    now: datetime,
    caller_phone: str = "",
    engineer: User | None = None,
    duration: int = 0,
) -> CallLog:
    """A call logged by hand (HL-8)."""
    require(by, "servicedesk.log_calls")
    with transaction.atomic():
        call = CallLog.objects.create(
            at=at, answered=answered, caller_phone=caller_phone, engineer=engineer or by, duration=duration
        )
        record(call, "create", by=by, at=now, after=str(_("接通") if answered else _("未接")))
    return call


def import_call_log(text: str, *, by, now: datetime) -> tuple[int, list[str]]:
    """Import a phone system's CSV call log (HL-8): columns id,time,caller,engineer,answered,duration.

    All rows or none: any bad row is reported by line and nothing is saved. Rows already
    imported (same id) are skipped, so importing the same file twice adds nothing.
    """
    require(by, "servicedesk.log_calls")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise Invalid(_("话单缺少列：%(c)s") % {"c": ", ".join(missing)}, field="file")
    engineers = {u.username: u for u in User.objects.filter(groups__name__in=[roles.HOTLINE, roles.SERVICE_MANAGER])}
    rows, errors = [], []
    zone = timezone.get_current_timezone()
    for line, row in enumerate(reader, start=2):
        at = parse_datetime((row["time"] or "").strip())
        if at is None:
            errors.append(str(_("第 %(n)s 行：时间无效") % {"n": line}))
            continue
        if timezone.is_naive(at):
            at = at.replace(tzinfo=zone)
        flag = (row["answered"] or "").strip().lower()
        if flag not in ANSWERED_WORDS | MISSED_WORDS:
            errors.append(str(_("第 %(n)s 行：接通状态无效") % {"n": line}))
            continue
        name = (row["engineer"] or "").strip()
        if name and name not in engineers:
            errors.append(str(_("第 %(n)s 行：工程师 %(u)s 不存在") % {"n": line, "u": name}))
            continue
        duration = (row["duration"] or "0").strip()
        if not duration.isdigit():
            errors.append(str(_("第 %(n)s 行：通话秒数无效") % {"n": line}))
            continue
        rows.append(
            CallLog(
                at=at,
                caller_phone=(row["caller"] or "").strip()[:40],
                engineer=engineers.get(name),
                answered=flag in ANSWERED_WORDS,
                duration=int(duration),
                source=CallLog.Source.IMPORT,
                external_id=(row["id"] or "").strip()[:64] or None,
            )
        )
    if errors:
        return 0, errors
    with transaction.atomic():
        known = set(
            CallLog.objects.filter(external_id__in=[r.external_id for r in rows if r.external_id]).values_list(
                "external_id", flat=True
            )
        )
        fresh = [r for r in rows if r.external_id is None or r.external_id not in known]
        CallLog.objects.bulk_create(fresh, ignore_conflicts=True)
        record(by, "import_calls", by=by, at=now, after=str(len(fresh)), data={"rows": len(rows)})
    return len(fresh), []
