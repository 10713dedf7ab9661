"""Browser: first visit from the workbench, plan write → approve → visits, import with errors (issue 5)."""

from io import BytesIO

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    from kefu.org.demo_data import load

    load()


def test_first_visit_user_completes_a_first_visit_from_the_workbench(
    page, live_server, demo, screenshot, outside_requests
):
    from kefu.firstvisit.models import FirstVisit
    from kefu.notify.models import Outbox

    visit = FirstVisit.objects.filter(status="pending", needs__isnull=True).order_by("-handed_over_at").first()
    login(page, live_server, "first_visit")
    panel = page.locator("[data-testid=my-first-visits]")
    assert panel.is_visible()
    screenshot(page, "fv-workbench")
    panel.locator(f"[data-first-visit='{visit.pk}']").click()
    page.wait_for_selector("[data-testid=verify-form]")
    for key in ("customer.name", "contact.name", "contact.mobile", "contract.products"):
        page.check(f"tr[data-check='{key}'] input[name=verified]")
    page.fill("input[name='fix:customer.website']", "www.verified.example.com")
    page.check("input[name='flag:contact.in_marketing_qq']")
    page.click("[data-testid=save-verify]")
    page.wait_for_selector(".alert-success")
    page.click("[data-testid=explain]")
    page.wait_for_selector(".alert-success")
    page.click("[data-testid=send-email]")
    page.wait_for_selector(".alert-success")
    page.select_option("select[name=department]", label="实施部")
    page.fill("textarea[name=content]", "希望安排供应链模块上线辅导")
    page.click("[data-testid=add-need]")
    page.wait_for_selector("[data-testid=needs] >> text=希望安排供应链模块上线辅导")
    page.click("[data-testid=submit-needs]")
    page.wait_for_selector("[data-testid=needs] >> text=已提交部门负责人")
    page.fill("textarea[name=summary]", "客户信息已核实，网站已更正；已告知服务流程。")
    page.click("[data-testid=complete]")
    page.wait_for_selector("[data-testid=fv-status] >> text=已完成")
    screenshot(page, "fv-completed")
    visit.refresh_from_db()
    assert visit.status == "completed"
    assert visit.customer.website == "www.verified.example.com"
    assert Outbox.objects.filter(event="firstvisit.process_email").exists()
    assert outside_requests == []


def test_rep_writes_a_plan_head_approves_and_visits_appear(page, live_server, demo, screenshot, outside_requests):
    from kefu.customers.models import Customer
    from kefu.plans.models import ServicePlan

    customer = Customer.objects.get(name="北京华信达科技有限公司")
    login(page, live_server, "customer_rep")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    assert page.locator("[data-testid=timeline] [data-timeline-kind]").count() >= 2
    screenshot(page, "customer-detail")
    page.click("[data-testid=write-plan]")
    page.wait_for_selector("[data-testid=plan-form]")
    assert page.input_value("#id_content")  # prefilled from the contract's service terms
    page.select_option("#id_visit_frequency", "1")
    page.fill("#id_requirements", "每月电话回访；版本升级前上门沟通。")
    page.click("[data-testid=save-plan]")
    page.click("[data-testid=submit-plan]")
    page.wait_for_selector("[data-testid=plan-status] >> text=待审批")
    plan = ServicePlan.objects.get(customer=customer)
    page.context.clear_cookies()
    login(page, live_server, "dept_head")
    # PLAN-2 through the shared approvals: the head finds it under 待我审批 (with its count) ...
    assert int(page.inner_text("[data-testid=nav-count-approvals]")) >= 1
    page.click("[data-nav=approvals]")
    row = page.locator("[data-testid=approval-inbox] tr", has_text=customer.name)
    row.locator("[data-testid=open-approval]").click()
    # ... a return without a reason is refused and the choice stays as picked
    page.check("input[name=verdict][value=return]")
    page.click("[data-testid=decide]")
    page.wait_for_selector("[data-testid=form-error]")
    assert page.is_checked("input[name=verdict][value=return]")
    page.check("input[name=verdict][value=approve]")
    page.click("[data-testid=decide]")
    page.wait_for_selector("[data-testid=approval-inbox]")
    assert "已同意" in page.inner_text(".alert-success")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.wait_for_selector("[data-testid=plan-status] >> text=已批准")
    assert page.locator("[data-testid=approval-history] [data-step-status=approved]").count() == 1
    visits = page.locator("[data-testid=plan-visits] a")
    assert visits.count() == plan.visits.count() >= 10
    screenshot(page, "plan-approved-visits")
    assert outside_requests == []


def test_customer_signs_the_plan_on_a_phone(phone_page, live_server, demo, screenshot):
    from kefu.plans.models import ServicePlan

    plan = ServicePlan.objects.get(status="approved")
    login(phone_page, live_server, "customer")
    phone_page.goto(f"{live_server.url}/plans/{plan.pk}/")
    phone_page.fill("#id_signer_name", "王立军")
    box = phone_page.locator("[data-testid=signature-pad]").bounding_box()
    phone_page.mouse.move(box["x"] + 30, box["y"] + 100)
    phone_page.mouse.down()
    for i in range(12):
        phone_page.mouse.move(box["x"] + 40 + i * 20, box["y"] + 60 + (i % 3) * 30)
    phone_page.mouse.up()
    phone_page.click("[data-testid=sign-plan]")
    phone_page.wait_for_selector("[data-testid=signature-image]")
    screenshot(phone_page, "plan-signed-phone")
    plan.refresh_from_db()
    assert plan.status == "signed" and plan.signature.name.endswith(".png")


def test_an_import_with_errors_shows_the_report_and_imports_nothing(page, live_server, demo, screenshot, tmp_path):
    from openpyxl import Workbook

    from kefu.customers import excel
    from kefu.customers.models import Customer

    wb = Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append([c[0] for c in excel.CUSTOMER_COLUMNS])
    ws.append(["浙江新客户有限公司", "", "重点", "浙江省", "杭州市", "西湖区", "文三路 1 号"] + [""] * 11)
    ws.append(["浙江坏数据有限公司", "", "特级", "浙江省", "杭州市", "西湖区", "", "", "", "", "", "张三", "", "123"])
    ws.append(["上海明达精密机械股份有限公司"] + [""] * 17)
    path = tmp_path / "客户导入.xlsx"
    buffer = BytesIO()
    wb.save(buffer)
    path.write_bytes(buffer.getvalue())
    before = Customer.objects.count()
    login(page, live_server, "customer_rep")
    page.goto(f"{live_server.url}/customers/")
    screenshot(page, "customer-list")
    page.click("[data-testid=import]")
    page.set_input_files("input[name=file]", str(path))
    page.click("[data-testid=upload]")
    page.wait_for_selector("[data-testid=import-errors]")
    text = page.locator("[data-testid=import-errors]").inner_text()
    assert "客户级别" in text and "手机" in text and "与已有客户重复" in text
    screenshot(page, "import-errors")
    assert Customer.objects.count() == before


def test_dept_head_exports_the_customer_list_with_masked_phones(page, live_server, demo, screenshot, outside_requests):
    """RPT-4 + QS-6: the department head reads the archive but not personal data; the export
    of the filtered list holds the page's rows, with every phone masked."""
    from openpyxl import load_workbook

    login(page, live_server, "dept_head")
    page.goto(f"{live_server.url}/customers/?level=vip")
    table = page.locator("[data-testid=customer-table]")
    shown = int(table.get_attribute("data-count"))
    assert shown >= 1
    screenshot(page, "customers-export-dept-head")
    with page.expect_download() as download:
        page.click("[data-testid=export]")
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(path, "rb") as fh:
        rows = list(load_workbook(BytesIO(fh.read())).worksheets[0].iter_rows(values_only=True))
    assert len(rows) - 1 == shown
    header = rows[0]
    mobiles = [r[header.index("手机")] for r in rows[1:] if r[header.index("手机")]]
    assert mobiles and all("****" in m for m in mobiles)
    assert outside_requests == []
