"""Customer service plan (PLAN-1..PLAN-3): write → submit → approve (schedules visits) | return → sign."""

from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kefu.approvals import workflow as approvals
from kefu.audit import verbs
from kefu.audit.service import record
from kefu.core import states
from kefu.core.errors import REASON_REQUIRED, Conflict, Invalid
from kefu.core.permissions import require
from kefu.customers import timeline
from kefu.customers.models import Contract, Customer
from kefu.documents import images
from kefu.org.models import User
from kefu.plans.models import ServicePlan
from kefu.visits import workflow as visits

CONTENT_REQUIRED = _("请填写服务内容。")
PERIOD_REVERSED = _("服务期限的结束日期不能早于开始日期。")
MOVE_NOT_ALLOWED = _("服务计划不能从“%(before)s”变为“%(after)s”。")
NOT_EDITABLE = _("只有草稿或已退回的计划可以修改。")
SIGNATURE_REQUIRED = _("请让客户在屏幕上签名，或上传签字扫描件。")
SIGNER_REQUIRED = _("请填写签字人姓名。")
BAD_SIGNATURE = images.BAD_SIGNATURE  # the one decoder's message (issue 14 §5)
BAD_SCAN = _("扫描件须为 PDF、JPG 或 PNG，且不超过 10 MB。")
CONTRACT_OF_OTHER_CUSTOMER = _("所选合同不属于该客户。")

verbs.register("plans", submit=_("提交审批"), approve=_("批准"), return_plan=_("退回"), sign=_("客户签字"))

P = ServicePlan.Status
MACHINE = states.Machine(
    ServicePlan,
    moves={
        P.DRAFT: {P.SUBMITTED},
        P.SUBMITTED: {P.APPROVED, P.RETURNED},
        P.RETURNED: {P.SUBMITTED},
        P.APPROVED: {P.SIGNED},
    },
    colours={P.DRAFT: "secondary", P.SUBMITTED: "blue", P.RETURNED: "orange", P.APPROVED: "teal", P.SIGNED: "green"},
    not_allowed=MOVE_NOT_ALLOWED,
)
FIELDS = ("content", "period_start", "period_end", "visit_frequency", "visit_channel", "requirements")
SCAN_TYPES = {b"%PDF": ".pdf", b"\xff\xd8\xff": ".jpg", b"\x89PNG": ".png"}
MAX_SCAN = 10 * 1024 * 1024


def draft_from_contract(contract: Contract) -> dict[str, Any]:
    """Initial values of a plan from the contract's service terms (PLAN-1)."""
    return {
        "content": contract.service_terms or contract.products,
        "period_start": contract.service_start,
        "period_end": contract.service_end,
        "visit_frequency": ServicePlan.Frequency.BIMONTHLY,
        "requirements": "",
    }


def _check(values: dict[str, Any]) -> None:
    if "content" in values and not (values["content"] or "").strip():
        raise Invalid(CONTENT_REQUIRED, field="content")
    if values.get("period_start") and values.get("period_end") and values["period_end"] < values["period_start"]:
        raise Invalid(PERIOD_REVERSED, field="period_end")


def create_plan(
    customer: Customer, *, contract: Contract | None, data: dict[str, Any], by: User, now: datetime
) -> ServicePlan:
    """The customer representative writes the plan (PLAN-1)."""
    require(by, "plans.write")
    if contract is not None and contract.customer_id != customer.pk:
        raise Invalid(CONTRACT_OF_OTHER_CUSTOMER, field="contract")
    values = {**(draft_from_contract(contract) if contract else {}), **{k: v for k, v in data.items() if k in FIELDS}}
    _check({"content": values.get("content", ""), **values})
    with transaction.atomic():
        plan = ServicePlan(customer=customer, contract=contract, author=by, created_at=now, **values)
        plan._history_user, plan._history_date = by, now
        plan.save()
        record(plan, "create", by=by, at=now, after=plan.get_status_display())
    return plan


def update_plan(plan: ServicePlan, data: dict[str, Any], *, by: User, now: datetime) -> ServicePlan:
    require(by, "plans.change", plan)
    values = {k: v for k, v in data.items() if k in FIELDS}
    _check(values)
    with transaction.atomic():
        locked = ServicePlan.objects.select_for_update().get(pk=plan.pk)
        if locked.status not in (ServicePlan.Status.DRAFT, ServicePlan.Status.RETURNED):
            raise Conflict(NOT_EDITABLE)
        changed = {k: v for k, v in values.items() if getattr(locked, k) != v}
        for k, v in changed.items():
            setattr(locked, k, v)
        _check({"period_start": locked.period_start, "period_end": locked.period_end})
        if changed:
            locked._history_user, locked._history_date = by, now
            locked.save()
            for k in changed:
                record(locked, "update", by=by, at=now, data={"field": k})
    return locked


PLAN_CHAIN = "plans.service_plan"


def approvers(plan: ServicePlan) -> list[User]:
    """The customer-relations head: head of the author's department, else every department head;
    never the author (PLAN-2)."""
    department = plan.author.department
    if department is not None and department.head_id:
        heads = [department.head]
    else:
        heads = list(User.objects.filter(is_active=True, groups__name="dept_head").order_by("pk"))
    return [u for u in heads if u.pk != plan.author_id]


def define_chains() -> None:
    """From PlansConfig.ready(): PLAN-2 is an approval chain (kefu.approvals) of one step."""
    approvals.chains.register_relation("plan_approvers", approvers)
    approvals.chains.define(
        approvals.chains.Chain(
            key=PLAN_CHAIN,
            label=_("客户服务计划审批"),
            steps=[
                approvals.chains.Step(
                    _("客户关系部主任审批"), deciders=approvals.chains.relation("plan_approvers"), rule="approval.plan"
                )
            ],
            verdicts=(approvals.APPROVE, approvals.RETURN),
            on_approved=_approved,
            on_returned=_returned,
            resubmit=lambda plan, *, by, now, note: submit(plan, by=by, now=now, note=note),
        )
    )


def submit(plan: ServicePlan, *, by: User, now: datetime, note: str = "") -> ServicePlan:
    """Send the plan to the customer-relations head for approval (PLAN-2): the approval's step
    lands in 待我审批 with its clock; a returned plan's resubmission is the approval's next round."""
    require(by, "plans.change", plan)
    with transaction.atomic():
        states.move(plan, P.SUBMITTED, by=by, now=now, verb="submit", submitted_at=now)
        approvals.submit(
            plan, PLAN_CHAIN, by=by, now=now, note=note or str(_("编写人：%(a)s") % {"a": plan.author.display_name})
        )
    return plan


def _decide(plan: ServicePlan, verdict: str, *, reason: str, by, now: datetime) -> ServicePlan:
    approval = approvals.approval_of(plan, PLAN_CHAIN)
    if plan.status != ServicePlan.Status.SUBMITTED or approval is None:
        target = ServicePlan.Status.APPROVED if verdict == approvals.APPROVE else ServicePlan.Status.RETURNED
        raise Invalid(MOVE_NOT_ALLOWED % {"before": ServicePlan.Status(plan.status).label, "after": target.label})
    approvals.decide(approval, verdict=verdict, reason=reason, by=by, now=now)
    plan.refresh_from_db()
    return plan


def approve(plan: ServicePlan, *, by: User, now: datetime) -> ServicePlan:
    """Approve: the plan's return visits are scheduled (PLAN-2). The decider of the approval's
    step only (the approvals app checks and records the decision)."""
    return _decide(plan, approvals.APPROVE, reason="", by=by, now=now)


def return_plan(plan: ServicePlan, *, reason: str, by: User, now: datetime) -> ServicePlan:
    """Return the plan to its author with a reason (PLAN-2)."""
    if not (reason or "").strip():
        raise Invalid(REASON_REQUIRED, field="reason")
    return _decide(plan, approvals.RETURN, reason=reason, by=by, now=now)


def _approved(plan: ServicePlan, *, approval, step, by, now: datetime, reason: str) -> None:
    """The approval's callback, in its transaction: the plan's own move and its visits."""
    states.move(plan, P.APPROVED, by=by, now=now, verb="approve", decided_by=by, decided_at=now, return_reason="")
    scheduled = visits.schedule_plan(plan, by=by, now=now)
    timeline.add(
        plan.customer,
        "plan",
        title=_("客户服务计划已批准"),
        body=_("服务期限 %(a)s 至 %(b)s，%(f)s，共排期回访 %(n)s 次。")
        % {
            "a": plan.period_start,
            "b": plan.period_end,
            "f": plan.get_visit_frequency_display(),
            "n": len(scheduled),
        },
        at=now,
        by=by,
        subject=plan,
    )


def _returned(plan: ServicePlan, *, approval, step, by, now: datetime, reason: str) -> None:
    states.move(
        plan,
        P.RETURNED,
        by=by,
        now=now,
        verb="return_plan",
        data={"reason": reason},
        decided_by=by,
        decided_at=now,
        return_reason=reason,
    )


def sign(
    plan: ServicePlan, *, signer_name: str, signature: str = "", scan=None, by: User, now: datetime
) -> ServicePlan:
    """At delivery the end customer signs: drawn on screen (PNG data URL) or a signed scan (PLAN-3)."""
    require(by, "plans.sign", plan)
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise Invalid(SIGNER_REQUIRED, field="signer_name")
    if not signature and scan is None:
        raise Invalid(SIGNATURE_REQUIRED, field="signature")
    png = images.signature_png(signature) if signature else None
    scan_bytes, suffix = None, ""
    if scan is not None:
        scan_bytes = scan.read()
        suffix = next((ext for magic, ext in SCAN_TYPES.items() if scan_bytes.startswith(magic)), "")
        if not suffix or len(scan_bytes) > MAX_SCAN:
            raise Invalid(BAD_SCAN, field="scan")
    with transaction.atomic():
        states.move(
            plan,
            P.SIGNED,
            by=by,
            now=now,
            verb="sign",
            data={"signer": signer_name, "how": "drawn" if png else "scan"},
            signer_name=signer_name,
            signed_at=now,
        )
        if png:
            plan.signature.save(f"plan-{plan.pk}.png", ContentFile(png), save=False)
        if scan_bytes:
            plan.signed_scan.save(f"plan-{plan.pk}{suffix}", ContentFile(scan_bytes), save=False)
        ServicePlan.objects.filter(pk=plan.pk).update(
            signature=plan.signature.name or "", signed_scan=plan.signed_scan.name or ""
        )
        timeline.add(
            plan.customer,
            "plan",
            title=_("客户服务计划已由 %(n)s 签字确认") % {"n": signer_name},
            at=now,
            by=by,
            subject=plan,
        )
    return plan
