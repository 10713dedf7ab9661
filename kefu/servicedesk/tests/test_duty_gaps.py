"""HL-1 fill gaps: the hotline hours of a week that no shift covers, and filling one."""

from datetime import date, datetime, time, timedelta
from itertools import pairwise
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.deadlines.clockmath import CalendarSnapshot
from kefu.servicedesk import selectors, workflow
from kefu.servicedesk.models import DutyShift
from kefu.servicedesk.tests.factories import hotline_engineer

SH = ZoneInfo("Asia/Shanghai")
# The hotline calendar as the demo and defaults have it: every day 08:00–20:00, no holidays.
HOURS = CalendarSnapshot(tz=SH, weekly=(((time(8), time(20)),),) * 7)
MONDAY = date(2025, 11, 24)
WEEK = [MONDAY + timedelta(days=i) for i in range(7)]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(MONDAY + timedelta(days=day), time(hour, minute), tzinfo=SH)


def shift(start: datetime, end: datetime):
    return SimpleNamespace(starts_at=start, ends_at=end)


def test_hl1_gaps_are_the_uncovered_hotline_hours_of_the_week():
    shifts = [shift(at(0, 8), at(0, 14)), shift(at(0, 13), at(0, 20)), shift(at(1, 8), at(1, 12))]
    shifts += [shift(at(1, 15), at(1, 21)), shift(at(1, 22), at(2, 9))]  # a night shift into Wednesday
    shifts += [shift(at(d, 8), at(d, 20)) for d in range(3, 7)]
    assert selectors.duty_gaps(WEEK, shifts, HOURS) == [(at(1, 12), at(1, 15)), (at(2, 9), at(2, 20))]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7 * 24 * 4), st.integers(1, 16 * 4)), max_size=12))
def test_hl1_gaps_and_shifts_together_cover_the_hotline_hours_exactly(raw):
    start = datetime.combine(MONDAY, time(0), tzinfo=SH)
    shifts = [shift(start + timedelta(minutes=15 * a), start + timedelta(minutes=15 * (a + b))) for a, b in raw]
    gaps = selectors.duty_gaps(WEEK, shifts, HOURS)
    for (s1, e1), (s2, _e2) in pairwise(gaps):
        assert s1 < e1 <= s2  # ordered, not overlapping, never empty
    for day in WEEK:
        for quarter in range(8 * 4, 20 * 4):  # every quarter hour of the hotline day
            t = datetime.combine(day, time(0), tzinfo=SH) + timedelta(minutes=15 * quarter)
            in_gap = any(s <= t < e for s, e in gaps)
            on_duty = any(x.starts_at <= t < x.ends_at for x in shifts)
            assert in_gap != on_duty


@pytest.mark.django_db
def test_hl1_the_manager_fills_a_gap_in_one_click(client, make_user):
    manager = make_user("service_manager")
    engineer = hotline_engineer(manager=manager, name="孙热线")
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)  # next week: all ahead
    for i in range(6):  # Monday to Saturday covered, Sunday afternoon open
        day = datetime.combine(monday + timedelta(days=i), time(8), tzinfo=SH)
        workflow.plan_shift(engineer, starts_at=day, ends_at=day + timedelta(hours=12), by=manager, now=day)
    sunday = datetime.combine(monday + timedelta(days=6), time(8), tzinfo=SH)
    workflow.plan_shift(engineer, starts_at=sunday, ends_at=sunday + timedelta(hours=6), by=manager, now=sunday)
    client.force_login(manager)
    url = reverse("servicedesk:duty") + f"?week={monday:%Y-%m-%d}"
    html = client.get(url).content.decode()
    assert html.count('data-testid="duty-gap"') == 1
    assert f"{monday + timedelta(days=6):%m-%d}" in html and "14:00–20:00" in html
    response = client.post(
        reverse("servicedesk:duty_action", args=["plan"]),
        {
            "week": f"{monday:%Y-%m-%d}",
            "engineer": engineer.pk,
            "starts_at": f"{monday + timedelta(days=6):%Y-%m-%d}T14:00",
            "ends_at": f"{monday + timedelta(days=6):%Y-%m-%d}T20:00",
        },
    )
    assert response.status_code == 302
    assert DutyShift.objects.filter(engineer=engineer).count() == 8
    assert 'data-testid="duty-gaps"' not in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_roster_page_costs_the_same_queries_for_any_number_of_shifts(client, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    manager = make_user("service_manager")
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    url = reverse("servicedesk:duty") + f"?week={monday:%Y-%m-%d}"
    client.force_login(manager)
    client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    engineers = [hotline_engineer(manager=manager) for _ in range(3)]
    plan = [(e, i, h) for i in range(7) for h, e in ((0, engineers[0]), (8, engineers[1]))]
    for engineer, i, hour in plan[:2]:
        start = datetime.combine(monday + timedelta(days=i), time(hour), tzinfo=SH)
        workflow.plan_shift(engineer, starts_at=start, ends_at=start + timedelta(hours=8), by=manager, now=start)
    few = queries()
    for engineer, i, hour in plan[2:]:
        start = datetime.combine(monday + timedelta(days=i), time(hour), tzinfo=SH)
        workflow.plan_shift(engineer, starts_at=start, ends_at=start + timedelta(hours=8), by=manager, now=start)
    assert queries() == few <= 12
