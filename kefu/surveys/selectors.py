"""Scoped reads of surveys and rectifications."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from kefu.surveys.models import Rectification, Survey


def surveys_for(user, *, status: str = "", unsatisfied: bool = False) -> QuerySet:
    qs = Survey.objects.visible_to(user).select_related("customer", "served_by", "rectification")
    if status:
        qs = qs.filter(status=status)
    if unsatisfied:
        qs = qs.filter(rectification__isnull=False)
    return qs.order_by("-id")


def survey_for(user, pk) -> Survey:
    qs = Survey.objects.visible_to(user).select_related(
        "customer", "served_by", "entered_by", "rectification", "rectification__owner", "rectification__done_by"
    )
    return get_object_or_404(qs, pk=pk)


def rectifications_for(user, *, status: str = "", mine: bool = False) -> QuerySet:
    qs = Rectification.objects.visible_to(user).select_related("customer", "owner", "survey")
    if mine:
        qs = qs.filter(owner=user)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def rectification_for(user, pk) -> Rectification:
    return get_object_or_404(Rectification.objects.visible_to(user).select_related("survey", "owner"), pk=pk)
