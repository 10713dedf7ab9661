"""Demo data: calendars, rules and real clocks for the demo users, idempotent (issues 4, 12)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType

from kefu.deadlines import selectors
from kefu.deadlines.models import OPEN_STATES, Clock, ClockState
from kefu.notify.models import Notification
from kefu.org.demo_data import load
from kefu.org.models import Department, Station, User

pytestmark = pytest.mark.django_db


def test_demo_roles_with_a_domain_have_real_clocks_not_placeholders():
    load()
    for username in ("hotline", "field_engineer", "first_visit", "customer_rep", "call_center"):
        assert Clock.objects.filter(owner__username=username, state__in=OPEN_STATES).exists(), username
    # Issue 12 §7: no clock whose subject is a department or a station (nothing to click).
    placeholders = ContentType.objects.get_for_models(Department, Station).values()
    assert not Clock.objects.filter(content_type__in=placeholders).exists()
    manager = User.objects.get(username="service_manager")
    team = selectors.rows(selectors.clocks_for(manager, team=True), limit=100)
    assert {c.owner.username for c in team} >= {"hotline", "field_engineer"}
    count = Clock.objects.count()
    assert load() == 0
    assert Clock.objects.count() == count


@pytest.mark.parametrize("hour, minute", [(0, 30), (10, 0), (20, 5)])
def test_demo_is_a_normal_working_day_whatever_the_hour_it_is_loaded(hour, minute):
    """Issue 12 §3: no overdue handover or ready clock for the hotline user, and no 您的值班
    notices of shifts already over."""
    now = datetime(2026, 12, 3, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))
    load(now=now)
    hotline = User.objects.get(username="hotline")
    duty = Clock.objects.filter(owner=hotline, rule__key__in=["hotline.handover", "hotline.duty_ready"])
    assert not duty.filter(state=ClockState.BREACHED).exists()
    assert not duty.filter(state__in=OPEN_STATES, due_at__lt=now).exists()
    notices = Notification.objects.filter(recipient=hotline, title__startswith="您的值班")
    assert not [n.title for n in notices if n.title[5:15] < f"{now:%Y-%m-%d}"]
