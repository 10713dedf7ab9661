"""The projects API (PRJ-1..PRJ-8): scoped reads, every step a POST on the workflow, 400/403/409
answers from its rules; customers and stations get no rows (company staff only)."""

import pytest

from kefu.customers.tests.factories import ContractFactory
from kefu.projects import workflow
from kefu.projects.models import DailyLog, Project, TaskBook
from kefu.projects.tests.factories import approved_project, people, running_project

pytestmark = pytest.mark.django_db


def test_prj1_task_book_created_submitted_and_approved_through_the_api(api_as, now):
    who = people()
    w = approved_project(now, who)
    contract = ContractFactory(customer=w.project.customer, sales=who["sales"])
    sales = api_as(who["sales"])
    r = sales.post(
        "/api/projects/task-books/", {"contract": contract.pk, "title": "MES 实施", "scope": "车间"}, format="json"
    )
    assert r.status_code == 201, r.json()
    book = r.json()["id"]
    assert sales.post(f"/api/projects/task-books/{book}/submit/").json()["status"] == "submitted"
    assert sales.post(f"/api/projects/task-books/{book}/approve/", {"manager": who["pm"].pk}).status_code == 403
    r = api_as(who["director"]).post(
        f"/api/projects/task-books/{book}/approve/", {"manager": who["pm"].pk}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert Project.objects.get(task_book_id=book).manager == who["pm"]
    assert TaskBook.objects.get(pk=book).status == TaskBook.Status.APPROVED


def test_prj3_start_through_the_api_names_what_is_missing(api_as, now):
    w = approved_project(now)
    api = api_as(w.pm)
    body = api.get(f"/api/projects/{w.project.pk}/").json()
    assert len(body["start_blockers"]) == 2
    r = api.post(f"/api/projects/{w.project.pk}/start/")
    assert r.status_code == 400 and r.json()["detail"] == str(workflow.NOT_STARTABLE)
    r = api.post(
        f"/api/projects/{w.project.pk}/kickoff/",
        {"on": now.date().isoformat(), "attendees": "王经理", "minutes": "范围"},
        format="json",
    )
    assert r.status_code == 200 and len(r.json()["start_blockers"]) == 1
    r = api.post(
        f"/api/projects/{w.project.pk}/plan/",
        {
            "scope": "总账",
            "phases": [{"name": "调研", "start": now.date().isoformat(), "end": now.date().isoformat()}],
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert api.post(f"/api/projects/{w.project.pk}/send-plan/").status_code == 200


def test_prj4_logs_through_the_api_and_a_consultant_not_on_the_team_gets_no_project(api_as, now):
    w = running_project(now)
    data = {"site": "上海总部", "day": now.date().isoformat(), "work_done": "总账初始化", "hours": "6"}
    assert api_as(w.outsider).post(f"/api/projects/{w.project.pk}/log/", data).status_code == 404
    r = api_as(w.consultant).post(f"/api/projects/{w.project.pk}/log/", data)
    assert r.status_code == 201 and r.json()["status"] == "submitted"
    assert api_as(w.consultant).post(f"/api/projects/{w.project.pk}/log/", data).status_code == 409
    log = r.json()["id"]
    pm = api_as(w.pm)
    assert pm.get("/api/projects/logs/", {"status": "submitted"}).json()["count"] == 1
    assert pm.get("/api/projects/logs/", {"status": "nope"}).status_code == 400
    r = pm.post(f"/api/projects/logs/{log}/paper/", {"signer_name": "王经理"})
    assert r.status_code == 400  # the paper's photo is required
    assert DailyLog.objects.get(pk=log).status == DailyLog.Status.SUBMITTED


def test_prj5_phase_steps_through_the_api(api_as, now):
    w = running_project(now)
    phase = w.project.phase_set.get(order=1)
    assert api_as(w.consultant).post(f"/api/projects/phases/{phase.pk}/submit/", {"result": "报告"}).status_code == 200
    r = api_as(w.pm).post(f"/api/projects/phases/{phase.pk}/review/")
    assert r.status_code == 200 and r.json()["status"] == "reviewed"
    assert api_as(w.pm).post(f"/api/projects/phases/{phase.pk}/review/").status_code == 409


def test_prj8_customers_and_other_staff_get_no_project_rows(api_as, make_user, now):
    w = running_project(now)
    for user in (w.customer_user, w.outsider, make_user("station_engineer")):
        api = api_as(user)
        for url in ("/api/projects/", "/api/projects/logs/", "/api/projects/phases/", "/api/projects/task-books/"):
            r = api.get(url)
            assert r.status_code == 403 or r.json()["count"] == 0, (user, url)
    assert api_as(w.director).get("/api/projects/").json()["count"] == 1
    assert api_as(w.pm).get("/api/projects/", {"view": "mine"}).json()["count"] == 1
