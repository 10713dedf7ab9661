"""Every state change of an approval: submit (or resubmit), decide. The subject's domain calls
`submit` inside its own transition; deciders call `decide` from the 待我审批 page or the API.

One decision per step: the conditional UPDATE lets the first decider through and gives the
other a Conflict (409). A user who may not decide the step gets Forbidden (403). Each step
runs on its deadline clock, owned by its first decider; every decision is audited on the
approval and on the subject, and the submitter is told of the outcome.
"""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from kefu.approvals import chains
from kefu.approvals.models import Approval, ApprovalStep
from kefu.audit import verbs
from kefu.audit.service import record
from kefu.core import states
from kefu.core.errors import REASON_REQUIRED, Conflict, Forbidden, Invalid
from kefu.core.validation import text
from kefu.deadlines import clocks
from kefu.notify import outbox
from kefu.org.models import User

A, St = Approval.Status, ApprovalStep.Status

APPROVE, RETURN, REJECT = "approve", "return", "reject"
APPROVAL = states.Machine(
    Approval,
    moves={A.PENDING: {A.APPROVED, A.RETURNED, A.REJECTED}, A.RETURNED: {A.PENDING}},
    colours={A.PENDING: "blue", A.APPROVED: "green", A.RETURNED: "orange", A.REJECTED: "red"},
)
STEP = states.Machine(
    ApprovalStep,
    moves={St.WAITING: {St.PENDING, St.SKIPPED}, St.PENDING: {St.APPROVED, St.RETURNED, St.REJECTED}},
    colours={
        St.WAITING: "secondary",
        St.PENDING: "blue",
        St.APPROVED: "green",
        St.RETURNED: "orange",
        St.REJECTED: "red",
        St.SKIPPED: "secondary",
    },
)
VERDICTS = {APPROVE: St.APPROVED, RETURN: St.RETURNED, REJECT: St.REJECTED}

ALREADY_PENDING = _("该事项已在审批中。")
ALREADY_DECIDED = _("该审批环节已由他人处理，请刷新后查看。")
NOT_YOUR_STEP = _("您不是该审批环节的审批人。")
NOTHING_PENDING = _("该事项当前没有待审批的环节。")
VERDICT_INVALID = _("请选择一项审批意见。")
NOT_RETURNED = _("只有退回修改的审批可以重新提交。")
NOT_SUBMITTER = _("只有提交人可以重新提交。")
NO_DECIDERS = _("“%(step)s”没有可审批的人员，请联系管理员。")

# Written on the approval and on its subject (a plan, a request …): shared. On the subject they
# follow the subject's own move ("提交审批", draft → submitted), so they read as the chain's.
verbs.register_shared(
    **{
        "approval.submit": _("审批：已提交"),
        "approval.resubmit": _("审批：已重新提交"),
        "approval.approve": _("审批：同意"),
        "approval.return": _("审批：退回修改"),
        "approval.reject": _("审批：驳回"),
    }
)


def approval_of(subject: models.Model, chain_key: str) -> Approval | None:
    ct = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    return Approval.objects.filter(content_type=ct, object_id=str(subject.pk), chain=chain_key).first()


def current_step(approval: Approval) -> ApprovalStep | None:
    return approval.steps.filter(round=approval.round, status=St.PENDING).order_by("order").first()


def submit(subject: models.Model, chain_key: str, *, by: User, now: datetime, note: str = "") -> Approval:
    """Start the chain on `subject` (or its next round after a return). The caller has checked its
    own permission to submit; the chain's first step goes to its deciders with its clock."""
    chain = chains.get(chain_key)
    note = text(Approval, "note", note, field="note")
    with transaction.atomic():
        approval = approval_of(subject, chain_key)
        if approval is not None:
            if approval.status == A.PENDING:
                raise Conflict(ALREADY_PENDING)
            states.move(
                approval,
                A.PENDING,
                by=by,
                now=now,
                expected=approval.status,
                conflict=ALREADY_PENDING,
                round=approval.round + 1,
                note=note,
                submitted_at=now,
                decided_at=None,
            )
            verb = "approval.resubmit"
        else:
            ct = ContentType.objects.get_for_model(subject, for_concrete_model=False)
            try:
                with transaction.atomic():
                    approval = Approval.objects.create(
                        content_type=ct,
                        object_id=str(subject.pk),
                        subject_label=str(subject)[:200],
                        chain=chain_key,
                        note=note,
                        submitted_by=by,
                        submitted_at=now,
                    )
            except IntegrityError:  # a concurrent submission won
                raise Conflict(ALREADY_PENDING) from None
            verb = "approval.submit"
        steps = ApprovalStep.objects.bulk_create(
            ApprovalStep(approval=approval, round=approval.round, order=i, label=str(step.label), rule=step.rule)
            for i, step in enumerate(chain.steps, start=1)
        )
        _activate(approval, steps[0], chain, by=by, now=now)
        data = {"chain": chain_key, "round": approval.round, "note": note[:200]}
        record(approval, verb, by=by, at=now, after=approval.get_status_display(), data=data)
        record(subject, verb, by=by, at=now, after=str(chain.label), data=data)
    return approval


def _activate(approval: Approval, step: ApprovalStep, chain: chains.Chain, *, by, now: datetime) -> None:
    deciders = chain.steps[step.order - 1].deciders(approval.subject)
    if not deciders:
        raise Invalid(NO_DECIDERS % {"step": step.label})
    states.move(step, St.PENDING, by=by, now=now, expected=St.WAITING, started_at=now)
    step.deciders.set(deciders)
    clocks.start(step, step.rule, owner=deciders[0], now=now, by=by)
    outbox.enqueue(
        "approval.pending",
        step,
        to=deciders,
        subject=str(_("待您审批：%(c)s · %(s)s") % {"c": chain.label, "s": approval.subject_label}),
        body=approval.note,
        link=step.get_absolute_url(),
        now=now,
    )


def may_decide(user, step: ApprovalStep) -> bool:
    return user.is_authenticated and (user.is_superuser or step.deciders.filter(pk=user.pk).exists())


def decide(approval: Approval, *, verdict: str, reason: str = "", by: User, now: datetime) -> Approval:
    """The decider's verdict on the approval's current step: approve (the next step, or the
    chain's on_approved), return for changes (the submitter revises and resubmits) or reject;
    a reason is required for the last two."""
    chain = chains.get(approval.chain)
    if verdict not in VERDICTS or verdict not in chain.verdicts:
        raise Invalid(VERDICT_INVALID, field="verdict")
    reason = text(ApprovalStep, "reason", reason, field="reason")
    if verdict != APPROVE and not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    step = current_step(approval)
    if step is None:
        raise Conflict(ALREADY_DECIDED if approval.status == A.PENDING else NOTHING_PENDING)
    if not may_decide(by, step):
        if approval.steps.filter(round=step.round, order__lt=step.order, deciders=by).exists():
            raise Conflict(ALREADY_DECIDED)  # a fellow decider of the earlier step was first
        raise Forbidden(NOT_YOUR_STEP)
    subject = approval.subject
    with transaction.atomic():
        states.move(
            step,
            VERDICTS[verdict],
            by=by,
            now=now,
            expected=St.PENDING,
            conflict=ALREADY_DECIDED,
            decided_by=by,
            decided_at=now,
            reason=reason,
        )
        clocks.stop(step, step.rule, now=now, by=by)
        verb = f"approval.{verdict}"
        data = {"step": step.label, "round": step.round, "reason": reason[:200]}
        record(approval, verb, by=by, at=now, before=step.label, after=step.get_status_display(), data=data)
        record(subject, verb, by=by, at=now, before=step.label, after=step.get_status_display(), data=data)
        following = approval.steps.filter(round=step.round, order__gt=step.order).order_by("order")
        if verdict == APPROVE and following.exists():
            _activate(approval, following.first(), chain, by=by, now=now)
            return approval
        if verdict != APPROVE:
            states.move_many(following, St.SKIPPED, by=by, now=now)
        final = {APPROVE: A.APPROVED, RETURN: A.RETURNED, REJECT: A.REJECTED}[verdict]
        states.move(approval, final, by=by, now=now, expected=A.PENDING, conflict=ALREADY_DECIDED, decided_at=now)
        callback = {APPROVE: chain.on_approved, RETURN: chain.on_returned, REJECT: chain.on_rejected}[verdict]
        if callback is not None:
            callback(subject, approval=approval, step=step, by=by, now=now, reason=reason)
        outbox.enqueue(
            f"approval.{final}",
            approval,
            to=[approval.submitted_by],
            key=f"approval.{final}:{approval.pk}:{approval.round}",
            subject=str(
                _("%(c)s：%(s)s · %(v)s")
                % {"c": chain.label, "s": approval.subject_label, "v": approval.get_status_display()}
            ),
            body=reason,
            link=approval.get_absolute_url(),
            now=now,
        )
    return approval


def may_resubmit(user, approval: Approval) -> bool:
    chain = chains.CHAINS.get(approval.chain)
    return approval.submitted_by_id == user.pk or bool(
        chain and chain.may_resubmit and chain.may_resubmit(user, approval.subject)
    )


def resubmit(approval: Approval, *, by: User, now: datetime, note: str = "") -> Approval:
    """The submitter revised the subject after a return: the chain runs again, the first round's
    decisions kept as history."""
    chain = chains.get(approval.chain)
    if approval.status != A.RETURNED:
        raise Conflict(NOT_RETURNED)
    if not may_resubmit(by, approval):
        raise Forbidden(NOT_SUBMITTER)
    if chain.resubmit is None:
        return submit(approval.subject, approval.chain, by=by, now=now, note=note)
    chain.resubmit(approval.subject, by=by, now=now, note=note)
    approval.refresh_from_db()
    return approval
