"""Messages, the transition table and helpers shared by the onsite-service workflows."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.audit import verbs
from kefu.audit.service import record
from kefu.core import states
from kefu.core.errors import Invalid
from kefu.customers import timeline
from kefu.deadlines import waiting
from kefu.fieldservice.models import WorkOrder
from kefu.org import roles
from kefu.org.models import User
from kefu.org.selectors import active_with_role

S = WorkOrder.Status

DISPATCH_TAKEN = _("该工单已被他人派发或状态已变更，请刷新后重试。")
MOVE_NOT_ALLOWED = _("派工单不能从“%(before)s”变为“%(after)s”。")
NOT_AN_ENGINEER = _("只能派发给在职的服务工程师。")
APPOINTMENT_INVALID = _("预约结束时间必须晚于开始时间。")
APPOINTMENT_MISSED = _("已超过预约时间，请先登记未按约上门的原因并重新预约。")
APPOINTMENT_NOT_MISSED = _("预约时间尚未过去，无需登记爽约。")
BACKUP_REQUIRED = _("请先备份客户数据，并填写备份数据的存放位置。")
FIELD_REQUIRED = _("请填写%(field)s。")
OUTCOME_REQUIRED = _("请选择服务结果。")
SIGNATURE_REQUIRED = _("请客户在屏幕上签名，或上传客户签字的纸质服务单照片。")
SIGNER_REQUIRED = _("请填写签字人姓名。")
NEXT_STEP_REQUIRED = _("问题未完全解决：请选择申请再次派工或升级至厂商/总部。")
ESCALATION_NOTE_REQUIRED = _("请填写升级的问题说明。")
ANSWER_REQUIRED = _("请填写厂商/总部的答复或解决结果。")
NOT_SIGNED = _("服务单尚未签字，不能存档。")
NO_SHEET = _("尚未填写服务单。")
ALREADY_ARCHIVED = _("该服务单已存档。")
ALREADY_VISITED = _("该服务单的回访已登记。")
ALREADY_SAMPLED = _("所选服务单中有不属于本周或已进入 QA 库的。")
VERDICT_REQUIRED = _("请选择评审结论。")
PARTICIPANTS_REQUIRED = _("请指定参加会诊的人员。")
RESULT_REQUIRED = _("请填写会诊结果。")
RESULT_RECORDED = _("该会诊已登记结果。")
NOT_SOLVED_FOR_LIBRARY = _("只有已解决的问题可以提交到问题库。")
ORDER_OPEN = _("该服务请求已有进行中的派工单 %(n)s（%(s)s），不能重复申请上门。")
NO_OPEN_ESCALATION = _("该派工单没有待解决的升级问题。")

verbs.register(
    "fieldservice",
    onsite_request=_("申请上门"),
    onsite_verify=_("核实上门申请"),
    onsite_send_back=_("退回上门申请"),
    dispatch=_("派工"),
    onsite_confirm=_("确认派工单"),
    appointment=_("预约上门"),
    appointment_missed=_("未按约上门"),
    check_in=_("到达现场"),
    sheet_complete=_("填写服务单"),
    sheet_sign=_("客户签字"),
    write_off=_("核销"),
    escalate=_("升级"),
    escalation_resolved=_("升级问题解决"),
    sheet_archive=_("服务单存档"),
    onsite_return_visit=_("上门服务回访"),
    qa_pick=_("抽取 QA 样本"),
    qa_review=_("QA 评审"),
    consultation=_("组织会诊"),
    consultation_result=_("会诊结果"),
)
timeline.register_kind("onsite", _("上门服务"))

WAITING = (S.REQUESTED, S.VERIFIED)


def _stop_waiting(order: WorkOrder, *, current, target, by, now: datetime) -> None:
    """An order waiting for the customer or a part stops waiting when its work moves on: its
    clocks resume first (CAL-4)."""
    if WorkOrder.objects.filter(pk=order.pk).exclude(waiting_for="").exists():
        waiting.end(order, by=by, now=now)


MACHINE = states.Machine(
    WorkOrder,
    moves={
        S.REQUESTED: {S.VERIFIED, S.RETURNED},
        S.VERIFIED: {S.DISPATCHED},
        S.DISPATCHED: {S.CONFIRMED},
        S.CONFIRMED: {S.SCHEDULED},
        S.SCHEDULED: {S.SCHEDULED, S.ON_SITE},
        S.ON_SITE: {S.COMPLETED},
        S.COMPLETED: {S.SIGNED},
        S.SIGNED: {S.WRITTEN_OFF, S.ESCALATED},
        S.ESCALATED: {S.CLOSED},
    },
    colours={
        S.REQUESTED: "yellow",
        S.RETURNED: "dark",
        S.VERIFIED: "azure",
        S.DISPATCHED: "blue",
        S.CONFIRMED: "blue",
        S.SCHEDULED: "cyan",
        S.ON_SITE: "purple",
        S.COMPLETED: "teal",
        S.SIGNED: "teal",
        S.WRITTEN_OFF: "green",
        S.ESCALATED: "orange",
        S.CLOSED: "green",
    },
    before_move=_stop_waiting,
    conflict=DISPATCH_TAKEN,
    not_allowed=MOVE_NOT_ALLOWED,
)
# A dispatch that finds the order already past waiting lost a race (OS-2): 409, not 400.
DISPATCHED_ALREADY = [s for s in S.values if s not in WAITING]
OPEN_FOR_ENGINEER = (S.DISPATCHED, S.CONFIRMED, S.SCHEDULED, S.ON_SITE, S.COMPLETED, S.SIGNED)
# A request has at most one order in these states (OS-1): returned, written off and closed are done.
OPEN_ORDER = (*WAITING, *OPEN_FOR_ENGINEER, S.ESCALATED)


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _audit(order, verb, *, by, now, before, data=None):
    record(order, verb, by=by, at=now, before=S(before).label, after=order.get_status_display(), data=data)


def _managers() -> list[User]:
    return active_with_role(roles.SERVICE_MANAGER)


def _customer_users(order: WorkOrder) -> list[User]:
    """The customer's portal logins: the outbox reaches the customer through them."""
    return list(User.objects.filter(is_active=True, customer_contact__customer=order.customer_id).distinct())


def _contact_addresses(order: WorkOrder) -> list[str]:
    """The email of the request's contact (else the main contact) when they have no portal
    login: customers without an account are told too (OS-2)."""
    contact = order.request.contact if order.request.contact_id else None
    contact = contact or order.customer.contacts.filter(is_main=True).first()
    if contact is None or not contact.email or contact.portal_user_id:
        return []
    return [contact.email]


def _required(value: str, label, field: str | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(FIELD_REQUIRED % {"field": label}, field=field)
    return value
