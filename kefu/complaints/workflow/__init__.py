"""Complaints and customer crises (CP-1..CP-9): every state change, each in one transaction
(permission, state check, change, clocks, audit, outbox).

    intake:   create_complaint, open_from_request (the service desk's hand-off), accept, archive_invalid
    handling: assign_responsible, record_contact (compensation approval), record_result, gm_contact,
              verify, escalate_again, vendor_answer, vendor_feedback
    crisis:   ask_headquarters, station_result, hq_solution, raise_to_serious (breach handler), archive
    capa:     add_action, complete_action, check_action
    report:   open_monthly_report, publish
"""

from django.utils.translation import gettext_lazy as _

from kefu.approvals import workflow as approvals
from kefu.complaints.workflow._common import (
    ACTION_MACHINE,
    CAPA,
    COMPENSATION_MACHINE,
    CRISIS_FIX,
    MACHINE,
    MONTHLY_REPORT,
)
from kefu.complaints.workflow.capa import add_action, check_action, complete_action
from kefu.complaints.workflow.crisis import ask_headquarters, hq_solution, raise_to_serious, station_result
from kefu.complaints.workflow.handling import (
    COMPENSATION_CHAIN,
    assign_responsible,
    compensation_approved,
    compensation_approvers,
    compensation_limit,
    compensation_returned,
    escalate_again,
    gm_contact,
    record_contact,
    record_result,
    resubmit_compensation,
    vendor_answer,
    vendor_feedback,
    verify,
)
from kefu.complaints.workflow.intake import accept, archive_invalid, create_complaint, open_from_request, station_for
from kefu.complaints.workflow.report import open_monthly_report, publish, report_for
from kefu.deadlines import scan
from kefu.servicedesk import handoffs as desk_handoffs


def define_chains() -> None:
    """From ComplaintsConfig.ready(): a compensation above the limit is approved by the head of
    the responsible department (CP-3), one step on its clock (rule approval.compensation)."""
    approvals.chains.register_relation("compensation_approvers", compensation_approvers)
    approvals.chains.define(
        approvals.chains.Chain(
            key=COMPENSATION_CHAIN,
            label=_("投诉补偿审批"),
            steps=[
                approvals.chains.Step(
                    _("责任部门负责人审批"),
                    deciders=approvals.chains.relation("compensation_approvers"),
                    rule="approval.compensation",
                )
            ],
            verdicts=(approvals.APPROVE, approvals.RETURN),
            on_approved=compensation_approved,
            on_returned=compensation_returned,
            resubmit=resubmit_compensation,
        )
    )


def register_handoffs() -> None:
    """From ComplaintsConfig.ready(): what the domains below tell complaints."""
    desk_handoffs.register(desk_handoffs.COMPLAINT, open_from_request)
    scan.on_breach(CRISIS_FIX, raise_to_serious)


__all__ = [
    "ACTION_MACHINE",
    "CAPA",
    "COMPENSATION_CHAIN",
    "COMPENSATION_MACHINE",
    "MACHINE",
    "MONTHLY_REPORT",
    "accept",
    "add_action",
    "archive_invalid",
    "ask_headquarters",
    "assign_responsible",
    "check_action",
    "compensation_limit",
    "complete_action",
    "create_complaint",
    "escalate_again",
    "gm_contact",
    "hq_solution",
    "open_from_request",
    "open_monthly_report",
    "publish",
    "raise_to_serious",
    "record_contact",
    "record_result",
    "report_for",
    "station_for",
    "station_result",
    "vendor_answer",
    "vendor_feedback",
    "verify",
]
