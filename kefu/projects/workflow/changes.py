"""PRJ-6 (and PRJ-7's termination): a consultant asks to pause a project with problems, the PM
and the director approve (approval chain); paused projects' clocks pause (CAL-4) and resume with
the project. Not solvable: a request to terminate with a sufficient reason and its documents,
approved by PM and director."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kefu.approvals import workflow as approvals
from kefu.audit.service import record
from kefu.core import states
from kefu.core.errors import Conflict, Invalid
from kefu.core.permissions import require
from kefu.deadlines import clocks
from kefu.documents import attachments
from kefu.org.models import User
from kefu.projects.models import ChangeRequest, Project
from kefu.projects.workflow._common import P
from kefu.projects.workflow.work import clock_subjects

PAUSE_CHAIN, TERMINATE_CHAIN = "projects.pause", "projects.terminate"
REASON_REQUIRED = _("请填写暂停原因。")
TERMINATE_REASON_SHORT = _("终止须说明充分的理由（至少 %(n)s 个字）。")
CANNOT_PAUSE = _("只有实施中的项目可以申请暂停。")
CANNOT_TERMINATE = _("该项目已结束，不能申请终止。")
REQUEST_PENDING = _("该项目已有审批中的申请。")
NOT_PAUSED = _("项目没有暂停。")
MIN_TERMINATE_REASON = 10
PAUSED_BECAUSE = _("项目暂停：%(r)s")


def managers(request: ChangeRequest) -> list[User]:
    project = request.project
    return [project.manager] if project.manager_id else []


def define_chains(directors) -> None:
    approvals.chains.register_relation("project_manager", managers)
    for key, label in ((PAUSE_CHAIN, _("项目暂停审批")), (TERMINATE_CHAIN, _("项目终止审批"))):
        approvals.chains.define(
            approvals.chains.Chain(
                key=key,
                label=label,
                steps=[
                    approvals.chains.Step(
                        _("项目经理审批"),
                        deciders=approvals.chains.relation("project_manager"),
                        rule="approval.project",
                    ),
                    approvals.chains.Step(
                        _("实施部经理审批"),
                        deciders=approvals.chains.relation("project_directors"),
                        rule="approval.project",
                    ),
                ],
                verdicts=(approvals.APPROVE, approvals.REJECT),
                on_approved=_approved,
                on_rejected=_rejected,
            )
        )


def _pending(project: Project) -> bool:
    return project.change_requests.filter(status=ChangeRequest.Status.PENDING).exists()


def request_pause(project: Project, *, reason: str, by: User, now: datetime) -> ChangeRequest:
    """A consultant (or the PM) asks to pause a project with problems (PRJ-6)."""
    require(by, "projects.work", project)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    if project.status != P.IMPLEMENTING:
        raise Conflict(CANNOT_PAUSE)
    return _request(project, ChangeRequest.Kind.PAUSE, reason, (), by=by, now=now)


def request_terminate(project: Project, *, reason: str, files=(), by: User, now: datetime) -> ChangeRequest:
    """A request to terminate: a sufficient reason (required text) and its documents (PRJ-6, PRJ-7)."""
    require(by, "projects.work", project)
    reason = (reason or "").strip()
    if len(reason) < MIN_TERMINATE_REASON:
        raise Invalid(TERMINATE_REASON_SHORT % {"n": MIN_TERMINATE_REASON}, field="reason")
    if project.status in (P.ARCHIVED, P.TERMINATED, P.FINAL):
        raise Conflict(CANNOT_TERMINATE)
    return _request(project, ChangeRequest.Kind.TERMINATE, reason, files, by=by, now=now)


def _request(project: Project, kind: str, reason: str, files, *, by: User, now: datetime) -> ChangeRequest:
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        if _pending(project):
            raise Conflict(REQUEST_PENDING)
        change = ChangeRequest.objects.create(
            project=project, kind=kind, reason=reason, requested_by=by, requested_at=now, updated_at=now
        )
        if files:
            attachments.attach_all(change, files, kind="project_document", by=by, now=now)
        verb = "request_pause" if kind == ChangeRequest.Kind.PAUSE else "request_terminate"
        record(project, verb, by=by, at=now, after=reason[:200])
        chain = PAUSE_CHAIN if kind == ChangeRequest.Kind.PAUSE else TERMINATE_CHAIN
        approvals.submit(change, chain, by=by, now=now, note=reason[:500])
    return change


def decide(change: ChangeRequest, *, verdict: str, reason: str = "", by: User, now: datetime) -> ChangeRequest:
    """The PM's, then the director's decision on the request (the approvals app checks who)."""
    chain = PAUSE_CHAIN if change.kind == ChangeRequest.Kind.PAUSE else TERMINATE_CHAIN
    approval = approvals.approval_of(change, chain)
    if approval is None:
        raise Conflict(approvals.NOTHING_PENDING)
    approvals.decide(approval, verdict=verdict, reason=reason, by=by, now=now)
    change.refresh_from_db()
    return change


def _approved(change: ChangeRequest, *, approval, step, by, now: datetime, reason: str) -> None:
    states.move(change, ChangeRequest.Status.APPROVED, by=by, now=now, decided_at=now)
    project = change.project
    if change.kind == ChangeRequest.Kind.PAUSE:
        states.move(
            project, P.PAUSED, by=by, now=now, verb="pause", expected=P.IMPLEMENTING, data={"reason": change.reason}
        )
        why = str(PAUSED_BECAUSE % {"r": change.reason[:200]})
        for item in clock_subjects(project):
            for key in clocks.open_rule_keys(item):
                clocks.pause(item, key, now=now, by=by, reason=why)
        return
    states.move(
        project, P.TERMINATED, by=by, now=now, verb="terminate", data={"reason": change.reason}, terminated_at=now
    )
    for item in clock_subjects(project):
        for key in clocks.open_rule_keys(item):
            clocks.stop(item, key, now=now, by=by)


def _rejected(change: ChangeRequest, *, approval, step, by, now: datetime, reason: str) -> None:
    states.move(change, ChangeRequest.Status.REJECTED, by=by, now=now, decided_at=now)


def resume(project: Project, *, by: User, now: datetime) -> Project:
    """The problem is solved: implementation resumes and so do its clocks (PRJ-6, CAL-4)."""
    require(by, "projects.manage", project)
    with transaction.atomic():
        states.move(project, P.IMPLEMENTING, by=by, now=now, verb="resume", expected=P.PAUSED, conflict=NOT_PAUSED)
        for item in clock_subjects(project):
            for key in clocks.open_rule_keys(item):
                clocks.resume(item, key, now=now, by=by)
    return project
