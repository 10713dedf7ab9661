"""PRJ-1: the task book (实施任务书) filled by the signer, approved by the implementation
director (approval chain: approve, return for changes, reject); approval creates the project
with its project manager."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kefu.approvals import workflow as approvals
from kefu.audit.service import record
from kefu.core import states
from kefu.core.errors import Conflict, Invalid
from kefu.core.permissions import require
from kefu.customers import timeline
from kefu.customers.models import Contract
from kefu.documents import attachments
from kefu.firstvisit.models import Need
from kefu.notify import outbox
from kefu.org import roles
from kefu.org.models import User
from kefu.projects.models import Project, TaskBook
from kefu.projects.workflow._common import T, required

CHAIN = "projects.task_book"
FIELDS = ("title", "scope", "modules", "sites", "milestones", "presales_promises", "customer_contacts")
NOT_EDITABLE = _("只有草稿或已退回的任务书可以修改。")
NEED_NOT_FOR_IMPLEMENTATION = _("该需求不是提交给实施部的需求。")
CONTRACT_OF_OTHER_CUSTOMER = _("所选合同不属于该客户。")
NOT_A_MANAGER = _("请选择一位项目经理。")
IMPLEMENTATION = "implementation"


def draft_from(contract: Contract, need: Need | None = None) -> dict[str, Any]:
    """Initial values from the contract (and the first-visit need that started it)."""
    scope = need.content if need is not None else (contract.products or "")
    return {
        "title": str(_("%(c)s 实施项目") % {"c": contract.customer.short_name or contract.customer.name}),
        "scope": scope,
        "modules": contract.modules or "",
        "sites": "",
        "milestones": "",
        "presales_promises": "",
        "customer_contacts": "",
    }


def _check(values: dict[str, Any]) -> dict[str, Any]:
    if "title" in values:
        values["title"] = required(values["title"], "title", _("项目名称"))
    if "scope" in values:
        values["scope"] = required(values["scope"], "scope", _("实施范围"))
    return values


def create_task_book(
    contract: Contract, *, need: Need | None = None, data: dict[str, Any], files=(), by: User, now: datetime
) -> TaskBook:
    """The signer fills the task book for a signed contract; a first-visit need tagged for the
    implementation department can start one (FV-5 → PRJ-1)."""
    require(by, "projects.write_taskbook")
    if need is not None and (need.department is None or need.department.code != IMPLEMENTATION):
        raise Invalid(NEED_NOT_FOR_IMPLEMENTATION, field="need")
    if need is not None and need.customer_id != contract.customer_id:
        raise Invalid(CONTRACT_OF_OTHER_CUSTOMER, field="contract")
    values = _check({**draft_from(contract, need), **{k: v for k, v in data.items() if k in FIELDS}})
    with transaction.atomic():
        book = TaskBook.objects.create(
            customer=contract.customer, contract=contract, need=need, signer=by, created_at=now, **values
        )
        if files:
            attachments.attach_all(book, files, kind="project_document", by=by, now=now)
        record(book, "create", by=by, at=now, after=book.get_status_display())
    return book


def update_task_book(book: TaskBook, data: dict[str, Any], *, by: User, now: datetime) -> TaskBook:
    require(by, "projects.change_taskbook", book)
    values = _check({k: v for k, v in data.items() if k in FIELDS})
    with transaction.atomic():
        locked = TaskBook.objects.select_for_update().get(pk=book.pk)
        if locked.status not in (T.DRAFT, T.RETURNED):
            raise Conflict(NOT_EDITABLE)
        changed = {k: v for k, v in values.items() if getattr(locked, k) != v}
        if changed:
            TaskBook.objects.filter(pk=book.pk).update(updated_at=now, **changed)
            for k in changed:
                record(locked, "update", by=by, at=now, data={"field": k})
        locked.refresh_from_db()
    return locked


def directors(_book) -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name=roles.IMPL_DIRECTOR).order_by("pk"))


def define_chain() -> None:
    approvals.chains.register_relation("project_directors", directors)
    approvals.chains.define(
        approvals.chains.Chain(
            key=CHAIN,
            label=_("实施任务书审批"),
            steps=[
                approvals.chains.Step(
                    _("实施部经理审批"),
                    deciders=approvals.chains.relation("project_directors"),
                    rule="approval.project",
                )
            ],
            on_approved=_approved,
            on_returned=_returned,
            on_rejected=_rejected,
            resubmit=lambda book, *, by, now, note: submit(book, by=by, now=now, note=note),
        )
    )


def submit(book: TaskBook, *, by: User, now: datetime, note: str = "") -> TaskBook:
    """To the implementation director for approval (PRJ-1)."""
    require(by, "projects.change_taskbook", book)
    with transaction.atomic():
        states.move(book, T.SUBMITTED, by=by, now=now, verb="submit")
        approvals.submit(book, CHAIN, by=by, now=now, note=note or book.title)
    return book


def _decide(book: TaskBook, verdict: str, *, reason: str, by: User, now: datetime) -> TaskBook:
    approval = approvals.approval_of(book, CHAIN)
    if book.status != T.SUBMITTED or approval is None:
        raise Conflict(approvals.NOTHING_PENDING)
    approvals.decide(approval, verdict=verdict, reason=reason, by=by, now=now)
    book.refresh_from_db()
    return book


def approve(book: TaskBook, *, manager: User | None, by: User, now: datetime) -> TaskBook:
    """The director approves and assigns the project manager: the project is created."""
    require(by, "projects.direct")
    if manager is None or not manager.is_active or not manager.has_role(roles.PROJECT_MANAGER):
        raise Invalid(NOT_A_MANAGER, field="manager")
    with transaction.atomic():
        TaskBook.objects.filter(pk=book.pk).update(manager=manager)
        book.manager = manager
        return _decide(book, approvals.APPROVE, reason="", by=by, now=now)


def return_book(book: TaskBook, *, reason: str, by: User, now: datetime) -> TaskBook:
    return _decide(book, approvals.RETURN, reason=reason, by=by, now=now)


def reject(book: TaskBook, *, reason: str, by: User, now: datetime) -> TaskBook:
    return _decide(book, approvals.REJECT, reason=reason, by=by, now=now)


def _approved(book: TaskBook, *, approval, step, by, now: datetime, reason: str) -> None:
    states.move(book, T.APPROVED, by=by, now=now, verb="approve")
    project = Project.objects.create(
        task_book=book,
        customer=book.customer,
        contract=book.contract,
        name=book.title,
        manager=book.manager,
        created_at=now,
        updated_at=now,
    )
    record(project, "create_project", by=by, at=now, after=project.get_status_display())
    if book.manager_id:
        record(project, "assign_manager", by=by, at=now, after=book.manager.display_name)
        outbox.enqueue(
            "project.assigned",
            project,
            to=[book.manager],
            subject=str(_("您被指定为项目经理：%(p)s") % {"p": project.name}),
            link=project.get_absolute_url(),
            now=now,
        )
    timeline.add(
        book.customer,
        "project",
        title=_("实施项目已立项：%(p)s") % {"p": project.name},
        at=now,
        by=by,
        subject=project,
    )


def _returned(book: TaskBook, *, approval, step, by, now: datetime, reason: str) -> None:
    states.move(book, T.RETURNED, by=by, now=now, verb="return_book", data={"reason": reason})


def _rejected(book: TaskBook, *, approval, step, by, now: datetime, reason: str) -> None:
    states.move(book, T.REJECTED, by=by, now=now, verb="reject", data={"reason": reason})


def assign_manager(project: Project, manager: User | None, *, by: User, now: datetime) -> Project:
    require(by, "projects.direct")
    if manager is None or not manager.is_active or not manager.has_role(roles.PROJECT_MANAGER):
        raise Invalid(NOT_A_MANAGER, field="manager")
    with transaction.atomic():
        Project.objects.filter(pk=project.pk).update(manager=manager, updated_at=now)
        project.refresh_from_db()
        record(project, "assign_manager", by=by, at=now, after=manager.display_name)
    return project
