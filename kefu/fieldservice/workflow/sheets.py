"""On site and after: the service sheet, the signature, write-off, escalation, the desk (OS-3..OS-6, RV-2)."""

from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kefu.audit.service import record
from kefu.core import states
from kefu.core.errors import Conflict, Invalid
from kefu.core.permissions import require
from kefu.core.validation import text
from kefu.customers import timeline
from kefu.deadlines import clocks
from kefu.documents import attachments, images
from kefu.fieldservice import handoffs, tasks
from kefu.fieldservice.models import Escalation, ServiceSheet, WorkOrder
from kefu.fieldservice.workflow._common import (
    ALREADY_ARCHIVED,
    ALREADY_VISITED,
    ANSWER_REQUIRED,
    BACKUP_REQUIRED,
    ESCALATION_NOTE_REQUIRED,
    FIELD_REQUIRED,
    NEXT_STEP_REQUIRED,
    NO_OPEN_ESCALATION,
    NO_SHEET,
    NOT_SIGNED,
    NOT_SOLVED_FOR_LIBRARY,
    OUTCOME_REQUIRED,
    SIGNATURE_REQUIRED,
    SIGNER_REQUIRED,
    S,
    _audit,
    _managers,
)
from kefu.fieldservice.workflow.orders import _open_request
from kefu.knowledge import workflow as knowledge
from kefu.notify import outbox
from kefu.org import roles
from kefu.org.models import User
from kefu.org.selectors import active_with_role
from kefu.surveys import workflow as surveys
from kefu.visits import workflow as visits

SHEET_TEXT = ("phenomenon", "cause", "method", "steps", "prevention", "parts_used")
MAX_MINUTES = 60 * 24 * 30  # a month of work on one visit is already a typing error
MINUTES_INVALID = _("服务用时须为 0–%(max)d 之间的整数（分钟）。")
SOLVED_NO_NEXT_STEP = _("问题已解决，无需再次派工或升级。")
MAX_PHOTOS = attachments.KINDS["site_photo"].max_count
TOO_MANY_PHOTOS = _("一次最多上传 %(n)d 张照片。")


def sheet_of(order: WorkOrder) -> ServiceSheet:
    """The order's service sheet; Invalid (400) when none has been filled in yet."""
    sheet = ServiceSheet.objects.filter(order=order).first()
    if sheet is None:
        raise Invalid(NO_SHEET)
    return sheet


def _minutes(value) -> int:
    try:
        minutes = int(value or 0)
    except (TypeError, ValueError):
        minutes = -1
    if not 0 <= minutes <= MAX_MINUTES:
        raise Invalid(MINUTES_INVALID % {"max": MAX_MINUTES}, field="minutes_spent")
    return minutes


def complete(order: WorkOrder, *, data: dict, photos=(), by: User, now: datetime) -> ServiceSheet:
    """The service sheet: backup checklist, phenomenon … prevention, parts, time, photos, outcome (OS-3)."""
    require(by, "fieldservice.work", order)
    location = text(ServiceSheet, "backup_location", data.get("backup_location"))
    if not data.get("backup_done") or not location:
        raise Invalid(BACKUP_REQUIRED, field="backup_location")
    fields = {name: text(ServiceSheet, name, data.get(name)) for name in SHEET_TEXT}
    for name in ("phenomenon", "method"):
        if not fields[name]:
            label = ServiceSheet._meta.get_field(name).verbose_name
            raise Invalid(FIELD_REQUIRED % {"field": label}, field=name)
    outcome = data.get("outcome")
    if outcome not in ServiceSheet.Outcome.values:
        raise Invalid(OUTCOME_REQUIRED, field="outcome")
    minutes = _minutes(data.get("minutes_spent"))
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        raise Invalid(TOO_MANY_PHOTOS % {"n": MAX_PHOTOS}, field="photos")
    for photo in photos:  # before any change: a bad photo is refused, naming the file
        attachments.check(photo, kind="site_photo", field="photos")
    with transaction.atomic():
        before = states.move(order, S.COMPLETED, by=by, now=now, completed_at=now)
        sheet = ServiceSheet.objects.create(
            order=order,
            backup_done=True,
            backup_location=location,
            outcome=outcome,
            minutes_spent=minutes,
            filled_at=now,
            filled_by=by,
            **fields,
        )
        attachments.attach_all(sheet, photos, kind="site_photo", by=by, now=now, field="photos")
        _audit(order, "sheet_complete", by=by, now=now, before=before, data={"outcome": outcome})
    return sheet


def _desk_member():
    """Who calls the customer back after a visit (OS-6, RV-2): the customer-service desk."""
    return next(iter(active_with_role(roles.SERVICE_DESK)), None)


def sign(
    order: WorkOrder, *, signer_name: str, signature: str = "", paper_photo=None, by: User, now: datetime
) -> ServiceSheet:
    """The customer signs (drawn: a PNG data URL from signature_pad; or a photo of the paper sheet).

    Starts the write-off clock (OS-5, next work start) and the sheet-to-desk clock (OS-6,
    before Monday start of work); the desk's next-day return visit counts from now, the
    service (RV-2); a sheet signed as solved sends the request to the customer's
    confirmation (handoffs.OUTCOME, SR-5). The PDF (OS-4) is rendered after commit, by a job.
    """
    require(by, "fieldservice.work", order)
    signer_name = text(ServiceSheet, "signer_name", signer_name)
    if not signer_name:
        raise Invalid(SIGNER_REQUIRED, field="signer_name")
    if not signature and paper_photo is None:
        raise Invalid(SIGNATURE_REQUIRED, field="signature")
    png = images.signature_png(signature) if signature else b""
    if paper_photo is not None:
        images.check_photo(paper_photo, field="paper_photo")
    with transaction.atomic():
        before = states.move(order, S.SIGNED, by=by, now=now, signed_at=now)
        sheet = ServiceSheet.objects.select_for_update().get(order=order)
        sheet.signer_name = signer_name
        sheet.signed_at = now
        if png:
            sheet.signature.save(f"sheet-{sheet.pk}.png", ContentFile(png), save=False)
        if paper_photo is not None:
            sheet.paper_photo.save(f"sheet-{sheet.pk}-{paper_photo.name}", paper_photo, save=False)
        sheet.save()
        sheet.order = order
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
        visits.open_for_sheet(sheet, assignee=_desk_member(), by=by, now=now)
        surveys.open_survey(
            order, customer=order.customer, served_by=order.engineer, by=by, now=now, contact=order.request.contact
        )
        if sheet.outcome == ServiceSheet.Outcome.SOLVED:
            handoffs.emit(handoffs.OUTCOME, order, by=by, now=now, outcome=handoffs.SOLVED, text=_solution(sheet))
        tasks.render_sheet_pdf_later(sheet)
    return sheet


def _solution(sheet: ServiceSheet) -> str:
    return "\n".join(part for part in (sheet.method, sheet.steps) if part)


# --- OS-5: write-off, next dispatch, escalation --------------------------------------------


def write_off(
    order: WorkOrder,
    *,
    by: User,
    now: datetime,
    next_step: str = "",
    note: str = "",
    target: str = Escalation.Target.VENDOR,
    party: str = "",
) -> WorkOrder:
    """The engineer returns the order to the manager by next work start (OS-5).

    Not solved (or partly): `next_step="redispatch"` opens a new onsite request linked to this
    one; `next_step="escalate"` hands the problem to the vendor / headquarters / a supplier via
    purchasing (OS-8) with a clock on the answer. The requesting domain hears of the next step.
    """
    require(by, "fieldservice.write_off", order)
    sheet = sheet_of(order)
    solved = sheet.outcome == ServiceSheet.Outcome.SOLVED
    if solved and next_step:
        raise Invalid(SOLVED_NO_NEXT_STEP, field="next_step")
    if not solved and next_step not in ("redispatch", "escalate"):
        raise Invalid(NEXT_STEP_REQUIRED, field="next_step")
    if next_step == "escalate":
        return escalate(order, target=target, party=party, note=note, by=by, now=now)
    note = text(WorkOrder, "reason", note, field="note")
    with transaction.atomic():
        before = states.move(order, S.WRITTEN_OFF, by=by, now=now, written_off_at=now)
        clocks.stop(order, "fieldservice.write_off", now=now, by=by)
        _audit(order, "write_off", by=by, now=now, before=before, data={"next_step": next_step or "done"})
        if next_step == "redispatch":
            reason = note or str(_("上次上门未解决：%(m)s") % {"m": sheet.method[:200]})
            follow_up = _open_request(order.request, reason=reason, by=by, now=now, previous=order)
            handoffs.emit(
                handoffs.OUTCOME,
                order,
                by=by,
                now=now,
                outcome=handoffs.REDISPATCH,
                text=str(_("%(o)s，已申请再次上门（%(n)s）：%(r)s"))
                % {"o": sheet.get_outcome_display(), "n": follow_up.number, "r": reason},
            )
    return order


def escalate(order: WorkOrder, *, target: str, note: str, party: str = "", by: User, now: datetime) -> WorkOrder:
    """Escalate an unsolved problem and track the answer with a clock (OS-5; supplier via purchasing, OS-8)."""
    require(by, "fieldservice.escalate", order)
    sheet_of(order)
    note = text(Escalation, "note", note, field="note")
    if not note:
        raise Invalid(ESCALATION_NOTE_REQUIRED, field="note")
    if target not in Escalation.Target.values:
        raise Invalid(FIELD_REQUIRED % {"field": Escalation._meta.get_field("target").verbose_name}, field="target")
    party = text(Escalation, "party", party)
    if target == Escalation.Target.SUPPLIER and not party:
        raise Invalid(FIELD_REQUIRED % {"field": Escalation._meta.get_field("party").verbose_name}, field="party")
    with transaction.atomic():
        before = states.move(order, S.ESCALATED, by=by, now=now, written_off_at=now)
        clocks.stop(order, "fieldservice.write_off", now=now, by=by)
        esc = Escalation.objects.create(order=order, target=target, party=party, note=note, opened_at=now, opened_by=by)
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
        handoffs.emit(
            handoffs.OUTCOME,
            order,
            by=by,
            now=now,
            outcome=handoffs.ESCALATED,
            text=str(_("问题已提交%(t)s处理，我们将跟踪直至解决：%(n)s")) % {"t": esc.get_target_display(), "n": note},
        )
    return order


def open_escalation_of(order: WorkOrder) -> Escalation:
    escalation = Escalation.objects.filter(order=order, resolved_at__isnull=True).first()
    if escalation is None:
        raise Invalid(NO_OPEN_ESCALATION)
    return escalation


def resolve_escalation(escalation: Escalation, *, answer: str, by: User, now: datetime) -> Escalation:
    """The vendor / headquarters answered and the customer's problem is solved: clock met, order
    closed, and the request goes to the customer's confirmation (handoffs.RESOLVED)."""
    order = escalation.order
    require(by, "fieldservice.resolve_escalation", order)
    answer = text(Escalation, "answer", answer, field="answer")
    if not answer:
        raise Invalid(ANSWER_REQUIRED, field="answer")
    with transaction.atomic():
        if not Escalation.objects.filter(pk=escalation.pk, resolved_at__isnull=True).update(
            answer=answer, resolved_at=now
        ):
            raise Conflict()
        escalation.refresh_from_db()
        clocks.stop(escalation, "fieldservice.escalation", now=now, by=by)
        states.move(
            order, S.CLOSED, by=by, now=now, closed_at=now, verb="escalation_resolved", data={"answer": answer[:200]}
        )
        timeline.add(
            order.customer, "onsite", title=str(_("升级问题已解决")), body=answer, at=now, by=by, subject=order
        )
        handoffs.emit(handoffs.OUTCOME, order, by=by, now=now, outcome=handoffs.RESOLVED, text=answer)
    return escalation


# --- OS-6, RV-2: the desk archives; the next-day phone return visit -------------------------


def archive(sheet: ServiceSheet, *, by: User, now: datetime) -> ServiceSheet:
    """The customer-service desk receives and archives a signed sheet (OS-6): the OS-6 clock is
    met. The return visit was opened at signing (RV-2 counts from the service)."""
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
        record(sheet, "sheet_archive", by=by, at=now, after=str(_("已存档")))
    return sheet


def record_return_visit(
    sheet: ServiceSheet, *, note: str, by: User, now: datetime, satisfaction: str = "satisfied", problems: str = ""
) -> ServiceSheet:
    """The next-day phone call after onsite service (RV-2): the sheet's onsite return visit is
    recorded through the visits workflow, which meets its clock and writes the customer care
    column; the sheet keeps the note for its own record."""
    require(by, "fieldservice.archive", sheet.order)
    note = text(ServiceSheet, "return_visit_note", note, required=True, field="note")
    if sheet.signed_at is None:
        raise Invalid(NOT_SIGNED)
    with transaction.atomic():
        if not ServiceSheet.objects.filter(pk=sheet.pk, return_visit_at__isnull=True).update(
            return_visit_at=now, return_visit_note=note
        ):
            raise Conflict(ALREADY_VISITED)
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


def propose_to_library(sheet: ServiceSheet, *, by: User, now: datetime):
    """A solved problem proposed to the standardised problem library (OS-7, KB-1 via knowledge)."""
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
