"""The return-visit engine (RV-5, RV-6, RV-8)."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from kefu.audit.models import Event
from kefu.core.errors import Forbidden, Invalid
from kefu.customers.models import TimelineEntry
from kefu.customers.tests.factories import ContractFactory, new_customer
from kefu.deadlines import clocks
from kefu.notify.models import Outbox
from kefu.visits import workflow
from kefu.visits.models import EngineerGrade, ReturnVisit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user, now):
    """Two reps, a senior and a junior engineer; customers normal, key, VIP in service, one expired, one closed."""
    rep = make_user("customer_rep", name="钱客代")
    senior = make_user("field_engineer", name="冯工程师")
    junior = make_user("field_engineer", name="小李")
    EngineerGrade.objects.create(user=senior, grade="senior")
    EngineerGrade.objects.create(user=junior, grade="junior")
    customers = {}
    for key, level in (("normal", "normal"), ("key", "key"), ("vip", "vip")):
        customers[key] = new_customer(rep, name=f"{key}客户有限公司", level=level, owner=rep)
        ContractFactory(customer=customers[key], service_start=date(2020, 1, 1), service_end=date(2030, 12, 31))
    customers["expired"] = new_customer(rep, name="过期客户有限公司", owner=rep)
    ContractFactory(customer=customers["expired"], service_start=date(2023, 1, 1), service_end=date(2024, 12, 31))
    customers["closed"] = new_customer(rep, name="停止合作客户有限公司", owner=rep, level="vip")
    ContractFactory(customer=customers["closed"])
    workflow_close = __import__("kefu.customers.workflow", fromlist=["close_customer"]).close_customer
    workflow_close(customers["closed"], by=make_user("admin"), now=now, reason="停业")
    return {"rep": rep, "senior": senior, "junior": junior, **customers}


def test_rv5_rv6_daily_generation_and_it_is_idempotent(world, now):
    counts = workflow.generate_due(now=now)
    assert counts == {"opened": 0, "care": 3, "inspection": 2}
    care = ReturnVisit.objects.filter(kind="care")
    assert {v.customer.name for v in care} == {"normal客户有限公司", "key客户有限公司", "vip客户有限公司"}
    assert all(v.assignee == world["rep"] and v.status == "open" and v.channel == "phone" for v in care)
    clock = clocks.open_clock(care.first(), "returnvisit.periodic")
    assert clock.due_at == now + timedelta(days=60)
    inspections = {v.customer.level: v for v in ReturnVisit.objects.filter(kind="inspection")}
    assert set(inspections) == {"key", "vip"}
    assert all(v.assignee == world["senior"] and v.channel == "onsite" for v in inspections.values())
    assert clocks.open_clock(inspections["key"], "returnvisit.key_inspection").due_at == now + timedelta(days=365)
    assert clocks.open_clock(inspections["vip"], "returnvisit.vip_inspection").due_at == now + timedelta(days=182)
    assert Outbox.objects.filter(event="visit.opened", recipient=world["senior"]).count() == 2
    # Exactly once: re-running, the same day or the next, creates nothing new.
    assert workflow.generate_due(now=now) == {"opened": 0, "care": 0, "inspection": 0}
    assert workflow.generate_due(now=now + timedelta(days=1)) == {"opened": 0, "care": 0, "inspection": 0}
    assert ReturnVisit.objects.count() == 5


def test_issue12_rv5_the_next_care_call_is_due_two_months_after_the_last_one_done(world, now):
    """RV-5: not "the day after" the last call: the next is due a period (60 days) after it,
    scheduled until its warning point (80 %, day 48), then open with its clock from the last call."""
    workflow.generate_due(now=now)
    visit = ReturnVisit.objects.get(kind="care", customer=world["normal"])
    done = now + timedelta(days=10)
    workflow.record_result(visit, content="客户反馈使用正常", satisfaction="satisfied", by=world["rep"], now=done)
    assert workflow.generate_due(now=done + timedelta(days=1))["care"] == 1
    nxt = ReturnVisit.objects.get(kind="care", customer=world["normal"], status__in=["scheduled", "open"])
    assert (nxt.status, nxt.planned_for) == ("scheduled", (done + timedelta(days=48)).date())
    assert nxt.generation_key == f"care:{world['normal'].pk}:2"
    assert clocks.open_clock(nxt, "returnvisit.periodic") is None
    assert not Outbox.objects.filter(event="visit.opened", key__contains=f":visits.returnvisit:{nxt.pk}:").exists()
    # Nothing happens the days before; on its day it opens, due 60 days after the last call.
    assert workflow.generate_due(now=done + timedelta(days=47)) == {"opened": 0, "care": 0, "inspection": 0}
    assert workflow.generate_due(now=done + timedelta(days=48, hours=1))["opened"] == 1
    nxt.refresh_from_db()
    clock = clocks.open_clock(nxt, "returnvisit.periodic")
    assert nxt.status == "open"
    assert Outbox.objects.filter(event="visit.opened", key__contains=f":visits.returnvisit:{nxt.pk}:").exists()
    assert (clock.started_at, clock.due_at) == (done, done + timedelta(days=60))
    assert workflow.generate_due(now=done + timedelta(days=49)) == {"opened": 0, "care": 0, "inspection": 0}


def test_issue12_rv5_a_call_long_overdue_opens_at_once_and_is_already_late(world, now):
    workflow.generate_due(now=now)
    visit = ReturnVisit.objects.get(kind="care", customer=world["key"])
    workflow.record_result(visit, content="正常", satisfaction="satisfied", by=world["rep"], now=now)
    later = now + timedelta(days=70)  # the job did not run for the whole period
    workflow.generate_due(now=later)
    nxt = ReturnVisit.objects.get(kind="care", customer=world["key"], status="open")
    assert clocks.open_clock(nxt, "returnvisit.periodic").due_at == now + timedelta(days=60)


@pytest.mark.parametrize(("level", "rule", "days"), [("vip", "vip_inspection", 182), ("key", "key_inspection", 365)])
def test_issue12_rv6_the_next_inspection_follows_its_period_from_the_last_one_done(world, now, level, rule, days):
    workflow.generate_due(now=now)
    visit = ReturnVisit.objects.get(kind="inspection", customer=world[level])
    done = now + timedelta(days=20)
    workflow.record_result(visit, content="巡检正常", satisfaction="satisfied", by=world["senior"], now=done)
    assert workflow.generate_due(now=done + timedelta(days=1))["inspection"] == 1
    nxt = ReturnVisit.objects.get(kind="inspection", customer=world[level], status__in=["scheduled", "open"])
    opens = done + timedelta(days=days) * 0.8
    assert (nxt.status, nxt.planned_for) == ("scheduled", opens.date())
    workflow.generate_due(now=opens + timedelta(hours=1))
    nxt.refresh_from_db()
    assert nxt.status == "open"
    assert clocks.open_clock(nxt, f"returnvisit.{rule}").due_at == done + timedelta(days=days)


def test_issue12_rv5_a_customer_with_an_approved_plan_gets_no_generic_care_call(now):
    """PLAN-2 schedules the customer's visits: the two-monthly care call (RV-5) stops for the
    plan's period (a waiting one is cancelled with the reason) and comes back after it."""
    from kefu.plans import workflow as plans
    from kefu.plans.tests.factories import customer_relations, written_plan

    _dept, head, rep = customer_relations()
    plan = written_plan(rep, now, visit_frequency=1, period_start=date(2025, 11, 1), period_end=date(2026, 4, 30))
    customer = plan.customer
    workflow.generate_due(now=now)
    care = ReturnVisit.objects.get(customer=customer, kind="care")
    assert care.status == "open"
    plans.submit(plan, by=rep, now=now)
    plans.approve(plan, by=head, now=now + timedelta(hours=1))
    care.refresh_from_db()
    assert (care.status, care.cancel_reason) == ("cancelled", str(workflow.SUPERSEDED_BY_PLAN))
    assert clocks.open_clock(care, "returnvisit.periodic") is None
    for days in (1, 60, 120):
        assert workflow.generate_due(now=now + timedelta(days=days))["care"] == 0
    assert not ReturnVisit.objects.filter(customer=customer, kind="care", status__in=["scheduled", "open"]).exists()
    assert ReturnVisit.objects.filter(customer=customer, kind="plan").count() == 5
    # After the plan's period the generic care call comes back (the contract runs to 2026-10-31).
    assert workflow.generate_due(now=now + timedelta(days=170))["care"] == 1


def test_rv6_without_senior_engineers_inspections_wait_unassigned(world, now):
    EngineerGrade.objects.filter(user=world["senior"]).update(grade="junior")
    workflow.generate_due(now=now)
    assert set(ReturnVisit.objects.filter(kind="inspection").values_list("assignee", flat=True)) == {None}


def test_result_goes_to_the_timeline_and_stops_the_clock(world, now):
    workflow.generate_due(now=now)
    visit = ReturnVisit.objects.get(kind="care", customer=world["key"])
    with pytest.raises(Invalid):
        workflow.record_result(visit, content="", satisfaction="satisfied", by=world["rep"], now=now)
    with pytest.raises(Forbidden):
        workflow.record_result(visit, content="x", satisfaction="satisfied", by=world["senior"], now=now)
    workflow.record_result(
        visit,
        content="客户希望增加培训",
        satisfaction="neutral",
        problems="报表导出慢",
        by=world["rep"],
        now=now + timedelta(hours=1),
    )
    visit.refresh_from_db()
    assert (visit.status, visit.satisfaction) == ("done", "neutral")
    assert clocks.clocks_of(visit).get().state == "met"
    entry = TimelineEntry.objects.get(customer=world["key"], kind="visit")
    assert entry.title == "定期关怀回访（电话）：一般"
    assert "报表导出慢" in entry.body
    event = Event.objects.get(verb="record_result")
    assert (event.before, event.after) == ("待回访", "已完成")


def test_rv8_lists_per_assignee_and_overdue_for_managers(
    client, api_as, world, now, make_user, django_assert_max_num_queries
):
    # Long ago: everything is overdue by today (the lists read the real clock); the expired
    # customer's contract was still in service then, so it got a care call too.
    workflow.generate_due(now=now - timedelta(days=400))
    manager = make_user("service_manager")
    client.force_login(world["rep"])
    with django_assert_max_num_queries(10):
        html = client.get(reverse("visits:list")).content.decode()
    mine = ReturnVisit.objects.filter(assignee=world["rep"])
    assert all(f"visits.returnvisit:{v.pk}" in html for v in mine)
    assert "visits.returnvisit:" + str(ReturnVisit.objects.filter(kind="inspection").first().pk) not in html
    # Not a manager: asking for the overdue list shows my own.
    assert api_as(world["rep"]).get("/api/visits/?overdue=1").status_code == 403
    api = api_as(manager)
    with django_assert_max_num_queries(8):
        overdue = api.get("/api/visits/?overdue=1").json()
    assert overdue["count"] == 6
    assert overdue["results"][0]["due_at"] is not None
    client.force_login(manager)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("visits:list"), {"scope": "overdue"}).content.decode()
    assert html.count('data-object="visits.returnvisit:') == 6
    workbench = client.get(reverse("workbench")).content.decode()
    assert 'data-testid="overdue-count"' in workbench
    # A manager who makes no visits sees the team's overdue visits under the count, not an empty list.
    assert "暂无待办回访" not in workbench
    assert any(reverse("visits:detail", args=[v.pk]) in workbench for v in ReturnVisit.objects.filter(status="open"))
    with django_assert_max_num_queries(8):
        assert api_as(world["rep"]).get("/api/visits/").json()["count"] == 4
    for role in ("station_master", "customer", "finance"):
        assert api_as(make_user(role)).get("/api/visits/").json()["count"] == 0


def test_rv8_a_manager_reassigns(world, now, make_user):
    workflow.generate_due(now=now)
    visit = ReturnVisit.objects.filter(kind="inspection").first()
    manager = make_user("service_manager")
    with pytest.raises(Forbidden):
        workflow.assign(visit, world["junior"], by=world["rep"], now=now)
    workflow.assign(visit, world["junior"], by=manager, now=now)
    visit.refresh_from_db()
    assert visit.assignee == world["junior"]
    assert Event.objects.get(verb="assign").after == "小李"


def test_plan_visits_open_when_their_day_comes(now, make_user):
    from kefu.plans.tests.factories import customer_relations, written_plan

    _dept, head, rep = customer_relations()
    plan = written_plan(rep, now, visit_frequency=1, period_start=date(2025, 11, 10), period_end=date(2026, 2, 28))
    from kefu.plans import workflow as plans

    plans.submit(plan, by=rep, now=now)
    plans.approve(plan, by=head, now=now)
    assert plan.visits.filter(status="open").count() == 0
    day = now + timedelta(days=17)  # 2025-12-11
    assert workflow.generate_due(now=day)["opened"] == 1
    visit = plan.visits.get(status="open")
    assert visit.planned_for == date(2025, 12, 10)
    assert clocks.open_clock(visit, "returnvisit.plan") is not None
    assert workflow.generate_due(now=day)["opened"] == 0


def test_the_daily_job_is_scheduled_in_the_database(db):
    from django_celery_beat.models import PeriodicTask

    from kefu.visits.apps import _schedule_daily_job

    _schedule_daily_job(None)
    assert PeriodicTask.objects.get(task="kefu.visits.tasks.generate_visits").crontab.hour == "6"


def test_visit_page_records_a_result(client, world, now):
    workflow.generate_due(now=now)
    visit = ReturnVisit.objects.get(kind="care", customer=world["vip"])
    client.force_login(world["rep"])
    assert client.get(reverse("visits:detail", args=[visit.pk])).status_code == 200
    client.post(
        reverse("visits:result", args=[visit.pk]),
        {"channel": "qq", "satisfaction": "very_satisfied", "content": "QQ 回访，客户很满意"},
    )
    visit.refresh_from_db()
    assert (visit.status, visit.channel) == ("done", "qq")


def test_rv8_a_manager_cancels_with_a_reason_and_the_clock_stops(world, now, make_user, client):
    workflow.generate_due(now=now)
    visit = ReturnVisit.objects.get(kind="care", customer=world["normal"])
    manager = make_user("service_manager")
    with pytest.raises(Forbidden):
        workflow.cancel(visit, reason="客户已停止合作", by=world["rep"], now=now)
    with pytest.raises(Invalid) as err:
        workflow.cancel(visit, reason="  ", by=manager, now=now)
    assert err.value.message == workflow.REASON_REQUIRED
    client.force_login(manager)
    client.post(reverse("visits:cancel", args=[visit.pk]), {"reason": "客户已停止合作"})
    visit.refresh_from_db()
    assert (visit.status, visit.cancel_reason) == ("cancelled", "客户已停止合作")
    assert clocks.open_clock(visit, "returnvisit.periodic") is None
    assert Event.objects.get(verb="cancel_visit").data["reason"] == "客户已停止合作"
    # The next care call for this customer is generated again by the daily job (RV-5).
    assert workflow.generate_due(now=now + timedelta(days=1))["care"] == 1


def test_rv8_reassigning_moves_the_running_clock_to_the_new_assignee(world, now, make_user):
    workflow.generate_due(now=now)
    visit = ReturnVisit.objects.get(kind="care", customer=world["vip"])
    other = make_user("customer_rep", name="孙客代")
    workflow.assign(visit, other, by=make_user("service_manager"), now=now)
    assert clocks.open_clock(visit, "returnvisit.periodic").owner == other


def test_rv1_sr5_visits_for_a_request_are_opened_once_while_open(world, now, make_user):
    from kefu.servicedesk.tests.factories import new_request

    engineer = make_user("hotline")
    req = new_request(world["vip"], by=engineer, now=now)
    first = workflow.open_for_request(req, kind="hotline", by=engineer, now=now)
    again = workflow.open_for_request(req, kind="hotline", by=engineer, now=now + timedelta(minutes=5))
    assert first.pk == again.pk and first.assignee == world["rep"]
    assert clocks.open_clock(first, "returnvisit.hotline").due_at == now + timedelta(days=3)
    call = workflow.open_for_request(req, kind="confirmation", by=engineer, now=now)
    assert call.pk != first.pk and call.channel == "phone" and call.source == req
    workflow.record_result(first, content="邮件回访，客户满意", satisfaction="satisfied", by=world["rep"], now=now)
    # A later handling of the same request gets its own visit; the first stays on record.
    later = workflow.open_for_request(req, kind="hotline", by=engineer, now=now + timedelta(days=5))
    assert later.pk != first.pk and ReturnVisit.objects.filter(kind="hotline", source_id=str(req.pk)).count() == 2


def test_rv8_workbench_shows_the_year_of_a_visit_due_in_another_year(world, now):
    from django.template.loader import render_to_string

    workflow.generate_due(now=now)
    visit = ReturnVisit.objects.filter(kind="inspection").first()
    visit.due_at = now + timedelta(days=365)
    html = render_to_string("visits/workbench_panel.html", {"panel": {"visits": [visit], "now": now, "overdue": 0}})
    assert "截止 2026-11-24" in html
    visit.due_at = now + timedelta(days=2)
    html = render_to_string("visits/workbench_panel.html", {"panel": {"visits": [visit], "now": now, "overdue": 0}})
    assert "截止 11-26" in html


def test_issue12_rv8_lists_put_overdue_first_then_due_soon_then_scheduled(
    client, api_as, world, now, make_user, django_assert_max_num_queries
):
    """Visit lists (my visits, all, the API, the customer's panel): overdue, then due soon by due
    time, then the future scheduled visits by their day; the queries stay bounded."""
    rep = world["rep"]
    customer = world["normal"]

    def opened(source, at):  # a return visit of 3 days (RV-1) opened at `at`
        return workflow.open_for_source(
            source, customer=customer, kind="hotline", channel="email", assignee=rep, by=rep, now=at
        )

    later = opened(world["key"], now)  # due in 3 days
    overdue = opened(world["vip"], now - timedelta(days=5))  # due 2 days ago
    soon = opened(world["expired"], now - timedelta(days=2, hours=23))  # due in 1 hour
    scheduled = [
        ReturnVisit.objects.create(
            customer=customer,
            kind="plan",
            planned_for=now.date() + timedelta(days=days),
            generation_key=f"test:{days}",
            assignee=rep,
            created_at=now,
        )
        for days in (30, 10)
    ]
    expected = [overdue.pk, soon.pk, later.pk, scheduled[1].pk, scheduled[0].pk]

    def order(html: str) -> list[int]:
        return [int(pk) for pk in re.findall(r'data-object="visits\.returnvisit:(\d+)"', html)]

    client.force_login(rep)
    with django_assert_max_num_queries(10):
        assert order(client.get(reverse("visits:list")).content.decode()) == expected
    manager = make_user("service_manager")
    client.force_login(manager)
    with django_assert_max_num_queries(10):
        assert order(client.get(reverse("visits:list"), {"scope": "all"}).content.decode()) == expected
    with django_assert_max_num_queries(8):
        rows = api_as(rep).get("/api/visits/").json()["results"]
    assert [r["id"] for r in rows] == expected
    client.force_login(rep)
    html = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    panel = html[html.index('data-testid="customer-visits"') :]
    panel = panel[: panel.index("</div>\n</div>")]
    assert [int(pk) for pk in re.findall(r'href="/visits/(\d+)/"', panel)] == expected


def test_issue14_rv8_the_assign_page_names_the_new_assignee_or_says_who_cannot(world, now, make_user, client):
    workflow.generate_due(now=now)
    visit = ReturnVisit.objects.get(kind="care", customer=world["normal"])
    client.force_login(make_user("service_manager"))
    response = client.post(reverse("visits:assign", args=[visit.pk]), {"assignee": world["junior"].pk}, follow=True)
    assert "回访已分配给小李。" in response.content.decode()
    visit.refresh_from_db()
    assert visit.assignee == world["junior"]
    response = client.post(reverse("visits:assign", args=[visit.pk]), {"assignee": "nobody"}, follow=True)
    assert str(workflow.NOT_A_VISITOR) in response.content.decode()
