"""The whole story of one problem, across roles, in the demo (issue 12; SR-1..SR-5, HL-3..HL-6,
OS-1..OS-6, RV-2, RV-7): the hotline takes the call, shelves it, calls back and asks for a visit;
the service manager verifies and dispatches; the field engineer, on a 375 px phone, confirms,
books the visit, checks in, fills the sheet (an error keeps what was typed), the customer signs
what they see, the engineer writes off; the request awaits the customer's confirmation in the
portal; the desk archives from its queue; the return visit is due the day after the service
and the survey link has gone to the customer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.deadlines import calendars, clocks
from kefu.deadlines.clockmath import is_working_day
from kefu.fieldservice.models import ServiceSheet, WorkOrder
from kefu.notify.models import Outbox
from kefu.servicedesk.models import ServiceRequest
from kefu.surveys.models import Survey
from kefu.visits.models import ReturnVisit
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHENOMENON = "月末结账时存货模块提示“期初数据不平衡”，无法结账"


@pytest.fixture
def demo(transactional_db):
    from kefu.org.demo_data import load

    load()


def _context(browser, outside_requests, *, phone=False):
    if phone:
        context = browser.new_context(
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport={"width": 375, "height": 812},
            is_mobile=True,
            has_touch=True,
        )
    else:
        context = browser.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800}
        )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on(
        "request",
        lambda r: (
            r.url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:"))
            or outside_requests.append(r.url)
        ),
    )
    return context, page


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.url


def test_the_whole_story_from_the_call_to_the_return_visit(browser, live_server, demo, screenshot, outside_requests):
    from kefu.customers.models import Contact
    from kefu.org.models import User

    portal_user = User.objects.get(username="customer")
    contact = Contact.objects.select_related("customer").get(portal_user=portal_user)
    customer = contact.customer

    # 1. The hotline takes the call, shelves it to ask around, calls back: a visit is needed (HL-3..HL-6).
    context, page = _context(browser, outside_requests)
    login(page, live_server, "hotline")
    page.goto(f"{live_server.url}/servicedesk/hotline/")
    page.fill("#customer-search", customer.name[:4])
    page.locator(f"#customer-results [data-customer='{customer.pk}']").first.click()
    page.fill("#call-caller", contact.name)
    page.fill("#phenomenon", PHENOMENON)
    page.fill("#call-answer", "先核对期初余额")
    page.click("[data-testid=call-form] button[type=submit]")
    page.wait_for_selector("[data-testid=outcome][data-outcome=open]")
    page.fill("#rc-note", "请教研发：期初不平衡的检查脚本")
    page.click("[data-testid=shelve]")
    page.wait_for_selector("[data-testid=outcome][data-outcome=shelved]")
    assert "前答复客户" in page.locator(".alert-success").inner_text()
    page.fill("#rc-callback", "按脚本检查后仍不平衡，需要现场查看数据")
    page.click("[data-testid=callback-onsite]")
    page.wait_for_selector("[data-testid=outcome][data-outcome=onsite]")
    req = ServiceRequest.objects.get(phenomenon=PHENOMENON)
    assert req.status == ServiceRequest.Status.ONSITE
    screenshot(page, "loop-1-hotline-onsite")
    context.close()

    # 2. The service manager verifies and dispatches from the order page, reached from the request (OS-1).
    context, page = _context(browser, outside_requests)
    login(page, live_server, "service_manager")
    page.goto(f"{live_server.url}{req.get_absolute_url()}")
    page.locator("[data-testid=work-order] a").first.click()
    page.wait_for_selector("[data-testid=request-panel]")
    assert PHENOMENON in page.locator("[data-testid=request-phenomenon]").inner_text()
    page.fill("#vf-note", "已电话确认地址和联系人")
    page.locator("form[action$='/verify/'] button").click()
    page.wait_for_selector("#dp-engineer")
    page.select_option("#dp-engineer", label="冯工程师")
    page.locator("form[action$='/dispatch/'] button").click()
    assert "已派发给冯工程师" in page.locator(".alert-success").inner_text()
    order = WorkOrder.objects.get(request=req)
    screenshot(page, "loop-2-manager-dispatched")
    context.close()

    # 3. The field engineer on a phone: confirm, book, check in, the sheet, the signature, write-off (OS-2..OS-5).
    context, page = _context(browser, outside_requests, phone=True)
    login(page, live_server, "field_engineer")
    page.goto(f"{live_server.url}/fieldservice/m/{order.pk}/")
    _fits(page)
    page.click("[data-testid=confirm]")
    start = timezone.localtime(timezone.now()).replace(second=0, microsecond=0)
    page.fill("#ap-start", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#ap-end", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#ap-note", "客户财务室")
    page.click("[data-testid=save-appointment]")
    assert "已预约上门" in page.locator(".alert-success").inner_text()
    page.click("[data-testid=check-in]")
    page.wait_for_selector("[data-testid=sheet-form]")
    _fits(page)
    # The backup is not ticked: the sheet comes back with everything still typed.
    page.fill("#sh-backup", "E:\\客户备份\\存货20261203")
    page.fill("#sh-cause", "期初结转时有两张凭证未记账")
    page.fill("#sh-method", "补记账后重新结转期初")
    page.fill("#sh-steps", "1. 查找未记账凭证 2. 记账 3. 重新结转")
    page.fill("#sh-prevention", "结账前先运行对账检查")
    page.fill("#sh-parts", "无")
    page.fill("#sh-minutes", "50")
    page.click("label[for=outcome-solved]")
    page.click("[data-testid=complete]")
    page.wait_for_selector("[data-testid=error-backup_location]")
    assert page.input_value("#sh-backup") == "E:\\客户备份\\存货20261203"
    assert page.input_value("#sh-method") == "补记账后重新结转期初"
    assert page.input_value("#sh-minutes") == "50"
    assert page.is_checked("#outcome-solved")
    _fits(page)
    screenshot(page, "loop-3-sheet-error-kept")
    page.check("[data-testid=backup-done]")
    page.click("[data-testid=complete]")
    page.wait_for_selector("[data-testid=sheet-to-sign]")
    assert "补记账后重新结转期初" in page.locator("[data-testid=sheet-to-sign]").inner_text()
    _fits(page)
    page.fill("#sg-name", contact.name)
    canvas = page.locator("[data-testid=signature-pad]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 150)
    page.mouse.down()
    for x, y in [(80, 40), (140, 160), (200, 50), (300, 140)]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=5)
    page.mouse.up()
    screenshot(page, "loop-4-signature-shows-the-sheet")
    page.click("[data-testid=sign]")
    page.wait_for_selector("[data-testid=write-off]")
    page.click("[data-testid=write-off]")
    assert "已核销" in page.locator(".alert-success").inner_text()
    _fits(page)
    order.refresh_from_db()
    req.refresh_from_db()
    assert order.status == WorkOrder.Status.WRITTEN_OFF
    assert req.status == ServiceRequest.Status.SOLVED  # awaiting the customer's confirmation (SR-5)
    assert clocks.open_clock(req, "request.first_response.medium") is None
    context.close()

    # 4. The customer sees the visit and is asked to confirm (SR-5); internal notes stay internal.
    context, page = _context(browser, outside_requests, phone=True)
    login(page, live_server, "customer")
    page.goto(f"{live_server.url}/portal/requests/{req.pk}/")
    assert "已解决" in page.locator("[data-testid=portal-outcome]").inner_text()
    assert page.locator("[data-testid=portal-appointment]").count() == 1
    body = page.locator("body").inner_text()
    assert "请教研发" not in body and "内部请教" not in body
    assert page.locator("[data-testid=confirm]").count() == 1
    _fits(page)
    screenshot(page, "loop-5-portal-awaits-confirmation")
    context.close()

    # 5. The desk archives from its workbench queue; the return visit is due the day after the service (OS-6, RV-2).
    context, page = _context(browser, outside_requests)
    login(page, live_server, "service_desk")
    row = page.locator(f"[data-testid=desk-sheet][data-object='fieldservice.servicesheet:{order.sheet.pk}']")
    assert "交专岗时限" in row.inner_text()
    screenshot(page, "loop-6-desk-queue")
    row.locator("[data-testid=desk-archive]").click()
    assert "服务单已存档" in page.locator(".alert-success").inner_text()
    sheet = ServiceSheet.objects.get(order=order)
    assert sheet.archived_at is not None
    visit = ReturnVisit.objects.get(kind="onsite", source_id=str(sheet.pk))
    due = timezone.localtime(clocks.clocks_of(visit).get(rule__key="returnvisit.onsite").due_at)
    day, office = timezone.localdate(sheet.signed_at) + timedelta(days=1), calendars.snapshot(visit_calendar(visit))
    while not is_working_day(office, day):
        day += timedelta(days=1)
    assert due.date() == day  # the end of the next working day after the service
    page.goto(f"{live_server.url}/visits/{visit.pk}/")
    assert contact.name in page.locator("[data-testid=visit-contact]").inner_text()
    screenshot(page, "loop-7-return-visit")

    # 6. The survey of the visit: its link went to the customer, and the desk can copy it or show the QR code (RV-7).
    survey = Survey.objects.get(object_id=str(order.pk))
    assert Outbox.objects.filter(event="survey.invitation", key__contains=f"surveys.survey:{survey.pk}:").exists()
    context.close()
    context, page = _context(browser, outside_requests)
    login(page, live_server, "service_manager")
    page.goto(f"{live_server.url}/surveys/{survey.pk}/")
    assert page.locator("[data-testid=survey-qr] svg").count() == 1
    assert "/surveys/s/" in page.input_value("[data-testid=survey-link]")
    screenshot(page, "loop-8-survey-link")
    context.close()
    assert outside_requests == []


def visit_calendar(visit):
    return clocks.clocks_of(visit).get(rule__key="returnvisit.onsite").calendar


@pytest.mark.parametrize("username", ["field_engineer", "station_master", "station_engineer"])
def test_every_page_a_phone_role_uses_fits_375_px(browser, live_server, demo, outside_requests, username, screenshot):
    """Every page in the role's own menu, its profile and bell, and each of its orders' phone pages."""
    context, page = _context(browser, outside_requests, phone=True)
    login(page, live_server, username)
    menu = page.eval_on_selector_all("[data-testid=main-nav] a", "links => links.map(a => a.getAttribute('href'))")
    assert menu, "the role has a menu"
    for path in ["/", *menu, "/notifications/", "/profile/"]:
        page.goto(f"{live_server.url}{path}")
        _fits(page)
    for order in WorkOrder.objects.filter(engineer__username=username)[:12]:
        page.goto(f"{live_server.url}/fieldservice/m/{order.pk}/")
        _fits(page)
    screenshot(page, f"phone-{username}")
    context.close()
    assert outside_requests == []
