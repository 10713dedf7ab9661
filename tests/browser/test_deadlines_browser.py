"""Browser: live countdowns on the workbench; a holiday set in the calendar page moves a
rule's preview (issue 4: CAL-1, CAL-3, RPT-1)."""

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    from kefu.org.demo_data import load

    load()


def _clocks_due_overdue_soon_later(username: str) -> dict[str, int]:
    """Four clocks for `username` whatever the hour: wall-clock rules started so that one is
    overdue and one due within the hour; two working-time rules due later."""
    from datetime import timedelta

    from django.utils import timezone

    from kefu.deadlines import clocks
    from kefu.org.models import Department, User

    owner, subject, now = User.objects.get(username=username), Department.objects.get(code="service"), timezone.now()
    made = {}
    for key, ago in (
        ("hotline.duty_ready", timedelta(minutes=70)),
        ("hotline.handover", timedelta(minutes=5)),
        ("hotline.shelved_reply", timedelta(0)),
        ("request.first_response.low", timedelta(0)),
    ):
        clocks.stop(subject, key, now=now)
        made[key] = clocks.start(subject, key, owner=owner, now=now - ago).pk
    return made


def test_rpt1_hotline_user_sees_live_countdowns(page, live_server, demo, screenshot, outside_requests):
    made = _clocks_due_overdue_soon_later("hotline")
    login(page, live_server, "hotline")
    panel = page.locator("[data-testid=clock-panel]")
    assert panel.is_visible()
    rows = panel.locator("tbody tr[data-object^='deadlines.clock:']")
    assert rows.count() >= 4  # the four above, and the demo's real ones
    # One overdue (red), one due within the hour (amber), the others later; by due time.
    overdue = panel.locator(f"tr[data-object='deadlines.clock:{made['hotline.duty_ready']}'] .countdown")
    soon = panel.locator(f"tr[data-object='deadlines.clock:{made['hotline.handover']}'] .countdown")
    later = panel.locator(f"tr[data-object='deadlines.clock:{made['hotline.shelved_reply']}'] .countdown")
    assert "overdue" in overdue.get_attribute("class")
    assert overdue.inner_text().startswith("超时")
    assert "soon" in soon.get_attribute("class")
    assert later.inner_text().startswith("剩余")
    assert "overdue" not in later.get_attribute("class") and "soon" not in later.get_attribute("class")
    path = screenshot(page, "workbench-hotline-clocks")
    assert path.stat().st_size > 10_000
    # The script keeps them live: a clock whose due time passes turns red without a reload.
    page.evaluate(
        """(pk) => {
            const el = document.querySelector(`[data-testid=clock-panel] tr[data-object='deadlines.clock:${pk}'] .countdown`);
            el.dataset.due = new Date(Date.now() - 60000).toISOString();
            el.id = "moved";
        }""",
        made["hotline.shelved_reply"],
    )
    page.wait_for_selector("#moved.countdown.overdue")
    assert outside_requests == []


def test_cal1_admin_marks_a_holiday_and_the_rule_preview_moves(page, live_server, demo, screenshot, outside_requests):
    login(page, live_server, "admin")
    rule_url = f"{live_server.url}/deadlines/rules/complaint.verify/"
    page.goto(rule_url)
    due = page.locator("[data-testid=preview-due]")
    page.fill("#preview-start", "2025-11-28T10:00")  # Friday: 1 working day → Monday
    page.wait_for_function("() => document.getElementById('preview-due').textContent === '2025-12-01 18:00'")
    assert due.inner_text() == "2025-12-01 18:00"

    page.goto(f"{live_server.url}/deadlines/calendars/office/?month=2025-12")
    cell = page.locator("td[data-date='2025-12-01']")
    assert cell.get_attribute("data-workday") == "1"
    cell.locator("button").click()
    page.wait_for_selector("td[data-date='2025-12-01'][data-workday='0']")
    screenshot(page, "calendar-office-holiday")

    page.goto(rule_url)
    page.fill("#preview-start", "2025-11-28T10:00")
    page.wait_for_function("() => document.getElementById('preview-due').textContent === '2025-12-02 18:00'")
    assert due.inner_text() == "2025-12-02 18:00"
    screenshot(page, "rule-preview-after-holiday")
    assert outside_requests == []
