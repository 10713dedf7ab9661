"""Implementation projects: each rule of issue 17 (PRJ-1..PRJ-8, RV-3, CAL-4)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kefu.approvals import workflow as approvals
from kefu.core.errors import Conflict, Forbidden, Invalid
from kefu.customers.tests.factories import ContractFactory
from kefu.deadlines import clocks
from kefu.deadlines.models import ClockState
from kefu.documents.attachments import sample_png
from kefu.firstvisit.models import Need
from kefu.notify.models import Outbox
from kefu.org.models import Department
from kefu.org.tests.factories import DepartmentFactory
from kefu.projects import selectors, workflow
from kefu.projects.models import Acceptance, ChangeRequest, DailyLog, Phase, PlanVersion, Project, TaskBook
from kefu.projects.tests.factories import (
    SIGNATURE,
    approved_project,
    finish_phases,
    people,
    phases,
    portal_user,
    running_project,
)
from kefu.visits.models import ReturnVisit

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def photo(name="site.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, sample_png(), content_type="image/png")


def log(w, now, **kw):
    values = {
        "site": "上海总部",
        "day": now.date(),
        "work_done": "总账初始化",
        "hours": "6",
        "by": w.consultant,
        "now": now,
    }
    values.update(kw)
    return workflow.write_log(w.project, **values)


# --- PRJ-1: task book → approval → project with its PM ------------------------------------


def test_prj1_approved_task_book_creates_the_project_with_its_manager(now):
    w = approved_project(now)
    assert w.project.status == Project.Status.PLANNING
    assert w.project.manager == w.pm
    assert w.project.task_book.status == TaskBook.Status.APPROVED
    assert Outbox.objects.filter(event="project.assigned", recipient=w.pm).exists()


def test_prj1_returned_task_book_is_revised_and_resubmitted_rejected_creates_nothing(now):
    who = people()
    contract = ContractFactory(sales=who["sales"])
    book = workflow.create_task_book(contract, data={"title": "MES 实施", "scope": "车间"}, by=who["sales"], now=now)
    workflow.submit(book, by=who["sales"], now=now)
    with pytest.raises(Invalid):
        workflow.approve(book, manager=None, by=who["director"], now=now)  # a PM is required
    book = workflow.return_book(book, reason="请补充实施地点", by=who["director"], now=now)
    assert book.status == TaskBook.Status.RETURNED
    workflow.update_task_book(book, {"sites": "无锡工厂"}, by=who["sales"], now=now)
    workflow.submit(book, by=who["sales"], now=now)
    book = workflow.reject(book, reason="合同已撤销", by=who["director"], now=now)
    assert book.status == TaskBook.Status.REJECTED
    assert not Project.objects.filter(task_book=book).exists()


def test_prj1_only_the_director_approves(now):
    who = people()
    contract = ContractFactory(sales=who["sales"])
    book = workflow.create_task_book(contract, data={"title": "MES", "scope": "车间"}, by=who["sales"], now=now)
    workflow.submit(book, by=who["sales"], now=now)
    with pytest.raises(Forbidden):
        workflow.approve(book, manager=who["pm"], by=who["pm"], now=now)


def test_prj1_a_first_visit_need_for_the_implementation_department_starts_a_task_book(now):
    from kefu.firstvisit.tests.factories import handed_over

    who = people()
    first_visit = handed_over(now=now)
    implementation = Department.objects.get(code="implementation")
    need = Need.objects.create(
        first_visit=first_visit,
        customer=first_visit.customer,
        department=implementation,
        content="需要上线供应链模块",
        recorded_by=who["sales"],
        recorded_at=now,
    )
    book = workflow.create_task_book(first_visit.contract, need=need, data={}, by=who["sales"], now=now)
    assert (book.need, book.scope) == (need, "需要上线供应链模块")
    other = Need.objects.create(
        first_visit=first_visit,
        customer=first_visit.customer,
        department=DepartmentFactory(code="service", name="服务部"),
        content="培训",
        recorded_by=who["sales"],
        recorded_at=now,
    )
    with pytest.raises(Invalid):
        workflow.create_task_book(first_visit.contract, need=other, data={}, by=who["sales"], now=now)


# --- PRJ-3: no start without kickoff and signed plan --------------------------------------


def test_prj3_no_start_without_kickoff_and_a_plan_signed_by_the_customer(now):
    w = approved_project(now)
    assert workflow.start_blockers(w.project) == [str(workflow.NO_KICKOFF), str(workflow.NO_SIGNED_PLAN)]
    with pytest.raises(Invalid):
        workflow.start(w.project, by=w.pm, now=now)
    workflow.record_kickoff(w.project, on=now.date(), attendees="王经理", minutes="启动", by=w.pm, now=now)
    version = workflow.write_plan(w.project, scope="总账", phases=phases(now.date()), by=w.pm, now=now)
    workflow.send_plan(version, by=w.pm, now=now)
    assert workflow.start_blockers(w.project) == [str(workflow.NO_SIGNED_PLAN)]
    with pytest.raises(Invalid):
        workflow.start(w.project, by=w.pm, now=now)
    with pytest.raises(Invalid):
        workflow.sign_plan(version, signer_name="王经理", by=w.customer_user, now=now)  # no signature
    workflow.sign_plan(version, signer_name="王经理", signature=SIGNATURE, by=w.customer_user, now=now)
    project = workflow.start(w.project, by=w.pm, now=now)
    assert project.status == Project.Status.IMPLEMENTING
    assert project.phase_set.get(order=1).status == Phase.Status.ACTIVE


def test_prj3_a_signed_scan_uploaded_by_staff_signs_the_plan(now):
    from django.core.files.uploadedfile import SimpleUploadedFile

    w = approved_project(now)
    version = workflow.write_plan(w.project, scope="总账", phases=phases(now.date()), by=w.pm, now=now)
    workflow.send_plan(version, by=w.pm, now=now)
    scan = SimpleUploadedFile("计划签字.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    version = workflow.sign_plan(version, signer_name="王经理", scan=scan, by=w.pm, now=now)
    assert version.status == PlanVersion.Status.SIGNED


# --- PRJ-5: a plan change applies only after the customer signs it ------------------------


def test_prj5_plan_change_applies_only_after_signature_and_the_differences_stay_visible(now):
    w = running_project(now)
    first = w.project.plans.get(number=1)
    old_end = w.project.phase_set.get(order=2).planned_end
    changed = phases(now.date())
    changed[1]["end"] = changed[1]["end"] + timedelta(days=10)
    changed.append({"name": "运维移交", "start": changed[2]["end"], "end": changed[2]["end"] + timedelta(days=5)})
    second = workflow.write_plan(w.project, scope=first.scope, phases=changed, change_note="延期", by=w.pm, now=now)
    assert second.number == 2
    workflow.send_plan(second, by=w.pm, now=now)
    assert w.project.phase_set.get(order=2).planned_end == old_end  # not yet
    assert w.project.phase_set.count() == 3
    changes = workflow.diff(first, second)
    assert any("上线" in c for c in changes) and any("运维移交" in c for c in changes)
    workflow.sign_plan(second, signer_name="王经理", signature=SIGNATURE, by=w.customer_user, now=now)
    assert w.project.phase_set.get(order=2).planned_end == old_end + timedelta(days=10)
    assert w.project.phase_set.count() == 4
    first.refresh_from_db()
    assert first.status == PlanVersion.Status.SUPERSEDED
    with pytest.raises(Conflict):  # one change at a time: the next waits for this signature
        third = workflow.write_plan(w.project, scope="x", phases=changed, by=w.pm, now=now)
        workflow.send_plan(third, by=w.pm, now=now)
        workflow.write_plan(w.project, scope="y", phases=changed, by=w.pm, now=now)


# --- PRJ-4: daily logs ---------------------------------------------------------------------


def test_prj4_a_log_counts_only_once_the_customer_confirms_it(now):
    w = running_project(now)
    entry = log(w, now, photos=[photo("a.png"), photo("b.png"), photo("c.png")])
    assert entry.photos.count() == 3
    assert selectors.hours_by_consultant(w.project) == [{"consultant": "卫顾问", "confirmed": 0, "pending": 6}]
    with pytest.raises(Forbidden):
        workflow.confirm_log(entry, by=w.consultant, now=now)
    workflow.confirm_log(entry, by=w.customer_user, now=now)
    entry.refresh_from_db()
    assert (entry.status, entry.confirmed_how) == (DailyLog.Status.CONFIRMED, DailyLog.How.PORTAL)
    assert selectors.hours_by_consultant(w.project)[0]["confirmed"] == 6
    assert clocks.open_clock(entry, workflow.LOG_RULE) is None
    with pytest.raises(Conflict):
        workflow.confirm_log(entry, by=w.customer_user, now=now)


def test_prj4_staff_record_a_paper_confirmation_with_its_photo(now):
    w = running_project(now)
    entry = log(w, now)
    with pytest.raises(Invalid):
        workflow.confirm_on_paper(entry, signer_name="王经理", photos=[], by=w.pm, now=now)
    workflow.confirm_on_paper(entry, signer_name="王经理", photos=[photo()], by=w.pm, now=now)
    entry.refresh_from_db()
    assert (entry.confirmed_how, entry.confirmed_by_name) == (DailyLog.How.PAPER, "王经理")


def test_prj4_a_consultant_not_on_the_team_cannot_write_a_log(now):
    w = running_project(now)
    with pytest.raises(Forbidden):
        log(w, now, by=w.outsider)


def test_prj4_one_log_per_consultant_site_and_day_on_a_site_of_the_task_book(now):
    w = running_project(now)
    log(w, now)
    with pytest.raises(Conflict):
        log(w, now)
    with pytest.raises(Invalid):
        log(w, now, site="北京")
    with pytest.raises(Invalid):
        log(w, now, site="苏州工厂", hours="30")


def test_prj4_logs_not_confirmed_after_n_working_days_are_listed_for_the_pm(now):
    w = running_project(now)
    entry = log(w, now)
    assert not selectors.logs_for(w.pm, overdue=True, now=now + timedelta(days=2)).exists()
    # 3 working days from Monday 10:00: Thursday end of day; the next Monday it is overdue.
    later = now + timedelta(days=7)
    assert list(selectors.logs_for(w.pm, overdue=True, now=later)) == [entry]
    assert list(selectors.projects_for(w.director, view="unconfirmed", now=later)) == [w.project]


# --- PRJ-5: phases --------------------------------------------------------------------------


def test_prj5_a_phase_is_done_only_when_the_customer_signs_the_reviewed_result(now):
    w = running_project(now)
    phase = w.project.phase_set.get(order=1)
    workflow.submit_phase(phase, result="调研报告已交付", by=w.consultant, now=now)
    with pytest.raises(Invalid):  # not reviewed yet: off the table
        workflow.sign_phase(phase, signer_name="王经理", signature=SIGNATURE, by=w.customer_user, now=now)
    workflow.review_phase(phase, by=w.pm, now=now)
    assert phase.status == Phase.Status.REVIEWED
    workflow.sign_phase(phase, signer_name="王经理", signature=SIGNATURE, by=w.customer_user, now=now)
    assert phase.status == Phase.Status.DONE and phase.signature
    assert w.project.phase_set.get(order=2).status == Phase.Status.ACTIVE
    # RV-3: a return visit after each phase, by rule.
    visit = ReturnVisit.objects.get(kind=ReturnVisit.Kind.PROJECT, source_id=str(phase.pk))
    assert visit.status == ReturnVisit.Status.OPEN


def test_prj5_the_pm_invites_the_customers_management_by_email(now):
    w = running_project(now)
    phase = w.project.phase_set.get(order=1)
    assert workflow.invite(phase, addresses="ceo@example.com; cfo@example.com", by=w.pm, now=now) == 2
    assert Outbox.objects.filter(event="project.invitation", channel="email").count() == 2


def test_prj5_project_issues_have_an_owner_and_a_clock_and_link_a_service_request(now):
    w = running_project(now)
    issue = workflow.raise_issue(
        w.project, title="凭证打印错位", owner=w.consultant, product_fault=True, by=w.consultant, now=now
    )
    assert clocks.open_clock(issue, workflow.ISSUE_RULE).owner == w.consultant
    workflow.resolve_issue(issue, resolution="补丁已安装", by=w.consultant, now=now)
    assert clocks.open_clock(issue, workflow.ISSUE_RULE) is None


# --- PRJ-6: pause, resume, terminate -------------------------------------------------------


def _approve_change(change, w, now):
    change = workflow.decide(change, verdict="approve", by=w.pm, now=now)
    return workflow.decide(change, verdict="approve", by=w.director, now=now)


def test_prj6_pause_pauses_the_projects_clocks_and_resume_resumes_them(now):
    w = running_project(now)
    entry = log(w, now)
    issue = workflow.raise_issue(w.project, title="接口不通", owner=w.consultant, by=w.consultant, now=now)
    due_before = clocks.open_clock(issue, workflow.ISSUE_RULE).due_at
    with pytest.raises(Invalid):
        workflow.request_pause(w.project, reason=" ", by=w.consultant, now=now)
    change = workflow.request_pause(w.project, reason="客户服务器未到位", by=w.consultant, now=now)
    with pytest.raises(Forbidden):  # the director decides after the PM
        workflow.decide(change, verdict="approve", by=w.consultant, now=now)
    _approve_change(change, w, now)
    w.project.refresh_from_db()
    assert w.project.status == Project.Status.PAUSED
    assert clocks.open_clock(issue, workflow.ISSUE_RULE).state == ClockState.PAUSED
    assert clocks.open_clock(entry, workflow.LOG_RULE).state == ClockState.PAUSED
    with pytest.raises(Conflict):  # no logs while paused
        log(w, now, site="苏州工厂")
    later = datetime(2025, 12, 1, 10, 0, tzinfo=SH)  # a week later, Monday
    workflow.resume(w.project, by=w.pm, now=later)
    clock = clocks.open_clock(issue, workflow.ISSUE_RULE)
    assert clock.state == ClockState.RUNNING
    assert clock.due_at == due_before + timedelta(days=7)  # five working days later, as it had left
    assert clocks.open_clock(entry, workflow.LOG_RULE).state == ClockState.RUNNING


def test_prj6_a_rejected_pause_changes_nothing(now):
    w = running_project(now)
    change = workflow.request_pause(w.project, reason="等待数据", by=w.consultant, now=now)
    with pytest.raises(Conflict):
        workflow.request_pause(w.project, reason="再次", by=w.consultant, now=now)
    change = workflow.decide(change, verdict="reject", reason="可先做其他模块", by=w.pm, now=now)
    assert change.status == ChangeRequest.Status.REJECTED
    w.project.refresh_from_db()
    assert w.project.status == Project.Status.IMPLEMENTING


def test_prj6_terminate_needs_a_sufficient_reason_and_pm_and_director(now):
    w = running_project(now)
    issue = workflow.raise_issue(w.project, title="问题", owner=w.consultant, by=w.consultant, now=now)
    with pytest.raises(Invalid):
        workflow.request_terminate(w.project, reason="不做了", by=w.consultant, now=now)
    change = workflow.request_terminate(
        w.project,
        reason="客户业务调整，项目范围已无法实施，双方同意终止。",
        files=[photo("函.png")],
        by=w.consultant,
        now=now,
    )
    assert change.attachments.count() == 1
    workflow.decide(change, verdict="approve", by=w.pm, now=now)
    w.project.refresh_from_db()
    assert w.project.status == Project.Status.IMPLEMENTING  # the director still has to approve
    workflow.decide(change, verdict="approve", by=w.director, now=now)
    w.project.refresh_from_db()
    assert w.project.status == Project.Status.TERMINATED
    assert clocks.open_clock(issue, workflow.ISSUE_RULE) is None


# --- PRJ-7, RV-3: acceptance outcomes --------------------------------------------------------


def _in_acceptance(now):
    w = running_project(now)
    with pytest.raises(Invalid):  # phases still open
        workflow.submit_acceptance(w.project, items="总账、报表", by=w.consultant, now=now)
    finish_phases(w, now)
    acceptance = workflow.submit_acceptance(w.project, items="总账、报表", by=w.consultant, now=now)
    w.project.refresh_from_db()
    assert w.project.status == Project.Status.ACCEPTANCE
    return w, acceptance


def test_prj7_pass_leads_to_final_acceptance_review_and_archive(now):
    w, acceptance = _in_acceptance(now)
    entry_day = now
    workflow.evaluate_pm(acceptance, passed=True, by=w.pm, now=now)
    assert acceptance.status == Acceptance.Status.EVALUATING  # the customer's part is missing
    with pytest.raises(Forbidden):
        workflow.evaluate_customer(acceptance, passed=True, signer_name="王", signature=SIGNATURE, by=w.pm, now=now)
    workflow.evaluate_customer(
        acceptance, passed=True, signer_name="王经理", signature=SIGNATURE, by=w.customer_user, now=now
    )
    w.project.refresh_from_db()
    assert (acceptance.status, w.project.status) == (Acceptance.Status.PASSED, Project.Status.FINAL)
    with pytest.raises(Invalid):
        workflow.archive(w.project, by=w.director, now=entry_day)  # not reviewed yet
    checklist = dict(workflow.document_checklist(w.project))
    assert all(checklist.values()), checklist
    workflow.final_review(w.project, by=w.pm, now=now)
    project = workflow.archive(w.project, by=w.director, now=now)
    assert project.status == Project.Status.ARCHIVED


def test_prj7_final_review_lists_missing_documents(now):
    w, acceptance = _in_acceptance(now)
    late_log = log(w, now) if False else None  # noqa: F841  (logs need a running project)
    Project.objects.filter(pk=w.project.pk).update(kickoff_minutes="")
    workflow.evaluate_pm(acceptance, passed=True, by=w.pm, now=now)
    workflow.evaluate_customer(
        acceptance, passed=True, signer_name="王经理", signature=SIGNATURE, by=w.customer_user, now=now
    )
    w.project.refresh_from_db()
    with pytest.raises(Invalid) as failed:
        workflow.final_review(w.project, by=w.pm, now=now)
    assert "启动会纪要" in str(failed.value)


def test_prj7_fail_for_presales_promises_may_be_terminated(now):
    w, acceptance = _in_acceptance(now)
    workflow.evaluate_pm(acceptance, passed=True, by=w.pm, now=now)
    workflow.evaluate_customer(
        acceptance,
        passed=False,
        opinion="缺少合并报表功能",
        signer_name="王经理",
        signature=SIGNATURE,
        by=w.customer_user,
        now=now,
    )
    with pytest.raises(Invalid):
        workflow.conclude_failed(acceptance, cause="", by=w.pm, now=now)
    workflow.conclude_failed(acceptance, cause=Acceptance.Cause.PRESALES, by=w.pm, now=now)
    assert acceptance.status == Acceptance.Status.FAILED
    change = workflow.request_terminate(w.project, reason="售前承诺的合并报表产品不具备，无法验收。", by=w.pm, now=now)
    _approve_change(change, w, now)
    w.project.refresh_from_db()
    assert w.project.status == Project.Status.TERMINATED


def test_prj7_fail_for_incomplete_phase_work_goes_back_to_implementation(now):
    w, acceptance = _in_acceptance(now)
    workflow.evaluate_pm(acceptance, passed=False, opinion="报表阶段未完成", by=w.pm, now=now)
    workflow.evaluate_customer(
        acceptance, passed=False, signer_name="王经理", signature=SIGNATURE, by=w.customer_user, now=now
    )
    phase = w.project.phase_set.get(order=2)
    with pytest.raises(Invalid):
        workflow.conclude_failed(acceptance, cause=Acceptance.Cause.INCOMPLETE, phases=[], by=w.pm, now=now)
    workflow.conclude_failed(acceptance, cause=Acceptance.Cause.INCOMPLETE, phases=[phase], by=w.pm, now=now)
    w.project.refresh_from_db()
    phase.refresh_from_db()
    assert w.project.status == Project.Status.IMPLEMENTING
    assert (phase.status, phase.reopen_count) == (Phase.Status.ACTIVE, 1)
    finish_phases(w, now)
    second = workflow.submit_acceptance(w.project, items="总账、报表", by=w.consultant, now=now)
    assert second.round == 2


def test_rv3_final_visit_due_seven_working_days_after_acceptance_across_a_holiday():
    # Accepted on Sunday 28 Sep 2025 (a 调休 working day): the National Day week is off, so the
    # 7 working days are 29, 30 Sep, 9, 10, 11 (Sat, worked), 13, 14 Oct.
    accepted = datetime(2025, 9, 28, 10, 0, tzinfo=SH)
    w, acceptance = _in_acceptance(accepted)
    workflow.evaluate_pm(acceptance, passed=True, by=w.pm, now=accepted)
    workflow.evaluate_customer(
        acceptance, passed=True, signer_name="王经理", signature=SIGNATURE, by=w.customer_user, now=accepted
    )
    visit = ReturnVisit.objects.get(kind=ReturnVisit.Kind.PROJECT_FINAL, source_id=str(w.project.pk))
    clock = clocks.open_clock(visit, "returnvisit.project_final")
    assert clock.due_at == datetime(2025, 10, 14, 18, 0, tzinfo=SH)


# --- PRJ-8: scoping -----------------------------------------------------------------------


def test_prj8_a_customer_sees_only_its_own_projects_and_logs(now):
    who = people()
    mine = running_project(now, who)
    theirs = running_project(now, who)
    log(mine, now)
    log(theirs, now)
    assert list(selectors.projects_for(mine.customer_user)) == [mine.project]
    assert {entry.project_id for entry in selectors.logs_for(mine.customer_user)} == {mine.project.pk}
    assert set(selectors.projects_for(who["director"])) == {mine.project, theirs.project}
    assert set(selectors.projects_for(who["consultant"])) == {mine.project, theirs.project}
    assert not selectors.projects_for(who["outsider"]).exists()
    other_customer = portal_user(theirs.project.customer)
    assert list(selectors.projects_for(other_customer)) == [theirs.project]


def test_approvals_of_a_project_reach_the_deciders_inbox(now):
    w = running_project(now)
    change = workflow.request_pause(w.project, reason="等待数据", by=w.consultant, now=now)
    approval = approvals.approval_of(change, workflow.PAUSE_CHAIN)
    assert list(approvals.current_step(approval).deciders.all()) == [w.pm]
