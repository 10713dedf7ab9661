"""From the onsite request to the engineer on site (OS-1, OS-2, CAL-4)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.audit.service import record
from kefu.core import states
from kefu.core.errors import REASON_REQUIRED, Conflict, Invalid
from kefu.core.permissions import require
from kefu.core.validation import text
from kefu.customers import timeline
from kefu.deadlines import clocks, waiting
from kefu.fieldservice import handoffs
from kefu.fieldservice.models import Appointment, WorkOrder
from kefu.fieldservice.workflow._common import (
    APPOINTMENT_INVALID,
    APPOINTMENT_MISSED,
    APPOINTMENT_NOT_MISSED,
    DISPATCH_TAKEN,
    DISPATCHED_ALREADY,
    NOT_AN_ENGINEER,
    OPEN_ORDER,
    ORDER_OPEN,
    S,
    _audit,
    _contact_addresses,
    _customer_users,
    _local,
    _managers,
)
from kefu.notify import outbox
from kefu.org import roles
from kefu.org.models import User
from kefu.org.selectors import service_manager_for

# An appointment is a date a person can keep: not in the past beyond a day's slack for a late
# entry, not years ahead, not a week long.
APPOINTMENT_PAST = timedelta(days=1)
APPOINTMENT_AHEAD = timedelta(days=366)
APPOINTMENT_LONGEST = timedelta(days=3)
APPOINTMENT_OUT_OF_RANGE = _("预约时间须在今天起一年以内。")
APPOINTMENT_TOO_LONG = _("一次预约最长 3 天，请分次预约。")


def open_order_of(service_request) -> WorkOrder | None:
    """The request's work order still under way, if any (OS-1: one at a time)."""
    return WorkOrder.objects.filter(request=service_request, status__in=OPEN_ORDER).order_by("-pk").first()


def request_onsite(service_request, *, reason: str, by: User, now: datetime) -> WorkOrder:
    """Open an onsite request (待核实) for the service manager, with the verification clock (HL-6 → OS-1).

    Called by the service desk's HL-6 transition (`kefu.servicedesk.workflow.request_onsite`)
    inside its own transaction (`by`: the hotline engineer, service desk or service manager);
    `write_off` opens the follow-up request of an unsolved visit the same way. A request
    with an order still under way gets no second one: Conflict (409) naming that order.
    """
    require(by, "fieldservice.request_onsite")
    return _open_request(service_request, reason=reason, by=by, now=now, previous=None)


def _open_request(service_request, *, reason: str, by, now: datetime, previous: WorkOrder | None) -> WorkOrder:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    with transaction.atomic():
        current = open_order_of(service_request)
        if current is not None:
            raise Conflict(ORDER_OPEN % {"n": current.number, "s": current.get_status_display()})
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


def verify(order: WorkOrder, *, note: str = "", by: User, now: datetime) -> WorkOrder:
    """The service manager checks the onsite request before dispatch (OS-1)."""
    require(by, "fieldservice.verify", order)
    note = text(WorkOrder, "verify_note", note, field="note")
    with transaction.atomic():
        states.move(order, S.VERIFIED, by=by, now=now, verified_at=now, verify_note=note, verb="onsite_verify")
    return order


def send_back(order: WorkOrder, *, reason: str, by: User, now: datetime) -> WorkOrder:
    """The manager sends the request back to whoever raised it, with a reason (OS-1); the
    requesting domain takes its request back (handoffs.RETURNED)."""
    require(by, "fieldservice.verify", order)
    reason = text(WorkOrder, "return_reason", reason, field="reason")
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    with transaction.atomic():
        before = states.move(order, S.RETURNED, by=by, now=now, return_reason=reason)
        clocks.stop(order, "fieldservice.verify", now=now, by=by)
        handoffs.emit(handoffs.RETURNED, order, by=by, now=now, reason=reason)
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


def check_engineer(engineer: User | None) -> None:
    if (
        engineer is None
        or not engineer.is_active
        or engineer.is_external
        or not engineer.has_role(roles.FIELD_ENGINEER)
    ):
        raise Invalid(NOT_AN_ENGINEER, field="engineer")


def dispatch(order: WorkOrder, engineer: User, *, by: User, now: datetime) -> WorkOrder:
    """Send a verified onsite request to an engineer, announced in the 派单群 (OS-1, QS-3).

    Two managers at once: the conditional UPDATE lets exactly one through; the other gets
    DISPATCH_TAKEN (409 in the API).
    """
    require(by, "fieldservice.dispatch", order)
    check_engineer(engineer)
    with transaction.atomic():
        before = states.move(
            order,
            S.DISPATCHED,
            by=by,
            conflict=DISPATCH_TAKEN,
            conflict_from=DISPATCHED_ALREADY,
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


def confirm(order: WorkOrder, *, by: User, now: datetime) -> WorkOrder:
    """The engineer confirms the order's details (OS-2)."""
    require(by, "fieldservice.work", order)
    with transaction.atomic():
        states.move(order, S.CONFIRMED, by=by, now=now, confirmed_at=now, verb="onsite_confirm")
    return order


def check_times(start: datetime | None, end: datetime | None, *, now: datetime) -> None:
    if start is None:
        raise Invalid(APPOINTMENT_INVALID, field="start")
    if end is None or end <= start:
        raise Invalid(APPOINTMENT_INVALID, field="end")
    if start < now - APPOINTMENT_PAST or start > now + APPOINTMENT_AHEAD:
        raise Invalid(APPOINTMENT_OUT_OF_RANGE, field="start")
    if end - start > APPOINTMENT_LONGEST:
        raise Invalid(APPOINTMENT_TOO_LONG, field="end")


def set_appointment(
    order: WorkOrder, *, start: datetime, end: datetime, note: str = "", by: User, now: datetime
) -> WorkOrder:
    """The time agreed with the customer is recorded; the engineer must arrive within it (OS-2).

    Agreeing it is talking to the customer: the requesting domain hears of it (its first
    response is met) through handoffs.CONTACTED.
    """
    require(by, "fieldservice.work", order)
    check_times(start, end, now=now)
    note = text(Appointment, "note", note)
    with transaction.atomic():
        before = states.move(order, S.SCHEDULED, by=by, now=now, appointment_start=start, appointment_end=end)
        Appointment.objects.create(order=order, start=start, end=end, note=note, recorded_at=now, recorded_by=by)
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
        handoffs.emit(handoffs.CONTACTED, order, by=by, now=now, start=start, end=end)
    return order


def miss_appointment(
    order: WorkOrder, *, reason: str, start: datetime, end: datetime, by: User, now: datetime
) -> WorkOrder:
    """A missed appointment: reason, new time, and the customer is told (OS-2)."""
    require(by, "fieldservice.work", order)
    reason = text(Appointment, "note", reason, field="reason")
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    check_times(start, end, now=now)
    if order.status != S.SCHEDULED or order.appointment_end is None or order.appointment_end > now:
        raise Invalid(APPOINTMENT_NOT_MISSED)
    with transaction.atomic():
        Appointment.objects.filter(order=order, missed_reason="").update(missed_reason=reason)
        before = states.move(order, S.SCHEDULED, by=by, now=now, appointment_start=start, appointment_end=end)
        Appointment.objects.create(order=order, start=start, end=end, note=reason, recorded_at=now, recorded_by=by)
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
        handoffs.emit(handoffs.CONTACTED, order, by=by, now=now, start=start, end=end)
    return order


def check_in(order: WorkOrder, *, by: User, now: datetime) -> WorkOrder:
    """Arrival on site, within the agreed time (OS-2, OS-3)."""
    require(by, "fieldservice.work", order)
    if order.status == S.SCHEDULED and order.appointment_end and now > order.appointment_end:
        raise Invalid(APPOINTMENT_MISSED)
    with transaction.atomic():
        states.move(order, S.ON_SITE, by=by, now=now, checked_in_at=now, verb="check_in")
    return order


# --- CAL-4: waiting for the customer or a part ----------------------------------------------


def wait(order: WorkOrder, *, reason: str, note: str = "", by: User, now: datetime) -> WorkOrder:
    """The order waits for the customer or a part: its clocks pause, with the reason (CAL-4)."""
    require(by, "fieldservice.wait", order)
    if order.status not in OPEN_ORDER:
        raise Invalid(waiting.NOT_OPEN)
    with transaction.atomic():
        waiting.start(order, reason=reason, note=note, by=by, now=now)
    return order


def resume(order: WorkOrder, *, by: User, now: datetime) -> WorkOrder:
    """The wait is over: the clocks go on with the time they had left (CAL-4)."""
    require(by, "fieldservice.wait", order)
    with transaction.atomic():
        waiting.end(order, by=by, now=now)
    return order
