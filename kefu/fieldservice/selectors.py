"""Scoped reads of onsite service: every list and detail goes through `visible_to` (QS-6)."""

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kefu.deadlines.models import OPEN_STATES, Clock, ClockState
from kefu.fieldservice.models import QASample, ServiceSheet, WorkOrder
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


def may_see_sheet(user, sheet: ServiceSheet) -> bool:
    """Whether the user may open the sheet's order, and so its site photos (as `order_for`)."""
    return WorkOrder.objects.visible_to(user).filter(pk=sheet.order_id).exists()


def _day(now: datetime) -> tuple[datetime, datetime]:
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


# --- the dispatch board (OS-1) -------------------------------------------------------------

BOARD_PAGE = 20  # waiting rows per page of the dispatch board; the rest load on demand (htmx)


def waiting_page(after: str) -> tuple[list[WorkOrder], bool]:
    """One page of waiting requests, oldest first, after the row with pk `after` (keyset, so a row
    dispatched meanwhile neither repeats nor hides another). Only the columns the board shows."""
    qs = (
        WorkOrder.objects.filter(status__in=WAITING)
        .select_related("customer__district")
        .only("id", "number", "status", "reason", "created_at", "customer__name", "customer__district__name")
        .order_by("created_at", "id")
    )
    if after.isascii() and after.isdigit():
        anchor = Subquery(WorkOrder.all_objects.filter(pk=after).values("created_at")[:1])
        qs = qs.filter(Q(created_at__gt=anchor) | Q(created_at=anchor, id__gt=int(after)))
    rows = list(qs[: BOARD_PAGE + 1])
    for row in rows:  # get_status_display() would translate all twelve labels on every call
        row.status_label = WorkOrder.Status(row.status).label
        row.reason_short = row.reason if len(row.reason) <= 60 else row.reason[:59] + "…"
    return rows[:BOARD_PAGE], len(rows) > BOARD_PAGE


def engineer_rows(now) -> list[dict]:
    """Every active field engineer with skills, region, open orders and today's appointments:
    three queries whatever the number of engineers; least loaded first (the default pick)."""
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    open_orders = dict(
        WorkOrder.objects.filter(status__in=OPEN_FOR_ENGINEER, engineer__isnull=False)
        .values_list("engineer")
        .annotate(n=Count("id"))
        .order_by()
    )
    today: dict[int, list[str]] = {}
    for engineer, begins, ends in (
        WorkOrder.objects.filter(status__in=OPEN_FOR_ENGINEER, appointment_start__gte=start, appointment_start__lt=end)
        .values_list("engineer", "appointment_start", "appointment_end")
        .order_by("appointment_start")
    ):
        span = timezone.localtime(begins).strftime("%H:%M")
        if ends is not None:
            span += "–" + timezone.localtime(ends).strftime("%H:%M")
        today.setdefault(engineer, []).append(span)
    engineers = User.objects.filter(is_active=True, groups__name=roles.FIELD_ENGINEER).values_list(
        "id", "username", "name", "first_name", "last_name", "field_profile__skills", "field_profile__region__name"
    )
    rows = [
        {
            "pk": str(pk),  # strings: the template neither localises nor looks anything up
            "name": name or f"{first} {last}".strip() or username,  # as User.display_name
            "username": username,
            "skills": skills or "",
            "region": region or "",
            "open": str(open_orders.get(pk, 0)),
            "today": ", ".join(today.get(pk, ())),
            "load": (open_orders.get(pk, 0), len(today.get(pk, ()))),
        }
        for pk, username, name, first, last, skills, region in engineers
    ]
    rows.sort(key=lambda r: (r["load"], r["username"]))
    return rows


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


# --- the customer-service desk's queue (OS-6) ------------------------------------------------

DESK_QUEUE = 10


def sheets_to_archive(user, *, limit: int = DESK_QUEUE) -> tuple[list[ServiceSheet], int]:
    """Signed sheets the desk has not archived yet, oldest first, each with its OS-6 clock's due
    time (`desk_due`) and breach: two queries and a count, whatever the backlog."""
    qs = ServiceSheet.objects.filter(
        signed_at__isnull=False, archived_at__isnull=True, order__in=WorkOrder.objects.visible_to(user)
    )
    sheets = list(qs.select_related("order__customer", "order__engineer").order_by("signed_at", "pk")[:limit])
    ct = ContentType.objects.get_for_model(ServiceSheet)
    due = {
        int(object_id): (due_at, state)
        for object_id, due_at, state in Clock.objects.filter(
            content_type=ct,
            object_id__in=[str(s.pk) for s in sheets],
            rule__key="fieldservice.sheet_to_desk",
            state__in=OPEN_STATES,
        ).values_list("object_id", "due_at", "state")
    }
    for sheet in sheets:
        sheet.desk_due, state = due.get(sheet.pk, (None, ""))
        sheet.desk_breached = state == ClockState.BREACHED
    return sheets, qs.count()
