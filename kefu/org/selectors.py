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


def active_with_role(role: str) -> list[User]:
    """Active users holding `role`, oldest account first (a stable default pick)."""
    return list(User.objects.filter(is_active=True, groups__name=role).distinct().order_by("pk"))


def service_manager_for(user) -> User | None:
    """Whose desk a request from `user` lands on: their own manager when that is a service
    manager, else the first service manager (HL-6, HL-7, OS-1)."""
    from kefu.org import roles

    if user.manager_id and user.manager.has_role(roles.SERVICE_MANAGER):
        return user.manager
    return next(iter(active_with_role(roles.SERVICE_MANAGER)), None)
