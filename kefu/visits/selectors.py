"""Scoped reads of return visits, with the due time read from the visit's open clock."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, F, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404

from kefu.deadlines.models import OPEN_STATES as CLOCK_OPEN
from kefu.deadlines.models import Clock
from kefu.visits.models import ReturnVisit


def with_due(qs: QuerySet) -> QuerySet:
    """Annotate `due_at`: the due time of the visit's open clock, as the deadline engine keeps it."""
    ct = ContentType.objects.get_for_model(ReturnVisit)
    due = Clock.objects.filter(
        content_type=ct, object_id=Cast(OuterRef("pk"), CharField()), state__in=CLOCK_OPEN
    ).values("due_at")[:1]
    return qs.annotate(due_at=Subquery(due))


def in_work_order(qs: QuerySet) -> QuerySet:
    """What to do first (issue 12 §7, RV-8): open visits by due time (the overdue ones, then those
    due soon), then the scheduled ones by their day, then the rest (done, cancelled).

    `qs` carries `due_at` (`with_due`). One ORDER BY: no query more, whatever the page.
    """
    rank = Case(
        When(status=ReturnVisit.Status.OPEN, then=Value(0)),
        When(status=ReturnVisit.Status.SCHEDULED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return qs.annotate(work_rank=rank).order_by(
        "work_rank", F("due_at").asc(nulls_last=True), F("planned_for").asc(nulls_last=True), "pk"
    )


def visits_for(user, *, scope: str = "mine", status: str = "", kind: str = "", overdue_at=None) -> QuerySet:
    """My visits (RV-8), or all for a manager; `overdue_at=now` keeps open visits past due."""
    qs = ReturnVisit.objects.visible_to(user)
    if scope == "mine" or not user.has_perm("visits.view_overdue"):
        qs = qs.filter(assignee=user)
    if status == "todo":
        qs = qs.filter(status__in=[ReturnVisit.Status.SCHEDULED, ReturnVisit.Status.OPEN])
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    qs = with_due(qs.select_related("customer", "assignee", "plan"))
    if overdue_at is not None:
        qs = qs.filter(status=ReturnVisit.Status.OPEN, due_at__lt=overdue_at)
    return in_work_order(qs)


def visit_for(user, pk) -> ReturnVisit:
    qs = with_due(
        ReturnVisit.objects.visible_to(user).select_related("customer", "assignee", "plan", "done_by", "source_type")
    )
    return get_object_or_404(qs, pk=pk)
