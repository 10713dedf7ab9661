"""Demo data: calendars, rules and clocks for the demo users, idempotent (issue 4)."""

import pytest
from django.utils import timezone

from kefu.deadlines import selectors
from kefu.deadlines.demo import DEMO_CLOCKS
from kefu.deadlines.models import Clock
from kefu.org.demo_data import load
from kefu.org.models import User

pytestmark = pytest.mark.django_db


def test_demo_hotline_user_has_overdue_soon_and_later_clocks():
    load()
    hotline = User.objects.get(username="hotline")
    ours = [key for user, _kind, _code, key, _ago in DEMO_CLOCKS if user == "hotline"]
    clocks = selectors.decorate(
        selectors.rows(selectors.clocks_for(hotline).filter(rule__key__in=ours), limit=10), timezone.now()
    )
    # Other domains' demo data may add clocks of their own; these four are the engine's.
    assert [c.urgency for c in clocks] == ["overdue", "soon", "", ""]
    manager = User.objects.get(username="service_manager")
    team = selectors.rows(selectors.clocks_for(manager, team=True), limit=100)
    assert {c.owner.username for c in team} >= {"hotline", "field_engineer"}
    count = Clock.objects.count()
    assert load() == 0
    assert Clock.objects.count() == count
