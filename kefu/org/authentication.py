"""API authentication (kept apart from kefu.core.api: DRF imports it while its views load).

Tokens are django-rest-knox tokens in our own model `org.ApiToken` (issue 13 §5): the header is
`Authorization: Token <64 hex characters>`; the first 15 find the row, the SHA-512 digest of
the whole token must match, and the token must not have expired. A wrong, expired or revoked
token is a 401 with `WWW-Authenticate: Token`.
"""

import binascii
from hmac import compare_digest

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions

from kefu.org.models import ApiToken

INVALID_TOKEN = _("令牌无效或已撤销，请重新获取令牌。")
EXPIRED_TOKEN = _("令牌已过期，请重新获取令牌。")
INACTIVE_USER = _("该账户已停用。")


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token check with the user's department and station in the same query (a clock
    started for the caller finds its working calendar there: deadlines.clocks.owner_calendar),
    no write on most requests (the last use is stamped at most once a minute), and expired
    tokens refused, not silently deleted on every request."""

    def authenticate_credentials(self, token: bytes):
        try:
            token = token.decode("utf-8")
            digest = hash_token(token)
        except (UnicodeDecodeError, TypeError, ValueError, binascii.Error):
            raise exceptions.AuthenticationFailed(INVALID_TOKEN) from None
        rows = ApiToken.objects.filter(token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH]).select_related(
            "user", "user__department", "user__station"
        )
        for row in rows:
            if compare_digest(digest, row.digest):
                return self._accept(row)
        raise exceptions.AuthenticationFailed(INVALID_TOKEN)

    def _accept(self, row):
        now = timezone.now()  # the outermost layer: a request arrives now
        if row.expiry <= now:
            raise exceptions.AuthenticationFailed(EXPIRED_TOKEN)
        if not row.user.is_active:
            raise exceptions.AuthenticationFailed(INACTIVE_USER)
        if row.last_used_at is None or now - row.last_used_at >= settings.KEFU_TOKEN_TOUCH_INTERVAL:
            type(row).objects.filter(pk=row.pk).update(last_used_at=now)
            row.last_used_at = now
        return (row.user, row)
