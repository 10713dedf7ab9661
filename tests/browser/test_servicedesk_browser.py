"""Browser: the hotline engineer takes a call, shelves it, calls back, asks for onsite (HL-3..HL-6);
the customer submits a request in the portal and confirms the solution (SR-1, SR-5)."""

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    from kefu.org.demo_data import load

    load()


def test_hl_hotline_takes_call_shelves_calls_back_asks_for_onsite(
    page, live_server, demo, screenshot, outside_requests
):
    from kefu.customers.models import Contact

    contact = Contact.objects.exclude(mobile="").select_related("customer").first()
    login(page, live_server, "hotline")
    page.goto(f"{live_server.url}/servicedesk/hotline/")
    assert "郑热线" in page.locator("[data-testid=on-duty]").inner_text()
    page.fill("#customer-search", contact.mobile[:7])
    page.locator(f"#customer-results [data-customer='{contact.customer_id}']").first.click()
    page.fill("[name=caller]", contact.name)
    page.fill("#phenomenon", "出纳模块银行对账单导入后金额全部为零")
    page.fill("[name=answer]", "先确认对账单格式")
    screenshot(page, "hotline-take-call")
    page.click("[data-testid=call-form] button[type=submit]")
    page.wait_for_selector("[data-testid=outcome][data-outcome=open]")
    page.fill("[name=note]", "请教研发：对账单模板变化")
    page.click("[data-testid=shelve]")
    page.wait_for_selector("[data-testid=outcome][data-outcome=shelved]")
    assert page.locator("[data-clock='hotline.callback'][data-state=running]").count() == 1
    assert page.locator("[data-clock='hotline.shelved_reply'][data-state=running]").count() == 1
    screenshot(page, "hotline-shelved")
    page.fill("[name=answer]", "按研发方案处理后仍为零，需要现场查看")
    page.click("[data-testid=callback-onsite]")
    page.wait_for_selector("[data-testid=outcome][data-outcome=onsite]")
    assert page.locator("[data-status=onsite]").count() == 1
    assert page.locator("[data-clock='hotline.callback'][data-state=met]").count() == 1
    screenshot(page, "hotline-onsite")
    assert outside_requests == []


def test_sr_customer_submits_in_portal_and_confirms_the_solution(page, live_server, demo, screenshot, outside_requests):
    from django.utils import timezone

    from kefu.documents.attachments import sample_png
    from kefu.servicedesk import workflow
    from kefu.servicedesk.models import ServiceRequest

    login(page, live_server, "customer")
    page.goto(f"{live_server.url}/portal/requests/")
    page.click("[data-testid=new-request]")
    page.fill("#title", "凭证无法打印")
    page.fill("#phenomenon", "点击打印凭证后没有任何反应，打印机测试页正常")
    # A real PNG: attachments are sniffed, and a file that only starts like one is refused.
    page.set_input_files("#files", files=[{"name": "截图.png", "mimeType": "image/png", "buffer": sample_png()}])
    page.click("[data-testid=portal-form] button[type=submit]")
    page.wait_for_selector("[data-testid=promise]")
    assert "已提交" in page.locator(".alert-success").first.inner_text()
    # When we will reply is said once, in the promise box (not again in the success message).
    assert "答复" in page.locator("[data-testid=promise]").inner_text()
    assert page.locator("body").inner_text().count("答复您") == 1
    screenshot(page, "portal-submitted")
    req = ServiceRequest.objects.filter(title="凭证无法打印").get()
    assert req.owner.username == "hotline"  # routed to the engineer on duty (HL-1)
    workflow.add_step(req, "diagnosis", "远程检查打印设置", by=req.owner, now=timezone.now())
    workflow.solve(req, result="重新设置凭证打印模板后正常", by=req.owner, now=timezone.now())
    page.reload()
    assert "远程检查打印设置" in page.content()
    page.fill("[name=note]", "已经可以打印了，谢谢")
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-status=closed]")
    screenshot(page, "portal-confirmed")
    req.refresh_from_db()
    assert req.status == "closed" and req.confirmed_via == "portal"
    assert outside_requests == []


def test_hl2_engineer_reports_ready_then_takes_over_the_shift(page, live_server, demo, screenshot, outside_requests):
    from datetime import timedelta

    from django.utils import timezone

    from kefu.org.models import User
    from kefu.org.tests.factories import UserFactory
    from kefu.servicedesk import workflow

    manager = User.objects.get(username="service_manager")
    engineer = UserFactory(roles=["hotline"], username="hl_ready", name="钱值班", manager=manager)
    now = timezone.now()
    shift = workflow.plan_shift(
        engineer, starts_at=now - timedelta(minutes=3), ends_at=now + timedelta(hours=8), by=manager, now=now
    )
    workflow.start_due_handovers(now=now)
    login(page, live_server, "hl_ready")
    page.goto(f"{live_server.url}/servicedesk/hotline/")
    screenshot(page, "hotline-my-shift")
    page.click("[data-testid=report-ready]")
    page.wait_for_selector("[data-testid=ready-at]")
    assert "已到岗" in page.locator("[data-testid=ready-at]").inner_text()
    page.fill("[data-testid=my-shift] [name=note]", "夜班未结事项已阅")
    page.click("[data-testid=take-over]")
    page.wait_for_selector(".alert-success")
    assert page.locator("[data-testid=my-shift]").count() == 0
    shift.refresh_from_db()
    assert shift.ready_at is not None and shift.taken_over_at is not None
    assert outside_requests == []
