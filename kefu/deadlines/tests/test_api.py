"""The deadline API (NT-2): preview, calendar days, rules, workbench; errors in Chinese (QS-2)."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest

from kefu.deadlines import clocks, defaults
from kefu.deadlines.tests.conftest import sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(api_as, make_user):
    return api_as(make_user("hotline"))


def preview(client, **params):
    return client.get(f"/api/deadlines/preview?{urlencode(params)}")


def test_cal3_preview_working_time_over_national_day(staff):
    response = preview(
        staff, calendar="office", kind="working_time", amount=3, unit="hours", start="2025-09-30T17:00:00+08:00"
    )
    assert response.status_code == 200
    assert response.json()["due_at"] == "2025-10-09T11:00:00+08:00"
    assert response.json()["description"] == "3 小时（工作时间）"


def test_cal3_preview_accepts_an_unencoded_plus_and_a_naive_start(staff):
    raw = staff.get("/api/deadlines/preview?calendar=office&kind=next_work_start&start=2025-09-30T15:00:00+08:00")
    assert raw.json()["due_at"] == "2025-10-09T09:00:00+08:00"
    naive = preview(staff, calendar="office", kind="next_work_start", start="2025-09-30T15:00")
    assert naive.json()["due_at"] == "2025-10-09T09:00:00+08:00"


def test_cal3_preview_of_a_rule_by_key(staff):
    response = preview(staff, rule="hotline.shelved_reply", start="2025-10-01T10:00:00+08:00")
    assert response.json()["due_at"] == "2025-10-01T13:00:00+08:00"
    assert response.json()["calendar"] == "hotline"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "weekday_time", "weekday": 2, "time": "12:00", "start": "2025-11-24T10:00:00+08:00"}, "2025-11-26T12:00:00+08:00"),
        ({"kind": "weekday_time", "weekday": 0, "start": "2026-02-13T16:00:00+08:00"}, "2026-02-24T09:00:00+08:00"),
        ({"kind": "day_of_month", "day": 25, "time": "18:00", "start": "2025-11-26T10:00:00+08:00"}, "2025-12-25T18:00:00+08:00"),
        ({"kind": "nth_working_day_next_month", "amount": 3, "start": "2025-09-15T10:00:00+08:00"}, "2025-10-11T18:00:00+08:00"),
        ({"kind": "working_days", "amount": 1, "cutoff": "12:00", "start": "2025-11-24T10:00:00+08:00"}, "2025-11-24T18:00:00+08:00"),
        ({"kind": "elapsed", "amount": 7, "unit": "days", "start": "2025-09-30T17:00:00+08:00"}, "2025-10-07T17:00:00+08:00"),
    ],
)  # fmt: skip
def test_cal3_preview_of_each_kind(staff, params, expected):
    assert preview(staff, calendar="office", **params).json()["due_at"] == expected


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"calendar": "office", "kind": "fortnight"}, "未知的计时类型：fortnight"),
        ({"calendar": "office", "kind": "working_time", "unit": "hours"}, "请填写大于 0 的数量。"),
        ({"calendar": "office", "kind": "working_time", "amount": "x", "unit": "hours"}, "参数 amount 必须是整数。"),
        ({"calendar": "office", "kind": "working_time", "amount": 3, "unit": "days"}, "该计时类型不能使用单位“days”。"),
        ({"calendar": "office", "kind": "weekday_time", "weekday": 9}, "请选择星期（0=周一 … 6=周日）。"),
        (
            {"calendar": "office", "kind": "day_of_month", "day": 25, "time": "25:00"},
            "参数 time 必须是 HH:MM 格式的时刻。",
        ),
        ({"calendar": "moon", "kind": "elapsed", "amount": 1, "unit": "hours"}, "未知的工作日历：moon"),
        ({"rule": "no.such"}, "未知的时限规则：no.such"),
        ({"kind": "elapsed"}, "请提供 kind（计时类型）和 calendar（日历代码），或提供 rule（规则键）。"),
        (
            {"calendar": "office", "kind": "elapsed", "amount": 1, "unit": "hours", "start": "yesterday"},
            "开始时间格式有误，请使用 ISO 8601，例如 2025-09-30T17:00:00+08:00。",
        ),
    ],
)
def test_qs2_preview_bad_parameter_is_400_with_a_chinese_detail(staff, params, detail):
    response = preview(staff, **params)
    assert response.status_code == 400
    assert response.json()["detail"] == detail


def test_preview_is_for_staff_only(api_as, make_user, api_client, station_a):
    assert preview(api_client, rule="hotline.callback").status_code in (401, 403)
    station = api_as(make_user("station_master", station=station_a))
    assert preview(station, rule="hotline.callback").status_code == 403


def test_cal1_calendar_days_of_2025(staff):
    response = staff.get("/api/calendars/office/days", {"year": 2025})
    assert response.status_code == 200
    days = {d["date"]: d for d in response.json()}
    assert len(days) == 365
    assert days["2025-10-01"] == {"date": "2025-10-01", "is_workday": False, "name": "国庆节", "provisional": False}
    assert days["2025-09-28"]["is_workday"] is True
    assert days["2025-09-28"]["name"] == "国庆节调休上班"
    assert days["2025-11-22"] == {"date": "2025-11-22", "is_workday": False, "name": "", "provisional": False}
    assert days["2025-11-24"]["is_workday"] is True


def test_cal1_calendar_days_of_2026_and_a_provisional_year(staff):
    days = {d["date"]: d for d in staff.get("/api/calendars/office/days", {"year": 2026}).json()}
    assert days["2026-02-14"]["is_workday"] is True
    assert days["2026-02-17"]["name"] == "春节"
    later = staff.get("/api/calendars/office/days", {"year": 2027}).json()
    assert len(later) == 365
    assert all(d["provisional"] for d in later)
    hotline = {d["date"]: d for d in staff.get("/api/calendars/hotline/days", {"year": 2025}).json()}
    assert hotline["2025-10-01"]["is_workday"] is True


def test_calendar_days_bad_parameters(staff):
    bad = staff.get("/api/calendars/office/days", {"year": "abc"})
    assert bad.status_code == 400
    assert bad.json()["detail"] == "参数 year 必须是整数。"
    assert staff.get("/api/calendars/office/days", {"year": 1900}).status_code == 400
    assert staff.get("/api/calendars/nowhere/days", {"year": 2025}).json()["detail"] == "未知的工作日历：nowhere"


def test_cal3_rules_api_lists_every_rule(staff, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = staff.get("/api/deadlines/rules/")
    rules = {r["key"]: r for r in response.json()}
    assert len(rules) == len(defaults.DEFAULTS) >= 46
    shelved = rules["hotline.shelved_reply"]
    assert {k: shelved[k] for k in ("requirement", "kind", "amount", "unit", "calendar")} == {
        "requirement": "HL-5",
        "kind": "working_time",
        "amount": 3,
        "unit": "hours",
        "calendar": "hotline",
    }
    assert shelved["escalations"] == [
        {"offset_minutes": -30, "notify": "owner"},
        {"offset_minutes": 120, "notify": "department_head"},
    ]
    assert rules["parts.weekly_stock_report"]["time"] == "12:00"
    assert staff.get("/api/deadlines/rules/parts.ship/").json()["requirement"] == "PT-2"


def test_rules_api_is_refused_to_external_users(api_as, make_user, station_a):
    assert api_as(make_user("station_master", station=station_a)).get("/api/deadlines/rules/").status_code == 403
    assert api_as(make_user("customer")).get("/api/deadlines/rules/").status_code == 403


def test_rpt1_workbench_api_lists_my_open_clocks_by_due_time(api_as, engineer, manager, subjects, now):
    clocks.start(subjects[0], "hotline.shelved_reply", owner=engineer, now=now)
    clocks.start(subjects[1], "hotline.callback", owner=engineer, now=now)
    clocks.start(subjects[2], "hotline.callback", owner=manager, now=now)
    clocks.start(subjects[3], "hotline.callback", owner=engineer, now=now)
    clocks.stop(subjects[3], "hotline.callback", now=now)
    data = api_as(engineer).get("/api/workbench/").json()
    assert data["count"] == 2
    first, second = data["results"]
    assert [first["rule"], second["rule"]] == ["hotline.callback", "hotline.shelved_reply"]
    assert first["due_at"] == "2025-11-24T11:00:00+08:00"
    assert first["subject"] == {"type": "org.department", "id": str(subjects[1].pk), "name": "对象1", "url": ""}
    assert first["owner"]["name"] == "郑热线"
    assert first["state"] == "running"
    team = api_as(manager).get("/api/workbench/", {"scope": "team"}).json()
    assert team["count"] == 3
    assert api_as(manager).get("/api/workbench/").json()["count"] == 1
    # A non-manager asking for the team still gets only their own clocks.
    assert api_as(engineer).get("/api/workbench/", {"scope": "team"}).json()["count"] == 2
    assert api_as(engineer).get("/api/workbench/", {"rule": "hotline.callback"}).json()["count"] == 1


def test_workbench_api_query_count_is_bounded(api_as, engineer, make_user, station_a, django_assert_max_num_queries):
    from kefu.org.tests.factories import DepartmentFactory, StationFactory

    start = sh(2025, 11, 24, 10)
    for i in range(25):
        clocks.start(DepartmentFactory(), "hotline.callback", owner=engineer, now=start)
        clocks.start(StationFactory(), "station.acknowledge", owner=engineer, now=start.replace(minute=i))
    client = api_as(engineer)
    with django_assert_max_num_queries(8):
        response = client.get("/api/workbench/")
    assert response.json()["count"] == 50


def test_workbench_api_needs_a_login(api_client):
    assert api_client.get("/api/workbench/").status_code in (401, 403)


def test_api_schema_documents_the_deadline_endpoints(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for path in ("/api/deadlines/preview", "/api/calendars/{code}/days", "/api/deadlines/rules/", "/api/workbench/"):
        assert path in paths


def test_seconds_left_uses_the_request_time(api_as, engineer, subjects, now, monkeypatch):
    from kefu.deadlines import api

    clocks.start(subjects[0], "hotline.duty_ready", owner=engineer, now=now)
    monkeypatch.setattr(api.timezone, "now", lambda: now + timedelta(minutes=2))
    assert api_as(engineer).get("/api/workbench/").json()["results"][0]["seconds_left"] == 480


# --- issue 13 §1: bounded work per request ----------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "working_time", "amount": 1_000_000_000, "unit": "hours"}, "amount"),
        ({"kind": "elapsed", "amount": 10_000, "unit": "days"}, "amount"),
        ({"kind": "working_days", "amount": 100_000}, "amount"),
        ({"kind": "nth_working_day_next_month", "amount": 40}, "amount"),
        ({"kind": "working_time", "amount": 2, "unit": "hours", "start": "0001-01-01T00:00"}, "start"),
        ({"kind": "working_time", "amount": 2, "unit": "hours", "start": "9999-12-31T23:59"}, "start"),
    ],
)
def test_cal3_an_absurd_amount_or_start_is_a_400_not_a_busy_worker(staff, params, field):
    response = staff.get("/api/deadlines/preview?" + urlencode({"calendar": "office", **params}))
    assert response.status_code == 400 and response.json()["field"] == field, response.json()


def test_cal3_the_worst_allowed_preview_answers_well_under_a_second(staff):
    """The longest rule allowed, on the calendar with the fewest working hours a week."""
    import time

    for params in (
        {"kind": "working_time", "amount": 4000, "unit": "hours", "calendar": "office"},
        {"kind": "working_days", "amount": 500, "calendar": "office"},
        {"kind": "elapsed", "amount": 2 * 366, "unit": "days", "calendar": "office"},
    ):
        started = time.perf_counter()
        response = staff.get("/api/deadlines/preview?" + urlencode({**params, "start": "2025-11-24T10:00+08:00"}))
        took = time.perf_counter() - started
        assert response.status_code == 200, response.json()
        assert took < 1.0, (params, took)


def test_cal3_the_rule_editor_refuses_an_absurd_amount():
    from django.forms.models import model_to_dict

    from kefu.deadlines.forms import RuleForm
    from kefu.deadlines.models import DeadlineRule

    rule = DeadlineRule.objects.get(key="hotline.callback")
    data = {k: v for k, v in model_to_dict(rule).items() if v is not None} | {"amount": 1_000_000_000}
    form = RuleForm(data=data, instance=rule)
    assert not form.is_valid() and "数量过大" in str(form.errors)


def test_cal3_the_clock_maths_stops_at_its_horizon():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from kefu.deadlines.clockmath import HORIZON_DAYS, CalendarSnapshot, add_working_time, end_of_nth_working_day

    one_hour_a_week = CalendarSnapshot.build(
        ZoneInfo("Asia/Shanghai"), [((sh(2025, 1, 1, 9).time(), sh(2025, 1, 1, 10).time()),)] + [()] * 6
    )
    start = datetime(2025, 1, 6, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    with pytest.raises(ValueError, match=f"{HORIZON_DAYS} days"):
        add_working_time(one_hour_a_week, start, 60 * 1000)  # 1000 weeks ≈ 19 years
    with pytest.raises(ValueError, match=f"{HORIZON_DAYS} days"):
        end_of_nth_working_day(one_hour_a_week, start, 1000)
