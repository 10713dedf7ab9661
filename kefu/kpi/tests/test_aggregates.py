"""RPT-2 from daily aggregates (issue 15): the dashboard read from the built days shows exactly
what the live selectors count — every figure, table and 12-period trend, for the whole company,
one engineer and one department — today is always counted live, a day is built by one worker
at a time, and a user who sees less than the company never reads the company's aggregates."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from kefu.fieldservice.models import Appointment, ServiceSheet, WorkOrder
from kefu.kpi import aggregates as agg
from kefu.kpi.models import DailyKpi
from kefu.kpi.report import KPI
from kefu.kpi.tests import world
from kefu.org.tests.factories import DepartmentFactory
from kefu.reports import aggregates, kit, periods
from kefu.reports.models import AggregateDay
from kefu.surveys.models import Survey

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _order(req, engineer, *, created, previous=None, **fields):
    return WorkOrder.objects.create(
        request=req,
        customer=req.customer,
        reason="上门",
        created_at=created,
        created_by=engineer,
        updated_at=created,
        engineer=engineer,
        previous=previous,
        **fields,
    )


@pytest.fixture
def company(make_user, now):
    """Two engineers in two departments, work on many days of October and November (today too)."""
    a = make_user("hotline", name="甲", department=DepartmentFactory(name="热线组"))
    b = make_user("field_engineer", name="乙", department=DepartmentFactory(name="现场组"))
    days = [datetime(2025, 10, d, 9, tzinfo=SH) for d in (8, 15, 31)]
    days += [datetime(2025, 11, d, 9, tzinfo=SH) for d in (3, 10, 21)] + [now - timedelta(hours=1)]
    for i, t in enumerate(days):
        who, other = (a, b) if i % 2 else (b, a)
        world.calls(at=t, engineer=who, answered=3 + i, missed=i % 3)
        world.calls(at=t + timedelta(hours=2), engineer=other, answered=1, missed=1)
        for p, hours in (("urgent", 2), ("high", 4), ("low", 24)):
            due = t + timedelta(hours=hours)
            world.clock(f"request.first_response.{p}", started=t, due=due, state="met", met_at=t, owner=who)
            world.clock(f"request.first_response.{p}", started=t, due=due, state="breached", owner=other)
        world.clock("request.first_response.medium", started=t, due=now + timedelta(hours=1), owner=who)  # undecided
        world.clock("hotline.callback", started=t, due=t + timedelta(hours=1), state="met", met_at=t, owner=who)
        world.clock("returnvisit.hotline", started=t, due=t + timedelta(days=2), state="breached", owner=other)
        world.clock("firstvisit.call", started=t, due=t + timedelta(days=7), state="met", met_at=t, owner=who)
        solved = world.request(by=who, at=t, owner=who, solved_after=timedelta(hours=1 + 7 * i))
        world.hotline(solved, engineer=who, outcome="solved", at=t)
        world.request(by=other, at=t, owner=other, channel="email", priority="high")
        order = _order(
            solved, b, created=t, checked_in_at=t + timedelta(hours=1), appointment_end=t + timedelta(hours=i)
        )
        again = _order(solved, b, created=t, previous=order)
        Appointment.objects.create(
            order=again,
            start=t,
            end=t + timedelta(hours=2),
            missed_reason="" if i % 2 else "客户不在",
            recorded_at=t,
            recorded_by=b,
        )
        ServiceSheet.objects.create(
            order=order,
            phenomenon="x",
            outcome=("solved", "partly", "not_solved")[i % 3],
            filled_at=t,
            filled_by=b,
            signed_at=t,
        )
        Survey.objects.create(
            object_id=f"agg-{i}",
            content_type_id=1,
            subject_label="x",
            customer=solved.customer,
            served_by=who,
            status="answered",
            rating=1 + i % 5,
            problem=i == 3,
            answered_at=t,
            created_at=t,
            expires_at=t + timedelta(days=7),
        )
    return {"a": a, "b": b}


def _shown(report, user, now, **filters) -> list:
    """Everything the page shows, as plain values."""
    params = {"period": "month", **filters}
    out = []
    for on in ("2025-10-01", "2025-11-01"):
        computed, _shown_filters = kit.build(report, {**params, "on": on}, user, now=now)
        out.append([(f.figure.key, f.value.value, f.value.base) for f in computed.figures])
        out.append([(t.table.key, t.rows) for t in computed.tables])
        out.append([(c.chart.key, c.categories, c.series) for c in computed.charts])
    return out


def test_rpt2_dashboard_from_aggregates_equals_the_live_count(company, make_user, now):
    manager = make_user("service_manager")
    dept = str(company["b"].department_id)
    views = [{}, {"engineer": str(company["a"].pk)}, {"department": dept}]
    live = [_shown(KPI, manager, now, **f) for f in views]
    assert not DailyKpi.objects.exists()

    aggregates.rebuild_range(agg.STORE, date(2025, 10, 1), now.date(), now=now)  # earlier: empty, live
    assert DailyKpi.objects.filter(day=date(2025, 10, 8)).exists()
    assert (
        AggregateDay.objects.filter(store="kpi", built_at__isnull=False).count()
        == (now.date() - date(2025, 10, 1)).days + 1
    )

    assert [_shown(KPI, manager, now, **f) for f in views] == live
    computed, _f = kit.build(KPI, {"period": "month", "on": "2025-10-01"}, manager, now=now)
    assert computed.as_of <= now  # "数据截至": the oldest day it read was built at `now`


def test_rpt2_today_is_counted_live_and_a_built_day_is_as_of_its_build(company, make_user, now):
    manager = make_user("service_manager")
    tz = periods.company_zone()
    plan = aggregates.plan(agg.STORE, *aggregates.day_span(now.date(), tz), now=now, tz=tz)
    assert plan.runs == [] and len(plan.live) == 1  # today, not built: live
    earlier = now - timedelta(days=3)
    aggregates.rebuild(agg.STORE, date(2025, 11, 21), now=earlier)
    world.calls(at=datetime(2025, 11, 21, 15, tzinfo=SH), engineer=company["a"], answered=0, missed=50)
    computed, _f = kit.build(KPI, {"period": "day", "on": "2025-11-21"}, manager, now=now)
    assert computed.as_of == earlier
    rate = computed.figure("connection_rate").value
    assert rate.base < 50  # the built day does not see the calls logged after its build …
    aggregates.rebuild(agg.STORE, date(2025, 11, 21), now=now)
    computed, _f = kit.build(KPI, {"period": "day", "on": "2025-11-21"}, manager, now=now)
    assert computed.figure("connection_rate").value.base == rate.base + 50  # … until it is built again


def test_rpt2_a_day_is_built_by_one_worker_at_a_time(company, now):
    day = date(2025, 11, 10)
    AggregateDay.objects.create(store="kpi", day=day, claim="other-worker", claimed_at=now - timedelta(minutes=1))
    assert aggregates.rebuild(agg.STORE, day, now=now) is None  # held: this worker leaves it
    assert not DailyKpi.objects.filter(day=day).exists()
    later = now + aggregates.CLAIM_TIMEOUT + timedelta(minutes=1)  # the other worker died
    rows = aggregates.rebuild(agg.STORE, day, now=later)
    assert rows and DailyKpi.objects.filter(day=day).count() == rows
    assert aggregates.rebuild(agg.STORE, day, now=later) == rows  # again: the same rows, not doubled
    assert DailyKpi.objects.filter(day=day).count() == rows


def test_qs6_a_scoped_user_never_reads_the_company_aggregates(company, make_user, station_a, now):
    out = io.StringIO()
    call_command("rebuild_aggregates", "--from", "2025-11-01", "--to", "2025-11-10", stdout=out)
    assert "kpi: 10 days rebuilt" in out.getvalue()
    station_user = make_user("station_master", station=station_a)
    assert not agg.sees_all(station_user, "calls") and not agg.sees_all(station_user, "fr.urgent")
    assert agg.sees_all(make_user("service_manager"), "calls")


def test_rpt2_the_job_rebuilds_yesterday_and_today_every_ten_minutes(company, now, settings):
    assert settings.CELERY_BEAT_SCHEDULE["report-aggregates"]["task"] == "kefu.reports.tasks.rebuild_aggregates"
    done = aggregates.recent(agg.STORE, now=now, days=2)
    assert sorted(done) == [now.date() - timedelta(days=1), now.date()] and None not in done.values()
