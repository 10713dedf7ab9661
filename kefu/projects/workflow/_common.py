"""What every transition of a project shares: the state machines, messages, audit verbs and
the signature (drawn in the portal, or a signed scan uploaded by staff)."""

from datetime import datetime

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from kefu.audit import verbs
from kefu.core import states
from kefu.core.errors import Invalid
from kefu.documents import attachments, images
from kefu.org.models import User
from kefu.projects.models import Acceptance, ChangeRequest, DailyLog, Issue, Phase, PlanVersion, Project, Risk, TaskBook

MOVE_NOT_ALLOWED = _("不能从“%(before)s”变为“%(after)s”。")
FIELD_REQUIRED = _("请填写%(field)s。")
SIGNER_REQUIRED = _("请填写签字人姓名。")
SIGNATURE_REQUIRED = _("请让客户在屏幕上签名，或上传签字扫描件。")
NOT_STARTABLE = _("需先召开启动会并由客户签署实施计划，才能开始实施。")
NO_KICKOFF = _("尚未记录启动会（日期、参会人、纪要）。")
NO_SIGNED_PLAN = _("实施计划、实施方式和范围尚未经客户签字确认。")
NOT_ON_TEAM = _("您不在该项目的实施团队中，不能填写实施日志。")
NOT_RUNNING = _("项目不在实施中。")

verbs.register(
    "projects",
    submit=_("提交审批"),
    approve=_("批准"),
    return_book=_("退回修改"),
    reject=_("驳回"),
    create_project=_("创建项目"),
    assign_manager=_("指定项目经理"),
    add_member=_("加入团队"),
    remove_member=_("移出团队"),
    write_plan=_("编写实施计划"),
    send_plan=_("发送客户签字"),
    sign=_("客户签字"),
    supersede=_("被新版本取代"),
    kickoff=_("记录启动会"),
    start=_("开始实施"),
    write_log=_("填写实施日志"),
    confirm_log=_("客户确认日志"),
    submit_phase=_("提交阶段成果"),
    review_phase=_("项目经理审核"),
    return_phase=_("退回阶段成果"),
    reopen_phase=_("返工"),
    activate_phase=_("开始阶段"),
    raise_issue=_("登记问题"),
    resolve_issue=_("解决问题"),
    add_risk=_("登记风险"),
    close_risk=_("关闭风险"),
    request_pause=_("申请暂停"),
    request_terminate=_("申请终止"),
    pause=_("暂停"),
    resume=_("恢复实施"),
    terminate=_("终止"),
    submit_acceptance=_("提交验收评估"),
    evaluate=_("验收评估"),
    pass_acceptance=_("验收通过"),
    fail_acceptance=_("验收未通过"),
    reimplement=_("返回实施"),
    final_review=_("终验审核"),
    archive=_("归档"),
    invite=_("邀请参加阶段汇报"),
    visit=_("安排回访"),
)

T, P, V, Ph = TaskBook.Status, Project.Status, PlanVersion.Status, Phase.Status
TASK_BOOK = states.Machine(
    TaskBook,
    moves={T.DRAFT: {T.SUBMITTED}, T.SUBMITTED: {T.APPROVED, T.RETURNED, T.REJECTED}, T.RETURNED: {T.SUBMITTED}},
    colours={T.DRAFT: "secondary", T.SUBMITTED: "blue", T.RETURNED: "orange", T.APPROVED: "green", T.REJECTED: "red"},
    not_allowed=MOVE_NOT_ALLOWED,
)
PROJECT = states.Machine(
    Project,
    moves={
        P.PLANNING: {P.IMPLEMENTING, P.TERMINATED},
        P.IMPLEMENTING: {P.PAUSED, P.ACCEPTANCE, P.TERMINATED},
        P.PAUSED: {P.IMPLEMENTING, P.TERMINATED},
        P.ACCEPTANCE: {P.FINAL, P.IMPLEMENTING, P.TERMINATED},
        P.FINAL: {P.ARCHIVED},
    },
    colours={
        P.PLANNING: "secondary",
        P.IMPLEMENTING: "blue",
        P.PAUSED: "orange",
        P.ACCEPTANCE: "purple",
        P.FINAL: "teal",
        P.ARCHIVED: "green",
        P.TERMINATED: "dark",
    },
    not_allowed=MOVE_NOT_ALLOWED,
)
PLAN = states.Machine(
    PlanVersion,
    moves={V.DRAFT: {V.SENT}, V.SENT: {V.SIGNED, V.DRAFT}, V.SIGNED: {V.SUPERSEDED}},
    colours={V.DRAFT: "secondary", V.SENT: "blue", V.SIGNED: "green", V.SUPERSEDED: "dark"},
    not_allowed=MOVE_NOT_ALLOWED,
)
PHASE = states.Machine(
    Phase,
    moves={
        Ph.PLANNED: {Ph.ACTIVE, Ph.SUBMITTED},
        Ph.ACTIVE: {Ph.SUBMITTED},
        Ph.SUBMITTED: {Ph.REVIEWED, Ph.ACTIVE},
        Ph.REVIEWED: {Ph.DONE, Ph.ACTIVE},
        Ph.DONE: {Ph.ACTIVE},
    },
    colours={
        Ph.PLANNED: "secondary",
        Ph.ACTIVE: "blue",
        Ph.SUBMITTED: "purple",
        Ph.REVIEWED: "teal",
        Ph.DONE: "green",
    },
    not_allowed=MOVE_NOT_ALLOWED,
)
LOG = states.Machine(
    DailyLog,
    moves={DailyLog.Status.SUBMITTED: {DailyLog.Status.CONFIRMED}},
    colours={DailyLog.Status.SUBMITTED: "orange", DailyLog.Status.CONFIRMED: "green"},
    not_allowed=MOVE_NOT_ALLOWED,
)
ISSUE = states.Machine(
    Issue,
    moves={Issue.Status.OPEN: {Issue.Status.RESOLVED}},
    colours={Issue.Status.OPEN: "orange", Issue.Status.RESOLVED: "green"},
    not_allowed=MOVE_NOT_ALLOWED,
)
RISK = states.Machine(
    Risk,
    moves={Risk.Status.OPEN: {Risk.Status.CLOSED}},
    colours={Risk.Status.OPEN: "orange", Risk.Status.CLOSED: "secondary"},
    not_allowed=MOVE_NOT_ALLOWED,
)
C = ChangeRequest.Status
CHANGE = states.Machine(
    ChangeRequest,
    moves={C.PENDING: {C.APPROVED, C.REJECTED}},
    colours={C.PENDING: "blue", C.APPROVED: "green", C.REJECTED: "red"},
    not_allowed=MOVE_NOT_ALLOWED,
)
A = Acceptance.Status
ACCEPTANCE = states.Machine(
    Acceptance,
    moves={A.EVALUATING: {A.PASSED, A.FAILED}},
    colours={A.EVALUATING: "blue", A.PASSED: "green", A.FAILED: "red"},
    not_allowed=MOVE_NOT_ALLOWED,
)


def required(value: str, field: str, label) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(FIELD_REQUIRED % {"field": label}, field=field)
    return value


def checked_signature(*, signer_name: str, signature: str, scan) -> tuple[str, bytes | None]:
    """The signer and the drawn PNG (or None when a signed scan comes instead); Invalid otherwise."""
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise Invalid(SIGNER_REQUIRED, field="signer_name")
    if not signature and not scan:
        raise Invalid(SIGNATURE_REQUIRED, field="signature")
    png = images.signature_png(signature) if signature else None
    if scan:
        attachments.check(scan, kind="signed_scan", field="scan")
    return signer_name, png


def keep_signature(obj, png: bytes | None, scan, *, prefix: str, by: User, now: datetime) -> None:
    """Store the drawn signature on `obj.signature`, or the scan as its `signed_scan` attachment."""
    if png:
        obj.signature.save(f"{prefix}-{obj.pk}.png", ContentFile(png), save=False)
        type(obj).objects.filter(pk=obj.pk).update(signature=obj.signature.name)
    if scan:
        attachments.attach(obj, scan, kind="signed_scan", by=by, now=now, field="scan")


def is_signed(obj) -> bool:
    return bool(obj.signed_at if hasattr(obj, "signed_at") else False)
