"""Pages: the workbench panel, the calendar page and the rule editor; who may use them."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.audit.models import Event
from kefu.deadlines import calendars, clocks
from kefu.deadlines.clockmath import is_working_day
from kefu.deadlines.models import DeadlineRule, WorkCalendar
from kefu.org.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def start_now(subject, key, owner, **kwargs):
    return clocks.start(subject, key, owner=owner, now=timezone.now() - kwargs.pop("ago", timedelta(0)), **kwargs)


def test_rpt1_workbench_shows_my_clocks_with_countdown_classes(client, engineer, subjects):
    overdue = start_now(subjects[0], "hotline.duty_ready", engineer, ago=timedelta(hours=1))
    soon = start_now(subjects[1], "hotline.handover", engineer, ago=timedelta(minutes=5))
    later = start_now(subjects[2], "returnvisit.network_followup", engineer)
    client.force_login(engineer)
    html = client.get(reverse("workbench")).content.decode()
    assert 'data-testid="clock-panel"' in html
    assert (
        html.index(f'data-object="deadlines.clock:{overdue.pk}"')
        < html.index(f'data-object="deadlines.clock:{soon.pk}"')
        < html.index(f'data-object="deadlines.clock:{later.pk}"')
    )
    assert 'class="countdown overdue"' in html
    assert 'class="countdown soon"' in html
    assert "deadlines/countdown.js" in html
    assert "超时 " in html and "剩余 " in html


def test_rpt1_workbench_filters_by_kind_and_rule(client, engineer, subjects):
    a = start_now(subjects[0], "hotline.duty_ready", engineer)
    b = start_now(subjects[1], "complaint.contact", engineer)
    client.force_login(engineer)
    html = client.get(reverse("workbench"), {"clock_kind": "working_time"}).content.decode()
    assert f"deadlines.clock:{b.pk}" in html and f"deadlines.clock:{a.pk}" not in html
    html = client.get(reverse("workbench"), {"clock_rule": "hotline.duty_ready"}).content.decode()
    assert f"deadlines.clock:{a.pk}" in html and f"deadlines.clock:{b.pk}" not in html


def test_rpt1_a_manager_sees_the_teams_clocks(client, engineer, manager, make_user, department, subjects):
    member = make_user("field_engineer", department=department)
    department.head = manager
    department.save(update_fields=["head"])
    stranger = make_user("hotline")
    mine = start_now(subjects[0], "hotline.callback", manager)
    report = start_now(subjects[1], "hotline.callback", engineer)
    in_department = start_now(subjects[2], "fieldservice.write_off", member)
    other = start_now(subjects[3], "hotline.callback", stranger)
    client.force_login(manager)
    html = client.get(reverse("workbench"), {"clock_scope": "team"}).content.decode()
    for clock in (mine, report, in_department):
        assert f"deadlines.clock:{clock.pk}" in html
    assert f"deadlines.clock:{other.pk}" not in html
    assert "郑热线" in html  # the owner column
    client.force_login(engineer)
    html = client.get(reverse("workbench"), {"clock_scope": "team"}).content.decode()
    assert f"deadlines.clock:{report.pk}" in html
    assert f"deadlines.clock:{mine.pk}" not in html


def test_rpt1_workbench_query_count_does_not_grow_with_clocks(
    client, rf, engineer, django_assert_max_num_queries, django_assert_num_queries
):
    from kefu.deadlines.views import workbench_panel
    from kefu.org.tests.factories import DepartmentFactory, StationFactory

    client.force_login(engineer)
    for _ in range(3):
        start_now(DepartmentFactory(), "hotline.callback", engineer)
    with django_assert_max_num_queries(50) as few:
        client.get(reverse("workbench"))
    for _ in range(25):
        start_now(DepartmentFactory(), "hotline.callback", engineer)
        start_now(StationFactory(), "station.acknowledge", engineer)
    with django_assert_max_num_queries(50) as many:
        html = client.get(reverse("workbench")).content.decode()
    assert html.count('data-object="deadlines.clock:') == 50
    assert len(many.captured_queries) <= len(few.captured_queries) + 1  # + one subject type
    # The panel itself: the ids, the rows, one query per subject type (two here), and the
    # user's roles and permissions (three, once per request).
    request = rf.get("/")
    request.user = User.objects.get(pk=engineer.pk)
    with django_assert_num_queries(7):
        panel = workbench_panel(request)
    assert len(panel["clocks"]) == 50


def test_clock_list_page_paginates_and_is_bounded(client, engineer, django_assert_max_num_queries):
    from kefu.org.tests.factories import DepartmentFactory

    for _ in range(55):
        start_now(DepartmentFactory(), "hotline.callback", engineer)
    client.force_login(engineer)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("deadlines:clock_list")).content.decode()
    assert html.count('data-object="deadlines.clock:') == 50
    html = client.get(reverse("deadlines:clock_list"), {"page": 2}).content.decode()
    assert html.count('data-object="deadlines.clock:') == 5


def test_customers_get_no_clock_panel(client, make_user):
    client.force_login(make_user("customer"))
    assert 'data-testid="clock-panel"' not in client.get(reverse("workbench")).content.decode()


# --- calendar page -------------------------------------------------------------------------


def test_cal1_calendar_page_shows_a_month_grid_with_holiday_names(admin_client):
    html = admin_client.get(
        reverse("deadlines:calendar_detail", args=["office"]), {"month": "2025-10"}
    ).content.decode()
    assert "2025年10月" in html
    assert 'data-date="2025-10-01" data-workday="0"' in html
    assert 'data-date="2025-10-11" data-workday="1"' in html
    assert "国庆节" in html
    assert 'hx-post="/deadlines/calendars/office/days/2025-10-09/"' in html
    assert 'data-testid="provisional"' not in html


def test_cal1_calendar_page_marks_a_provisional_year(admin_client):
    year = calendars.package_years()[-1] + 1
    html = admin_client.get(
        reverse("deadlines:calendar_detail", args=["office"]), {"month": f"{year}-01"}
    ).content.decode()
    assert 'data-testid="provisional"' in html


def test_cal1_clicking_a_day_toggles_it_with_htmx(admin_client):
    url = reverse("deadlines:calendar_day", args=["office", "2025-12-01"])
    response = admin_client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith("<td") and 'data-workday="0"' in html
    office = WorkCalendar.objects.get(code="office")
    assert not is_working_day(calendars.snapshot(office), date(2025, 12, 1))
    assert Event.objects.filter(verb="calendar_day").count() == 1
    response = admin_client.post(url)  # without htmx: back to the month
    assert response.status_code == 302
    assert response["Location"].endswith("?month=2025-12")


def test_cal2_hours_form_saves_intervals(admin_client):
    data = {f"day_{i}": "08:00-12:00, 13:00-17:00" for i in range(5)} | {"day_5": "", "day_6": "", "month": "2025-11"}
    response = admin_client.post(reverse("deadlines:calendar_hours", args=["office"]), data)
    assert response.status_code == 302
    snap = calendars.snapshot(WorkCalendar.objects.get(code="office"))
    assert snap.weekly[0][0][0].hour == 8
    bad = admin_client.post(
        reverse("deadlines:calendar_hours", args=["office"]), {"day_0": "nine to five"}, follow=True
    )
    assert "请按“09:00-12:00, 13:30-18:00”的格式填写" in bad.content.decode()


def test_cal1_import_page_action_says_when_the_package_lacks_the_year(admin_client):
    year = calendars.package_years()[-1] + 1
    response = admin_client.post(reverse("deadlines:calendar_import", args=["office"]), {"year": year}, follow=True)
    assert f"chinesecalendar 尚未包含 {year} 年的节假日安排" in response.content.decode()
    response = admin_client.post(reverse("deadlines:calendar_import", args=["office"]), {"year": 2026}, follow=True)
    assert "已导入 2026 年节假日安排" in response.content.decode()


@pytest.mark.parametrize("role", ["hotline", "service_manager", "station_master", "customer"])
def test_only_administrators_use_the_calendar_and_rule_pages(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(reverse("deadlines:calendar_list")).status_code == 403
    assert client.get(reverse("deadlines:calendar_detail", args=["office"])).status_code == 403
    assert client.post(reverse("deadlines:calendar_day", args=["office", "2025-12-01"])).status_code == 403
    assert client.post(reverse("deadlines:calendar_hours", args=["office"]), {}).status_code == 403
    assert client.post(reverse("deadlines:calendar_import", args=["office"]), {"year": 2026}).status_code == 403
    assert client.get(reverse("deadlines:rule_list")).status_code == 403
    assert client.post(reverse("deadlines:rule_edit", args=["hotline.callback"]), {"amount": 5}).status_code == 403
    assert DeadlineRule.objects.get(key="hotline.callback").amount == 1
    assert not Event.objects.exists()


def test_administrator_navigation_has_calendars_and_rules(admin_client, client, make_user):
    html = admin_client.get(reverse("workbench")).content.decode()
    assert 'data-nav="calendars"' in html and 'data-nav="deadline_rules"' in html
    client.force_login(make_user("hotline"))
    html = client.get(reverse("workbench")).content.decode()
    assert 'data-nav="calendars"' not in html


# --- rules page ------------------------------------------------------------------------------


def test_cal3_rule_list_shows_every_rule_with_bounded_queries(admin_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        html = admin_client.get(reverse("deadlines:rule_list")).content.decode()
    assert html.count('data-object="deadlines.deadlinerule:') == DeadlineRule.objects.count() >= 46
    assert "搁置问题答复客户（3 小时内）" in html
    assert "每周三 12:00 前" in html


def rule_post(rule, **changes):
    data = {
        "name_zh": rule.name_zh,
        "name_en": rule.name_en,
        "kind": rule.kind,
        "amount": rule.amount or "",
        "unit": rule.unit,
        "weekday": "" if rule.weekday is None else rule.weekday,
        "at": rule.at.strftime("%H:%M") if rule.at else "",
        "day": rule.day or "",
        "cutoff": "",
        "calendar": rule.calendar_id,
        "warn_ratio": "",
        "enabled": "on",
        "levels-TOTAL_FORMS": "2",
        "levels-INITIAL_FORMS": "0",
        "levels-0-offset_minutes": "-20",
        "levels-0-notify": "owner",
        "levels-1-offset_minutes": "",  # the untouched extra row
        "levels-1-notify": "",
    }
    data.update(changes)
    return data


def test_cal3_rule_editor_saves_applies_to_new_clocks_and_audits(admin_client):
    rule = DeadlineRule.objects.get(key="hotline.callback")
    html = admin_client.get(reverse("deadlines:rule_edit", args=[rule.key])).content.decode()
    assert 'id="preview-due"' in html and "rule_preview.js" in html
    response = admin_client.post(reverse("deadlines:rule_edit", args=[rule.key]), rule_post(rule, amount=2))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.amount == 2 and rule.customized
    assert list(rule.escalations.values_list("offset_minutes", "notify")) == [(-20, "owner")]
    assert {e.verb for e in Event.objects.all()} == {"rule_update", "rule_escalations"}


def test_qs2_rule_editor_shows_chinese_errors_and_saves_nothing(admin_client):
    rule = DeadlineRule.objects.get(key="hotline.callback")
    response = admin_client.post(reverse("deadlines:rule_edit", args=[rule.key]), rule_post(rule, unit="days"))
    assert response.status_code == 200
    assert "该计时类型不能使用单位“days”。" in response.content.decode()
    rule.refresh_from_db()
    assert rule.unit == "hours"
    assert not Event.objects.exists()
