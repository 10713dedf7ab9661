"""Scoped reads of complaints (every list and detail goes through here)."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from kefu.complaints.models import Complaint, CorrectiveAction


def complaints_for(
    user,
    *,
    status: str = "",
    q: str = "",
    customer: int | None = None,
    crisis: bool = False,
    valid: str = "",
) -> QuerySet:
    qs = Complaint.objects.visible_to(user)
    if status == "open":
        qs = qs.open()
    elif status:
        qs = qs.filter(status=status)
    if customer:
        qs = qs.filter(customer_id=customer)
    if crisis:
        qs = qs.exclude(crisis_level="")
    if valid == "counted":
        qs = qs.counted()
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(customer__name__icontains=q))
    return qs.order_by("-id")


def complaint_for(user, pk) -> Complaint:
    return get_object_or_404(
        Complaint.objects.visible_to(user).select_related(
            "customer", "department__head", "responsible", "station", "reviewed_by", "received_by"
        ),
        pk=pk,
    )


def actions_for(user, *, status: str = "", mine: bool = False) -> QuerySet:
    if not user.is_authenticated or user.is_external:
        return CorrectiveAction.objects.none()
    complaints = Complaint.objects.visible_to(user).values("pk")
    qs = CorrectiveAction.objects.filter(Q(complaint__in=complaints) | Q(owner=user))
    if mine:
        qs = qs.filter(owner=user)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("complaint__customer", "owner").order_by("-id")
