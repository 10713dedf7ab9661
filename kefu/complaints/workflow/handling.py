"""Handling by the responsible department (CP-3), the general manager's contact (CP-4), the
result, the supervisor's verification and the escalation to the vendor (CP-5, CP-7)."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kefu.approvals import workflow as approvals
from kefu.audit.service import record
from kefu.complaints.models import Complaint, VendorEscalation
from kefu.complaints.workflow import crisis
from kefu.complaints.workflow._common import (
    ALREADY_FED_BACK,
    AMOUNT_REQUIRED,
    CAUSE_REQUIRED,
    COMPENSATION_PENDING,
    COMPENSATION_RETURNED,
    CONTACT,
    CONTACT_REQUIRED,
    FEEDBACK_REQUIRED,
    GM_ALREADY_CONTACTED,
    GM_CONTACT,
    MEASURES_REQUIRED,
    MOVE_NOT_ALLOWED,
    NOT_CONTACTED,
    NOT_FROM_VENDOR,
    NOT_GM_FLAGGED,
    NOT_HANDLED,
    OPINION_REQUIRED,
    REMEDY_REQUIRED,
    RESPONSIBLE_REQUIRED,
    RESULT_REQUIRED,
    VENDOR_ANSWER_REQUIRED,
    VENDOR_CONTACT_REQUIRED,
    VENDOR_EMAIL_REQUIRED,
    VENDOR_FEEDBACK,
    VERIFY,
    C,
    S,
    clean,
    notify,
    on_timeline,
    result_back,
)
from kefu.core import states
from kefu.core.errors import Conflict, Invalid
from kefu.core.permissions import require
from kefu.core.validation import text
from kefu.deadlines import clocks
from kefu.notify import outbox
from kefu.notify.models import Outbox
from kefu.org import roles
from kefu.org.models import User
from kefu.org.selectors import active_with_role

COMPENSATION_CHAIN = "complaints.compensation"


def compensation_limit() -> Decimal:
    """Above this amount a compensation needs the department head's approval (CP-3)."""
    return Decimal(settings.KEFU_COMPENSATION_APPROVAL_LIMIT)


def _locked(complaint: Complaint, status: str) -> Complaint:
    """The row locked, still in `status` as the caller saw it (else 409 or 400)."""
    locked = (
        Complaint.objects.select_for_update(of=("self",)).select_related("customer", "department").get(pk=complaint.pk)
    )
    if locked.status != status:
        if complaint.status == status:
            raise Conflict()
        raise Invalid(MOVE_NOT_ALLOWED % {"before": locked.get_status_display(), "after": S(status).label})
    return locked


def assign_responsible(complaint: Complaint, *, cause: str, responsible: User | None, by: User, now: datetime):
    """The responsible department finds the cause and names the responsible person (CP-3); the
    3-hour contact clock follows the responsible person onto their workbench."""
    require(by, "complaints.assign_responsible", complaint)
    cause = text(Complaint, "cause", cause)
    if not cause:
        raise Invalid(CAUSE_REQUIRED, field="cause")
    if responsible is None or not responsible.is_active or responsible.is_external:
        raise Invalid(RESPONSIBLE_REQUIRED, field="responsible")
    with transaction.atomic():
        states.move(
            complaint,
            S.HANDLING,
            by=by,
            now=now,
            verb="assign_responsible",
            data={"responsible": responsible.pk},
            cause=cause,
            responsible=responsible,
        )
        clocks.reassign(complaint, responsible, rule_key=CONTACT)
        if responsible != by:
            notify(
                "complaint.responsible",
                complaint,
                [responsible],
                _("您是投诉的责任人，请在 3 小时内联系客户：%(c)s %(t)s")
                % {"c": complaint.customer.name, "t": complaint.title},
                now=now,
            )
    return complaint


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value or "0"))
    except (InvalidOperation, ValueError):
        raise Invalid(AMOUNT_REQUIRED, field="compensation_amount") from None
    if amount < 0 or amount >= Decimal("100000000"):
        raise Invalid(AMOUNT_REQUIRED, field="compensation_amount")
    return amount.quantize(Decimal("0.01"))


def record_contact(
    complaint: Complaint,
    *,
    measures: str,
    remedy: str,
    contact_record: str,
    compensation_amount=0,
    by: User,
    now: datetime,
) -> Complaint:
    """The responsible person (or the department head) records the measures and the contact
    with the customer: service again, an apology, or a compensation with its amount (CP-3). The
    3-hour clock stops. A compensation above the limit goes to the department head for approval."""
    require(by, "complaints.handle", complaint)
    measures = text(Complaint, "measures", measures)
    contact_record = text(Complaint, "contact_record", contact_record)
    if not measures:
        raise Invalid(MEASURES_REQUIRED, field="measures")
    if remedy not in Complaint.Remedy.values:
        raise Invalid(REMEDY_REQUIRED, field="remedy")
    if not contact_record:
        raise Invalid(CONTACT_REQUIRED, field="contact_record")
    amount = _amount(compensation_amount) if remedy == Complaint.Remedy.COMPENSATION else Decimal("0")
    if remedy == Complaint.Remedy.COMPENSATION and amount <= 0:
        raise Invalid(AMOUNT_REQUIRED, field="compensation_amount")
    with transaction.atomic():
        locked = _locked(complaint, S.HANDLING)
        if locked.compensation == C.PENDING:
            raise Conflict(COMPENSATION_PENDING)
        Complaint.objects.filter(pk=locked.pk).update(
            measures=measures,
            remedy=remedy,
            contact_record=contact_record,
            compensation_amount=amount,
            contacted_at=locked.contacted_at or now,
            updated_at=now,
        )
        locked.refresh_from_db()
        record(locked, "record_contact", by=by, at=now, data={"remedy": remedy, "amount": str(amount)})
        clocks.stop(locked, CONTACT, now=now, by=by)
        needs_approval = remedy == Complaint.Remedy.COMPENSATION and amount > compensation_limit()
        if needs_approval:
            _submit_compensation(locked, by=by, now=now)
        elif locked.compensation == C.RETURNED:
            states.move(locked, C.NONE, field="compensation", by=by, now=now)
        on_timeline(locked, _("已联系客户：%(r)s") % {"r": locked.get_remedy_display()}, now=now, by=by)
    complaint.refresh_from_db()
    return complaint


def _submit_compensation(complaint: Complaint, *, by, now: datetime, note: str = "") -> None:
    states.move(complaint, C.PENDING, field="compensation", by=by, now=now, verb="compensation_submit")
    approvals.submit(
        complaint,
        COMPENSATION_CHAIN,
        by=by,
        now=now,
        note=note or str(_("补偿金额：%(a)s 元") % {"a": complaint.compensation_amount}),
    )


def resubmit_compensation(complaint: Complaint, *, by: User, now: datetime, note: str = "") -> None:
    """A returned compensation submitted again unchanged (from the approvals inbox)."""
    require(by, "complaints.handle", complaint)
    with transaction.atomic():
        _submit_compensation(complaint, by=by, now=now, note=note)


def compensation_approvers(complaint: Complaint) -> list[User]:
    """The head of the responsible department approves a compensation above the limit (CP-3)."""
    department = complaint.department
    if department is not None and department.head_id:
        return [department.head]
    return active_with_role(roles.DEPT_HEAD)


def compensation_approved(complaint, *, approval, step, by: User, now: datetime, reason: str) -> None:
    states.move(complaint, C.APPROVED, field="compensation", by=by, now=now, verb="compensation_approve")
    notify(
        "complaint.compensation",
        complaint,
        [complaint.responsible],
        _("补偿已批准：%(n)s") % {"n": complaint.number},
        now=now,
        key=f"complaint.compensation:{complaint.pk}:{approval.round}",
    )


def compensation_returned(complaint, *, approval, step, by: User, now: datetime, reason: str) -> None:
    states.move(
        complaint, C.RETURNED, field="compensation", by=by, now=now, verb="compensation_return", data={"reason": reason}
    )
    notify(
        "complaint.compensation",
        complaint,
        [complaint.responsible],
        _("补偿审批退回：%(n)s") % {"n": complaint.number},
        body=reason,
        now=now,
        key=f"complaint.compensation:{complaint.pk}:{approval.round}",
    )


def record_result(complaint: Complaint, *, result: str, by: User, now: datetime) -> Complaint:
    """The department reports the result back (CP-3 → CP-5): only after the customer was
    contacted, and not while a compensation waits for (or was refused) approval."""
    require(by, "complaints.handle", complaint)
    result = text(Complaint, "result", result)
    if not result:
        raise Invalid(RESULT_REQUIRED, field="result")
    with transaction.atomic():
        locked = _locked(complaint, S.HANDLING)
        if locked.contacted_at is None:
            raise Invalid(NOT_CONTACTED, field="result")
        if locked.compensation == C.PENDING:
            raise Invalid(COMPENSATION_PENDING, field="result")
        if locked.compensation == C.RETURNED:
            raise Invalid(COMPENSATION_RETURNED, field="result")
        states.move(complaint, S.RESULT, by=by, now=now, verb="record_result", result=result, result_at=now)
        result_back(complaint, by=by, now=now)
    return complaint


def gm_contact(complaint: Complaint, *, contact: str, by: User, now: datetime) -> Complaint:
    """The general manager records the contact with a key or VIP customer (CP-4)."""
    require(by, "complaints.gm_contact", complaint)
    contact = text(Complaint, "gm_contact", contact)
    if not contact:
        raise Invalid(CONTACT_REQUIRED, field="contact")
    if not complaint.gm_flag:
        raise Invalid(NOT_GM_FLAGGED)
    with transaction.atomic():
        if not Complaint.objects.filter(pk=complaint.pk, gm_flag=True, gm_contacted_at__isnull=True).update(
            gm_contact=contact, gm_contacted_at=now, updated_at=now
        ):
            raise Conflict(GM_ALREADY_CONTACTED)
        complaint.refresh_from_db()
        record(complaint, "gm_contact", by=by, at=now)
        clocks.stop(complaint, GM_CONTACT, now=now, by=by)
        on_timeline(complaint, _("总经理已联系客户"), now=now, by=by, body=contact)
    return complaint


def _close(complaint: Complaint, *, by, now: datetime, verb: str, **fields) -> None:
    target = S.CLOSED
    states.move(complaint, target, by=by, now=now, verb=verb, closed_at=now, **fields)
    if complaint.is_crisis:
        crisis.archive(complaint, by=by, now=now)
    on_timeline(complaint, _("投诉已关闭"), now=now, by=by)


def verify(
    complaint: Complaint,
    *,
    satisfied: bool,
    opinion: str,
    by: User,
    now: datetime,
    vendor_contact: str = "",
    sent: str = "",
) -> Complaint:
    """The supervisor verifies the result with the customer within 1 working day and records the
    opinion (CP-5): satisfied → closed; not satisfied → escalated to the vendor's service
    development department, with whom we told and what we sent."""
    require(by, "complaints.verify", complaint)
    opinion = text(Complaint, "verification", opinion)
    if not opinion:
        raise Invalid(OPINION_REQUIRED, field="opinion")
    vendor_contact, sent = clean(vendor_contact), clean(sent)
    if not satisfied and not (vendor_contact and sent):
        raise Invalid(VENDOR_CONTACT_REQUIRED, field="vendor_contact")
    with transaction.atomic():
        fields = {"satisfied": bool(satisfied), "verification": opinion, "verified_at": now}
        if satisfied:
            _close(complaint, by=by, now=now, verb="verify", **fields)
        else:
            states.move(complaint, S.ESCALATED, by=by, now=now, verb="verify", data={"satisfied": False}, **fields)
            _escalate(complaint, contact=vendor_contact, sent=sent, by=by, now=now)
        clocks.stop(complaint, VERIFY, now=now, by=by)
    return complaint


def _escalate(complaint: Complaint, *, contact: str, sent: str, by, now: datetime) -> VendorEscalation:
    escalation = VendorEscalation.objects.create(
        complaint=complaint,
        contact=text(VendorEscalation, "contact", contact),
        sent=text(VendorEscalation, "sent", sent),
        sent_at=now,
        sent_by=by,
    )
    record(complaint, "escalate_vendor", by=by, at=now, data={"escalation": escalation.pk, "contact": contact})
    on_timeline(complaint, _("投诉已升级至厂商服务开发部"), now=now, by=by, body=sent)
    return escalation


def escalate_again(complaint: Complaint, *, contact: str, sent: str, by: User, now: datetime) -> VendorEscalation:
    """A further contact with the vendor while the escalation is open (tracked until solved)."""
    require(by, "complaints.verify", complaint)
    if not (clean(contact) and clean(sent)):
        raise Invalid(VENDOR_CONTACT_REQUIRED, field="contact")
    with transaction.atomic():
        _locked(complaint, S.ESCALATED)
        return _escalate(complaint, contact=clean(contact), sent=clean(sent), by=by, now=now)


def vendor_answer(
    escalation: VendorEscalation, *, answer: str, solved: bool, by: User, now: datetime
) -> VendorEscalation:
    """The vendor's answer (CP-5); when it solved the customer's problem the complaint closes."""
    complaint = escalation.complaint
    require(by, "complaints.verify", complaint)
    answer = text(VendorEscalation, "answer", answer)
    if not answer:
        raise Invalid(VENDOR_ANSWER_REQUIRED, field="answer")
    with transaction.atomic():
        if not VendorEscalation.objects.filter(pk=escalation.pk, answered_at__isnull=True).update(
            answer=answer, answered_at=now, solved=bool(solved)
        ):
            raise Conflict()
        escalation.refresh_from_db()
        record(complaint, "vendor_answer", by=by, at=now, data={"escalation": escalation.pk, "solved": bool(solved)})
        if solved:
            _close(complaint, by=by, now=now, verb="vendor_answer")
    return escalation


def vendor_feedback(complaint: Complaint, *, feedback: str, by: User, now: datetime, email: str = "") -> Complaint:
    """A complaint transferred from the vendor: its result is fed back to the vendor by email
    (through the outbox) within 1 working day after handling ends, and recorded (CP-7)."""
    require(by, "complaints.verify", complaint)
    if complaint.source != Complaint.Source.VENDOR:
        raise Invalid(NOT_FROM_VENDOR)
    feedback = text(Complaint, "vendor_feedback", feedback)
    if not feedback:
        raise Invalid(FEEDBACK_REQUIRED, field="feedback")
    email = clean(email) or complaint.vendor_email
    if not email:
        raise Invalid(VENDOR_EMAIL_REQUIRED, field="email")
    if complaint.status not in (S.RESULT, S.ESCALATED, S.CLOSED):
        raise Invalid(NOT_HANDLED)
    with transaction.atomic():
        if not Complaint.objects.filter(pk=complaint.pk, vendor_fed_back_at__isnull=True).update(
            vendor_feedback=feedback, vendor_fed_back_at=now, vendor_email=email, updated_at=now
        ):
            raise Conflict(ALREADY_FED_BACK)
        complaint.refresh_from_db()
        outbox.enqueue(
            "complaint.vendor_feedback",
            complaint,
            addresses=[email],
            channels_=(Outbox.Channel.EMAIL,),
            subject=str(
                _("投诉处理结果反馈（贵方编号 %(ref)s，我方编号 %(n)s）")
                % {"ref": complaint.vendor_ref, "n": complaint.number}
            ),
            body=feedback,
            link=complaint.get_absolute_url(),
            now=now,
        )
        record(complaint, "vendor_feedback", by=by, at=now, data={"email": email})
        clocks.stop(complaint, VENDOR_FEEDBACK, now=now, by=by)
    return complaint
