"""Shared fixtures: the clock, personas for roles and relations, API clients."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

SHANGHAI = ZoneInfo("Asia/Shanghai")


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
    """api_as(user) → an APIClient authenticated with the user's token."""
    from rest_framework.authtoken.models import Token

    def make(user):
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
