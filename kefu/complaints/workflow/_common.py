"""What every complaint transition shares: the state machines, the messages, notices."""

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from kefu.audit import verbs
from kefu.complaints.models import Complaint, CorrectiveAction
from kefu.core import states
from kefu.customers import timeline
from kefu.deadlines import clocks
from kefu.notify import outbox
from kefu.org import roles
from kefu.org.models import User
from kefu.org.selectors import active_with_role

MOVE_NOT_ALLOWED = _("投诉不能从“%(before)s”变为“%(after)s”。")
ACTION_MOVE_NOT_ALLOWED = _("纠正预防措施不能从“%(before)s”变为“%(after)s”。")
COMPENSATION_MOVE_NOT_ALLOWED = _("补偿审批不能从“%(before)s”变为“%(after)s”。")
TITLE_REQUIRED = _("请填写投诉事项。")
CONTENT_REQUIRED = _("请填写投诉内容。")
EXPLANATION_REQUIRED = _("请填写向客户所作的解释。")
DEPARTMENT_REQUIRED = _("请选择责任部门。")
RESPONSIBLE_REQUIRED = _("请选择责任人。")
CAUSE_REQUIRED = _("请填写原因分析。")
MEASURES_REQUIRED = _("请填写处理措施。")
REMEDY_REQUIRED = _("请选择处理方式。")
CONTACT_REQUIRED = _("请填写联系客户的记录。")
AMOUNT_REQUIRED = _("补偿须填写大于 0 的金额。")
NOT_CONTACTED = _("请先记录联系客户的情况。")
COMPENSATION_PENDING = _("补偿尚在审批中，审批通过后才能反馈结果。")
COMPENSATION_RETURNED = _("补偿审批已退回，请修改处理方式或金额后重新提交。")
RESULT_REQUIRED = _("请填写处理结果。")
OPINION_REQUIRED = _("请填写客户意见。")
VENDOR_CONTACT_REQUIRED = _("请填写厂商联系人和发送内容。")
VENDOR_ANSWER_REQUIRED = _("请填写厂商答复。")
NOT_FROM_VENDOR = _("只有厂商转来的投诉需要向厂商反馈结果。")
VENDOR_EMAIL_REQUIRED = _("请填写厂商邮箱。")
FEEDBACK_REQUIRED = _("请填写反馈厂商的内容。")
ALREADY_FED_BACK = _("已向厂商反馈过结果。")
NOT_HANDLED = _("处理结束后才能向厂商反馈结果。")
VENDOR_REF_REQUIRED = _("厂商转来的投诉须填写厂商编号和厂商联系人。")
NOT_GM_FLAGGED = _("该投诉无需总经理联系客户。")
GM_ALREADY_CONTACTED = _("总经理已记录联系客户。")
NO_STATION = _("客户所在地区没有维修站，无法按危机转维修站处理。")
CRISIS_LEVEL_INVALID = _("危机级别无效。")
HELP_REQUIRED = _("请填写需要总部协助的内容。")
SOLUTION_REQUIRED = _("请填写总部解决方案。")
REPORT_REQUIRED = _("请填写维修站处理情况。")
DESCRIPTION_REQUIRED = _("请填写措施内容。")
OWNER_REQUIRED = _("请选择措施负责人。")
EVIDENCE_REQUIRED = _("请填写完成证据。")
CHECK_NOTE_REQUIRED = _("未通过检查时请填写检查意见。")
COMPLAINT_CLOSED = _("投诉已关闭或已归档，不能再添加措施。")
TYPE_INVALID = _("投诉类型无效。")
CHANNEL_INVALID = _("投诉渠道无效。")

verbs.register(
    "complaints",
    review_valid=_("审核：投诉成立"),
    review_invalid=_("审核：不计为有效投诉（归档）"),
    send_to_station=_("转维修站处理"),
    assign_responsible=_("确定原因和责任人"),
    record_contact=_("联系客户"),
    compensation_submit=_("补偿提交审批"),
    compensation_approve=_("补偿审批通过"),
    compensation_return=_("补偿审批退回"),
    record_result=_("反馈处理结果"),
    gm_contact=_("总经理联系客户"),
    verify=_("回访验证"),
    escalate_vendor=_("升级至厂商"),
    vendor_answer=_("记录厂商答复"),
    vendor_feedback=_("向厂商反馈结果"),
    station_report=_("维修站处理情况"),
    ask_headquarters=_("请求总部协助"),
    hq_solution=_("总部解决方案"),
    crisis_serious=_("升级为严重危机"),
    archive_crisis=_("危机归档"),
    add_action=_("添加纠正预防措施"),
    complete_action=_("措施完成"),
    check_action=_("措施检查"),
    reopen_action=_("措施未通过检查"),
    publish_report=_("发布投诉分析报告"),
)

S = Complaint.Status
MACHINE = states.Machine(
    Complaint,
    moves={
        S.NEW: {S.INVALID, S.ASSIGNED, S.AT_STATION},
        S.ASSIGNED: {S.HANDLING},
        S.HANDLING: {S.RESULT},
        S.AT_STATION: {S.HQ_HELP, S.RESULT},
        S.HQ_HELP: {S.RESULT},
        S.RESULT: {S.CLOSED, S.ESCALATED},
        S.ESCALATED: {S.CLOSED},
    },
    colours={
        S.NEW: "blue",
        S.INVALID: "dark",
        S.ASSIGNED: "azure",
        S.HANDLING: "orange",
        S.AT_STATION: "orange",
        S.HQ_HELP: "red",
        S.RESULT: "teal",
        S.ESCALATED: "purple",
        S.CLOSED: "green",
    },
    not_allowed=MOVE_NOT_ALLOWED,
    # Two supervisors reviewing the same complaint: the one who acted on a stale page loses (409).
    current_from="object",
)
C = Complaint.Compensation
COMPENSATION_MACHINE = states.Machine(
    Complaint,
    field="compensation",
    moves={C.NONE: {C.PENDING}, C.PENDING: {C.APPROVED, C.RETURNED}, C.RETURNED: {C.PENDING, C.NONE}},
    colours={C.NONE: "secondary", C.PENDING: "blue", C.APPROVED: "green", C.RETURNED: "orange"},
    not_allowed=COMPENSATION_MOVE_NOT_ALLOWED,
)
A = CorrectiveAction.Status
ACTION_MACHINE = states.Machine(
    CorrectiveAction,
    moves={A.OPEN: {A.DONE}, A.DONE: {A.CHECKED, A.OPEN}},
    colours={A.OPEN: "orange", A.DONE: "blue", A.CHECKED: "green"},
    not_allowed=ACTION_MOVE_NOT_ALLOWED,
)

# The complaint's clocks (kefu/deadlines/defaults.py).
CONTACT = "complaint.contact"
VERIFY = "complaint.verify"
VENDOR_FEEDBACK = "complaint.vendor_feedback"
GM_CONTACT = "complaint.gm_contact"
CAPA = "complaint.capa"
CRISIS_FIX = "complaint.crisis_fix"
MONTHLY_REPORT = "complaint.monthly_report"


def clean(value) -> str:
    return (value or "").strip()


def notify(event: str, complaint: Complaint, to, subject, *, now: datetime, body="", key: str | None = None) -> None:
    people = [u for u in dict.fromkeys(to) if u is not None and u.is_active]
    if people:
        outbox.enqueue(
            event,
            complaint,
            to=people,
            subject=str(subject),
            body=str(body),
            link=complaint.get_absolute_url(),
            key=key,
            now=now,
        )


def on_timeline(complaint: Complaint, title, *, now: datetime, by: User | None, body: str = "") -> None:
    """The complaint's steps on the customer's care column (CRM-5, CP-1)."""
    timeline.add(
        complaint.customer,
        "complaint",
        title=f"{complaint.number} {title}"[:200],
        body=body,
        at=now,
        by=by,
        subject=complaint,
    )


def result_back(complaint: Complaint, *, by: User | None, now: datetime) -> None:
    """The result is back (CP-5, CP-7): the supervisor verifies within 1 working day; a vendor's
    complaint is fed back to the vendor within 1 working day. Inside the caller's transaction."""
    supervisor = complaint.reviewed_by or next(iter(active_with_role(roles.QUALITY)), None)
    clocks.start(complaint, VERIFY, owner=supervisor, now=now, by=by)
    if complaint.source == Complaint.Source.VENDOR:
        clocks.start(complaint, VENDOR_FEEDBACK, owner=supervisor, now=now, by=by)
    notify(
        "complaint.result",
        complaint,
        [supervisor] if supervisor else active_with_role(roles.QUALITY),
        _("投诉处理结果已反馈，请在 1 个工作日内回访验证：%(n)s") % {"n": complaint.number},
        now=now,
    )
    on_timeline(complaint, _("投诉处理结果：%(r)s") % {"r": complaint.result[:100]}, now=now, by=by)
