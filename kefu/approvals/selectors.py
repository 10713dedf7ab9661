"""Scoped reads of approvals: 待我审批 (the steps waiting for me) and one approval's history."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404

from kefu.approvals.models import Approval, ApprovalStep
from kefu.deadlines.models import OPEN_STATES, Clock


def _with_due(steps):
    """Each step's open clock's due time, in the same query (the clock's subject id is text)."""
    ct = ContentType.objects.get_for_model(ApprovalStep)
    due = Clock.objects.filter(content_type=ct, state__in=OPEN_STATES, object_id=OuterRef("pk_text"))
    return steps.annotate(pk_text=Cast("pk", CharField())).annotate(due_at=Subquery(due.values("due_at")[:1]))


def pending_for(user):
    """The steps waiting for `user`'s decision, the oldest deadline first, with their due time."""
    steps = ApprovalStep.objects.filter(status=ApprovalStep.Status.PENDING, deciders=user).select_related(
        "approval", "approval__submitted_by", "approval__content_type"
    )
    return _with_due(steps).order_by("due_at", "pk")


def pending_count(user) -> int:
    return ApprovalStep.objects.filter(status=ApprovalStep.Status.PENDING, deciders=user).count()


def _steps_in_order():
    return ApprovalStep.objects.select_related("decided_by").prefetch_related("deciders").order_by("-round", "order")


def approvals_for(user):
    """With every step of every round (newest round first): a list reads them without N+1."""
    return (
        Approval.objects.visible_to(user)
        .select_related("submitted_by", "content_type")
        .prefetch_related(Prefetch("steps", queryset=_steps_in_order()))
    )


def approval_for(user, pk) -> Approval:
    return get_object_or_404(approvals_for(user), pk=pk)


def history(approval: Approval) -> list[ApprovalStep]:
    """Every step of every round, newest round first, with who decided."""
    return list(_steps_in_order().filter(approval=approval))
