"""State changes of the org domain. Each is one transaction with its audit event."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from knox.models import get_digest_token
from knox.settings import CONSTANTS

from kefu.audit import verbs
from kefu.audit.service import record
from kefu.core.errors import REASON_REQUIRED, Conflict, Forbidden, Invalid
from kefu.core.permissions import require
from kefu.org import roles
from kefu.org.models import ApiToken, Station, User

UNKNOWN_ROLE = _("未知角色：%(key)s")
INACTIVE = _("该账户已停用。")
TOKEN_GONE = _("该令牌已撤销或已过期。")

verbs.register("org", revoke_token=_("撤销 API 令牌"), deactivate=_("停用账户"))


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


# --- API tokens (issue 13 §5) ---------------------------------------------------------------


def issue_token(user: User, *, now: datetime, client: str = "") -> tuple[ApiToken, str]:
    """A new API token for a user who has just given their password: (the row, the token).

    The token itself is returned once and never stored, only its SHA-512 digest; it expires
    `KEFU_TOKEN_TTL` from now. Every call gives a new token; the user's expired ones go.
    """
    if not user.is_active:
        raise Forbidden(INACTIVE)
    digest, token = get_digest_token()
    with transaction.atomic():
        ApiToken.objects.filter(user=user, expiry__lte=now).delete()
        row = ApiToken.objects.create(
            user=user,
            digest=digest,
            token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH],
            created=now,
            expiry=now + settings.KEFU_TOKEN_TTL,
            client=client[:200],
        )
    return row, token


def revoke_token(token: ApiToken, *, by: User, now: datetime) -> None:
    """End one token: its owner may, and an administrator may end anyone's."""
    if token.user_id != by.pk:
        require(by, "core.admin_site")
    with transaction.atomic():
        deleted, _count = ApiToken.objects.filter(pk=token.pk).delete()
        if not deleted:
            raise Conflict(TOKEN_GONE)
        record(token.user, "revoke_token", by=by, at=now, data={"prefix": token.prefix, "client": token.client})


def log_out(user: User, *, token: ApiToken | None = None) -> int:
    """Logout ends API tokens: the one given (API logout), or every token of the user (web
    logout: leaving a shared computer ends everything). Returns how many ended."""
    tokens = ApiToken.objects.filter(user=user)
    if token is not None:
        tokens = tokens.filter(pk=token.pk)
    deleted, _count = tokens.delete()
    return deleted


def deactivate_user(user: User, *, by: User, reason: str, now: datetime) -> User:
    """Deactivate a user: they can no longer log in, their sessions and API tokens end, and
    their history stays attributable (users are never deleted)."""
    require(by, "core.admin_site")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    with transaction.atomic():
        if not User.objects.filter(pk=user.pk, is_active=True).update(is_active=False):
            raise Conflict()
        ApiToken.objects.filter(user=user).delete()
        record(user, "deactivate", by=by, at=now, before=_("在用"), after=_("已停用"), data={"reason": reason})
    user.is_active = False
    return user
