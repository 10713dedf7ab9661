"""Daily work (PRJ-4, PRJ-5, RV-3): daily logs the customer confirms, phase results the PM
reviews and the customer signs, project issues on a clock, the invitation to a phase
presentation, and the return visits during the project."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from kefu.audit.service import record
from kefu.core import states
from kefu.core.errors import Conflict, Forbidden, Invalid
from kefu.core.permissions import require
from kefu.deadlines import clocks
from kefu.documents import attachments
from kefu.notify import outbox
from kefu.org.models import User
from kefu.projects.models import DailyLog, Issue, Phase, Project
from kefu.projects.workflow._common import NOT_ON_TEAM, NOT_RUNNING, P, Ph, checked_signature, keep_signature, required
from kefu.projects.workflow.plan import portal_users
from kefu.visits import workflow as visits

LOG_RULE, ISSUE_RULE = "project.log_confirm", "project.issue"
DAY_INVALID = _("请填写日志日期（不晚于今天）。")
HOURS_INVALID = _("工时须在 0.5 到 24 小时之间。")
SITE_INVALID = _("请选择任务书中的实施地点。")
LOG_EXISTS = _("您当天在该地点的日志已经填写过了。")
NOT_CUSTOMER = _("只有客户可以在门户确认日志；现场纸质确认请上传照片。")
PAPER_PHOTO_REQUIRED = _("纸质确认请上传签字单据的照片。")
NOT_ACTIVE_PHASE = _("只有进行中的阶段可以提交成果。")
RESULT_REQUIRED = _("请填写阶段成果。")
NO_ADDRESSES = _("请填写至少一个邮箱地址。")
WORKING = (P.IMPLEMENTING,)


def _day(value) -> date | None:
    if isinstance(value, date):
        return value
    return parse_date(str(value or "").strip()) if value else None


def write_log(
    project: Project,
    *,
    site: str,
    day,
    work_done: str,
    hours,
    issues: str = "",
    next_steps: str = "",
    phase: Phase | None = None,
    photos=(),
    by: User,
    now: datetime,
) -> DailyLog:
    """A consultant on the team writes the day's log for a site, with photos from a phone, several
    at once (PRJ-4). It waits for the customer's confirmation, on its clock."""
    if not by.has_perm("projects.work", project):
        raise Forbidden(NOT_ON_TEAM)
    if project.status not in WORKING:
        raise Conflict(NOT_RUNNING)
    day = _day(day)
    if day is None or day > timezone.localdate(now):
        raise Invalid(DAY_INVALID, field="day")
    sites = project.sites
    site = (site or "").strip()
    if not site or (sites and site not in sites):
        raise Invalid(SITE_INVALID, field="site")
    try:
        hours = Decimal(str(hours).strip())
    except (InvalidOperation, ValueError):
        raise Invalid(HOURS_INVALID, field="hours") from None
    if not Decimal("0.5") <= hours <= Decimal("24"):
        raise Invalid(HOURS_INVALID, field="hours")
    work_done = required(work_done, "work_done", _("工作内容"))
    if phase is not None and phase.project_id != project.pk:
        phase = None
    try:
        with transaction.atomic():
            log = DailyLog.objects.create(
                project=project,
                phase=phase or project.phase_set.filter(status=Ph.ACTIVE).order_by("order").first(),
                author=by,
                site=site,
                day=day,
                work_done=work_done,
                hours=hours,
                issues=(issues or "").strip(),
                next_steps=(next_steps or "").strip(),
                created_at=now,
            )
            if photos:
                attachments.attach_all(log, photos, kind="daily_log_photo", by=by, now=now, field="photos")
            record(log, "write_log", by=by, at=now, after=log.get_status_display())
            clocks.start(log, LOG_RULE, owner=project.manager, now=now, by=by, new_subject=True)
    except IntegrityError:
        raise Conflict(LOG_EXISTS) from None
    return log


def confirm_log(log: DailyLog, *, by: User, now: datetime) -> DailyLog:
    """The customer confirms the log in the portal: only now does it count (PRJ-4)."""
    require(by, "projects.confirm_log", log.project)
    if not by.is_customer_user:
        raise Forbidden(NOT_CUSTOMER)
    return _confirm(log, how=DailyLog.How.PORTAL, name=by.display_name, by=by, now=now)


def confirm_on_paper(log: DailyLog, *, signer_name: str, photos=(), by: User, now: datetime) -> DailyLog:
    """Staff record a confirmation the customer signed on paper, with its photo (PRJ-4)."""
    require(by, "projects.manage", log.project)
    signer_name = required(signer_name, "signer_name", _("确认人"))
    photos = list(photos or [])
    if not photos:
        raise Invalid(PAPER_PHOTO_REQUIRED, field="photos")
    with transaction.atomic():
        attachments.attach_all(log, photos, kind="log_confirmation", by=by, now=now, field="photos")
        return _confirm(log, how=DailyLog.How.PAPER, name=signer_name, by=by, now=now)


def _confirm(log: DailyLog, *, how: str, name: str, by: User, now: datetime) -> DailyLog:
    with transaction.atomic():
        states.move(
            log,
            DailyLog.Status.CONFIRMED,
            by=by,
            now=now,
            verb="confirm_log",
            data={"how": how},
            confirmed_how=how,
            confirmed_by=by,
            confirmed_by_name=name[:50],
            confirmed_at=now,
        )
        clocks.stop(log, LOG_RULE, now=now, by=by)
    return log


# --- phases -------------------------------------------------------------------------------


def activate_phase(phase: Phase, *, by: User, now: datetime) -> Phase:
    require(by, "projects.manage", phase.project)
    if phase.project.status not in WORKING:
        raise Conflict(NOT_RUNNING)
    with transaction.atomic():
        states.move(phase, Ph.ACTIVE, by=by, now=now, verb="activate_phase", actual_start=timezone.localdate(now))
    return phase


def submit_phase(phase: Phase, *, result: str, files=(), by: User, now: datetime) -> Phase:
    """The consultant submits the phase result with its deliverables (PRJ-5)."""
    require(by, "projects.work", phase.project)
    if phase.project.status not in WORKING:
        raise Conflict(NOT_RUNNING)
    if phase.status not in (Ph.ACTIVE, Ph.PLANNED):
        raise Conflict(NOT_ACTIVE_PHASE)
    result = required(result, "result", _("阶段成果"))
    with transaction.atomic():
        states.move(
            phase, Ph.SUBMITTED, by=by, now=now, verb="submit_phase", result=result, submitted_by=by, submitted_at=now
        )
        if files:
            attachments.attach_all(phase, files, kind="project_document", by=by, now=now)
        if phase.project.manager_id:
            outbox.enqueue(
                "project.phase_submitted",
                phase,
                to=[phase.project.manager],
                subject=str(_("阶段成果待审核：%(p)s · %(ph)s") % {"p": phase.project.name, "ph": phase.name}),
                link=phase.get_absolute_url(),
                now=now,
            )
    return phase


def review_phase(phase: Phase, *, by: User, now: datetime) -> Phase:
    """The PM reviews the result; it goes to the customer for signature (PRJ-5)."""
    require(by, "projects.manage", phase.project)
    with transaction.atomic():
        states.move(phase, Ph.REVIEWED, by=by, now=now, verb="review_phase", reviewed_by=by, reviewed_at=now)
        outbox.enqueue(
            "project.sign_phase",
            phase,
            to=portal_users(phase.project),
            subject=str(_("请签字确认阶段成果：%(p)s · %(ph)s") % {"p": phase.project.name, "ph": phase.name}),
            link=phase.get_absolute_url(),
            now=now,
        )
    return phase


def return_phase(phase: Phase, *, reason: str, by: User, now: datetime) -> Phase:
    require(by, "projects.manage", phase.project)
    reason = required(reason, "reason", _("退回原因"))
    with transaction.atomic():
        states.move(
            phase, Ph.ACTIVE, by=by, now=now, verb="return_phase", data={"reason": reason}, return_reason=reason[:500]
        )
    return phase


def sign_phase(phase: Phase, *, signer_name: str, signature: str = "", scan=None, by: User, now: datetime) -> Phase:
    """The customer signs the reviewed result: only now is the phase done (PRJ-5). The next phase
    starts, and the return visit after the phase opens (RV-3, by rule)."""
    project = phase.project
    require(by, "projects.sign", project)
    signer_name, png = checked_signature(signer_name=signer_name, signature=signature, scan=scan)
    with transaction.atomic():
        states.move(
            phase,
            Ph.DONE,
            by=by,
            now=now,
            verb="sign",
            data={"signer": signer_name, "how": "drawn" if png else "scan"},
            signer_name=signer_name,
            signed_at=now,
            actual_end=timezone.localdate(now),
        )
        keep_signature(phase, png, scan, prefix="phase", by=by, now=now)
        following = project.phase_set.filter(order__gt=phase.order, status=Ph.PLANNED).order_by("order").first()
        if following is not None and project.status in WORKING:
            states.move(
                following, Ph.ACTIVE, by=by, now=now, verb="activate_phase", actual_start=timezone.localdate(now)
            )
        project.milestone_set.filter(phase_order=phase.order, reached_on=None).update(
            reached_on=timezone.localdate(now)
        )
        visits.open_for_project(phase, customer=project.customer, final=False, by=by, now=now)
    return phase


def invite(phase: Phase, *, addresses: str, note: str = "", by: User, now: datetime) -> list:
    """The PM invites the customer's management to the phase presentation: an email through the outbox."""
    require(by, "projects.manage", phase.project)
    emails = [a.strip() for a in (addresses or "").replace("；", ",").replace(";", ",").replace("，", ",").split(",")]
    emails = [a for a in emails if a]
    if not emails or any("@" not in a for a in emails):
        raise Invalid(NO_ADDRESSES, field="addresses")
    with transaction.atomic():
        rows = outbox.enqueue(
            "project.invitation",
            phase,
            addresses=emails,
            channels_=["email"],
            key=f"project.invitation:{phase.pk}:{int(now.timestamp())}",
            subject=str(_("邀请参加阶段汇报：%(p)s · %(ph)s") % {"p": phase.project.name, "ph": phase.name}),
            body=(note or "").strip(),
            now=now,
        )
        record(phase.project, "invite", by=by, at=now, after=", ".join(emails), data={"phase": phase.name})
    return rows


# --- issues -------------------------------------------------------------------------------


def raise_issue(
    project: Project,
    *,
    title: str,
    description: str = "",
    owner: User | None,
    product_fault: bool = False,
    service_request=None,
    by: User,
    now: datetime,
) -> Issue:
    """A problem met during implementation, with an owner and a clock (PRJ-5); a product fault
    is linked to the service request that handles it."""
    require(by, "projects.work", project)
    title = required(title, "title", _("问题"))
    owner = owner or project.manager or by
    with transaction.atomic():
        issue = Issue.objects.create(
            project=project,
            title=title[:200],
            description=(description or "").strip(),
            owner=owner,
            product_fault=bool(product_fault or service_request),
            service_request=service_request,
            raised_by=by,
            raised_at=now,
            updated_at=now,
        )
        record(issue, "raise_issue", by=by, at=now, after=issue.title)
        clock = clocks.start(issue, ISSUE_RULE, owner=owner, now=now, by=by, new_subject=True)
        if project.status == P.PAUSED and clock is not None:
            clocks.pause(issue, ISSUE_RULE, now=now, by=by, reason=str(_("项目已暂停")))
    return issue


def resolve_issue(issue: Issue, *, resolution: str, by: User, now: datetime) -> Issue:
    require(by, "projects.work", issue.project)
    resolution = required(resolution, "resolution", _("处理结果"))
    with transaction.atomic():
        states.move(
            issue, Issue.Status.RESOLVED, by=by, now=now, verb="resolve_issue", resolution=resolution, resolved_at=now
        )
        clocks.stop(issue, ISSUE_RULE, now=now, by=by)
    return issue


def schedule_visit(project: Project, *, by: User, now: datetime):
    """A return visit during the project, whenever the PM asks for one (RV-3)."""
    require(by, "projects.manage", project)
    with transaction.atomic():
        visit = visits.open_for_project(project, customer=project.customer, final=False, by=by, now=now)
        record(project, "visit", by=by, at=now, after=visit.get_kind_display())
    return visit


def clock_subjects(project: Project) -> list:
    """What runs on a clock inside the project: its open issues, unconfirmed logs and the
    acceptance in evaluation. Pausing the project pauses them all (CAL-4)."""
    items: list = [project]
    items += list(project.issues.filter(status=Issue.Status.OPEN))
    items += list(project.logs.filter(status=DailyLog.Status.SUBMITTED))
    items += list(project.acceptances.filter(status="evaluating"))
    return items
