"""Scoped reads of the first visit."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from kefu.firstvisit.models import FirstVisit, Need
from kefu.search import search as fulltext

OPEN = (FirstVisit.Status.PENDING, FirstVisit.Status.RETRY)


def first_visits_for(user, *, q: str = "", status: str = "", mine: bool = False) -> QuerySet:
    """First visits, newest handover first; `q` searches customer, contract, record, needs (FV-6)."""
    qs = FirstVisit.objects.visible_to(user)
    if mine:
        qs = qs.filter(specialist=user)
    if status == "open":
        qs = qs.filter(status__in=OPEN)
    elif status:
        qs = qs.filter(status=status)
    if q.strip():
        qs = fulltext(qs, q)  # joins this query: a subquery of the same table would correlate
    return qs.select_related("customer", "contract", "specialist").order_by("-handed_over_at", "-id")


def first_visit_for(user, pk) -> FirstVisit:
    return get_object_or_404(
        FirstVisit.objects.visible_to(user).select_related("customer", "contract", "specialist", "handed_over_by"),
        pk=pk,
    )


def needs_for(user, *, status: str = "") -> QuerySet:
    qs = Need.objects.visible_to(user)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("customer", "department", "submitted_to", "recorded_by").order_by("-recorded_at", "-id")
