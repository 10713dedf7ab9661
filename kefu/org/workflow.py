"""State changes of the org domain. Each is one transaction with its audit event."""

from datetime import datetime

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kefu.audit.service import record
from kefu.core.errors import Conflict, Invalid
from kefu.core.permissions import require
from kefu.org import roles
from kefu.org.models import Station, User

UNKNOWN_ROLE = _("未知角色：%(key)s")


def retire_station(station: Station, *, by: User, reason: str, now: datetime) -> Station:
    """Retire a repair station: the row stays, marked deleted with its reason (QS-1)."""
    require(by, "org.retire_station", station)
    with transaction.atomic():
        locked = Station.all_objects.select_for_update().get(pk=station.pk)
        if locked.is_deleted:
            raise Conflict()
        locked.mark_deleted(by=by, reason=reason, now=now)
        locked.save(update_fields=["deleted_at", "deleted_by", "delete_reason"])
        record(
            locked,
            "soft_delete",
            by=by,
            at=now,
            before=_("在用"),
            after=_("已删除"),
            data={"reason": locked.delete_reason},
        )
    return locked


def set_roles(user: User, keys: list[str], *, by: User, now: datetime) -> User:
    """Give `user` exactly these roles (a user may hold several)."""
    require(by, "core.admin_site")
    unknown = [k for k in keys if k not in roles.ROLE_KEYS]
    if unknown:
        raise Invalid(UNKNOWN_ROLE % {"key": unknown[0]}, field="roles")
    with transaction.atomic():
        before = sorted(user.groups.values_list("name", flat=True))
        user.groups.set(Group.objects.filter(name__in=keys))
        after = sorted(keys)
        if before != after:
            record(user, "assign_roles", by=by, at=now, before=",".join(before), after=",".join(after))
    user.__dict__.pop("role_keys", None)
    return user
