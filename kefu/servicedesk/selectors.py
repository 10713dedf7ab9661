"""Scoped reads of the service desk: every list and page goes through visible_to(user)."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404

from kefu.search import search as fulltext
from kefu.servicedesk.models import CallLog, DutyShift, HotlineRecord, ServiceRequest

CONNECTION_TARGET = 0.9
LIST_RELATED = ("customer", "owner")


def requests_for(
    user,
    *,
    q: str = "",
    owner: str = "",
    status: str = "",
    priority: str = "",
    type: str = "",
    channel: str = "",
    overdue: bool = False,
    customer: str = "",
    now: datetime | None = None,
) -> QuerySet:
    """The request list with its usual filters (owner, status, priority, overdue), newest first."""
    qs = ServiceRequest.objects.visible_to(user)
    if owner == "me":
        qs = qs.filter(owner=user)
    elif owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif owner.isdigit():
        qs = qs.filter(owner_id=int(owner))
    if status == "open":
        qs = qs.exclude(status=ServiceRequest.Status.CLOSED)
    elif status in ServiceRequest.Status.values:
        qs = qs.filter(status=status)
    if priority in ServiceRequest.Priority.values:
        qs = qs.filter(priority=priority)
    if type in ServiceRequest.Type.values:
        qs = qs.filter(type=type)
    if channel in ServiceRequest.Channel.values:
        qs = qs.filter(channel=channel)
    if customer.isdigit():
        qs = qs.filter(customer_id=int(customer))
    if overdue and now is not None:
        qs = qs.filter(first_response_at__isnull=True, first_response_due__lt=now)
    if q.strip():
        qs = qs.filter(pk__in=fulltext(ServiceRequest.objects.all(), q).order_by().values("pk"))
    return qs.select_related(*LIST_RELATED).order_by("-created_at", "-id")


def request_for(user, pk) -> ServiceRequest:
    """One request; a withdrawn one stays readable by staff (SR-7)."""
    manager = ServiceRequest.all_objects if not user.is_customer_user else ServiceRequest.objects
    return get_object_or_404(
        manager.visible_to(user).select_related(
            "customer", "contact", "owner", "created_by", "withdrawal_requested_by", "deleted_by"
        ),
        pk=pk,
    )


def steps_of(req: ServiceRequest, *, customer_view: bool = False):
    qs = req.steps.select_related("by")
    return qs.filter(visible_to_customer=True) if customer_view else qs


def hotline_records_for(user, *, mine: bool = False, outcome: str = "") -> QuerySet:
    qs = HotlineRecord.objects.visible_to(user)
    if mine:
        qs = qs.filter(engineer=user)
    if outcome in HotlineRecord.Outcome.values:
        qs = qs.filter(outcome=outcome)
    return qs.select_related("request", "customer", "engineer").order_by("-started_at", "-id")


def unsolved_for(user, *, open_only: bool = True) -> QuerySet:
    """The service manager's list of unsolved records (HL-7), each tracked to a closed loop."""
    qs = HotlineRecord.objects.visible_to(user).filter(submitted_at__isnull=False)
    if open_only:
        qs = qs.filter(loop_closed_at__isnull=True)
    return qs.select_related("request", "customer", "engineer", "submitted_to").order_by("submitted_at", "id")


def shifts_for(user, *, start: datetime, days: int = 7, mine: bool = False) -> QuerySet:
    qs = DutyShift.objects.visible_to(user).filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=days))
    if mine:
        qs = qs.filter(engineer=user)
    return qs.select_related("engineer").order_by("starts_at", "id")


def on_duty_now(now: datetime) -> list[DutyShift]:
    return list(DutyShift.objects.on_duty(now).select_related("engineer").order_by("starts_at"))


def calls_for(user) -> QuerySet:
    return CallLog.objects.visible_to(user).select_related("engineer").order_by("-at", "-id")


def connection_rate(user, *, first: date, last: date) -> dict:
    """Answered share of incoming calls per day and per engineer, against the 90 % target (HL-8)."""
    qs = CallLog.objects.visible_to(user).filter(at__date__gte=first, at__date__lte=last)
    rows = (
        qs.annotate(day=TruncDate("at"))
        .values("day", "engineer__username", "engineer__name")
        .annotate(total=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
        .order_by("day")
    )
    by_day: dict = defaultdict(lambda: [0, 0])
    by_engineer: dict = defaultdict(lambda: [0, 0])
    for r in rows:
        by_day[r["day"]][0] += r["answered"]
        by_day[r["day"]][1] += r["total"]
        name = r["engineer__name"] or r["engineer__username"] or "—"
        by_engineer[name][0] += r["answered"]
        by_engineer[name][1] += r["total"]

    def rate(pair):
        return {
            "answered": pair[0],
            "total": pair[1],
            "rate": round(pair[0] / pair[1], 4) if pair[1] else None,
            "meets_target": bool(pair[1]) and pair[0] / pair[1] >= CONNECTION_TARGET,
        }

    answered = sum(p[0] for p in by_day.values())
    total = sum(p[1] for p in by_day.values())
    return {
        "target": CONNECTION_TARGET,
        "overall": rate([answered, total]),
        "by_day": [{"day": d.isoformat(), **rate(p)} for d, p in sorted(by_day.items())],
        "by_engineer": [{"engineer": n, **rate(p)} for n, p in sorted(by_engineer.items())],
    }


def similar_closed_requests(text: str, *, user, limit: int) -> list:
    """KB-3 source: closed requests whose phenomenon shares words with what is being typed."""
    from kefu.knowledge.suggest import Suggestion
    from kefu.search import suggest

    qs = ServiceRequest.objects.visible_to(user).filter(status=ServiceRequest.Status.CLOSED)
    return [
        Suggestion(
            title=r.phenomenon[:80],
            url=r.get_absolute_url(),
            snippet=(r.result or r.method)[:120],
            key=f"servicedesk.servicerequest:{r.pk}",
            meta=f"{r.number} · {r.customer_id}",
        )
        for r in suggest(qs, text, limit=limit)
    ]
