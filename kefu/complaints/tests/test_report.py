"""《客户投诉分析报告》 (CP-8): the figures, tables and trend on the reports kit; complaints not
counted (CP-2) absent from every figure but their own count; PDF and Excel as the page."""

import io
import re
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kefu.complaints import report, workflow
from kefu.complaints.tests.factories import World, accepted, contacted, new_complaint
from kefu.customers.tests.factories import CustomerFactory
from kefu.reports import kit

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOV = "period=month&on=2025-11-01"


def sh(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def data(db):
    """November 2025: 3 valid complaints (one contacted late), 2 outside the contract, a CAPA;
    one valid complaint in October for the trend."""
    world = World()
    repeat = CustomerFactory(name="重复投诉客户")
    monday = sh(2025, 11, 24, 10)
    on_time = contacted(world, now=monday, customer=repeat, type="attitude", product="ERP")
    late = accepted(world, now=monday, customer=repeat, type="attitude", product="ERP")
    workflow.assign_responsible(late, cause="路线", responsible=world.responsible, by=world.head, now=monday)
    workflow.record_contact(
        late,
        measures="致歉",
        remedy="apology",
        contact_record="已联系",
        by=world.responsible,
        now=monday + timedelta(hours=6),
    )
    accepted(world, now=sh(2025, 11, 10, 10), type="repair", product="KF-200")
    for _ in range(2):
        invalid = new_complaint(world, now=sh(2025, 11, 12, 10), customer=repeat, type="charge", product="合同外产品")
        workflow.archive_invalid(invalid, explanation="合同外", by=world.quality, now=sh(2025, 11, 12, 11))
    workflow.add_action(on_time, description="修订派工规则", owner=world.responsible, by=world.quality, now=monday)
    accepted(world, now=sh(2025, 10, 15, 10), type="rules")
    new_complaint(world, now=sh(2025, 11, 25, 10))  # not reviewed yet: counts nowhere
    world.now = sh(2025, 12, 2, 10)
    return world


def computed(user, now):
    return kit.build(report.COMPLAINTS_REPORT, {"period": "month", "on": "2025-11-01"}, user, now=now)[0]


def test_cp8_counts_valid_and_not_counted(data):
    c = computed(data.quality, data.now)
    values = {f.figure.key: f.value.value for f in c.figures}
    assert values["valid"] == 3
    assert values["invalid"] == 2
    assert values["open_capa"] == 1


def test_cp8_invalid_complaints_are_absent_from_every_other_figure_and_table(data):
    c = computed(data.quality, data.now)
    tables = {t.table.key: t.rows for t in c.tables}
    assert [r[0] for r in tables["by_type"]] == ["服务态度", "维修质量"]  # no 收费问题 (the invalid ones)
    assert "合同外产品" not in [r[0] for r in tables["by_product"]]
    assert tables["repeat_customers"] == [["重复投诉客户", 2]]  # 4 complaints, 2 not counted
    trend = next(ch for ch in c.charts if ch.chart.key == "trend_counts")
    valid = dict(trend.series)["有效投诉"]
    assert valid[-2:] == [1, 3]  # October, November


def test_cp8_3_hour_response_compliance_from_the_clocks(data):
    c = computed(data.quality, data.now)
    values = {f.figure.key: f.value for f in c.figures}
    # contacted in 1 h, contacted after 6 h, not contacted and past due: 1 of 3 on time.
    assert values["contact_3h"].base == 3
    assert values["contact_3h"].value == pytest.approx(33.3)
    trend = next(ch for ch in c.charts if ch.chart.key == "trend_compliance")
    assert dict(trend.series)["3 小时内联系客户"][-1] == values["contact_3h"].value  # the card and its trend agree


def test_cp8_page_pdf_and_excel_show_the_same_counts(client, data):
    client.force_login(data.quality)
    html = client.get(f"/reports/complaints/?{NOV}").content.decode()
    page = dict(re.findall(r'data-testid="drill-([a-z_]+)" data-value="([^"]+)"', html))
    assert page["valid"] == "3" and page["invalid"] == "2"
    pdf = client.get(f"/reports/complaints/report.pdf?{NOV}")
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    line = next(line for line in text.splitlines() if line.strip().startswith("有效投诉"))
    assert " 3" in line
    wb = load_workbook(io.BytesIO(client.get(f"/reports/complaints/report.xlsx?{NOV}").content))
    figures = {row[0]: row[1] for row in wb["指标"].iter_rows(min_row=4, values_only=True)}
    assert figures["有效投诉"] == 3 and figures["不计为有效的投诉"] == 2


def test_cp8_the_drill_down_lists_the_valid_complaints_of_the_month(client, data):
    client.force_login(data.quality)
    html = client.get(f"/reports/complaints/?{NOV}").content.decode()
    link = re.search(r'href="([^"]+)" data-testid="drill-valid"', html).group(1).replace("&amp;", "&")
    listing = client.get(link).content.decode()
    assert listing.count('data-object="complaints.complaint:') == 3


def test_cp8_the_monthly_page_publishes_to_heads_and_gm(client, data):
    from kefu.notify.models import Outbox

    client.force_login(data.quality)
    assert client.get(reverse("complaints:monthly", args=["2025-11"])).status_code == 200
    r = client.post(reverse("complaints:monthly_publish", args=["2025-11"]), {"summary": "服务态度类投诉集中"})
    assert r.status_code == 302
    assert Outbox.objects.filter(event="complaint.monthly_report", recipient=data.gm).exists()


def test_cp8_a_station_or_customer_cannot_open_the_report(client, data, station_a):
    from kefu.org.tests.factories import UserFactory

    for user in (UserFactory(roles=["station_master"], station=station_a), UserFactory(roles=["customer"])):
        client.force_login(user)
        assert client.get(f"/reports/complaints/?{NOV}").status_code == 403
