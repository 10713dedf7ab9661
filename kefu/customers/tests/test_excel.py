"""Excel import and export of customers and contacts (CRM-6)."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kefu.audit.models import Event
from kefu.core.errors import Forbidden
from kefu.customers import excel
from kefu.customers.models import Contact, Customer, ImportJob
from kefu.customers.tests.factories import new_customer

pytestmark = pytest.mark.django_db


def workbook(customers: list[list], contacts: list[list] | None = None) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.title = excel.SHEET_CUSTOMERS
    ws.append([c[0] + (" *" if c[3] else "") for c in excel.CUSTOMER_COLUMNS])
    for row in customers:
        ws.append(row)
    if contacts is not None:
        sheet = wb.create_sheet(excel.SHEET_CONTACTS)
        sheet.append([c[0] for c in excel.CONTACT_COLUMNS])
        for row in contacts:
            sheet.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("客户.xlsx", buffer.getvalue())


def row(name, **over):
    values = {
        "name": name,
        "short_name": "",
        "level": "普通",
        "province": "上海市",
        "city": "市辖区",
        "district": "浦东新区",
        "address": "张江路 1 号",
        "industry": "软件",
        "website": "",
        "business": "",
        "owner": "",
        "contact_name": "王经理",
        "contact_title": "",
        "contact_mobile": "13812345678",
        "contact_phone": "",
        "contact_email": "w@example.com",
        "contact_qq": "",
        "contact_wechat": "",
    }
    values.update(over)
    return [values[c[1]] for c in excel.CUSTOMER_COLUMNS]


@pytest.fixture
def regions(db):
    from django.core.management import call_command

    call_command("loaddata", "regions", verbosity=0)


def test_crm6_template_has_both_sheets_and_an_example(client, make_user):
    client.force_login(make_user("customer_rep"))
    wb = load_workbook(BytesIO(client.get(reverse("customers:import_template")).content))
    assert wb.sheetnames[:2] == ["客户", "联系人"]
    assert wb["客户"]["A1"].value == "客户全称 *"
    assert wb["客户"]["A2"].value


def test_crm6_a_good_file_imports_customers_and_contacts(regions, make_user, now):
    rep = make_user("customer_rep", username="rep1")
    upload = workbook(
        [row("上海甲科技有限公司", owner="rep1", level="VIP"), row("上海乙贸易有限公司", contact_mobile="")],
        [["上海甲科技有限公司", "李会计", "会计", "13912345678", "", "", "", "", "否"]],
    )
    job = excel.start_import(upload, by=rep, now=now)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.customers_created, job.contacts_created) == (2, 3)
    first = Customer.objects.get(name="上海甲科技有限公司")
    assert (first.level, first.owner, first.district.name, first.province.name) == ("vip", rep, "浦东新区", "上海市")
    assert first.contacts.get(is_main=True).name == "王经理"
    assert first.contacts.count() == 2
    assert first.timeline.filter(kind="archive").exists()
    assert first.history.count() == 1
    assert Event.objects.filter(verb="import_customers").get().data["customers"] == 2
    # Imported names are found by search and by duplicate detection afterwards.
    from kefu.customers.selectors import customers_for

    assert list(customers_for(rep, q="甲科技")) == [first]


def test_crm6_one_bad_row_imports_nothing_and_reports_the_row(regions, make_user, now):
    rep = make_user("customer_rep")
    new_customer(rep, name="上海已有客户有限公司")
    upload = workbook(
        [
            row("上海好客户有限公司"),
            row("上海坏客户有限公司", contact_mobile="12345", level="超级"),
            row("上海已有客户股份有限公司"),
            row("", province="火星"),
            row("上海好客户有限公司"),
        ],
        [["不存在的客户", "张三", "", "", "", "bad-email", "", "", "是"]],
    )
    before = Customer.objects.count(), Contact.objects.count()
    job = excel.start_import(upload, by=rep, now=now)
    assert job.status == ImportJob.Status.FAILED
    assert (Customer.objects.count(), Contact.objects.count()) == before
    found = {(e["sheet"], e["row"], e["column"]) for e in job.errors}
    assert ("客户", 3, "手机") in found
    assert ("客户", 3, "客户级别") in found
    assert ("客户", 4, "客户全称") in found  # duplicate of the archive
    assert ("客户", 5, "客户全称") in found  # required
    assert ("客户", 5, "省") in found
    assert ("客户", 6, "客户全称") in found  # duplicate within the file
    assert ("联系人", 2, "客户全称") in found
    assert ("联系人", 2, "邮箱") in found
    messages = {(e["row"], e["column"]): e["message"] for e in job.errors if e["sheet"] == "客户"}
    assert messages[(3, "手机")] == str(excel.BAD_MOBILE)
    assert messages[(6, "客户全称")] == "与第 2 行客户重复"


def test_crm6_upload_page_shows_the_error_report(client, regions, make_user):
    rep = make_user("customer_rep")
    client.force_login(rep)
    response = client.post(reverse("customers:import"), {"file": workbook([row("甲公司", contact_mobile="1")])})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-errors"' in html
    assert str(excel.BAD_MOBILE) in html
    response = client.post(reverse("customers:import"), {"file": SimpleUploadedFile("x.xlsx", b"not excel")})
    assert str(excel.NOT_AN_XLSX) in response.content.decode()


def test_crm6_large_files_run_as_a_background_job(regions, make_user, now, django_capture_on_commit_callbacks):
    rep = make_user("customer_rep")
    rows = [row(f"批量导入客户{i:04d}有限公司", contact_mobile=f"138{i:08d}") for i in range(excel.SYNC_LIMIT + 20)]
    with django_capture_on_commit_callbacks(execute=True):
        job = excel.start_import(workbook(rows), by=rep, now=now)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors[:3]
    assert job.customers_created == excel.SYNC_LIMIT + 20
    assert job.percent == 100


def test_crm6_import_and_export_need_permissions(client, make_user, now):
    with pytest.raises(Forbidden):
        excel.start_import(workbook([]), by=make_user("hotline"), now=now)
    client.force_login(make_user("hotline"))
    assert client.get(reverse("customers:export")).status_code == 403
    assert client.get(reverse("customers:import")).status_code == 403


def test_crm6_export_of_a_filtered_list_round_trips(client, regions, make_user, now):
    rep = make_user("customer_rep")
    new_customer(rep, name="上海导出甲有限公司", level="vip")
    new_customer(rep, name="上海导出乙有限公司")
    client.force_login(rep)
    content = client.get(reverse("customers:export"), {"level": "vip"}).content
    sheet = load_workbook(BytesIO(content))["客户"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "客户全称"
    assert [r[0] for r in rows[1:]] == ["上海导出甲有限公司"]
    assert rows[1][13] == "13812345678"
