"""Scoped reads of the org domain: every list and detail goes through visible_to(user)."""

from django.shortcuts import get_object_or_404

from kefu.org.models import Department, Region, Station, User


def stations_for(user):
    return Station.objects.visible_to(user).select_related("region").order_by("code")


def station_for(user, pk) -> Station:
    return get_object_or_404(Station.objects.visible_to(user).select_related("region", "company"), pk=pk)


def users_for(user):
    return (
        User.objects.visible_to(user)
        .filter(is_active=True)
        .select_related("department", "station")
        .prefetch_related("groups")
        .order_by("username")
    )


def departments_for(user):
    return Department.objects.visible_to(user).select_related("head").order_by("code")


def regions(parent: str | None = None):
    """Reference data, the same for everyone: the 省/市/区 tree, one level at a time."""
    qs = Region.objects.all()
    return qs.filter(parent_id=parent) if parent else qs.filter(level=Region.Level.PROVINCE)
