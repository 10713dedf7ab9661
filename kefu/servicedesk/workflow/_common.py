"""Messages, the transition table and helpers shared by the service-desk workflows."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from kefu.audit import verbs
from kefu.core import states
from kefu.deadlines import calendars, clocks, waiting
from kefu.deadlines.clockmath import is_working_time
from kefu.deadlines.models import OPEN_STATES, Clock, WorkCalendar
from kefu.org.models import User
from kefu.servicedesk.models import (
    DutyShift,
    HotlineRecord,
    RequestStep,
    ServiceRequest,
)

S = ServiceRequest.Status
HO = HotlineRecord.Outcome

PHENOMENON_REQUIRED = _("请填写问题现象。")
MOVE_NOT_ALLOWED = _("服务请求不能从“%(before)s”变为“%(after)s”。")
TAKEN = _("该服务请求已被他人接手或状态已变更，请刷新后重试。")
RECEIVER_REQUIRED = _("转交必须选择接收人。")
RECEIVER_INVALID = _("接收人不能处理服务请求。")
SAME_OWNER = _("接收人已是该请求的负责人。")
OWNER_CANNOT_DROP = _("首问负责人不能放弃请求，只能转交给他人（首问责任制）。")
NOTES_REQUIRED = _("请填写步骤说明。")
RESULT_REQUIRED = _("请填写处理结果。")
CONFIRMATION_REQUIRED = _("请选择客户确认方式。")
WITHDRAW_ONLY_PHONE_SOLVED = _("只有电话中已解决、尚未上门的请求才能申请撤销。")
NO_WITHDRAWAL_PENDING = _("该请求没有待审核的撤销申请。")
NOT_YOUR_CUSTOMER = _("只能为本单位提交服务请求。")
ANSWER_REQUIRED = _("请填写答复内容。")
RECORD_STATE = _("该热线记录已处理或状态已变更，请刷新后重试。")
NOT_SUBMITTED = _("该记录尚未提交给服务部经理。")
NOT_ON_DUTY_ROLE = _("值班人员必须是热线工程师。")
SHIFT_OVERLAPS = _("该人员在此时段已有值班。")
SHIFT_TIMES = _("结束时间必须晚于开始时间。")
NOT_YOUR_SHIFT = _("只能交接自己的班次。")
SHIFT_NOT_STARTED = _("班次尚未开始，开始前 15 分钟起可交接。")
ALREADY_TAKEN_OVER = _("该班次已交接。")
ALREADY_READY = _("已报到岗就绪。")

OPEN = (S.NEW, S.IN_PROGRESS, S.SHELVED, S.ONSITE, S.SOLVED)


def _stop_waiting(req: ServiceRequest, *, current, target, by, now: datetime) -> None:
    """A request waiting for the customer or a part stops waiting when it moves on: its clocks
    resume first (CAL-4)."""
    if req.waiting_for:
        waiting.end(req, by=by, now=now)


W = ServiceRequest.Withdrawal
REQUEST = states.Machine(
    ServiceRequest,
    moves={
        S.NEW: {S.IN_PROGRESS, S.SHELVED, S.ONSITE, S.SOLVED},
        S.IN_PROGRESS: {S.SHELVED, S.ONSITE, S.SOLVED},
        S.SHELVED: {S.IN_PROGRESS, S.ONSITE, S.SOLVED},
        S.ONSITE: {S.IN_PROGRESS, S.SOLVED},
        S.SOLVED: {S.CLOSED, S.IN_PROGRESS, S.WITHDRAWN},
    },
    colours={
        S.NEW: "blue",
        S.IN_PROGRESS: "blue",
        S.SHELVED: "orange",
        S.ONSITE: "purple",
        S.SOLVED: "teal",
        S.CLOSED: "green",
        S.WITHDRAWN: "dark",
    },
    before_move=_stop_waiting,
    conflict=TAKEN,
    not_allowed=MOVE_NOT_ALLOWED,
    current_from="object",  # the status the owner saw when they acted
)
HOTLINE_OUTCOME = states.Machine(
    HotlineRecord,
    field="outcome",
    moves={HO.OPEN: {HO.SOLVED, HO.SHELVED, HO.ONSITE}, HO.SHELVED: {HO.SOLVED, HO.ONSITE}},
    colours={HO.OPEN: "blue", HO.SOLVED: "green", HO.SHELVED: "orange", HO.ONSITE: "purple"},
    conflict=RECORD_STATE,
    not_allowed=RECORD_STATE,
    current_from="object",
)
WITHDRAWAL = states.Machine(
    ServiceRequest,
    field="withdrawal",
    moves={W.NONE: {W.REQUESTED}, W.REJECTED: {W.REQUESTED}, W.REQUESTED: {W.APPROVED, W.REJECTED}},
    colours={W.NONE: "secondary", W.REQUESTED: "yellow", W.REJECTED: "red", W.APPROVED: "dark"},
    not_allowed=NO_WITHDRAWAL_PENDING,
)

verbs.register(
    "servicedesk",
    take=_("接手"),
    transfer=_("转交"),
    add_step=_("处理步骤"),
    update_sheet=_("填写服务单"),
    shelve=_("搁置"),
    call_back=_("回拨"),
    request_onsite=_("申请上门"),
    onsite_returned=_("上门申请被退回"),
    solve=_("已解决"),
    confirm=_("客户确认关闭"),
    reopen=_("重新打开"),
    request_withdrawal=_("申请撤销"),
    review_withdrawal=_("撤销审核"),
    record_call=_("热线记录"),
    submit_unsolved=_("提交未解决问题"),
    close_loop=_("闭环"),
    plan_shift=_("排班"),
    take_over=_("交接班"),
    report_ready=_("到岗就绪"),
    record_onsite=_("热线记录转上门"),
)
# A call-log import is audited on the user who imported it (no row stands for the batch).
verbs.register("org", import_calls=_("导入话单"))


def first_response_rule(priority: str) -> str:
    return f"request.first_response.{priority}"


def _label(status: str) -> str:
    return str(S(status).label)


def _respond(req: ServiceRequest, *, by, now: datetime) -> None:
    """The first answer to the customer meets the first-response clock (SR-2)."""
    if req.first_response_at is None and ServiceRequest.objects.filter(
        pk=req.pk, first_response_at__isnull=True
    ).update(first_response_at=now):
        req.first_response_at = now
        clocks.stop(req, first_response_rule(req.priority), now=now, by=by)


def _step(req, kind, notes, *, by, now, visible=True) -> RequestStep:
    return RequestStep.objects.create(request=req, kind=kind, notes=notes, at=now, by=by, visible_to_customer=visible)


def _stop_all(req: ServiceRequest, *, now: datetime, by) -> None:
    ct = ContentType.objects.get_for_model(ServiceRequest)
    keys = Clock.objects.filter(content_type=ct, object_id=str(req.pk), state__in=OPEN_STATES).values_list(
        "rule__key", flat=True
    )
    for key in list(keys):
        clocks.stop(req, key, now=now, by=by)


def on_duty(now: datetime) -> User | None:
    """Who answers the hotline now (HL-1): the engineer of the shift running at `now`."""
    shift = DutyShift.objects.on_duty(now).select_related("engineer").order_by("starts_at", "id").first()
    return shift.engineer if shift else None


ROUND_THE_CLOCK = "allday"


def promise_calendar(engineer: User | None, rule_key: str, *, now: datetime) -> WorkCalendar | None:
    """The calendar of a promise the engineer on duty makes (HL-5): on a shift outside the
    rule's hours (a night shift) the promise runs on the shift, round the clock, so a callback
    promised at 23:00 is due at 24:00, not at 09:00; within the hours, the rule's precedence
    holds (None). See `kefu.deadlines.clocks.calendar_for`."""
    if engineer is None or not DutyShift.objects.on_duty(now).filter(engineer=engineer).exists():
        return None
    rule = clocks.get_rule(rule_key)
    if is_working_time(calendars.snapshot(rule.calendar), now):
        return None
    return WorkCalendar.objects.filter(code=ROUND_THE_CLOCK).first()
