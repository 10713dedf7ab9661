"""Shared fixtures: the clock, personas for roles and relations, API clients."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

SHANGHAI = ZoneInfo("Asia/Shanghai")


def pytest_configure(config):
    """Every audit event a test writes must have a label in its subject's domain (issue 14 §1)."""
    from kefu.audit import verbs

    verbs.STRICT = True


@pytest.fixture
def now() -> datetime:
    """A fixed instant: Monday 2025-11-24 10:00 in Shanghai. Tests never read the real clock."""
    return datetime(2025, 11, 24, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def station_a(db):
    from kefu.org.tests.factories import StationFactory

    return StationFactory(code="station-a", name="上海浦东维修站")


@pytest.fixture
def station_b(db):
    from kefu.org.tests.factories import StationFactory

    return StationFactory(code="station-b", name="杭州西湖维修站")


@pytest.fixture
def make_user(db):
    from kefu.org.tests.factories import UserFactory

    def make(*roles: str, **kwargs):
        return UserFactory(roles=list(roles), **kwargs)

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user("admin", username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as():
    """api_as(user) → an APIClient authenticated with a new API token of the user, as POST
    /api/auth/token/ issues it (kefu.org.workflow.issue_token), written in one INSERT and stamped
    as just used, so that a test's query counts stay those of the endpoint it calls."""
    from django.conf import settings
    from django.utils import timezone
    from knox.models import get_digest_token

    from kefu.org.models import ApiToken

    def make(user):
        now = timezone.now()
        digest, token = get_digest_token()
        ApiToken.objects.create(
            user=user,
            digest=digest,
            token_key=token[:15],
            created=now,
            expiry=now + settings.KEFU_TOKEN_TTL,
            last_used_at=now,
            client="pytest",
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    return make


@pytest.fixture(autouse=True)
def _fresh_login_throttle(settings):
    """Each test starts with no logins counted by the API's rate limit (kefu.core.lockout)."""
    from django.core.cache import caches

    caches[settings.KEFU_THROTTLE_CACHE].clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request's LocaleMiddleware leaves its
    language active in the thread, and the next test would read English."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)
