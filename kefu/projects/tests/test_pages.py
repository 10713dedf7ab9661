"""The project pages (PRJ-8): each renders for the roles that use it, and only for them; a
customer sees only its own projects; the steps go through the pages' forms (the action idiom);
the lists export to Excel (RPT-4); the workbench shows the open clocks."""

import pytest
from django.urls import reverse

from kefu.customers.tests.factories import ContractFactory
from kefu.projects import workflow
from kefu.projects.models import DailyLog, Phase, Project, TaskBook
from kefu.projects.tests.factories import SIGNATURE, approved_project, finish_phases, people, running_project
from tests.helpers.lists import export, page_count, page_keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(now):
    w = running_project(now)
    w.log = workflow.write_log(
        w.project, site="上海总部", day=now.date(), work_done="总账初始化", hours="6", by=w.consultant, now=now
    )
    return w


def pages(w):
    p = w.project
    return {
        "list": reverse("projects:list"),
        "logs": reverse("projects:logs"),
        "detail": reverse("projects:detail", args=[p.pk]),
        "log": reverse("projects:log", args=[p.pk, w.log.pk]),
        "taskbooks": reverse("projects:taskbooks"),
        "taskbook": reverse("projects:taskbook", args=[p.task_book_id]),
        "taskbook_new": reverse("projects:taskbook_create", args=[p.contract_id]),
    }


def status(client, user, url):
    client.force_login(user)
    return client.get(url).status_code


def test_prj8_every_page_renders_for_its_roles(client, world):
    urls = pages(world)
    expected = {
        "director": dict.fromkeys(urls, 200),
        "pm": {**dict.fromkeys(urls, 200), "taskbooks": 403, "taskbook": 404, "taskbook_new": 403},
        "consultant": {**dict.fromkeys(urls, 200), "taskbooks": 403, "taskbook": 404, "taskbook_new": 403},
        "sales": {
            **dict.fromkeys(urls, 403),
            "detail": 404,
            "log": 404,
            "taskbooks": 200,
            "taskbook": 200,
            "taskbook_new": 200,
        },
        "customer_user": {**dict.fromkeys(urls, 200), "taskbooks": 403, "taskbook": 404, "taskbook_new": 403},
        "outsider": {**dict.fromkeys(urls, 404), "list": 200, "logs": 200, "taskbooks": 403, "taskbook_new": 403},
    }
    for who, codes in expected.items():
        user = getattr(world, who)
        got = {name: status(client, user, url) for name, url in urls.items()}
        assert got == codes, who


def test_prj8_a_customer_sees_only_its_own_projects_and_logs_on_the_pages(client, world, now):
    other = approved_project(now, people_again())
    client.force_login(world.customer_user)
    html = client.get(reverse("projects:list")).content.decode()
    assert page_keys(html) == [f"projects.project:{world.project.pk}"]
    assert client.get(reverse("projects:detail", args=[other.project.pk])).status_code == 404
    html = client.get(reverse("projects:logs")).content.decode()
    assert page_keys(html) == [f"projects.dailylog:{world.log.pk}"]
    # The customer's page has no internal parts: no issues, risks, history.
    detail = client.get(reverse("projects:detail", args=[world.project.pk])).content.decode()
    assert 'id="issues"' not in detail and 'data-testid="history"' not in detail


def people_again():
    """A second set of people for another project (another customer, another PM)."""
    from kefu.org.tests.factories import UserFactory

    return {
        "director": UserFactory(roles=["impl_director"]),
        "pm": UserFactory(roles=["project_manager"]),
        "consultant": UserFactory(roles=["consultant"]),
        "outsider": UserFactory(roles=["consultant"]),
        "sales": UserFactory(roles=["sales"]),
    }


def test_prj4_the_customer_confirms_a_log_on_its_page(client, world):
    client.force_login(world.customer_user)
    page = client.get(reverse("projects:log", args=[world.project.pk, world.log.pk])).content.decode()
    assert 'data-testid="confirm-log"' in page
    r = client.post(reverse("projects:item_action", args=[world.project.pk, "confirm_log", world.log.pk]))
    assert r.status_code == 302
    world.log.refresh_from_db()
    assert world.log.status == DailyLog.Status.CONFIRMED


def test_prj4_a_consultant_writes_a_log_through_the_page_and_an_outsider_cannot(client, world, now):
    url = reverse("projects:action", args=[world.project.pk, "log"])
    data = {"site": "苏州工厂", "day": now.date().isoformat(), "work_done": "报表配置", "hours": "4"}
    client.force_login(world.outsider)
    assert client.post(url, data).status_code == 404
    client.force_login(world.consultant)
    assert client.post(url, data).status_code == 302
    assert DailyLog.objects.filter(project=world.project, site="苏州工厂").exists()
    # A log without its work: the message, nothing written.
    r = client.post(url, {**data, "site": "上海总部", "work_done": ""}, follow=True)
    assert r.status_code == 200 and DailyLog.objects.filter(project=world.project).count() == 2


def test_prj3_the_start_button_is_disabled_with_the_reasons(client, now):
    w = approved_project(now)
    client.force_login(w.pm)
    html = client.get(reverse("projects:detail", args=[w.project.pk])).content.decode()
    assert html.count('data-testid="start-blocker"') == 2
    assert 'data-testid="start" disabled' in html
    r = client.post(reverse("projects:action", args=[w.project.pk, "start"]))
    assert r.status_code == 302
    w.project.refresh_from_db()
    assert w.project.status == Project.Status.PLANNING


def test_prj1_task_book_from_the_page_to_the_project(client, now):
    who = people()
    w = approved_project(now, who)
    contract = ContractFactory(customer=w.project.customer, sales=who["sales"])
    client.force_login(who["sales"])
    r = client.post(
        reverse("projects:taskbook_create", args=[contract.pk]),
        {"title": "MES 实施", "scope": "车间管理", "sites": "无锡工厂"},
    )
    book = TaskBook.objects.get(title="MES 实施")
    assert r.status_code == 302
    client.post(reverse("projects:taskbook_action", args=[book.pk, "submit"]))
    client.force_login(who["director"])
    page = client.get(reverse("projects:taskbook", args=[book.pk])).content.decode()
    assert 'data-testid="approve-taskbook"' in page
    r = client.post(reverse("projects:taskbook_action", args=[book.pk, "approve"]), {"manager": who["pm"].pk})
    project = Project.objects.get(task_book=book)
    assert r.status_code == 302 and r["Location"] == project.get_absolute_url()
    assert project.manager == who["pm"]


def test_prj5_phase_result_reviewed_by_the_pm_and_signed_by_the_customer_on_the_page(client, world):
    phase = world.project.phase_set.get(order=1)
    client.force_login(world.consultant)
    client.post(
        reverse("projects:item_action", args=[world.project.pk, "submit_phase", phase.pk]), {"result": "调研报告"}
    )
    client.force_login(world.pm)
    client.post(reverse("projects:item_action", args=[world.project.pk, "review_phase", phase.pk]))
    client.force_login(world.customer_user)
    page = client.get(reverse("projects:detail", args=[world.project.pk])).content.decode()
    assert 'data-testid="sign-phase-1"' in page
    client.post(
        reverse("projects:item_action", args=[world.project.pk, "sign_phase", phase.pk]),
        {"signer_name": "王经理", "signature": SIGNATURE},
    )
    phase.refresh_from_db()
    assert phase.status == Phase.Status.DONE


def test_rpt4_project_and_log_lists_export_what_their_pages_show(client, world):
    client.force_login(world.director)
    html = client.get(reverse("projects:list")).content.decode()
    header, *rows = export(client, "projects:list")
    assert page_count(html) == len(rows) == 1 and "项目编号" in header
    header, *rows = export(client, "projects:logs")
    assert len(rows) == 1 and rows[0][header.index("实施地点")] == "上海总部"
    header, *rows = export(client, "projects:taskbooks")
    assert len(rows) == 1


def test_prj4_the_workbench_shows_the_open_clocks(client, world, now):
    workflow.raise_issue(world.project, title="接口报错", owner=world.consultant, by=world.pm, now=now)
    client.force_login(world.consultant)
    html = client.get(reverse("workbench")).content.decode()
    assert 'data-testid="project-todo-issues"' in html
    client.force_login(world.customer_user)
    html = client.get(reverse("workbench")).content.decode()
    assert 'data-testid="project-todo-confirm_logs"' in html
    # The log's confirmation clock ran out long ago (the pages read the real clock): the PM sees it.
    client.force_login(world.pm)
    html = client.get(reverse("workbench")).content.decode()
    assert 'data-testid="project-todo-overdue_logs"' in html


def _render_everywhere(client, w, step):
    for who in ("director", "pm", "consultant", "customer_user"):
        client.force_login(getattr(w, who))
        r = client.get(reverse("projects:detail", args=[w.project.pk]))
        assert r.status_code == 200, (step, who)


def test_prj8_the_project_page_renders_in_every_state(client, now):
    w = running_project(now)
    _render_everywhere(client, w, "implementing")
    workflow.raise_issue(w.project, title="接口不通", owner=w.consultant, by=w.consultant, now=now)
    workflow.add_risk(
        w.project, description="数据迁移", probability="high", impact="high", owner=w.pm, by=w.pm, now=now
    )
    change = workflow.request_pause(w.project, reason="客户服务器未到位", by=w.consultant, now=now)
    _render_everywhere(client, w, "pause requested")
    client.force_login(w.pm)
    page = client.get(reverse("projects:detail", args=[w.project.pk])).content.decode()
    assert f'data-testid="decide-{change.pk}"' in page
    client.post(reverse("projects:item_action", args=[w.project.pk, "decide", change.pk]), {"verdict": "approve"})
    client.force_login(w.director)
    client.post(reverse("projects:item_action", args=[w.project.pk, "decide", change.pk]), {"verdict": "approve"})
    w.project.refresh_from_db()
    assert w.project.status == Project.Status.PAUSED
    _render_everywhere(client, w, "paused")
    client.force_login(w.pm)
    client.post(reverse("projects:action", args=[w.project.pk, "resume"]))
    w.project.refresh_from_db()
    assert w.project.status == Project.Status.IMPLEMENTING
    finish_phases(w, now)
    client.force_login(w.consultant)
    client.post(reverse("projects:action", args=[w.project.pk, "acceptance"]), {"items": "总账、报表"})
    w.project.refresh_from_db()
    assert w.project.status == Project.Status.ACCEPTANCE
    _render_everywhere(client, w, "acceptance")
    acceptance = w.project.acceptances.get()
    client.force_login(w.pm)
    client.post(reverse("projects:item_action", args=[w.project.pk, "evaluate", acceptance.pk]), {"passed": "true"})
    client.force_login(w.customer_user)
    client.post(
        reverse("projects:item_action", args=[w.project.pk, "customer_evaluate", acceptance.pk]),
        {"passed": "true", "signer_name": "王经理", "signature": SIGNATURE},
    )
    w.project.refresh_from_db()
    assert w.project.status == Project.Status.FINAL
    _render_everywhere(client, w, "final")
    client.force_login(w.pm)
    client.post(reverse("projects:action", args=[w.project.pk, "final_review"]))
    client.force_login(w.director)
    page = client.get(reverse("projects:detail", args=[w.project.pk])).content.decode()
    assert 'data-testid="archive"' in page
    client.post(reverse("projects:action", args=[w.project.pk, "archive"]))
    w.project.refresh_from_db()
    assert w.project.status == Project.Status.ARCHIVED
    _render_everywhere(client, w, "archived")


def test_issue17_the_project_page_reads_in_english(client, world):
    from kefu.core.tests.pending_en import catalogue

    client.force_login(world.pm)
    with catalogue():
        html = client.get(reverse("projects:detail", args=[world.project.pk]), HTTP_ACCEPT_LANGUAGE="en").content
    html = html.decode()
    assert "Phases and milestones (plan / actual)" in html and "Project team" in html


def test_prj8_the_project_list_reads_a_fixed_number_of_queries(client, world, now, django_assert_max_num_queries):
    for _ in range(3):
        running_project(now, people_again())
    client.force_login(world.director)
    client.get(reverse("projects:list"))  # warm the session and the permission caches
    with django_assert_max_num_queries(12):
        r = client.get(reverse("projects:list"))
    assert page_count(r.content.decode()) == 4


def test_prj1_the_signer_revises_a_returned_task_book_on_its_edit_page(client, now):
    who = people()
    w = approved_project(now, who)
    contract = ContractFactory(customer=w.project.customer, sales=who["sales"])
    book = workflow.create_task_book(contract, data={"title": "MES", "scope": "车间"}, by=who["sales"], now=now)
    url = reverse("projects:taskbook_edit", args=[book.pk])
    client.force_login(who["pm"])
    assert client.get(url).status_code == 404  # not the signer's colleague: the book is not visible
    client.force_login(who["sales"])
    assert 'value="MES"' in client.get(url).content.decode()
    r = client.post(url, {"title": "MES 实施", "scope": ""})
    assert r.status_code == 400 and TaskBook.objects.get(pk=book.pk).title == "MES"  # the scope is required
    r = client.post(url, {"title": "MES 实施", "scope": "车间管理"})
    assert r.status_code == 302 and TaskBook.objects.get(pk=book.pk).title == "MES 实施"
    workflow.submit(book, by=who["sales"], now=now)
    assert client.get(url).status_code == 403  # submitted: no longer editable


def test_prj8_the_project_report_is_a_pdf_for_staff_only(client, world):
    url = reverse("projects:report", args=[world.project.pk])
    client.force_login(world.customer_user)
    assert client.get(url).status_code == 403
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    client.force_login(world.pm)
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")


def test_prj8_the_customer_page_lists_its_projects(client, world):
    url = reverse("customers:detail", args=[world.project.customer_id])
    client.force_login(world.director)
    assert 'data-testid="customer-projects"' in client.get(url).content.decode()
    client.force_login(world.sales)
    assert 'data-testid="customer-projects"' not in client.get(url).content.decode()
