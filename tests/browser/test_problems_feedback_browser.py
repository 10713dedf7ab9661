"""Browser (desktop): the service manager opens the problem summary (RPT-3) and the feedback
analysis (FB-1), changes the period to last month, drills down, and sets a category on the
feedback list; screenshots in test-artifacts/."""

from datetime import timedelta

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def last_month(transactional_db):
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from kefu.customers.tests.factories import CustomerFactory
    from kefu.feedback import defaults, workflow
    from kefu.feedback.models import Category
    from kefu.org.tests.factories import UserFactory
    from kefu.reports import periods
    from kefu.servicedesk.models import ServiceRequest
    from kefu.surveys.models import Survey

    defaults.install(Category)  # a transactional test before this one flushed the migration's rows
    manager = UserFactory(username="sm", roles=["service_manager"], name="吴经理")
    hotline = UserFactory(username="hl", roles=["hotline"], name="郑热线")
    now = timezone.now()
    month = periods.containing("month", timezone.localdate(now), periods.company_zone()).back()
    t = month.start + timedelta(days=3, hours=10)
    for i in range(3):
        ServiceRequest.objects.create(
            number=f"SR-B-{i}",
            customer=CustomerFactory(),
            channel="phone",
            title="结账提示凭证号重复",
            phenomenon="月末结账时提示“凭证号重复”，无法结账",
            product="财务软件 V8",
            created_at=t + timedelta(hours=i),
            created_by=hotline,
            updated_at=t,
        )
    for i, comment in enumerate(["响应太慢，等了两天", "工程师态度很好", "希望尽快处理"]):
        c = CustomerFactory()
        Survey.objects.create(
            content_type=ContentType.objects.get_for_model(c),
            object_id=str(c.pk),
            subject_label="服务请求",
            customer=c,
            served_by=hotline,
            status="answered",
            rating=3,
            comment=comment,
            answered_at=t + timedelta(hours=i),
            created_at=t,
            expires_at=t + timedelta(days=7),
        )
    workflow.collect(now=now)
    return {"month": month, "manager": manager}


def test_rpt3_fb1_manager_opens_both_reports_changes_period_and_drills_down(
    page, live_server, last_month, screenshot, outside_requests
):
    month = last_month["month"]
    login(page, live_server, "sm")
    page.goto(f"{live_server.url}/problems/")
    page.locator("[data-testid=period-shortcuts] a", has_text="上月").click()
    page.wait_for_url(f"**/reports/problems/?period=month&on={month.first.isoformat()}")
    page.wait_for_selector("[data-testid=chart-trend_top] canvas")
    assert page.locator("[data-testid=figure-requests] [data-value]").first.get_attribute("data-value") == "3"
    assert "建议入库" in page.locator("[data-testid=table-top]").inner_text()
    screenshot(page, "problems-summary-last-month")
    page.locator("[data-testid=table-candidates] a", has_text="建议入库").click()
    page.wait_for_url("**/problems/draft/?request=*")
    assert "凭证号重复" in page.locator("#id_symptom").input_value()
    screenshot(page, "problems-draft-from-candidate")

    page.goto(f"{live_server.url}/feedback/analysis/")
    page.locator("[data-testid=period-shortcuts] a", has_text="上月").click()
    page.wait_for_url(f"**/reports/feedback/?period=month&on={month.first.isoformat()}")
    page.wait_for_selector("[data-testid=chart-trend_category] canvas")
    assert page.locator("[data-testid=drill-feedback]").inner_text() == "3"
    screenshot(page, "feedback-analysis-last-month")
    page.locator("[data-testid=table-by_category] a", has_text="响应速度").click()
    page.wait_for_url("**/feedback/?*category=*")
    rows = page.locator("[data-object^='feedback.feedback:']")
    assert rows.count() == 2
    key = rows.first.get_attribute("data-object").split(":")[1]
    page.select_option(f"select[name=category-{key}]", label="服务态度")
    page.click(f"[data-testid=set-category-{key}]")
    page.wait_for_selector("text=已将分类设为“服务态度”")
    screenshot(page, "feedback-list-category-set")
    assert outside_requests == []
