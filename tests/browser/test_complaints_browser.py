"""Browser: the quality supervisor takes a complaint from intake through the validity review,
the department head handles it (cause, responsible person, contact, result), the supervisor
verifies and closes it; then last month's complaint analysis report with its charts and its
PDF, read back with pdftotext: the counts on the page and in the PDF are the same (issue 16)."""

import re
import subprocess
from datetime import timedelta

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(transactional_db):
    """The supervisor, the customer-relations head and a customer; last month: 2 valid
    complaints and 1 outside the contract."""
    from django.utils import timezone

    from kefu.complaints import workflow
    from kefu.customers.tests.factories import CustomerFactory
    from kefu.org.tests.factories import DepartmentFactory, UserFactory
    from kefu.reports import periods

    quality = UserFactory(username="qa", roles=["quality"], name="蒋质检")
    head = UserFactory(username="head", roles=["dept_head"], name="周主任")
    department = DepartmentFactory(name="客户关系部", head=head)
    head.department = department
    head.save()
    customer = CustomerFactory(name="上海明达精密机械有限公司")
    now = timezone.now()
    month = periods.containing("month", timezone.localdate(now), periods.company_zone()).back()
    t = month.start + timedelta(days=4, hours=10)
    for i in range(3):
        c = workflow.create_complaint(
            CustomerFactory(), title=f"上月投诉{i}", content="迟到", type="attitude", by=quality, now=t
        )
        if i < 2:
            workflow.accept(c, department=department, by=quality, now=t + timedelta(minutes=10))
        else:
            workflow.archive_invalid(c, explanation="合同外", by=quality, now=t + timedelta(minutes=10))
    return {"quality": quality, "head": head, "department": department, "customer": customer, "month": month}


def test_cp_quality_takes_a_complaint_to_closing_then_reads_last_months_report(
    page, browser, live_server, people, screenshot, outside_requests
):
    login(page, live_server, "qa")
    page.goto(f"{live_server.url}/complaints/")
    page.click("[data-testid=new-complaint]")
    page.wait_for_load_state("networkidle")  # htmx is listening
    page.locator("#customer-search").press_sequentially("明达", delay=50)
    page.click("#customer-results [data-customer]")
    page.fill("#id_title", "工程师迟到两小时")
    page.fill("#id_content", "约定 9 点上门，11 点才到。")
    page.select_option("#id_type", "attitude")
    page.click("[data-testid=save-complaint]")
    page.wait_for_selector("[data-testid=accept-form]")
    detail = page.url
    page.select_option("#cp-department", str(people["department"].pk))
    page.fill("#cp-asks", "要求道歉")
    page.click("[data-testid=accept]")
    page.wait_for_selector("[data-testid=complaint-status]:has-text('待责任部门处理')")
    screenshot(page, "complaint-accepted")

    head_context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800}
    )
    head = head_context.new_page()
    login(head, live_server, "head")
    head.goto(detail)
    head.fill("#cp-cause", "工程师路线安排不当")
    head.select_option("#cp-responsible", str(people["head"].pk))
    head.click("[data-testid=assign-responsible]")
    head.fill("#cp-measures", "调整派工路线，当面致歉")
    head.select_option("#cp-remedy", "apology")
    head.fill("#cp-contact", "已电话致歉，客户接受")
    head.click("[data-testid=record-contact]")
    head.wait_for_selector("[data-testid=result-form]")
    head.fill("#cp-result", "已致歉，并承诺下次准时")
    head.click("[data-testid=record-result]")
    head.wait_for_selector("[data-testid=complaint-status]:has-text('待验证')")
    head_context.close()

    page.goto(detail)
    page.fill("#cp-opinion", "客户表示满意")
    page.click("[data-testid=verify]")
    page.wait_for_selector("[data-testid=complaint-status]:has-text('已关闭')")
    screenshot(page, "complaint-closed")

    page.goto(f"{live_server.url}/complaints/report/")
    page.click("[data-testid=report-page]")
    page.wait_for_selector("[data-testid=chart-trend_counts] canvas")
    month = people["month"]
    assert f"周期 {month.label}" in page.locator("[data-testid=report-period]").inner_text()
    valid = page.locator("[data-testid=drill-valid]").inner_text()
    invalid = page.locator("[data-testid=drill-invalid]").inner_text()
    assert (valid, invalid) == ("2", "1")
    screenshot(page, "complaint-report")
    pdf = page.request.get(f"{live_server.url}/reports/complaints/report.pdf?period=month&on={month.first.isoformat()}")
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-", "-"], input=pdf.body(), capture_output=True, check=True
    ).stdout.decode()
    line = next(line for line in text.splitlines() if line.strip().startswith("有效投诉"))
    assert re.search(rf"(?<!\d){valid}(?!\d)", line), line
    line = next(line for line in text.splitlines() if line.strip().startswith("不计为有效的投诉"))
    assert re.search(rf"(?<!\d){invalid}(?!\d)", line), line
    assert outside_requests == []
