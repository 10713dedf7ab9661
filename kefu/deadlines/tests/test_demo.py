"""Demo data: calendars, rules and clocks for the demo users, idempotent (issue 4)."""

import pytest
from django.contrib.contenttypes.models import ContentType

from kefu.deadlines import selectors
from kefu.deadlines.models import OPEN_STATES, Clock
from kefu.org.demo_data import load
from kefu.org.models import Department, User

pytestmark = pytest.mark.django_db


def test_demo_roles_with_a_domain_have_real_clocks_not_placeholders():
    load()
    department = ContentType.objects.get_for_model(Department)
    for username in ("hotline", "field_engineer", "first_visit", "customer_rep"):
        mine = Clock.objects.filter(owner__username=username, state__in=OPEN_STATES)
        assert mine.exists(), username
        assert not mine.filter(content_type=department).exists(), username
    # The hotline user's first task: take over the night shift's open items (HL-2).
    assert Clock.objects.filter(owner__username="hotline", rule__key="hotline.handover", state__in=OPEN_STATES).exists()
    manager = User.objects.get(username="service_manager")
    team = selectors.rows(selectors.clocks_for(manager, team=True), limit=100)
    assert {c.owner.username for c in team} >= {"hotline", "field_engineer"}
    count = Clock.objects.count()
    assert load() == 0
    assert Clock.objects.count() == count
