"""Login lockout and throttling (issue 13 §5, QS-6).

django-axes counts failed logins per username *and* address: 5 failures of one username from one
address lock that pair for 15 minutes, so nobody can keep `admin` out of the system from their
own address, and an office behind one NAT address is not locked out by one person's typos.
On top of that an address is locked as a whole once it has failed 20 times within those 15
minutes, whatever usernames it tried (one password against many usernames). The token endpoint
of the API is also rate limited per address by a DRF throttle (`LoginRateThrottle`).

The client address is REMOTE_ADDR, or, behind `KEFU_PROXY_COUNT` trusted reverse proxies, the
address the outermost of them saw (`X-Forwarded-For`, counted from the right, like DRF's
`NUM_PROXIES`): a client cannot choose its own address by sending the header itself.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import caches
from django.db.models import Sum
from rest_framework.throttling import SimpleRateThrottle


def client_ip(request) -> str | None:
    """The caller's address (axes' AXES_CLIENT_IP_CALLABLE; the same rule as DRF's throttles)."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.KEFU_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",")]
    return hops[-min(proxies, len(hops))] or remote


def address_failures(request) -> int:
    """Failed logins from the request's address within the cool-off time, any username."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    recent = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=get_cool_off_threshold(request))
    return recent.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler, plus the per-address limit: an address with
    `KEFU_ADDRESS_FAILURE_LIMIT` failures counts as locked for every username."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        if failures < settings.AXES_FAILURE_LIMIT and address_failures(request) >= settings.KEFU_ADDRESS_FAILURE_LIMIT:
            request.kefu_address_locked = True
            return settings.AXES_FAILURE_LIMIT
        return failures


class LoginRateThrottle(SimpleRateThrottle):
    """POST /api/auth/token/: at most `KEFU_LOGIN_RATE` requests per address, right or wrong."""

    scope = "login"

    @property
    def cache(self):
        return caches[settings.KEFU_THROTTLE_CACHE]

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
