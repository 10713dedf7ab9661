"""Corrective and preventive actions (纠正预防措施, CP-6): one or more per complaint, each with its
owner, a due clock, the evidence when done and the supervisor's check."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kefu.audit.service import record
from kefu.complaints.models import Complaint, CorrectiveAction
from kefu.complaints.workflow._common import (
    CAPA,
    CHECK_NOTE_REQUIRED,
    COMPLAINT_CLOSED,
    DESCRIPTION_REQUIRED,
    EVIDENCE_REQUIRED,
    OWNER_REQUIRED,
    A,
)
from kefu.core import states
from kefu.core.errors import Invalid
from kefu.core.permissions import require
from kefu.core.validation import text
from kefu.deadlines import clocks
from kefu.notify import outbox
from kefu.org import roles
from kefu.org.models import User
from kefu.org.selectors import active_with_role


def _tell(action: CorrectiveAction, to, subject, *, now: datetime, key: str) -> None:
    people = [u for u in dict.fromkeys(to) if u is not None and u.is_active]
    if people:
        outbox.enqueue(
            "complaint.capa", action, to=people, subject=str(subject), link=action.get_absolute_url(), key=key, now=now
        )


def add_action(
    complaint: Complaint,
    *,
    description: str,
    owner: User | None,
    by: User,
    now: datetime,
    kind: str = CorrectiveAction.Kind.CORRECTIVE,
) -> CorrectiveAction:
    """A corrective or preventive action on a complaint, owned by one person with a due clock
    (CP-6); the owner finds it on the workbench."""
    require(by, "complaints.add_action", complaint)
    description = text(CorrectiveAction, "description", description)
    if not description:
        raise Invalid(DESCRIPTION_REQUIRED, field="description")
    if owner is None or not owner.is_active or owner.is_external:
        raise Invalid(OWNER_REQUIRED, field="owner")
    if kind not in CorrectiveAction.Kind.values:
        kind = CorrectiveAction.Kind.CORRECTIVE
    if complaint.status == Complaint.Status.INVALID:
        raise Invalid(COMPLAINT_CLOSED)
    with transaction.atomic():
        action = CorrectiveAction.objects.create(
            complaint=complaint,
            kind=kind,
            description=description,
            owner=owner,
            created_by=by,
            created_at=now,
            updated_at=now,
        )
        record(action, "create", by=by, at=now, after=action.get_status_display())
        record(complaint, "add_action", by=by, at=now, data={"action": action.pk, "owner": owner.pk})
        clocks.start(action, CAPA, owner=owner, now=now, by=by)
        if owner != by:
            _tell(
                action,
                [owner],
                _("新的纠正预防措施：%(n)s") % {"n": complaint.number},
                now=now,
                key=f"complaint.capa:{action.pk}:open",
            )
    return action


def complete_action(action: CorrectiveAction, *, evidence: str, by: User, now: datetime) -> CorrectiveAction:
    """The owner records the evidence that the action is done; the supervisor checks it (CP-6)."""
    require(by, "complaints.complete_action", action)
    evidence = text(CorrectiveAction, "evidence", evidence)
    if not evidence:
        raise Invalid(EVIDENCE_REQUIRED, field="evidence")
    with transaction.atomic():
        states.move(action, A.DONE, by=by, now=now, verb="complete_action", evidence=evidence, done_at=now)
        clocks.stop(action, CAPA, now=now, by=by)
        _tell(
            action,
            active_with_role(roles.QUALITY),
            _("纠正预防措施已完成，请检查：%(n)s") % {"n": action.complaint.number},
            now=now,
            key=f"complaint.capa:{action.pk}:done:{now.timestamp():.0f}",
        )
    return action


def check_action(action: CorrectiveAction, *, passed: bool, note: str, by: User, now: datetime) -> CorrectiveAction:
    """The supervisor checks a done action: passed closes it; not passed sends it back to its
    owner with the reason, on a new clock (CP-6)."""
    require(by, "complaints.check_action", action)
    note = text(CorrectiveAction, "check_note", note)
    if not passed and not note:
        raise Invalid(CHECK_NOTE_REQUIRED, field="note")
    with transaction.atomic():
        if passed:
            states.move(
                action, A.CHECKED, by=by, now=now, verb="check_action", check_note=note, checked_by=by, checked_at=now
            )
        else:
            states.move(action, A.OPEN, by=by, now=now, verb="reopen_action", data={"note": note}, check_note=note)
            clocks.start(action, CAPA, owner=action.owner, now=now, by=by)
            _tell(
                action,
                [action.owner],
                _("纠正预防措施未通过检查：%(n)s") % {"n": action.complaint.number},
                now=now,
                key=f"complaint.capa:{action.pk}:reopen:{now.timestamp():.0f}",
            )
    return action
