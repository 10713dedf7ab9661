"""Duty roster and handover (HL-1, HL-2)."""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.audit.service import event, record, record_many
from kefu.core.errors import Conflict, Forbidden, Invalid
from kefu.core.permissions import require
from kefu.core.validation import text
from kefu.deadlines import clocks
from kefu.notify import outbox
from kefu.org import roles
from kefu.org.models import User
from kefu.servicedesk.models import (
    DutyShift,
    Handover,
    ServiceRequest,
)
from kefu.servicedesk.workflow._common import (
    ALREADY_READY,
    ALREADY_TAKEN_OVER,
    NOT_ON_DUTY_ROLE,
    NOT_YOUR_SHIFT,
    SHIFT_NOT_STARTED,
    SHIFT_OVERLAPS,
    SHIFT_TIMES,
    S,
)


def plan_shift(engineer: User, *, starts_at: datetime, ends_at: datetime, by: User, now: datetime) -> DutyShift:
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
        if ends_at <= now:
            return shift  # a shift entered after the fact: nobody needs a notice of it
        outbox.enqueue(
            "duty.planned",
            shift,
            to=[engineer],
            subject=str(_("您的值班：%(s)s") % {"s": f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M}"}),
            link="/servicedesk/duty/",
            now=now,
        )
    return shift


def copy_week(week_start: date, *, by: User, now: datetime) -> list[DutyShift]:
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


READY_RULE, HANDOVER_RULE = "hotline.duty_ready", "hotline.handover"


def start_due_handovers(*, now: datetime) -> int:
    """The job: each shift that has begun gets its clocks from its start (HL-2): ready at the
    post within 10 minutes, the previous shift's items taken over within 30. Idempotent."""
    started = 0
    for shift in (
        DutyShift.objects.filter(starts_at__lte=now, ends_at__gt=now)
        .filter(Q(ready_at__isnull=True) | Q(taken_over_at__isnull=True))
        .select_related("engineer")
    ):
        for rule, done in ((READY_RULE, shift.ready_at), (HANDOVER_RULE, shift.taken_over_at)):
            if done is None and clocks.open_clock(shift, rule) is None:
                clocks.start(shift, rule, owner=shift.engineer, now=shift.starts_at)
                started += 1
    return started


def _check_own_shift(shift: DutyShift, by, now: datetime) -> None:
    require(by, "servicedesk.take_over", shift)
    if shift.engineer_id != by.pk and not by.has_perm("servicedesk.plan_duty"):
        raise Forbidden(NOT_YOUR_SHIFT)
    if now < shift.starts_at - timedelta(minutes=15):
        raise Invalid(SHIFT_NOT_STARTED)


def _meet(shift: DutyShift, rule: str, *, by, now: datetime):
    """Stop the shift's clock of `rule`, starting it from the shift start first if the job has
    not yet (a clock met late stays marked as breached)."""
    clocks.start(shift, rule, owner=shift.engineer, now=min(shift.starts_at, now), by=by)
    return clocks.stop(shift, rule, now=now, by=by)


def report_ready(shift: DutyShift, *, by: User, now: datetime) -> DutyShift:
    """The engineer on duty reports ready at the post (准时到岗, HL-2): due 10 minutes after the
    shift starts."""
    _check_own_shift(shift, by, now)
    with transaction.atomic():
        if not DutyShift.objects.filter(pk=shift.pk, ready_at__isnull=True).update(ready_at=now):
            raise Conflict(ALREADY_READY)
        shift.refresh_from_db()
        clock = _meet(shift, READY_RULE, by=by, now=now)
        record(
            shift,
            "report_ready",
            by=by,
            at=now,
            after=f"{timezone.localtime(now):%H:%M}",
            data={"late": bool(clock and now > clock.due_at)},
        )
    return shift


HANDOVER_REASON = _("交接班")


def _hand_over(items: list[ServiceRequest], *, to: User, by, now: datetime) -> None:
    """The engineer taking over owns the previous shift's open items (and the unowned ones) from
    now: each a transfer with the reason 交接班 (SR-3), its running clocks on their workbench."""
    moving = [req for req in items if req.owner_id != to.pk]
    if not moving:
        return
    ServiceRequest.objects.filter(pk__in=[req.pk for req in moving]).update(owner=to, updated_at=now)
    events = []
    for req in moving:
        clocks.reassign(req, to, exclude_prefix="returnvisit.")
        events.append(
            event(
                req,
                "transfer",
                by=by,
                at=now,
                before=req.owner.display_name if req.owner_id else "",
                after=to.display_name,
                data={"reason": str(HANDOVER_REASON), "handover": True},
            )
        )
        req.owner = to
    record_many(events)


def take_over(shift: DutyShift, *, by: User, now: datetime, note: str = "") -> Handover:
    """The engineer on duty takes over the previous shift's open items; recorded (HL-2). They
    become the items' owner, their clocks with them (`_hand_over`).

    Later than 30 minutes after the shift start, the handover clock is already breached (the
    breach scan raised it); it is met late.
    """
    _check_own_shift(shift, by, now)
    with transaction.atomic():
        if not DutyShift.objects.filter(pk=shift.pk, taken_over_at__isnull=True).update(taken_over_at=now):
            raise Conflict(ALREADY_TAKEN_OVER)
        # Taking over is being at the post: ready now, unless reported before.
        became_ready = DutyShift.objects.filter(pk=shift.pk, ready_at__isnull=True).update(ready_at=now)
        shift.refresh_from_db()
        if became_ready:
            _meet(shift, READY_RULE, by=by, now=now)
        prev = previous_shift(shift)
        handover = Handover.objects.create(shift=shift, previous=prev, by=by, at=now, note=text(Handover, "note", note))
        items = list(open_items(prev).select_related("owner"))
        handover.items.set(items)
        _hand_over(items, to=shift.engineer, by=by, now=now)
        clock = _meet(shift, HANDOVER_RULE, by=by, now=now)
        record(
            shift,
            "take_over",
            by=by,
            at=now,
            after=str(len(items)),
            data={"items": [r.pk for r in items], "late": bool(clock and now > clock.due_at)},
        )
    return handover
