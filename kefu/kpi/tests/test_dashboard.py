"""RPT-2, RPT-4: the dashboard page, its PDF and its workbook show the same numbers; every
figure links to its filtered list; a station or a customer sees no report data (issue 15 §2, §3)."""

import io
import re
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from kefu.kpi import selectors as s
from kefu.kpi.tests import world
from kefu.reports import periods

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOV = "period=month&on=2025-11-01"


@pytest.fixture
def data(make_user):
    """November 2025: 4 of 5 calls answered (80 %), first response urgent 1 of 2 (50 %)."""
    hotline = make_user("hotline", name="郑热线")
    t = datetime(2025, 11, 10, 9, tzinfo=SH)
    world.calls(at=t, engineer=hotline, answered=4, missed=1)
    world.clock("request.first_response.urgent", started=t, due=t + timedelta(hours=2), state="met", met_at=t)
    world.clock("request.first_response.urgent", started=t, due=t + timedelta(hours=2), state="breached", owner=hotline)
    req = world.request(by=hotline, at=t, owner=hotline, solved_after=timedelta(hours=3))
    world.hotline(req, engineer=hotline, outcome="solved", at=t)
    return hotline


def _page_values(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="drill-([a-z_]+)" data-value="([^"]+)"', html))


def test_rpt2_page_shows_figures_targets_definitions_and_drill_down_links(client, make_user, data):
    client.force_login(make_user("service_manager"))
    html = client.get(f"/reports/kpi/?{NOV}").content.decode()
    values = _page_values(html)
    assert values["connection_rate"] == "80.0%"
    assert values["first_response_urgent"] == "50.0%"
    assert values["first_call_resolution"] == "100.0%"
    assert "目标 90" in html and "未达标" in html  # HL-8 against its target
    assert "本周期来电中已接通的比例" in html  # the definition under the figure
    assert 'href="/servicedesk/?from=2025-11-01&amp;to=2025-11-30&amp;priority=urgent"' in html
    assert 'href="/servicedesk/calls/?from=2025-11-01&amp;to=2025-11-30"' in html
    assert "vendor/echarts/echarts.min.js" in html and "cdn" not in html.lower()


def test_rpt2_drill_down_lands_on_the_rows_of_the_figure(client, make_user, data):
    client.force_login(make_user("service_manager"))
    world.request(by=data, at=datetime(2025, 10, 30, 9, tzinfo=SH), owner=data)  # October: not in the list
    html = client.get("/servicedesk/?from=2025-11-01&to=2025-11-30&channel=phone").content.decode()
    assert len(re.findall(r'data-object="servicedesk.servicerequest:', html)) == 1


def test_rpt2_drill_down_of_an_engineer_or_department_narrows_every_list_to_their_rows(client, make_user, data):
    """The dashboard narrowed to one engineer (or department) links to lists narrowed the same way:
    requests (owner), calls (engineer), work orders, return visits, surveys; the list says so."""
    from kefu.org.tests.factories import DepartmentFactory

    dept = DepartmentFactory(name="热线二组")
    other = make_user("hotline", name="王热线", department=dept)
    t = datetime(2025, 11, 12, 9, tzinfo=SH)
    world.request(by=other, at=t, owner=other)
    world.calls(at=t, engineer=other, answered=1, missed=2)
    client.force_login(make_user("service_manager"))
    html = client.get(f"/reports/kpi/?{NOV}&engineer={data.pk}").content.decode()
    links = {k: v for v, k in re.findall(r'href="([^"]+)" data-testid="drill-([a-z_]+)"', html)}
    calls = links["connection_rate"].replace("&amp;", "&")
    assert calls == f"/servicedesk/calls/?from=2025-11-01&to=2025-11-30&engineer={data.pk}"
    page = client.get(calls).content.decode()
    assert len(re.findall(r'data-object="servicedesk.calllog:', page)) == 5  # 郑热线's 5, not 王热线's 3
    assert "人员：郑热线" in page
    requests = client.get(f"/servicedesk/?from=2025-11-01&to=2025-11-30&department={dept.pk}").content.decode()
    assert len(re.findall(r'data-object="servicedesk.servicerequest:', requests)) == 1  # 王热线's only
    assert "部门：热线二组" in requests
    for url in ("/fieldservice/", "/visits/", "/surveys/"):
        assert client.get(f"{url}?from=2025-11-01&to=2025-11-30&engineer={data.pk}").status_code == 200


def test_rpt2_filters_keep_the_url_and_refuse_what_the_user_may_not_choose(client, make_user, data):
    client.force_login(make_user("service_manager"))
    html = client.get(f"/reports/kpi/?{NOV}&engineer={data.pk}").content.decode()
    assert f'href="/reports/kpi/report.pdf?period=month&amp;on=2025-11-01&amp;engineer={data.pk}"' in html
    assert _page_values(html)["connection_rate"] == "80.0%"
    bad = client.get(f"/reports/kpi/?{NOV}&engineer=999999")
    assert bad.status_code == 400 and "没有这个选项" in bad.content.decode()
    bad = client.get("/reports/kpi/?period=custom&from=2025-11-01&to=2025-10-01")
    assert bad.status_code == 400 and "结束日期不能早于开始日期" in bad.content.decode()
    assert 'value="2025-10-01"' in bad.content.decode()  # what was typed stays


def test_rpt4_pdf_and_excel_show_the_same_numbers_as_the_page(client, make_user, data):
    client.force_login(make_user("service_manager"))
    page = _page_values(client.get(f"/reports/kpi/?{NOV}").content.decode())
    pdf = client.get(f"/reports/kpi/report.pdf?{NOV}")
    assert pdf["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-", "-"],  # poppler-utils, fixed Debian path
        input=pdf.content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for label, key in (("接通率", "connection_rate"), ("首次响应及时率（紧急）", "first_response_urgent")):
        line = next(line for line in text.splitlines() if line.strip().startswith(label))
        assert page[key] in line, (label, line)
    assert "周期 2025-11" in text
    xlsx = client.get(f"/reports/kpi/report.xlsx?{NOV}")
    wb = load_workbook(io.BytesIO(xlsx.content))
    figures = {row[0]: row[1] for row in wb["指标"].iter_rows(min_row=4, values_only=True)}
    assert figures["接通率"] == 80.0 and isinstance(figures["接通率"], int | float)  # a number, not "80.0%"
    assert f"{figures['首次响应及时率（紧急）']:.1f}%" == page["first_response_urgent"]
    assert "指标定义" in wb.sheetnames and "接通率（按工程师）" in wb.sheetnames
    engineers = list(wb["接通率（按工程师）"].iter_rows(min_row=2, values_only=True))
    assert engineers == [("郑热线", 5, 4, 80.0)]


def test_qs6_a_station_or_a_customer_sees_no_report_data(client, make_user, station_a, data):
    station = make_user("station_master", station=station_a)
    customer = make_user("customer")
    nov = periods.containing("month", datetime(2025, 11, 1).date(), SH)
    for user in (station, customer):
        client.force_login(user)
        for path in ("/reports/kpi/", "/reports/kpi/report.pdf", "/reports/kpi/report.xlsx", "/kpi/"):
            response = client.get(path, follow=True)
            assert response.status_code == 403, (user, path)
        # and the selectors themselves give them nothing of the company's data
        span = {"user": user, "start": nov.start, "end": nov.end}
        assert s.connection_rate(**span).base == 0
        assert s.first_response(**span, now=nov.end, priority="urgent").base == 0
        assert s.first_call_resolution(**span).base == 0
        assert s.overdue_clocks(user, now=nov.end).value == 0


def test_rpt1_navigation_and_workbench_link_for_the_service_manager_and_department_head(client, make_user):
    for role in ("service_manager", "dept_head"):
        client.force_login(make_user(role))
        html = client.get("/").content.decode()
        assert 'data-testid="kpi-link"' in html and 'href="/reports/kpi/"' in html
    client.force_login(make_user("hotline"))
    assert 'data-testid="kpi-link"' not in client.get("/").content.decode()
