"""Scoped reads of onsite service: every list and detail goes through `visible_to` (QS-6)."""

from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kefu.fieldservice.models import QASample, WorkOrder
from kefu.fieldservice.workflow import OPEN_FOR_ENGINEER, WAITING
from kefu.org import roles
from kefu.org.models import User


def orders_for(user, *, status: str = ""):
    qs = WorkOrder.objects.visible_to(user).select_related("customer", "engineer", "request")
    if status:
        qs = qs.filter(status=status)
    return qs


def order_for(user, pk) -> WorkOrder:
    qs = WorkOrder.objects.visible_to(user).select_related(
        "customer", "engineer", "request", "request__contact", "dispatched_by", "sheet"
    )
    return get_object_or_404(qs, pk=pk)


def _day(now: datetime) -> tuple[datetime, datetime]:
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def board(*, now: datetime, limit: int = 50) -> dict:
    """The dispatch board (OS-1): the oldest waiting requests (first `limit`, with the total) and
    the engineers with their open load and today's appointments — 4 queries, whatever the size.
    """
    start, end = _day(now)
    waiting_qs = WorkOrder.objects.filter(status__in=WAITING)
    waiting = list(waiting_qs.select_related("customer", "customer__district").order_by("created_at", "id")[:limit])
    engineers = list(
        User.objects.filter(is_active=True, groups__name=roles.FIELD_ENGINEER)
        .select_related("field_profile", "field_profile__region")
        .order_by("username")
    )
    loads = {
        row["engineer"]: row
        for row in WorkOrder.objects.filter(status__in=OPEN_FOR_ENGINEER, engineer__isnull=False)
        .values("engineer")
        .annotate(
            open_orders=Count("id"),
            today_appointments=Count("id", filter=Q(appointment_start__gte=start, appointment_start__lt=end)),
        )
    }
    for e in engineers:
        row = loads.get(e.pk, {})
        e.open_orders = row.get("open_orders", 0)
        e.today_appointments = row.get("today_appointments", 0)
    engineers.sort(key=lambda e: (e.open_orders, e.username))
    return {"waiting": waiting, "waiting_total": waiting_qs.count(), "engineers": engineers}


def today_for_engineer(user, *, now: datetime):
    """The engineer's phone list (OS-3): today's appointments first, then orders without one."""
    _start, end = _day(now)
    return (
        WorkOrder.objects.visible_to(user)
        .filter(engineer=user, status__in=OPEN_FOR_ENGINEER)
        .filter(Q(appointment_start__lt=end) | Q(appointment_start__isnull=True))
        .select_related("customer", "request")
        .order_by("appointment_start", "id")
    )


def samples_for(user):
    if not (user.has_perm("fieldservice.qa_review") or user.has_perm("fieldservice.qa_sample")):
        return QASample.objects.none()
    return QASample.objects.select_related(
        "sheet", "sheet__order", "sheet__order__customer", "sheet__order__engineer", "reviewer"
    )
