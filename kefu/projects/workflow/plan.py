"""PRJ-2, PRJ-3, PRJ-5 (plan changes): the team, the plan in versions the customer signs, risks,
the kickoff meeting, and the start of implementation once both kickoff and signed plan exist."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from kefu.audit.service import record
from kefu.core import states
from kefu.core.errors import Conflict, Forbidden, Invalid
from kefu.core.permissions import require
from kefu.notify import outbox
from kefu.org import roles
from kefu.org.models import User
from kefu.projects.models import Milestone, Phase, PlanVersion, Project, Risk, TeamMember
from kefu.projects.workflow._common import (
    NO_KICKOFF,
    NO_SIGNED_PLAN,
    NOT_STARTABLE,
    P,
    Ph,
    V,
    checked_signature,
    keep_signature,
    required,
)

PHASES_REQUIRED = _("实施计划至少要有一个阶段。")
PHASE_INVALID = _("第 %(n)s 个阶段：请填写名称和起止日期（结束不早于开始）。")
MILESTONE_INVALID = _("第 %(n)s 个里程碑：请填写名称和日期。")
PLAN_AWAITS_SIGNATURE = _("上一版计划正等待客户签字，请等客户签字后再变更。")
STARTED_PHASE_DROPPED = _("“%(p)s”已开始，不能从计划中删除。")
NOT_A_CONSULTANT = _("只有实施顾问或项目经理可以加入实施团队。")
ALREADY_ON_TEAM = _("%(u)s 已在团队中。")
PERIOD_REVERSED = _("结束日期不能早于开始日期。")
KICKOFF_INCOMPLETE = _("请填写启动会日期、参会人和纪要。")
CLOSED = _("项目已结束，不能再修改。")
ENDED = (P.ARCHIVED, P.TERMINATED)


def _open(project: Project) -> None:
    if project.status in ENDED:
        raise Conflict(CLOSED)


def _day(value) -> date | None:
    if isinstance(value, date):
        return value
    return parse_date(str(value or "").strip()) if value else None


def add_member(
    project: Project, user: User | None, *, role: str, start_on=None, end_on=None, by: User, now: datetime
) -> TeamMember:
    """The PM forms the team: consultants with their role and period (PRJ-2)."""
    require(by, "projects.manage", project)
    _open(project)
    if user is None or not user.is_active or not user.has_role(roles.CONSULTANT, roles.PROJECT_MANAGER):
        raise Invalid(NOT_A_CONSULTANT, field="user")
    role = required(role, "role", _("项目角色"))
    start_on, end_on = _day(start_on), _day(end_on)
    if start_on and end_on and end_on < start_on:
        raise Invalid(PERIOD_REVERSED, field="end_on")
    with transaction.atomic():
        if TeamMember.objects.filter(project=project, user=user).exists():
            raise Conflict(ALREADY_ON_TEAM % {"u": user.display_name})
        member = TeamMember.objects.create(project=project, user=user, role=role, start_on=start_on, end_on=end_on)
        record(
            project, "add_member", by=by, at=now, after=user.display_name + str(_("（%(value)s）") % {"value": role})
        )
    return member


def _phases(rows: list[dict]) -> list[dict]:
    out = []
    for n, row in enumerate(rows, start=1):
        name = (row.get("name") or "").strip()
        start, end = _day(row.get("start")), _day(row.get("end"))
        if not name and not start and not end:
            continue
        if not (name and start and end) or end < start:
            raise Invalid(PHASE_INVALID % {"n": n}, field="phases")
        out.append(
            {
                "name": name[:50],
                "start": start.isoformat(),
                "end": end.isoformat(),
                "deliverables": (row.get("deliverables") or "").strip(),
            }
        )
    if not out:
        raise Invalid(PHASES_REQUIRED, field="phases")
    return out


def _milestones(rows: list[dict]) -> list[dict]:
    out = []
    for n, row in enumerate(rows, start=1):
        name, due = (row.get("name") or "").strip(), _day(row.get("due"))
        if not name and not due:
            continue
        if not (name and due):
            raise Invalid(MILESTONE_INVALID % {"n": n}, field="milestones")
        phase = row.get("phase")
        out.append(
            {"name": name[:100], "due": due.isoformat(), "phase": int(phase) if str(phase or "").isdigit() else None}
        )
    return out


def write_plan(
    project: Project,
    *,
    scope: str,
    approach: str = "",
    phases: list[dict],
    milestones: list[dict] | None = None,
    change_note: str = "",
    by: User,
    now: datetime,
) -> PlanVersion:
    """The PM writes the plan (PRJ-2). After a signed version, this is a new version — a change
    of plan, applied only once the customer signs it (PRJ-5); a draft is rewritten in place."""
    require(by, "projects.manage", project)
    _open(project)
    values = {
        "scope": required(scope, "scope", _("实施范围")),
        "approach": (approach or "").strip(),
        "phases": _phases(phases),
        "milestones": _milestones(milestones or []),
        "change_note": (change_note or "").strip()[:500],
    }
    started = {ph.order: ph.name for ph in project.phase_set.exclude(status=Ph.PLANNED)}
    dropped = [name for order, name in started.items() if order > len(values["phases"])]
    if dropped:
        raise Invalid(STARTED_PHASE_DROPPED % {"p": dropped[0]}, field="phases")
    with transaction.atomic():
        latest = PlanVersion.objects.select_for_update().filter(project=project).order_by("-number").first()
        if latest is not None and latest.status == V.SENT:
            raise Conflict(PLAN_AWAITS_SIGNATURE)
        if latest is not None and latest.status == V.DRAFT:
            PlanVersion.objects.filter(pk=latest.pk).update(updated_at=now, written_by=by, written_at=now, **values)
            latest.refresh_from_db()
            record(project, "write_plan", by=by, at=now, after=str(latest))
            return latest
        version = PlanVersion.objects.create(
            project=project, number=(latest.number + 1) if latest else 1, written_by=by, written_at=now, **values
        )
        record(project, "write_plan", by=by, at=now, after=str(version))
    return version


def portal_users(project: Project) -> list[User]:
    contacts = project.customer.contacts.filter(portal_user__isnull=False, portal_user__is_active=True)
    return [c.portal_user for c in contacts.select_related("portal_user")]


def send_plan(version: PlanVersion, *, by: User, now: datetime) -> PlanVersion:
    """To the customer for signature in the portal (PRJ-3)."""
    require(by, "projects.manage", version.project)
    with transaction.atomic():
        states.move(version, V.SENT, by=by, now=now, verb="send_plan")
        outbox.enqueue(
            "project.sign_plan",
            version,
            to=portal_users(version.project),
            subject=str(_("请确认实施计划：%(p)s %(v)s") % {"p": version.project.name, "v": version}),
            link=version.get_absolute_url(),
            now=now,
        )
    return version


def sign_plan(
    version: PlanVersion, *, signer_name: str, signature: str = "", scan=None, by: User, now: datetime
) -> PlanVersion:
    """The customer signs plan, approach and scope: drawn in the portal, or a signed scan uploaded
    by staff. Only now does the version apply: the phases and milestones follow it (PRJ-3, PRJ-5)."""
    project = version.project
    require(by, "projects.sign", project)
    signer_name, png = checked_signature(signer_name=signer_name, signature=signature, scan=scan)
    with transaction.atomic():
        states.move(
            version,
            V.SIGNED,
            by=by,
            now=now,
            verb="sign",
            data={"signer": signer_name, "how": "drawn" if png else "scan"},
            signer_name=signer_name,
            signed_at=now,
        )
        keep_signature(version, png, scan, prefix="plan", by=by, now=now)
        earlier = PlanVersion.objects.filter(project=project, status=V.SIGNED).exclude(pk=version.pk)
        states.move_many(earlier, V.SUPERSEDED, by=by, now=now, verb="supersede")
        _apply(version)
        record(project, "sign", by=by, at=now, after=str(version), data={"signer": signer_name})
    return version


def _apply(version: PlanVersion) -> None:
    """The signed version sets the project's phases and milestones; a started phase keeps its
    progress, an unstarted one beyond the new plan leaves with it."""
    project = version.project
    existing = {ph.order: ph for ph in project.phase_set.all()}
    for order, row in enumerate(version.phases, start=1):
        values = {
            "name": row["name"],
            "planned_start": _day(row["start"]),
            "planned_end": _day(row["end"]),
            "deliverables": row.get("deliverables", ""),
        }
        if order in existing:
            Phase.objects.filter(pk=existing[order].pk).update(**values)
        else:
            Phase.objects.create(project=project, order=order, **values)
    Phase.objects.filter(project=project, order__gt=len(version.phases), status=Ph.PLANNED).delete()
    reached = dict(project.milestone_set.exclude(reached_on=None).values_list("name", "reached_on"))
    project.milestone_set.all().delete()
    Milestone.objects.bulk_create(
        Milestone(
            project=project,
            name=m["name"],
            due_on=_day(m["due"]),
            phase_order=m.get("phase"),
            reached_on=reached.get(m["name"]),
        )
        for m in version.milestones
    )


def diff(older: PlanVersion | None, newer: PlanVersion) -> list[str]:
    """What changed between two versions, in words (PRJ-5: the differences stay visible)."""
    if older is None:
        return []
    out: list[str] = []
    if older.scope != newer.scope:
        out.append(str(_("实施范围已修改")))
    if older.approach != newer.approach:
        out.append(str(_("实施方式已修改")))
    old = dict(enumerate(older.phases, start=1))
    for i, p in enumerate(newer.phases, start=1):
        before = old.pop(i, None)
        if before is None:
            out.append(str(_("新增阶段“%(p)s”（%(a)s 至 %(b)s）") % {"p": p["name"], "a": p["start"], "b": p["end"]}))
        elif (before["name"], before["start"], before["end"]) != (p["name"], p["start"], p["end"]):
            out.append(
                str(
                    _("阶段“%(p)s”：%(a)s 至 %(b)s → %(c)s 至 %(d)s")
                    % {"p": p["name"], "a": before["start"], "b": before["end"], "c": p["start"], "d": p["end"]}
                )
            )
    for p in old.values():
        out.append(str(_("删除阶段“%(p)s”") % {"p": p["name"]}))
    olds = {m["name"]: m["due"] for m in older.milestones}
    for m in newer.milestones:
        if m["name"] not in olds:
            out.append(str(_("新增里程碑“%(m)s”（%(d)s）") % {"m": m["name"], "d": m["due"]}))
        elif olds[m["name"]] != m["due"]:
            out.append(str(_("里程碑“%(m)s”：%(a)s → %(b)s") % {"m": m["name"], "a": olds[m["name"]], "b": m["due"]}))
    return out


def record_kickoff(project: Project, *, on, attendees: str, minutes: str, by: User, now: datetime) -> Project:
    """The kickoff meeting: date, attendees, minutes (PRJ-3)."""
    require(by, "projects.manage", project)
    _open(project)
    on = _day(on)
    if on is None:
        raise Invalid(KICKOFF_INCOMPLETE, field="on")
    attendees = required(attendees, "attendees", _("参会人"))
    minutes = required(minutes, "minutes", _("会议纪要"))
    with transaction.atomic():
        Project.objects.filter(pk=project.pk).update(
            kickoff_on=on, kickoff_attendees=attendees[:500], kickoff_minutes=minutes, updated_at=now
        )
        project.refresh_from_db()
        record(project, "kickoff", by=by, at=now, after=on.isoformat())
    return project


def start_blockers(project: Project) -> list[str]:
    """Why implementation cannot start yet (the start button shows them, disabled)."""
    out = []
    if not (project.kickoff_on and project.kickoff_minutes):
        out.append(str(NO_KICKOFF))
    if not project.plans.filter(status=V.SIGNED).exists():
        out.append(str(NO_SIGNED_PLAN))
    return out


def start(project: Project, *, by: User, now: datetime) -> Project:
    """Implementation starts only after the kickoff and the customer's signature (PRJ-3)."""
    require(by, "projects.manage", project)
    blockers = start_blockers(project)
    if blockers:
        raise Invalid(NOT_STARTABLE, field="start")
    with transaction.atomic():
        states.move(project, P.IMPLEMENTING, by=by, now=now, verb="start", expected=P.PLANNING, started_at=now)
        first = project.phase_set.order_by("order").first()
        if first is not None and first.status == Ph.PLANNED:
            states.move(first, Ph.ACTIVE, by=by, now=now, verb="activate_phase", actual_start=timezone.localdate(now))
    return project


def add_risk(
    project: Project,
    *,
    description: str,
    probability: str,
    impact: str,
    owner: User | None,
    mitigation: str = "",
    by: User,
    now: datetime,
) -> Risk:
    """A risk of the plan: probability, impact, owner, mitigation, status (PRJ-2)."""
    require(by, "projects.work", project)
    _open(project)
    description = required(description, "description", _("风险"))
    levels = Risk.Level.values
    if probability not in levels:
        raise Invalid(_("请选择可能性。"), field="probability")
    if impact not in levels:
        raise Invalid(_("请选择影响。"), field="impact")
    with transaction.atomic():
        risk = Risk.objects.create(
            project=project,
            description=description[:300],
            probability=probability,
            impact=impact,
            owner=owner,
            mitigation=(mitigation or "").strip(),
            created_at=now,
        )
        record(project, "add_risk", by=by, at=now, after=risk.description)
    return risk


def close_risk(risk: Risk, *, by: User, now: datetime) -> Risk:
    require(by, "projects.work", risk.project)
    with transaction.atomic():
        states.move(risk, Risk.Status.CLOSED, by=by, now=now, verb="close_risk")
    return risk


def ensure_member(project: Project, user: User) -> None:
    if not user.has_perm("projects.work", project):
        raise Forbidden(_("您不在该项目的实施团队中。"))
