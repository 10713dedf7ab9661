"""Browser: the demo users log in and see a workbench fit for their role (issue 3)."""

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    from django.utils import timezone

    from kefu.notify.outbox import deliver_pending
    from kefu.org.demo_data import load

    load()
    deliver_pending(now=timezone.now())


def test_hotline_logs_in_sees_workbench_in_chinese(page, live_server, demo, screenshot, outside_requests):
    login(page, live_server, "hotline")
    assert page.locator("[data-testid=workbench]").is_visible()
    assert page.locator("h2.page-title").inner_text() == "工作台"
    nav = page.locator("[data-testid=main-nav]").inner_text()
    assert "工作台" in nav
    assert "系统管理" not in nav
    assert int(page.locator("[data-testid=unread-count]").inner_text()) >= 1  # at least the welcome note
    path = screenshot(page, "workbench-hotline")
    assert path.stat().st_size > 10_000
    assert outside_requests == []


def test_admin_sees_admin_navigation_and_api_docs_offline(page, live_server, demo, outside_requests):
    login(page, live_server, "admin")
    nav = page.locator("[data-testid=main-nav]").inner_text()
    assert "系统管理" in nav
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=20_000)
    assert "Kefu API" in page.content()
    assert outside_requests == []


def test_wrong_password_shows_chinese_error_and_phone_layout(phone_page, live_server, demo, screenshot):
    phone_page.goto(f"{live_server.url}/login/")
    phone_page.fill("#id_username", "hotline")
    phone_page.fill("#id_password", "wrong")
    phone_page.click("button[type=submit]")
    assert "请输入一个正确的" in phone_page.locator(".alert-danger").inner_text()
    login(phone_page, live_server, "field_engineer")
    # On a phone the navigation collapses behind the toggler.
    assert phone_page.locator(".navbar-toggler").is_visible()
    screenshot(phone_page, "workbench-phone")


def test_issue13_no_csp_violation_on_the_workbench_and_a_form_with_the_signature_pad(
    page, live_server, demo, csp_violations
):
    from kefu.plans.models import ServicePlan

    login(page, live_server, "hotline")
    response = page.goto(f"{live_server.url}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # The watch works: an inline script is refused and reported.
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1'; document.body.append(s); }"
        )
    assert csp_violations and page.evaluate("() => window.x") is None
    csp_violations.clear()
    page.reload()
    assert page.locator("[data-testid=workbench]").is_visible()
    # The language switcher's script is a static file and still works.
    page.select_option("#language-form select", "en")
    page.wait_for_selector("html[lang=en]")
    page.select_option("#language-form select", "zh-hans")
    page.wait_for_selector("html[lang=zh-hans]")
    assert csp_violations == []
    # A form with the shared signature pad (the plan's customer signature): its script ran.
    plan = ServicePlan.objects.get(status="approved")
    page.context.clear_cookies()
    login(page, live_server, "customer")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.wait_for_selector("[data-signature-pad][data-ready='1']", state="attached")
    assert csp_violations == []
