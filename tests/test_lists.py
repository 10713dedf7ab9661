"""Every list page exports to Excel (RPT-4, issue 14 §4): walked over the registry of lists.

Each registered list is a list-kit declaration (kefu.core.tables) with an export; for every
demo user who may see a list, its "导出 Excel" holds exactly the rows of its page (the count
the page shows), scoped as the page is; a role without the personal-data permission gets the
same phones masked (QS-6); the sheet has Chinese bold headers, a frozen header row, an auto
filter and real dates.
"""

import re
from datetime import UTC, datetime
from io import BytesIO

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from kefu.core import exports, lists
from kefu.core.models import ExportJob
from kefu.core.tables import KINDS, Column, Table
from kefu.customers.tests.factories import new_customer
from kefu.org.demo_data import load as load_demo
from kefu.org.models import User

COUNT = re.compile(r'data-count="(\d+)"')
HAN = re.compile(r"[\u4e00-\u9fff]")
MOBILE = re.compile(r"\b1[3-9]\d{9}\b")


def test_rpt4_every_list_page_is_a_declared_table_with_an_export():
    names = lists.html_lists()
    assert len(names) >= 20
    plain = [name for name in names if lists.TABLES[name] is None]
    assert not plain, f"list pages not on the list kit (no export): {plain}"
    for table in lists.tables():
        assert isinstance(table, Table)
        reverse(table.name)  # a page without arguments
        assert table.export and any(c.export for c in table.columns), table.name
        assert HAN.search(str(table.title)), table.name
        for column in table.columns:
            assert column.kind in KINDS
            if column.export:  # a page-only column may be an unlabelled action button
                with translation.override("zh-hans"):
                    assert str(column.label).strip(), (table.name, column.key)


def _rows(content: bytes):
    sheet = load_workbook(BytesIO(content)).worksheets[0]
    return sheet, list(sheet.iter_rows(values_only=True))


@pytest.mark.django_db
def test_rpt4_each_export_holds_the_rows_of_its_page_for_every_role(client):
    """The demo company, every user, every list they may see: export rows == page count."""
    load_demo(now=timezone.now())
    checked = 0
    for user in User.objects.filter(is_active=True).order_by("username"):
        client.force_login(user)
        for table in lists.tables():
            if not table.may_export(user):
                continue
            page = client.get(reverse(table.name))
            assert page.status_code == 200, (user.username, table.name, page.status_code)
            found = COUNT.search(page.content.decode())
            assert found, f"{table.name}: the page does not show its count (data-count)"
            response = client.get(reverse("exports:start", args=[table.name]))
            assert response.status_code == 200, (user.username, table.name, response.status_code)
            assert "spreadsheetml" in response["Content-Type"]
            sheet, rows = _rows(response.content)
            if 'data-capped="1"' not in page.content.decode():
                assert len(rows) - 1 == int(found.group(1)), (user.username, table.name)
            assert all(HAN.search(str(h)) or str(h).isascii() for h in rows[0])
            assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
            if not user.has_perm("customers.view_personal_data"):
                text = " ".join(str(v) for row in rows[1:] for v in row if v is not None)
                assert not MOBILE.search(text), f"{table.name} exports a full mobile to {user.username}"
            checked += 1
    assert checked >= 40


@pytest.mark.django_db
def test_rpt4_export_keeps_the_filters_types_and_masking(client, make_user):
    rep = make_user("customer_rep")
    new_customer(rep, name="上海导出甲有限公司", level="vip", contact={"name": "王立军", "mobile": "13816681234"})
    new_customer(rep, name="上海导出乙有限公司")
    client.force_login(make_user("dept_head"))  # reads the archive, not personal data
    response = client.get(reverse("exports:start", args=["customers:list"]), {"level": "vip"})
    sheet, rows = _rows(response.content)
    assert rows[0][0] == "客户全称" and sheet["A1"].font.b
    assert [r[0] for r in rows[1:]] == ["上海导出甲有限公司"]
    assert "138****1234" in rows[1] and "13816681234" not in rows[1]
    assert "filename*=UTF-8''" in response["Content-Disposition"]


class _Users(Table):
    name = "org:user_list"
    title = _("用户")
    columns = (
        Column("username", _("用户名")),
        Column("date_joined", _("加入时间"), kind="datetime"),
        Column("pk", _("编号"), kind="number"),
    )

    def rows(self, user, params):
        return User.objects.filter(username__startswith=params.get("q", "")).order_by("pk")


@pytest.mark.django_db
def test_rpt4_dates_are_dates_in_shanghai_time_and_numbers_are_numbers(make_user):
    user = make_user("hotline", username="zhang")
    user.date_joined = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    user.save()
    out = BytesIO()
    assert exports.write(_Users(), user, QueryDict("q=zhang"), out) == 1
    sheet, rows = _rows(out.getvalue())
    assert rows == [("用户名", "加入时间", "编号"), ("zhang", datetime(2026, 3, 2, 9, 30), user.pk)]
    assert sheet["B2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet.auto_filter.ref == "A1:C2"


@pytest.mark.django_db
def test_rpt4_a_big_export_runs_as_a_job_with_progress(
    client, make_user, monkeypatch, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(exports, "INLINE_MAX", 2)
    rep = make_user("customer_rep")
    for i in range(5):
        new_customer(rep, name=f"批量导出{i}有限公司")
    client.force_login(rep)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("exports:start", args=["customers:list"]))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exports:job", args=[job.pk])
    assert job.status == ExportJob.Status.DONE and (job.total, job.written, job.percent) == (5, 5, 100)
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="export-download"' in page
    _sheet, rows = _rows(b"".join(client.get(reverse("exports:download", args=[job.pk])).streaming_content))
    assert len(rows) == 6
    # Someone else's export is not there.
    client.force_login(make_user("customer_rep"))
    assert client.get(reverse("exports:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_rpt4_export_needs_the_page_and_export_permissions(client, make_user):
    client.force_login(make_user("hotline"))  # sees customers, may not export them
    assert client.get(reverse("exports:start", args=["customers:list"])).status_code == 403
    assert client.get(reverse("exports:start", args=["no:such"])).status_code == 404
    client.logout()
    assert client.get(reverse("exports:start", args=["customers:list"])).status_code == 302
