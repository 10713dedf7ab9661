"""Every state change of onsite service (OS-1..OS-9, RV-2, KB-4). Views, API and jobs call these.

Each transition checks permission and state, writes the change with a conditional UPDATE
(two managers dispatching at once: one wins, the other gets DISPATCH_TAKEN), moves clocks,
writes the audit event and queues notifications — in one transaction.
"""

import base64
import math
import random
from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.audit import verbs
from kefu.audit.service import record
from kefu.core.errors import REASON_REQUIRED, Conflict, Invalid
from kefu.core.permissions import require
from kefu.customers import timeline
from kefu.deadlines import clocks
from kefu.fieldservice.models import (
    Appointment,
    Consultation,
    Escalation,
    QASample,
    ServiceSheet,
    SheetPhoto,
    WorkOrder,
)
from kefu.notify import outbox
from kefu.org import roles
from kefu.org.models import User
from kefu.org.selectors import active_with_role, service_manager_for
from kefu.visits import workflow as visits

S = WorkOrder.Status

DISPATCH_TAKEN = _("该工单已被他人派发或状态已变更，请刷新后重试。")
MOVE_NOT_ALLOWED = _("派工单不能从“%(before)s”变为“%(after)s”。")
NOT_AN_ENGINEER = _("只能派发给在职的服务工程师。")
APPOINTMENT_INVALID = _("预约结束时间必须晚于开始时间。")
APPOINTMENT_MISSED = _("已超过预约时间，请先登记未按约上门的原因并重新预约。")
APPOINTMENT_NOT_MISSED = _("预约时间尚未过去，无需登记爽约。")
BACKUP_REQUIRED = _("请先备份客户数据，并填写备份数据的存放位置。")
FIELD_REQUIRED = _("请填写%(field)s。")
OUTCOME_REQUIRED = _("请选择服务结果。")
SIGNATURE_REQUIRED = _("请客户在屏幕上签名，或上传客户签字的纸质服务单照片。")
SIGNER_REQUIRED = _("请填写签字人姓名。")
NEXT_STEP_REQUIRED = _("问题未完全解决：请选择申请再次派工或升级至厂商/总部。")
ESCALATION_NOTE_REQUIRED = _("请填写升级的问题说明。")
ANSWER_REQUIRED = _("请填写厂商/总部的答复或解决结果。")
NOT_SIGNED = _("服务单尚未签字，不能存档。")
ALREADY_ARCHIVED = _("该服务单已存档。")
NOT_ARCHIVED = _("服务单尚未存档，不能登记回访。")
ALREADY_SAMPLED = _("所选服务单中有不属于本周或已进入 QA 库的。")
VERDICT_REQUIRED = _("请选择评审结论。")
PARTICIPANTS_REQUIRED = _("请指定参加会诊的人员。")
RESULT_REQUIRED = _("请填写会诊结果。")
NOT_SOLVED_FOR_LIBRARY = _("只有已解决的问题可以提交到问题库。")

QA_SHARE = 0.2

verbs.register(
    onsite_request=_("申请上门"),
    onsite_verify=_("核实上门申请"),
    onsite_send_back=_("退回上门申请"),
    dispatch=_("派工"),
    onsite_confirm=_("确认派工单"),
    appointment=_("预约上门"),
    appointment_missed=_("未按约上门"),
    check_in=_("到达现场"),
    sheet_complete=_("填写服务单"),
    sheet_sign=_("客户签字"),
    write_off=_("核销"),
    escalate=_("升级"),
    escalation_resolved=_("升级问题解决"),
    sheet_archive=_("服务单存档"),
    onsite_return_visit=_("上门服务回访"),
    qa_pick=_("抽取 QA 样本"),
    qa_review=_("QA 评审"),
    consultation=_("组织会诊"),
    consultation_result=_("会诊结果"),
)
timeline.register_kind("onsite", _("上门服务"))

TRANSITIONS: dict[str, set[str]] = {
    S.REQUESTED: {S.VERIFIED, S.RETURNED},
    S.RETURNED: set(),
    S.VERIFIED: {S.DISPATCHED},
    S.DISPATCHED: {S.CONFIRMED},
    S.CONFIRMED: {S.SCHEDULED},
    S.SCHEDULED: {S.SCHEDULED, S.ON_SITE},
    S.ON_SITE: {S.COMPLETED},
    S.COMPLETED: {S.SIGNED},
    S.SIGNED: {S.WRITTEN_OFF, S.ESCALATED},
    S.WRITTEN_OFF: set(),
    S.ESCALATED: {S.CLOSED},
    S.CLOSED: set(),
}
WAITING = (S.REQUESTED, S.VERIFIED)
OPEN_FOR_ENGINEER = (S.DISPATCHED, S.CONFIRMED, S.SCHEDULED, S.ON_SITE, S.COMPLETED, S.SIGNED)


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _move(order: WorkOrder, target: str, *, conflict=None, **fields) -> str:
    """The conditional UPDATE: from the state read now to `target`; returns the state left."""
    current = WorkOrder.objects.filter(pk=order.pk).values_list("status", flat=True).get()
    if target not in TRANSITIONS[current]:
        if conflict is not None and current not in WAITING:
            raise Conflict(conflict)
        raise Invalid(MOVE_NOT_ALLOWED % {"before": S(current).label, "after": S(target).label})
    changed = WorkOrder.objects.filter(pk=order.pk, status=current).update(
        status=target, updated_at=fields.pop("now"), **fields
    )
    if not changed:
        raise Conflict(conflict or DISPATCH_TAKEN)
    order.refresh_from_db()
    return current


def _audit(order, verb, *, by, now, before, data=None):
    record(order, verb, by=by, at=now, before=S(before).label, after=order.get_status_display(), data=data)


def _managers() -> list[User]:
    return active_with_role(roles.SERVICE_MANAGER)


def _customer_users(order: WorkOrder) -> list[User]:
    """The customer's portal logins: the outbox reaches the customer through them."""
    return list(User.objects.filter(is_active=True, customer_contact__customer=order.customer_id).distinct())


def _contact_addresses(order: WorkOrder) -> list[str]:
    """The email of the request's contact (else the main contact) when they have no portal
    login: customers without an account are told too (OS-2)."""
    contact = order.request.contact if order.request.contact_id else None
    contact = contact or order.customer.contacts.filter(is_main=True).first()
    if contact is None or not contact.email or contact.portal_user_id:
        return []
    return [contact.email]


def _required(value: str, label) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(FIELD_REQUIRED % {"field": label})
    return value


# --- OS-1: request, verify, dispatch -------------------------------------------------------


def request_onsite(service_request, *, reason: str, by, now: datetime) -> WorkOrder:
    """Open an onsite request (待核实) for the service manager, with the verification clock (HL-6 → OS-1).

    Called by the service desk's HL-6 transition (`kefu.servicedesk.workflow.request_onsite`)
    inside its own transaction (`by`: the hotline engineer, service desk or service manager);
    `write_off` opens the follow-up request of an unsolved visit the same way. `service_request` is a `servicedesk.ServiceRequest`; the customer is
    reached through it.
    """
    require(by, "fieldservice.request_onsite")
    return _open_request(service_request, reason=reason, by=by, now=now, previous=None)


def _open_request(service_request, *, reason: str, by, now: datetime, previous: WorkOrder | None) -> WorkOrder:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    with transaction.atomic():
        order = WorkOrder.objects.create(
            request=service_request,
            customer=service_request.customer,
            previous=previous,
            reason=reason,
            created_at=now,
            created_by=by,
            updated_at=now,
        )
        order.number = f"PG{timezone.localtime(now):%y%m%d}{order.pk:05d}"
        WorkOrder.objects.filter(pk=order.pk).update(number=order.number)
        # On the checking manager's workbench: the requester's own service manager, else the first.
        clocks.start(order, "fieldservice.verify", owner=service_manager_for(by), now=now, by=by)
        record(order, "onsite_request", by=by, at=now, after=order.get_status_display(), data={"reason": reason})
        outbox.enqueue(
            "work_order.requested",
            order,
            to=[m for m in _managers() if m.pk != by.pk],
            subject=str(_("待核实上门申请：%(n)s %(c)s") % {"n": order.number, "c": order.customer.name}),
            body=reason,
            link=order.get_absolute_url(),
            now=now,
        )
    return order


def verify(order: WorkOrder, *, note: str = "", by, now: datetime) -> WorkOrder:
    """The service manager checks the onsite request before dispatch (OS-1)."""
    require(by, "fieldservice.verify", order)
    with transaction.atomic():
        before = _move(order, S.VERIFIED, now=now, verified_at=now, verify_note=(note or "").strip()[:500])
        _audit(order, "onsite_verify", by=by, now=now, before=before)
    return order


def send_back(order: WorkOrder, *, reason: str, by, now: datetime) -> WorkOrder:
    """The manager sends the request back to whoever raised it, with a reason (OS-1)."""
    require(by, "fieldservice.verify", order)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    with transaction.atomic():
        before = _move(order, S.RETURNED, now=now, return_reason=reason[:500])
        clocks.stop(order, "fieldservice.verify", now=now, by=by)
        # The service request goes back to its owner in progress; they may resubmit (HL-6).
        from kefu.servicedesk import workflow as servicedesk_workflow

        servicedesk_workflow.onsite_returned(order.request, reason=reason, by=by, now=now)
        _audit(order, "onsite_send_back", by=by, now=now, before=before, data={"reason": reason})
        outbox.enqueue(
            "work_order.returned",
            order,
            to=[order.created_by],
            subject=str(_("上门申请被退回：%(n)s") % {"n": order.number}),
            body=reason,
            link=order.request.get_absolute_url(),
            now=now,
        )
    return order


def dispatch(order: WorkOrder, engineer: User, *, by, now: datetime) -> WorkOrder:
    """Send a verified onsite request to an engineer, announced in the 派单群 (OS-1, QS-3).

    Two managers at once: the conditional UPDATE lets exactly one through; the other gets
    DISPATCH_TAKEN (409 in the API).
    """
    require(by, "fieldservice.dispatch", order)
    if (
        engineer is None
        or not engineer.is_active
        or engineer.is_external
        or not engineer.has_role(roles.FIELD_ENGINEER)
    ):
        raise Invalid(NOT_AN_ENGINEER, field="engineer")
    with transaction.atomic():
        before = _move(
            order,
            S.DISPATCHED,
            conflict=DISPATCH_TAKEN,
            now=now,
            engineer=engineer,
            dispatched_at=now,
            dispatched_by=by,
        )
        clocks.stop(order, "fieldservice.verify", now=now, by=by)
        clocks.start(order, "fieldservice.appointment", owner=engineer, now=now, by=by)
        _audit(order, "dispatch", by=by, now=now, before=before, data={"engineer": engineer.pk})
        outbox.enqueue(
            "work_order.dispatched",
            order,
            to=[engineer],
            group="dispatch",
            subject=str(
                _("派工：%(n)s %(c)s → %(e)s")
                % {"n": order.number, "c": order.customer.name, "e": engineer.display_name}
            ),
            body=order.reason,
            link=order.get_absolute_url(),
            now=now,
        )
    return order


# --- OS-2: confirm, appointment, missed appointment ----------------------------------------


def confirm(order: WorkOrder, *, by, now: datetime) -> WorkOrder:
    """The engineer confirms the order's details (OS-2)."""
    require(by, "fieldservice.work", order)
    with transaction.atomic():
        before = _move(order, S.CONFIRMED, now=now, confirmed_at=now)
        _audit(order, "onsite_confirm", by=by, now=now, before=before)
    return order


def _check_times(start: datetime, end: datetime) -> None:
    if start is None or end is None or end <= start:
        raise Invalid(APPOINTMENT_INVALID, field="end")


def set_appointment(
    order: WorkOrder, *, start: datetime, end: datetime, note: str = "", by, now: datetime
) -> WorkOrder:
    """The time agreed with the customer is recorded; the engineer must arrive within it (OS-2)."""
    require(by, "fieldservice.work", order)
    _check_times(start, end)
    with transaction.atomic():
        before = _move(order, S.SCHEDULED, now=now, appointment_start=start, appointment_end=end)
        Appointment.objects.create(order=order, start=start, end=end, note=note[:300], recorded_at=now, recorded_by=by)
        clocks.stop(order, "fieldservice.appointment", now=now, by=by)
        _audit(order, "appointment", by=by, now=now, before=before, data={"start": _local(start), "end": _local(end)})
        timeline.add(
            order.customer,
            "onsite",
            title=str(_("预约上门：%(s)s") % {"s": _local(start)}),
            body=note,
            at=now,
            by=by,
            subject=order,
        )
    return order


def miss_appointment(order: WorkOrder, *, reason: str, start: datetime, end: datetime, by, now: datetime) -> WorkOrder:
    """A missed appointment: reason, new time, and the customer is told (OS-2)."""
    require(by, "fieldservice.work", order)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    _check_times(start, end)
    if order.status != S.SCHEDULED or order.appointment_end is None or order.appointment_end > now:
        raise Invalid(APPOINTMENT_NOT_MISSED)
    with transaction.atomic():
        Appointment.objects.filter(order=order, missed_reason="").update(missed_reason=reason[:500])
        before = _move(order, S.SCHEDULED, now=now, appointment_start=start, appointment_end=end)
        Appointment.objects.create(
            order=order, start=start, end=end, note=reason[:300], recorded_at=now, recorded_by=by
        )
        _audit(
            order, "appointment_missed", by=by, now=now, before=before, data={"reason": reason, "start": _local(start)}
        )
        message = str(
            _("很抱歉，%(e)s 未能按约上门（%(r)s），新的上门时间：%(s)s。")
            % {"e": by.display_name, "r": reason, "s": _local(start)}
        )
        timeline.add(
            order.customer, "onsite", title=str(_("未按约上门，已重新预约")), body=message, at=now, by=by, subject=order
        )
        outbox.enqueue(
            "work_order.rescheduled",
            order,
            to=[*_customer_users(order), *_managers()],
            addresses=_contact_addresses(order),
            channels_=("inapp", "email"),
            key=f"work_order.rescheduled:{order.pk}:{now.isoformat()}",
            subject=str(_("上门时间变更：%(n)s") % {"n": order.number}),
            body=message,
            now=now,
        )
    return order


# --- OS-3, OS-4: on site, sheet, signature, PDF --------------------------------------------


def check_in(order: WorkOrder, *, by, now: datetime) -> WorkOrder:
    """Arrival on site, within the agreed time (OS-2, OS-3)."""
    require(by, "fieldservice.work", order)
    if order.status == S.SCHEDULED and order.appointment_end and now > order.appointment_end:
        raise Invalid(APPOINTMENT_MISSED)
    with transaction.atomic():
        before = _move(order, S.ON_SITE, now=now, checked_in_at=now)
        _audit(order, "check_in", by=by, now=now, before=before)
    return order


SHEET_TEXT = ("phenomenon", "cause", "method", "steps", "prevention", "parts_used")


def complete(order: WorkOrder, *, data: dict, photos=(), by, now: datetime) -> ServiceSheet:
    """The service sheet: backup checklist, phenomenon … prevention, parts, time, photos, outcome (OS-3)."""
    require(by, "fieldservice.work", order)
    location = (data.get("backup_location") or "").strip()
    if not data.get("backup_done") or not location:
        raise Invalid(BACKUP_REQUIRED, field="backup_location")
    fields = {name: (data.get(name) or "").strip() for name in SHEET_TEXT}
    _required(fields["phenomenon"], ServiceSheet._meta.get_field("phenomenon").verbose_name)
    _required(fields["method"], ServiceSheet._meta.get_field("method").verbose_name)
    outcome = data.get("outcome")
    if outcome not in ServiceSheet.Outcome.values:
        raise Invalid(OUTCOME_REQUIRED, field="outcome")
    minutes = int(data.get("minutes_spent") or 0)
    with transaction.atomic():
        before = _move(order, S.COMPLETED, now=now, completed_at=now)
        sheet = ServiceSheet.objects.create(
            order=order,
            backup_done=True,
            backup_location=location[:300],
            outcome=outcome,
            minutes_spent=max(minutes, 0),
            filled_at=now,
            filled_by=by,
            **fields,
        )
        for photo in photos:
            SheetPhoto.objects.create(sheet=sheet, file=photo, uploaded_at=now, uploaded_by=by)
        _audit(order, "sheet_complete", by=by, now=now, before=before, data={"outcome": outcome})
    return sheet


def _signature_bytes(data_url: str) -> bytes:
    header, _sep, payload = (data_url or "").partition(",")
    if not header.startswith("data:image/png;base64") or not payload:
        return b""
    try:
        return base64.b64decode(payload, validate=True)
    except ValueError:
        return b""


def render_pdf(sheet: ServiceSheet) -> bytes:
    """The signed service sheet as a PDF, the signature embedded (OS-4)."""
    from kefu.documents import pdf

    signature = ""
    source = sheet.signature or sheet.paper_photo
    if source:
        with source.open("rb") as fh:
            raw = fh.read()
        kind = "png" if raw[:4] == b"\x89PNG" else "jpeg"
        signature = f"data:image/{kind};base64,{base64.b64encode(raw).decode()}"
    return pdf.render("fieldservice/sheet_pdf.html", {"sheet": sheet, "order": sheet.order, "signature": signature})


def sign(
    order: WorkOrder, *, signer_name: str, signature: str = "", paper_photo=None, by, now: datetime
) -> ServiceSheet:
    """The customer signs (drawn: a PNG data URL from signature_pad; or a photo of the paper sheet).

    Starts the write-off clock (OS-5, next work start) and the sheet-to-desk clock (OS-6,
    before Monday start of work); renders the PDF (OS-4).
    """
    require(by, "fieldservice.work", order)
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise Invalid(SIGNER_REQUIRED, field="signer_name")
    png = _signature_bytes(signature)
    if not png and paper_photo is None:
        raise Invalid(SIGNATURE_REQUIRED, field="signature")
    with transaction.atomic():
        before = _move(order, S.SIGNED, now=now, signed_at=now)
        sheet = ServiceSheet.objects.select_for_update().get(order=order)
        sheet.signer_name = signer_name[:50]
        sheet.signed_at = now
        if png:
            sheet.signature.save(f"sheet-{sheet.pk}.png", ContentFile(png), save=False)
        if paper_photo is not None:
            sheet.paper_photo.save(f"sheet-{sheet.pk}-{paper_photo.name}", paper_photo, save=False)
        sheet.order = order
        sheet.pdf.save(f"service-sheet-{order.number}.pdf", ContentFile(render_pdf(sheet)), save=False)
        sheet.save()
        clocks.start(order, "fieldservice.write_off", owner=order.engineer, now=now, by=by)
        clocks.start(sheet, "fieldservice.sheet_to_desk", owner=order.engineer, now=now, by=by)
        _audit(
            order, "sheet_sign", by=by, now=now, before=before, data={"outcome": sheet.outcome, "signer": signer_name}
        )
        timeline.add(
            order.customer,
            "onsite",
            title=str(_("上门服务：%(o)s（%(s)s 签字）") % {"o": sheet.get_outcome_display(), "s": signer_name}),
            body=sheet.method[:300],
            at=now,
            by=by,
            subject=order,
        )
    return sheet


# --- OS-5: write-off, next dispatch, escalation --------------------------------------------


def write_off(
    order: WorkOrder,
    *,
    by,
    now: datetime,
    next_step: str = "",
    note: str = "",
    target: str = Escalation.Target.VENDOR,
    party: str = "",
) -> WorkOrder:
    """The engineer returns the order to the manager by next work start (OS-5).

    Not solved (or partly): `next_step="redispatch"` opens a new onsite request linked to this
    one; `next_step="escalate"` hands the problem to the vendor / headquarters / a supplier via
    purchasing (OS-8) with a clock on the answer.
    """
    require(by, "fieldservice.write_off", order)
    sheet = ServiceSheet.objects.get(order=order)
    if sheet.outcome != ServiceSheet.Outcome.SOLVED and next_step not in ("redispatch", "escalate"):
        raise Invalid(NEXT_STEP_REQUIRED, field="next_step")
    if next_step == "escalate":
        return escalate(order, target=target, party=party, note=note, by=by, now=now)
    with transaction.atomic():
        before = _move(order, S.WRITTEN_OFF, now=now, written_off_at=now)
        clocks.stop(order, "fieldservice.write_off", now=now, by=by)
        _audit(order, "write_off", by=by, now=now, before=before, data={"next_step": next_step or "done"})
        if next_step == "redispatch":
            _open_request(
                order.request,
                reason=note.strip() or str(_("上次上门未解决：%(m)s") % {"m": sheet.method[:200]}),
                by=by,
                now=now,
                previous=order,
            )
    return order


def escalate(order: WorkOrder, *, target: str, note: str, party: str = "", by, now: datetime) -> WorkOrder:
    """Escalate an unsolved problem and track the answer with a clock (OS-5; supplier via purchasing, OS-8)."""
    require(by, "fieldservice.escalate", order)
    note = (note or "").strip()
    if not note:
        raise Invalid(ESCALATION_NOTE_REQUIRED, field="note")
    if target not in Escalation.Target.values:
        raise Invalid(FIELD_REQUIRED % {"field": Escalation._meta.get_field("target").verbose_name}, field="target")
    with transaction.atomic():
        before = _move(order, S.ESCALATED, now=now, written_off_at=now)
        clocks.stop(order, "fieldservice.write_off", now=now, by=by)
        esc = Escalation.objects.create(
            order=order, target=target, party=party[:100], note=note, opened_at=now, opened_by=by
        )
        clocks.start(esc, "fieldservice.escalation", owner=order.dispatched_by or by, now=now, by=by)
        _audit(order, "escalate", by=by, now=now, before=before, data={"target": target, "party": party})
        outbox.enqueue(
            "work_order.escalated",
            order,
            to=[m for m in _managers() if m.pk != by.pk],
            subject=str(_("问题已升级至%(t)s：%(n)s") % {"t": esc.get_target_display(), "n": order.number}),
            body=note,
            link=order.get_absolute_url(),
            now=now,
        )
    return order


def resolve_escalation(escalation: Escalation, *, answer: str, by, now: datetime) -> Escalation:
    """The vendor / headquarters answered and the customer's problem is solved: clock met, order closed."""
    order = escalation.order
    require(by, "fieldservice.resolve_escalation", order)
    answer = (answer or "").strip()
    if not answer:
        raise Invalid(ANSWER_REQUIRED, field="answer")
    with transaction.atomic():
        if not Escalation.objects.filter(pk=escalation.pk, resolved_at__isnull=True).update(
            answer=answer, resolved_at=now
        ):
            raise Conflict()
        escalation.refresh_from_db()
        clocks.stop(escalation, "fieldservice.escalation", now=now, by=by)
        before = _move(order, S.CLOSED, now=now, closed_at=now)
        _audit(order, "escalation_resolved", by=by, now=now, before=before, data={"answer": answer[:200]})
        timeline.add(
            order.customer, "onsite", title=str(_("升级问题已解决")), body=answer, at=now, by=by, subject=order
        )
    return escalation


# --- OS-6, RV-2: the desk archives, the next-day phone return visit ------------------------


def archive(sheet: ServiceSheet, *, by, now: datetime) -> ServiceSheet:
    """The customer-service desk receives and archives a signed sheet (OS-6) and the next-day
    phone return visit is generated, exactly once (RV-2): a `kefu.visits` ReturnVisit of kind
    onsite, assigned to the archiving desk member, due by the end of the next working day.
    """
    require(by, "fieldservice.archive", sheet.order)
    if sheet.signed_at is None:
        raise Invalid(NOT_SIGNED)
    with transaction.atomic():
        if not ServiceSheet.objects.filter(pk=sheet.pk, archived_at__isnull=True).update(
            archived_at=now, archived_by=by
        ):
            raise Conflict(ALREADY_ARCHIVED)
        sheet.refresh_from_db()
        clocks.stop(sheet, "fieldservice.sheet_to_desk", now=now, by=by)
        visits.open_for_sheet(sheet, by=by, now=now)
        record(sheet, "sheet_archive", by=by, at=now, after=str(_("已存档")))
    return sheet


def record_return_visit(
    sheet: ServiceSheet, *, note: str, by, now: datetime, satisfaction: str = "satisfied", problems: str = ""
) -> ServiceSheet:
    """The next-day phone call after onsite service (RV-2): the sheet's onsite return visit is
    recorded through the visits workflow, which meets its clock and writes the customer care
    column; the sheet keeps the note for its own record."""
    require(by, "fieldservice.archive", sheet.order)
    note = _required(note, ServiceSheet._meta.get_field("return_visit_note").verbose_name)
    if sheet.archived_at is None:
        raise Invalid(NOT_ARCHIVED)
    with transaction.atomic():
        if not ServiceSheet.objects.filter(pk=sheet.pk, return_visit_at__isnull=True).update(
            return_visit_at=now, return_visit_note=note
        ):
            raise Conflict()
        sheet.refresh_from_db()
        visit = visits.open_visit_for(sheet, "onsite")
        if visit is not None:
            visits.record_result(
                visit,
                content=note,
                satisfaction=satisfaction,
                problems=problems,
                channel="phone",
                by=by,
                now=now,
            )
        record(sheet, "onsite_return_visit", by=by, at=now, data={"note": note[:200]})
    return sheet


# --- OS-7, KB-4: weekly QA sampling ---------------------------------------------------------


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_sheets(week: date):
    """The signed sheets of the week starting Monday `week` (Shanghai days)."""
    start = timezone.make_aware(datetime.combine(week, datetime.min.time()))
    return ServiceSheet.objects.filter(signed_at__gte=start, signed_at__lt=start + timedelta(days=7)).order_by("pk")


def propose_sample(week: date) -> list[ServiceSheet]:
    """The system's proposal: a random ~20 % of the week's sheets not yet in the QA library (OS-7).

    Seeded by the week, so the proposal is the same every time the manager opens the page.
    """
    sheets = list(week_sheets(week).filter(qa_sample__isnull=True).select_related("order__customer"))
    if not sheets:
        return []
    size = max(1, math.ceil(len(sheets) * QA_SHARE))
    return sorted(random.Random(week.isoformat()).sample(sheets, size), key=lambda s: s.pk)  # noqa: S311 — sampling, not crypto


def pick_sample(week: date, sheets: list[ServiceSheet], *, by, now: datetime) -> list[QASample]:
    """The manager accepts (or changes) the proposal; the pick is recorded (OS-7)."""
    require(by, "fieldservice.qa_sample")
    proposal = {s.pk for s in propose_sample(week)}
    allowed = set(week_sheets(week).filter(qa_sample__isnull=True).values_list("pk", flat=True))
    ids = [s.pk for s in sheets]
    if not ids or not set(ids) <= allowed:
        raise Invalid(ALREADY_SAMPLED)
    with transaction.atomic():
        samples = [
            QASample.objects.create(sheet=s, week=week, proposed=s.pk in proposal, picked_at=now, picked_by=by)
            for s in sheets
        ]
        for sample in samples:
            record(sample, "qa_pick", by=by, at=now, data={"week": week.isoformat(), "proposed": sample.proposed})
    return samples


def review_sample(sample: QASample, *, verdict: str, comment: str = "", by, now: datetime) -> QASample:
    """A reviewer's verdict on a QA library entry (KB-4)."""
    require(by, "fieldservice.qa_review", sample)
    if verdict not in QASample.Verdict.values:
        raise Invalid(VERDICT_REQUIRED, field="verdict")
    with transaction.atomic():
        before = sample.get_verdict_display()
        QASample.objects.filter(pk=sample.pk).update(
            verdict=verdict, comment=comment.strip(), reviewer=by, reviewed_at=now
        )
        sample.refresh_from_db()
        record(sample, "qa_review", by=by, at=now, before=before, after=sample.get_verdict_display())
    return sample


def propose_to_library(sheet: ServiceSheet, *, by, now: datetime):
    """A solved problem proposed to the standardised problem library (OS-7, KB-1 via knowledge)."""
    from kefu.knowledge import workflow as knowledge

    if sheet.outcome != ServiceSheet.Outcome.SOLVED:
        raise Invalid(NOT_SOLVED_FOR_LIBRARY)
    return knowledge.propose_from_sheet(
        sheet,
        symptom=sheet.phenomenon,
        cause=sheet.cause,
        solution=sheet.method,
        steps=sheet.steps,
        product=sheet.order.request.product,
        by=by,
        now=now,
    )


# --- OS-9: consultation ----------------------------------------------------------------------


def organise_consultation(order: WorkOrder, *, topic: str, participants: list[User], by, now: datetime) -> Consultation:
    """The after-sales department assigns the right people to a problem not solved in time (OS-9)."""
    require(by, "fieldservice.consult", order)
    topic = _required(topic, Consultation._meta.get_field("topic").verbose_name)
    people = [p for p in participants if p.is_active and not p.is_external]
    if not people:
        raise Invalid(PARTICIPANTS_REQUIRED, field="participants")
    with transaction.atomic():
        consultation = Consultation.objects.create(order=order, topic=topic, organised_at=now, organised_by=by)
        consultation.participants.set(people)
        record(order, "consultation", by=by, at=now, data={"topic": topic, "participants": [p.pk for p in people]})
        outbox.enqueue(
            "work_order.consultation",
            consultation,
            to=people,
            subject=str(_("会诊：%(t)s（%(n)s）") % {"t": topic, "n": order.number}),
            link=order.get_absolute_url(),
            now=now,
        )
    return consultation


def record_consultation_result(consultation: Consultation, *, result: str, by, now: datetime) -> Consultation:
    require(by, "fieldservice.consult", consultation.order)
    result = (result or "").strip()
    if not result:
        raise Invalid(RESULT_REQUIRED, field="result")
    with transaction.atomic():
        Consultation.objects.filter(pk=consultation.pk).update(result=result, result_at=now)
        consultation.refresh_from_db()
        record(consultation.order, "consultation_result", by=by, at=now, data={"result": result[:200]})
    return consultation
