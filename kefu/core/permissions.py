"""Permission checks inside workflow functions, so no caller can skip them."""

from kefu.core.errors import Forbidden


def require(user, perm: str, obj=None) -> None:
    """Raise Forbidden unless `user` holds `perm` (a rules permission) on `obj`."""
    if user is None or not user.is_authenticated or not user.has_perm(perm, obj):
        raise Forbidden()
