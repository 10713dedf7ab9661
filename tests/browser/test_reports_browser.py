"""Browser: the service manager opens the KPI dashboard, changes the period to last month,
clicks a figure and lands on the filtered list (issue 15 §4: RPT-2); desktop and 375 px."""

from datetime import timedelta

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def last_month(transactional_db):
    """The service manager, and last month's desk: 9 of 10 calls answered, one phone request
    solved in the call by its owner, one taken in this month."""
    from django.utils import timezone

    from kefu.kpi.aggregates import STORE
    from kefu.kpi.tests import world
    from kefu.org.tests.factories import UserFactory
    from kefu.reports import aggregates, periods

    manager = UserFactory(username="sm", roles=["service_manager"], name="吴经理")
    hotline = UserFactory(username="hl", roles=["hotline"], name="郑热线", manager=manager)
    now = timezone.now()
    month = periods.containing("month", timezone.localdate(now), periods.company_zone()).back()
    t = month.start + timedelta(days=3, hours=10)
    world.calls(at=t, engineer=hotline, answered=9, missed=1)
    req = world.request(by=hotline, at=t, owner=hotline, solved_after=timedelta(minutes=20))
    world.hotline(req, engineer=hotline, outcome="solved", at=t)
    other = UserFactory(username="hl2", roles=["hotline"], name="王热线", manager=manager)
    world.calls(at=t + timedelta(hours=1), engineer=other, answered=1, missed=3)
    this_month = world.request(by=hotline, at=now - timedelta(minutes=5), owner=hotline)
    # Last month's days built, as the nightly job would have: the page reads them.
    aggregates.rebuild_range(STORE, month.first, month.last, now=now - timedelta(minutes=1))
    return {"month": month, "request": req, "this_month": this_month, "hotline": hotline}


def test_rpt2_manager_changes_to_last_month_and_drills_down(
    page, live_server, last_month, screenshot, outside_requests
):
    login(page, live_server, "sm")
    page.click("[data-testid=kpi-link]")  # the workbench link
    page.wait_for_selector("[data-testid=chart-trend_service] canvas")  # ECharts drew the trends (after load)
    assert page.locator("[data-testid^=chart-] canvas").count() >= 2
    page.locator("[data-testid=period-shortcuts] a", has_text="上月").click()
    month = last_month["month"]
    page.wait_for_url(f"**/reports/kpi/?period=month&on={month.first.isoformat()}")
    assert f"周期 {month.label}" in page.locator("[data-testid=report-period]").inner_text()
    assert page.locator("[data-testid=drill-connection_rate]").inner_text() == "71.4%"  # 10 of 14
    assert page.locator("#f-period").input_value() == "month"  # the filters show what the URL says
    screenshot(page, "kpi-dashboard-last-month")
    page.click("[data-testid=drill-first_call_resolution]")
    page.wait_for_url("**/servicedesk/?*")
    assert f"from={month.first.isoformat()}" in page.url and "channel=phone" in page.url
    rows = page.locator("[data-object^='servicedesk.servicerequest:']")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-object") == f"servicedesk.servicerequest:{last_month['request'].pk}"
    screenshot(page, "kpi-drill-down-requests")

    # Narrowed to one engineer: the figure and the list behind it are his alone.
    page.go_back()
    page.select_option("#f-engineer", label="郑热线")
    page.locator("button", has_text="查询").click()
    page.wait_for_url(f"**engineer={last_month['hotline'].pk}*")
    assert page.locator("[data-testid=drill-connection_rate]").inner_text() == "90.0%"
    page.click("[data-testid=drill-connection_rate]")
    page.wait_for_url("**/servicedesk/calls/?*")
    assert page.locator("[data-testid=drill-people]").inner_text() == "人员：郑热线"
    assert page.locator("[data-object^='servicedesk.calllog:']").count() == 10
    assert "9/10" in page.locator("body").inner_text() and "1/4" not in page.locator("body").inner_text()
    screenshot(page, "kpi-drill-down-calls-of-one-engineer")
    assert outside_requests == []


def test_rpt2_dashboard_fits_a_phone(phone_page, live_server, last_month, screenshot, outside_requests):
    login(phone_page, live_server, "sm")
    phone_page.goto(f"{live_server.url}/reports/kpi/?period=month&on={last_month['month'].first.isoformat()}")
    phone_page.wait_for_selector("[data-testid=figure-connection_rate]")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    screenshot(phone_page, "kpi-dashboard-phone")
    assert outside_requests == []
