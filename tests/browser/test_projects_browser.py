"""Browser: implementation projects (issue 17). The director approves a task book and the PM
runs the project from there to final acceptance (kickoff, plan, the customer's signature, start:
the button is disabled with the reasons until both are there; each phase's result reviewed and
signed, the acceptance evaluated by both, the final documents reviewed), the director archives it; the `customer` user, on a phone-sized screen,
confirms a daily log and signs a phase result by drawing on the pad."""

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    from kefu.org.demo_data import load

    load()


def _draw(page, scope):
    canvas = scope.locator("[data-testid=signature-pad]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 60)
    page.mouse.down()
    for x, y in [(60, 20), (110, 80), (160, 25), (220, 70)]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=8)
    page.mouse.up()


def _logout(page, live_server):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")


def test_prj1_prj3_the_director_approves_and_the_pm_starts_the_project(
    page, live_server, demo, screenshot, outside_requests
):
    from kefu.projects.models import Project, TaskBook

    book = TaskBook.objects.get(status="submitted")
    login(page, live_server, "impl_director")
    page.goto(f"{live_server.url}/projects/taskbooks/{book.pk}/")
    screenshot(page, "projects-taskbook-to-approve")
    page.select_option("#tb-manager", label="褚项目")
    page.click("[data-testid=approve-taskbook]")
    page.wait_for_selector("[data-testid=project-status] >> text=计划中")
    project = Project.objects.get(task_book=book)
    _logout(page, live_server)

    login(page, live_server, "project_manager")
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    assert page.locator("[data-testid=start]").is_disabled()
    assert page.locator("[data-testid=start-blocker]").count() == 2
    page.fill("#ko-att", "客户代表、褚项目、卫顾问")
    page.fill("#ko-min", "确认范围、计划与分工")
    page.click("[data-testid=kickoff-form] button")
    page.wait_for_selector("[data-testid=kickoff] >> text=确认范围")
    assert page.locator("[data-testid=start-blocker]").count() == 1
    page.click("#plan summary")
    form = page.locator("[data-testid=plan-form]")
    form.locator("input[name=approach]").fill("先报表后平台")
    form.locator("input[name=phase_0_name]").fill("调研")
    form.locator("input[name=phase_0_start]").fill("2026-12-07")
    form.locator("input[name=phase_0_end]").fill("2026-12-18")
    form.locator("input[name=phase_1_name]").fill("上线")
    form.locator("input[name=phase_1_start]").fill("2026-12-21")
    form.locator("input[name=phase_1_end]").fill("2027-01-08")
    form.locator("button").click()
    page.click("[data-testid=send-plan]")
    page.wait_for_selector("[data-testid=plan-1] >> text=待客户签字")
    screenshot(page, "projects-plan-sent")
    # The customer of this contract has no portal user in the demo: the PM uploads the signed scan.
    sign = page.locator("[data-testid=sign-plan]")
    sign.locator("input[name=signer_name]").fill("客户代表")
    sign.locator("input[name=scan]").set_input_files(files=[_scan_file()])
    sign.locator("button.btn-primary").click()
    page.wait_for_selector("[data-testid=plan-1] >> text=客户已签字")
    assert not page.locator("[data-testid=start]").is_disabled()
    page.click("[data-testid=start]")
    page.wait_for_selector("[data-testid=project-status] >> text=实施中")
    page.wait_for_selector("[data-testid=gantt] canvas")  # the Gantt view, vendored ECharts (PRJ-8)
    screenshot(page, "projects-started")
    project.refresh_from_db()
    assert project.status == "implementing"
    assert project.phase_set.get(order=1).status == "active"

    # Each phase: the result submitted, reviewed, and signed (the customer's signed scan, uploaded).
    for order in (1, 2):
        form = page.locator(f"[data-testid=submit-phase-{order}]")
        form.locator("textarea[name=result]").fill(f"阶段 {order} 成果")
        form.locator("button").click()
        page.click(f"[data-testid=review-phase-{order}]")
        sign = page.locator(f"[data-testid=sign-phase-{order}]")
        sign.locator("input[name=signer_name]").fill("客户代表")
        sign.locator("input[name=scan]").set_input_files(files=[_scan_file()])
        sign.locator("button.btn-primary").click()
        page.wait_for_selector(f"tr[data-phase='{order}'] >> text=已完成")
    page.fill("#ac-items", "报表、平台")
    page.click("[data-testid=acceptance-form] button")
    page.wait_for_selector("[data-testid=project-status] >> text=验收评估中")
    page.click("[data-testid=pm-evaluate] button")
    customer = page.locator("[data-testid=customer-evaluate]")
    customer.locator("input[name=signer_name]").fill("客户代表")
    customer.locator("input[name=scan]").set_input_files(files=[_scan_file()])
    customer.locator("button.btn-primary").click()
    page.wait_for_selector("[data-testid=project-status] >> text=终验")
    assert "✗" not in page.inner_text("[data-testid=checklist]")
    page.click("[data-testid=final-review]")
    screenshot(page, "projects-final-reviewed")
    _logout(page, live_server)
    login(page, live_server, "impl_director")
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    page.click("[data-testid=archive]")
    page.wait_for_selector("[data-testid=project-status] >> text=已归档")
    project.refresh_from_db()
    assert project.status == "archived"
    from kefu.visits.models import ReturnVisit

    assert ReturnVisit.objects.filter(kind="project_final", customer=project.customer).exists()
    assert outside_requests == []


def _scan_file():
    from kefu.documents.attachments import sample_png

    return {"name": "签字扫描件.png", "mimeType": "image/png", "buffer": sample_png()}


def test_prj4_prj5_the_customer_confirms_a_log_and_signs_a_phase_on_a_phone(
    phone_page, live_server, demo, screenshot, outside_requests
):
    from kefu.projects.models import DailyLog, Phase

    page = phone_page
    log = DailyLog.objects.get(status="submitted", project__customer__contacts__portal_user__username="customer")
    phase = Phase.objects.get(status="reviewed")
    login(page, live_server, "customer")
    panel = page.locator("[data-testid=project-panel]")
    assert panel.is_visible()
    screenshot(page, "projects-customer-workbench-phone")
    panel.locator("[data-testid=project-todo-confirm_logs]").click()
    page.locator(f"[data-object='projects.dailylog:{log.pk}'] a").first.click()
    page.wait_for_selector("[data-testid=confirm-log]")
    screenshot(page, "projects-customer-log-phone")
    page.click("[data-testid=confirm-log]")
    page.wait_for_selector("[data-testid=log-status] >> text=客户已确认")
    page.goto(f"{live_server.url}{log.project.get_absolute_url()}")
    form = page.locator(f"[data-testid=sign-phase-{phase.order}]")
    form.locator("input[name=signer_name]").fill("王立军")
    _draw(page, form)
    screenshot(page, "projects-customer-sign-phase-phone")
    form.locator("button.btn-primary").click()
    page.wait_for_selector(f"tr[data-phase='{phase.order}'] >> text=已完成")
    phase.refresh_from_db()
    log.refresh_from_db()
    assert (phase.status, phase.signer_name, log.status) == ("done", "王立军", "confirmed")
    assert bool(phase.signature)
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    assert outside_requests == []
