"""Browser: the return visit after a hotline handling (RV-1), recorded by the customer
representative from the workbench onto the care column; a manager cancels a visit (RV-8)."""

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    from kefu.org.demo_data import load

    load()


def test_rep_records_the_hotline_return_visit_from_the_workbench(page, live_server, demo, screenshot, outside_requests):
    from kefu.customers.models import TimelineEntry
    from kefu.servicedesk.models import ServiceRequest
    from kefu.visits.models import ReturnVisit

    visit = ReturnVisit.objects.filter(kind="hotline", status="open", assignee__username="customer_rep").first()
    request = ServiceRequest.objects.get(pk=visit.source_id)
    login(page, live_server, "customer_rep")
    panel = page.locator("[data-testid=my-visits]")
    assert panel.is_visible()
    panel.locator(f"a[href='/visits/{visit.pk}/']").click()
    page.wait_for_selector("[data-testid=result-form]")
    # The visit says what it follows up, with a link to the request.
    assert request.number in page.inner_text("[data-testid=visit-source]")
    page.select_option("select[name=channel]", "email")
    page.select_option("select[name=satisfaction]", "satisfied")
    page.fill("textarea[name=content]", "邮件回访：客户确认按指导操作后凭证已能正常打印。")
    screenshot(page, "visit-hotline-form")
    page.click("[data-testid=save-result]")
    page.wait_for_selector("[data-testid=visit-status] >> text=已完成")
    screenshot(page, "visit-hotline-done")
    visit.refresh_from_db()
    assert (visit.status, visit.channel) == ("done", "email")
    assert TimelineEntry.objects.filter(
        customer=visit.customer, kind="visit", body__contains="凭证已能正常打印"
    ).exists()
    assert outside_requests == []


def test_manager_cancels_a_visit_with_a_reason(page, live_server, demo, outside_requests):
    from kefu.visits.models import ReturnVisit

    visit = ReturnVisit.objects.filter(kind="care", status="open").first()
    login(page, live_server, "service_manager")
    page.goto(f"{live_server.url}/visits/{visit.pk}/")
    page.fill("[data-testid=cancel-form] input[name=reason]", "客户已停止合作")
    page.click("[data-testid=cancel-form] button")
    page.wait_for_selector("[data-testid=visit-status] >> text=已取消")
    visit.refresh_from_db()
    assert (visit.status, visit.cancel_reason) == ("cancelled", "客户已停止合作")
    assert outside_requests == []
