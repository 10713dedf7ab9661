"""PRJ-7, RV-3: acceptance evaluation by the PM and the customer; pass → final acceptance (the
PM reviews every required document, the director archives) and the final return visit within
7 working days; fail for presales promises or product gaps → may be terminated; fail because a
phase's work is incomplete → back to implementation of the named phases."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.audit.service import record
from kefu.core import states, words
from kefu.core.errors import Conflict, Forbidden, Invalid
from kefu.core.permissions import require
from kefu.deadlines import clocks
from kefu.notify import outbox
from kefu.org.models import User
from kefu.projects.models import Acceptance, DailyLog, Phase, Project
from kefu.projects.workflow._common import A, P, Ph, T, V, checked_signature, keep_signature, required
from kefu.projects.workflow.plan import portal_users
from kefu.visits import workflow as visits

RULE = "project.acceptance"
PHASES_OPEN = _("还有未完成的阶段：%(p)s。")
NOT_EVALUATING = _("当前没有进行中的验收评估。")
VERDICT_REQUIRED = _("请选择评估结论（通过或不通过）。")
CAUSE_REQUIRED = _("验收未通过：请选择原因。")
PHASES_REQUIRED = _("请选择需要返工的阶段。")
NOT_BOTH_EVALUATED = _("项目经理和客户都完成评估后才能确定结果。")
BOTH_PASSED = _("双方评估均已通过，无需确定未通过原因。")
DOCUMENTS_MISSING = _("终验资料不齐：%(d)s。")
NOT_REVIEWED = _("项目经理尚未完成终验资料审核。")
CUSTOMER_ONLY = _("客户评估须由客户在门户签字，或由项目经理上传客户签字的扫描件。")


def _latest(project: Project) -> Acceptance | None:
    return project.acceptances.order_by("-round").first()


def submit_acceptance(project: Project, *, items: str, by: User, now: datetime) -> Acceptance:
    """After the phases the consultant submits for acceptance evaluation with the items (PRJ-7)."""
    require(by, "projects.work", project)
    items = required(items, "items", _("验收项"))
    open_phases = [ph.name for ph in project.phase_set.exclude(status=Ph.DONE).order_by("order")]
    if open_phases:
        raise Invalid(PHASES_OPEN % {"p": words.join(open_phases)}, field="items")
    latest = _latest(project)
    with transaction.atomic():
        if project.status == P.ACCEPTANCE:
            if latest is None or latest.status != A.FAILED:
                raise Conflict(_("验收评估已在进行中。"))
            Project.objects.filter(pk=project.pk).update(updated_at=now)
        else:
            states.move(project, P.ACCEPTANCE, by=by, now=now, verb="submit_acceptance", expected=P.IMPLEMENTING)
        acceptance = Acceptance.objects.create(
            project=project,
            round=(latest.round + 1) if latest else 1,
            items=items,
            submitted_by=by,
            submitted_at=now,
            updated_at=now,
        )
        clocks.start(acceptance, RULE, owner=project.manager, now=now, by=by, new_subject=True)
        outbox.enqueue(
            "project.acceptance",
            acceptance,
            to=[u for u in [project.manager, *portal_users(project)] if u is not None],
            subject=str(_("请进行验收评估：%(p)s") % {"p": project.name}),
            link=acceptance.get_absolute_url(),
            now=now,
        )
    return acceptance


def _evaluating(acceptance: Acceptance) -> None:
    if acceptance.status != A.EVALUATING:
        raise Conflict(NOT_EVALUATING)


def evaluate_pm(
    acceptance: Acceptance, *, passed: bool | None, opinion: str = "", by: User, now: datetime
) -> Acceptance:
    require(by, "projects.manage", acceptance.project)
    _evaluating(acceptance)
    if passed is None:
        raise Invalid(VERDICT_REQUIRED, field="passed")
    with transaction.atomic():
        Acceptance.objects.filter(pk=acceptance.pk, status=A.EVALUATING).update(
            pm_passed=passed, pm_opinion=(opinion or "").strip(), updated_at=now
        )
        acceptance.refresh_from_db()
        return _maybe_pass(acceptance, by=by, now=now)


def evaluate_customer(
    acceptance: Acceptance,
    *,
    passed: bool | None,
    opinion: str = "",
    signer_name: str,
    signature: str = "",
    scan=None,
    by: User,
    now: datetime,
) -> Acceptance:
    """The customer's evaluation, signed: drawn in the portal, or a scan the PM uploads."""
    require(by, "projects.sign", acceptance.project)
    if not by.is_customer_user and not scan:
        raise Forbidden(CUSTOMER_ONLY)
    _evaluating(acceptance)
    if passed is None:
        raise Invalid(VERDICT_REQUIRED, field="passed")
    signer_name, png = checked_signature(signer_name=signer_name, signature=signature, scan=scan)
    with transaction.atomic():
        Acceptance.objects.filter(pk=acceptance.pk, status=A.EVALUATING).update(
            customer_passed=passed,
            customer_opinion=(opinion or "").strip(),
            customer_signer=signer_name,
            updated_at=now,
        )
        keep_signature(acceptance, png, scan, prefix="acceptance", by=by, now=now)
        acceptance.refresh_from_db()
        return _maybe_pass(acceptance, by=by, now=now)


def _maybe_pass(acceptance: Acceptance, *, by: User, now: datetime) -> Acceptance:
    """Both passed: final acceptance (终验), and the final return visit opens, due within 7
    working days (RV-3)."""
    if not (acceptance.pm_passed and acceptance.customer_passed):
        return acceptance
    project = acceptance.project
    states.move(acceptance, A.PASSED, by=by, now=now, verb="pass_acceptance", decided_at=now)
    clocks.stop(acceptance, RULE, now=now, by=by)
    states.move(project, P.FINAL, by=by, now=now, verb="pass_acceptance", expected=P.ACCEPTANCE, accepted_at=now)
    visits.open_for_project(project, customer=project.customer, final=True, by=by, now=now)
    return acceptance


def conclude_failed(
    acceptance: Acceptance, *, cause: str, phases: list[Phase] | None = None, by: User, now: datetime
) -> Acceptance:
    """The PM names why the evaluation failed (PRJ-7): presales promises or product gaps (the
    project may then be terminated, or evaluated again) or incomplete phase work (back to
    implementation of the named phases)."""
    project = acceptance.project
    require(by, "projects.manage", project)
    _evaluating(acceptance)
    if acceptance.pm_passed is None or acceptance.customer_passed is None:
        raise Invalid(NOT_BOTH_EVALUATED, field="cause")
    if acceptance.pm_passed and acceptance.customer_passed:
        raise Conflict(BOTH_PASSED)
    if cause not in Acceptance.Cause.values:
        raise Invalid(CAUSE_REQUIRED, field="cause")
    phases = [ph for ph in (phases or []) if ph.project_id == project.pk]
    if cause == Acceptance.Cause.INCOMPLETE and not phases:
        raise Invalid(PHASES_REQUIRED, field="phases")
    with transaction.atomic():
        states.move(
            acceptance,
            A.FAILED,
            by=by,
            now=now,
            verb="fail_acceptance",
            data={"cause": cause},
            cause=cause,
            decided_at=now,
            reopened_phases=[ph.order for ph in phases] if cause == Acceptance.Cause.INCOMPLETE else [],
        )
        clocks.stop(acceptance, RULE, now=now, by=by)
        if cause == Acceptance.Cause.INCOMPLETE:
            states.move(project, P.IMPLEMENTING, by=by, now=now, verb="reimplement", expected=P.ACCEPTANCE)
            for phase in phases:
                states.move(
                    phase,
                    Ph.ACTIVE,
                    by=by,
                    now=now,
                    verb="reopen_phase",
                    reopen_count=phase.reopen_count + 1,
                    signed_at=None,
                    actual_end=None,
                )
    return acceptance


def document_checklist(project: Project) -> list[tuple[str, bool]]:
    """The documents final acceptance needs, each present and signed (PRJ-7)."""
    phases = list(project.phase_set.order_by("order"))
    latest = _latest(project)
    items = [
        (str(_("实施任务书（已批准）")), project.task_book.status == T.APPROVED),
        (str(_("启动会纪要")), bool(project.kickoff_on and project.kickoff_minutes)),
        (str(_("实施计划（客户签字）")), project.plans.filter(status=V.SIGNED).exists()),
    ]
    items += [
        (str(_("阶段成果：%(p)s（客户签字）") % {"p": ph.name}), ph.status == Ph.DONE and ph.signed_at is not None)
        for ph in phases
    ]
    items.append(
        (
            str(_("验收评估（客户签字）")),
            latest is not None and latest.status == A.PASSED and bool(latest.customer_signer),
        )
    )
    items.append(
        (
            str(_("实施日志（全部经客户确认）")),
            not project.logs.filter(status=DailyLog.Status.SUBMITTED).exists(),
        )
    )
    return items


def final_review(project: Project, *, by: User, now: datetime) -> Project:
    """The PM reviews all project documents at final acceptance (PRJ-7)."""
    require(by, "projects.manage", project)
    if project.status != P.FINAL:
        raise Conflict(_("只有终验阶段的项目可以审核终验资料。"))
    missing = [label for label, ok in document_checklist(project) if not ok]
    if missing:
        raise Invalid(DOCUMENTS_MISSING % {"d": words.join(missing)}, field="review")
    with transaction.atomic():
        if not Project.objects.filter(pk=project.pk, status=P.FINAL, reviewed_at=None).update(
            reviewed_at=now, updated_at=now
        ):
            raise Conflict(_("终验资料已审核。"))
        project.refresh_from_db()
        record(project, "final_review", by=by, at=now, after=timezone.localtime(now).strftime("%Y-%m-%d"))
    return project


def archive(project: Project, *, by: User, now: datetime) -> Project:
    """The director archives the reviewed project (PRJ-7)."""
    require(by, "projects.direct")
    if project.reviewed_at is None:
        raise Invalid(NOT_REVIEWED, field="archive")
    with transaction.atomic():
        states.move(project, P.ARCHIVED, by=by, now=now, verb="archive", expected=P.FINAL, archived_at=now)
    return project
