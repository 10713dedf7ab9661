"""The return-visit engine (RV-5, RV-6, RV-8, PLAN-2): generation, opening, assignment, results.

Visits are generated, never entered by hand: an approved plan schedules its visits; the daily
job `generate_due(now=...)` opens scheduled visits whose day has come, a care call every 2
months for each signed customer in service (RV-5) and on-site inspections for key and VIP
customers (RV-6). Each occurrence has a unique generation key and periodic kinds have at most
one open visit per customer, so running the job twice (or in two workers) creates nothing new.

Periodic visits follow their period from the last one done (issue 12 §7): the next is due one
period (the rule: 60 days for care, 365 / 182 days for inspections) after the last completed
one. Until its warning point (by default 80 % of the period) it waits as a scheduled visit;
then it opens, its clock counting from the last one done. A customer's first periodic visit
opens at once. A customer whose approved service plan schedules their visits (PLAN-2) gets no
generic care call besides.
"""

import calendar
from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.audit import verbs
from kefu.audit.service import record
from kefu.core import states
from kefu.core.errors import Conflict, Invalid
from kefu.core.permissions import require
from kefu.customers import timeline
from kefu.customers.models import Contract, Customer
from kefu.deadlines import clocks
from kefu.notify import outbox
from kefu.org.models import User
from kefu.visits.models import EngineerGrade, ReturnVisit

CONTENT_REQUIRED = _("请填写回访内容。")
REASON_REQUIRED = _("请填写取消原因。")
SATISFACTION_REQUIRED = _("请选择满意度。")
MOVE_NOT_ALLOWED = _("回访不能从“%(before)s”变为“%(after)s”。")
NOT_A_VISITOR = _("该用户不能承担回访。")
PROBLEMS_FOUND = _("发现的问题：%(problems)s")
SUPERSEDED_BY_PLAN = _("客户服务计划已批准，按计划回访（不再另做定期关怀回访）。")

verbs.register(
    "visits",
    open_visit=_("开始回访"),
    record_result=_("记录回访结果"),
    assign=_("分配回访"),
    cancel_visit=_("取消回访"),
)
# Written on the object the visits are scheduled for (a service plan), whichever domain owns it.
verbs.register_shared(schedule_visits=_("排期回访"))

V = ReturnVisit.Status
MACHINE = states.Machine(
    ReturnVisit,
    moves={V.SCHEDULED: {V.OPEN, V.CANCELLED}, V.OPEN: {V.DONE, V.CANCELLED}},
    colours={V.SCHEDULED: "secondary", V.OPEN: "blue", V.DONE: "green", V.CANCELLED: "dark"},
    not_allowed=MOVE_NOT_ALLOWED,
)
OPEN_STATES = (ReturnVisit.Status.SCHEDULED, ReturnVisit.Status.OPEN)
SENIOR = (EngineerGrade.Grade.INTERMEDIATE, EngineerGrade.Grade.SENIOR)


RULE_BY_KIND = {
    ReturnVisit.Kind.PLAN: "returnvisit.plan",
    ReturnVisit.Kind.CARE: "returnvisit.periodic",
    ReturnVisit.Kind.HOTLINE: "returnvisit.hotline",
    ReturnVisit.Kind.CONFIRMATION: "returnvisit.confirmation",
    ReturnVisit.Kind.ONSITE: "returnvisit.onsite",
    ReturnVisit.Kind.COMPLAINT: "returnvisit.complaint",
    ReturnVisit.Kind.PROJECT: "returnvisit.project",
    ReturnVisit.Kind.PROJECT_FINAL: "returnvisit.project_final",
}


def rule_for(visit: ReturnVisit) -> str:
    if visit.kind in RULE_BY_KIND:
        return RULE_BY_KIND[visit.kind]
    if visit.customer.level == Customer.Level.VIP:
        return "returnvisit.vip_inspection"
    return "returnvisit.key_inspection"


PERIODIC = (ReturnVisit.Kind.CARE, ReturnVisit.Kind.INSPECTION)


def last_done_at(customer: Customer, kind: str) -> datetime | None:
    """When the customer's last periodic visit of `kind` was done: the next counts from it."""
    return (
        ReturnVisit.objects.filter(customer=customer, kind=kind, status=ReturnVisit.Status.DONE)
        .order_by("-done_at")
        .values_list("done_at", flat=True)
        .first()
    )


def open_visit(visit: ReturnVisit, *, now: datetime, by: User | None = None) -> ReturnVisit:
    """A visit whose day has come: its clock starts and the assignee is told (RV-8). A periodic
    visit's clock counts from the last one done (RV-5, RV-6)."""
    since = last_done_at(visit.customer, visit.kind) if visit.kind in PERIODIC else None
    with transaction.atomic():
        states.move(visit, V.OPEN, by=by, now=now, verb="open_visit", opened_at=now)
        clock = clocks.start(visit, rule_for(visit), owner=visit.assignee, now=now, by=by, since=since)
        if visit.assignee_id:
            due = timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M") if clock else ""
            outbox.enqueue(
                "visit.opened",
                visit,
                to=[visit.assignee],
                subject=str(_("新的回访：%(c)s（%(k)s）") % {"c": visit.customer.name, "k": visit.get_kind_display()}),
                body=str(_("请在 %(due)s 前完成。") % {"due": due}),
                link=visit.get_absolute_url(),
                now=now,
            )
    return visit


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plan_dates(start: date, end: date, every_months: int) -> list[date]:
    """The visit days a plan implies: one every `every_months` after its start, within its period."""
    days, n = [], 1
    while (day := _add_months(start, every_months * n)) <= end:
        days.append(day)
        n += 1
    return days


def schedule_plan(plan, *, by: User, now: datetime) -> list[ReturnVisit]:
    """An approved plan schedules the return visits it implies (PLAN-2); due ones open at once.

    Called by the plan's approval, inside its transaction.
    """
    assignee = plan.customer.owner if plan.customer.owner_id and plan.customer.owner.is_active else plan.author
    rows = [
        ReturnVisit(
            customer=plan.customer,
            kind=ReturnVisit.Kind.PLAN,
            channel=plan.visit_channel,
            plan=plan,
            planned_for=day,
            generation_key=f"plan:{plan.pk}:{i}",
            assignee=assignee,
            created_at=now,
        )
        for i, day in enumerate(plan_dates(plan.period_start, plan.period_end, plan.visit_frequency), start=1)
    ]
    ReturnVisit.objects.bulk_create(rows, ignore_conflicts=True)
    visits = list(ReturnVisit.objects.filter(plan=plan).select_related("customer", "assignee"))
    record(
        plan,
        "schedule_visits",
        by=by,
        at=now,
        after=str(len(visits)),
        data={"dates": [v.planned_for.isoformat() for v in visits]},
    )
    today = timezone.localdate(now)
    for visit in visits:
        if visit.status == ReturnVisit.Status.SCHEDULED and visit.planned_for <= today:
            open_visit(visit, now=now, by=by)
    _supersede_care(plan, by=by, now=now)
    return visits


def _supersede_care(plan, *, by, now: datetime) -> None:
    """The plan's visits replace the generic care call (RV-5): the customer's waiting care
    call is cancelled, with the reason on record, and its clock stops."""
    waiting = ReturnVisit.objects.filter(customer=plan.customer, kind=ReturnVisit.Kind.CARE, status__in=OPEN_STATES)
    for visit in waiting.select_related("customer"):
        states.move(
            visit,
            V.CANCELLED,
            by=by,
            now=now,
            verb="cancel_visit",
            data={"reason": str(SUPERSEDED_BY_PLAN), "plan": plan.pk},
            cancel_reason=str(SUPERSEDED_BY_PLAN)[:500],
        )
        clocks.stop(visit, rule_for(visit), now=now, by=by)


def _least_loaded(users: list[User], load: dict[int, int]) -> User | None:
    if not users:
        return None
    best = min(users, key=lambda u: (load.get(u.pk, 0), u.pk))
    load[best.pk] = load.get(best.pk, 0) + 1
    return best


def _loads(kind: str) -> dict[int, int]:
    rows = (
        ReturnVisit.objects.filter(kind=kind, status__in=OPEN_STATES, assignee__isnull=False)
        .values("assignee")
        .annotate(n=Count("pk"))
    )
    return {r["assignee"]: r["n"] for r in rows}


def _create_periodic(
    customer: Customer, kind: str, channel: str, assignee, *, now: datetime, last_done: datetime | None
) -> ReturnVisit | None:
    """The customer's next periodic visit: open now if it is the first or its time has come,
    else scheduled for the day its period's warning point comes (RV-5, RV-6)."""
    opens = now
    if last_done is not None:
        key = rule_for(ReturnVisit(customer=customer, kind=kind))
        _due, warn = clocks.points(key, since=last_done, owner=assignee)
        opens = max(warn, now) if warn is not None else now
    sequence = ReturnVisit.objects.filter(customer=customer, kind=kind).count() + 1
    try:
        with transaction.atomic():
            visit = ReturnVisit.objects.create(
                customer=customer,
                kind=kind,
                channel=channel,
                planned_for=timezone.localdate(opens),
                generation_key=f"{kind}:{customer.pk}:{sequence}",
                assignee=assignee,
                created_at=now,
            )
            visit.customer = customer
            if visit.planned_for > timezone.localdate(now):
                return visit  # scheduled: the daily job opens it on its day
            return open_visit(visit, now=now)
    except IntegrityError:
        return None  # another run created this occurrence first


def _eligible(today: date):
    in_service = Contract.objects.filter(customer=OuterRef("pk"), service_start__lte=today, service_end__gte=today)
    return Customer.objects.filter(status=Customer.Status.ACTIVE).filter(Exists(in_service))


def _without_open(qs, kind: str):
    """Customers with no scheduled or open visit of `kind`, with when their last one was done."""
    open_visits = ReturnVisit.objects.filter(customer=OuterRef("pk"), kind=kind, status__in=OPEN_STATES)
    done = ReturnVisit.objects.filter(customer=OuterRef("pk"), kind=kind, status=ReturnVisit.Status.DONE)
    last = Subquery(done.order_by("-done_at").values("done_at")[:1])
    return qs.exclude(Exists(open_visits)).annotate(last_done=last)


def _without_plan(qs, today: date):
    """Customers whose visits no approved service plan schedules (PLAN-2): the plan's visits
    replace the generic care call (RV-5) for its period."""
    # Read from the plan's own scheduled visits (the plans domain sits above visits and hands
    # them down at approval): a customer with plan visits still to come is in a plan's period.
    plan_visits = ReturnVisit.objects.filter(
        customer=OuterRef("pk"),
        kind=ReturnVisit.Kind.PLAN,
        planned_for__gte=today,
    ).exclude(status=ReturnVisit.Status.CANCELLED)
    return qs.exclude(Exists(plan_visits))


def generate_due(*, now: datetime) -> dict[str, int]:
    """The daily job (RV-8): open what is due, create what is missing. Idempotent."""
    today = timezone.localdate(now)
    counts = {"opened": 0, "care": 0, "inspection": 0}
    for visit in ReturnVisit.objects.filter(status=ReturnVisit.Status.SCHEDULED, planned_for__lte=today).select_related(
        "customer", "assignee"
    ):
        try:
            open_visit(visit, now=now)
            counts["opened"] += 1
        except (Conflict, Invalid):
            continue  # opened meanwhile by another run
    reps = list(User.objects.filter(is_active=True, groups__name="customer_rep").order_by("pk"))
    rep_load = _loads(ReturnVisit.Kind.CARE)
    care = _without_open(_without_plan(_eligible(today), today), ReturnVisit.Kind.CARE)
    for customer in care.select_related("owner").order_by("pk").iterator(chunk_size=500):
        owner = customer.owner if customer.owner_id and customer.owner.is_active else _least_loaded(reps, rep_load)
        kind, channel = ReturnVisit.Kind.CARE, ReturnVisit.Channel.PHONE
        if _create_periodic(customer, kind, channel, owner, now=now, last_done=customer.last_done):
            counts["care"] += 1
    engineers = list(User.objects.filter(is_active=True, engineer_grade__grade__in=SENIOR).order_by("pk"))
    engineer_load = _loads(ReturnVisit.Kind.INSPECTION)
    key_customers = _eligible(today).filter(level__in=[Customer.Level.KEY, Customer.Level.VIP])
    for customer in _without_open(key_customers, ReturnVisit.Kind.INSPECTION).order_by("pk").iterator(chunk_size=500):
        engineer = _least_loaded(engineers, engineer_load)
        kind, channel = ReturnVisit.Kind.INSPECTION, ReturnVisit.Channel.ONSITE
        if _create_periodic(customer, kind, channel, engineer, now=now, last_done=customer.last_done):
            counts["inspection"] += 1
    return counts


def record_result(
    visit: ReturnVisit,
    *,
    content: str,
    satisfaction: str,
    problems: str = "",
    channel: str | None = None,
    by: User,
    now: datetime,
) -> ReturnVisit:
    """The visit happened: result on the customer care column, clock met (RV-5, RV-6, CRM-5)."""
    require(by, "visits.record_result", visit)
    content = (content or "").strip()
    if not content:
        raise Invalid(CONTENT_REQUIRED, field="content")
    if satisfaction not in ReturnVisit.Satisfaction.values:
        raise Invalid(SATISFACTION_REQUIRED, field="satisfaction")
    with transaction.atomic():
        fields = {
            "content": content,
            "satisfaction": satisfaction,
            "problems": (problems or "").strip(),
            "done_at": now,
            "done_by": by,
        }
        if channel in ReturnVisit.Channel.values:
            fields["channel"] = channel
        states.move(visit, V.DONE, by=by, now=now, verb="record_result", data={"satisfaction": satisfaction}, **fields)
        clocks.stop(visit, rule_for(visit), now=now, by=by)
        title = _("%(k)s（%(c)s）：%(s)s") % {
            "k": visit.get_kind_display(),
            "c": visit.get_channel_display(),
            "s": visit.get_satisfaction_display(),
        }
        body = content + ("\n" + str(PROBLEMS_FOUND % {"problems": visit.problems}) if visit.problems else "")
        timeline.add(visit.customer, "visit", title=title, body=body, at=now, by=by, subject=visit)
    return visit


def assign(visit: ReturnVisit, assignee: User, *, by: User, now: datetime) -> ReturnVisit:
    """A manager gives a visit to someone else (RV-8)."""
    require(by, "visits.assign", visit)
    if assignee.is_external or not assignee.is_active:
        raise Invalid(NOT_A_VISITOR, field="assignee")
    with transaction.atomic():
        locked = ReturnVisit.objects.select_for_update().get(pk=visit.pk)
        if locked.status not in OPEN_STATES:
            raise Conflict()
        before = locked.assignee.display_name if locked.assignee_id else ""
        ReturnVisit.objects.filter(pk=locked.pk).update(assignee=assignee)
        # The running deadline moves to the new assignee's workbench too.
        clocks.reassign(locked, assignee)
        record(locked, "assign", by=by, at=now, before=before, after=assignee.display_name)
        outbox.enqueue(
            "visit.assigned",
            locked,
            to=[assignee],
            key=f"visit.assigned:{locked.pk}:{assignee.pk}:{now.isoformat()}",
            subject=str(_("分配给您的回访：%(c)s") % {"c": locked.customer.name}),
            link=locked.get_absolute_url(),
            now=now,
        )
    visit.refresh_from_db()
    return visit


def cancel(visit: ReturnVisit, *, reason: str, by: User, now: datetime) -> ReturnVisit:
    """A manager cancels a visit that is no longer needed (e.g. the customer left); the reason
    stays on record and the clock stops (RV-8). Nothing is deleted."""
    require(by, "visits.assign", visit)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    with transaction.atomic():
        states.move(
            visit, V.CANCELLED, by=by, now=now, verb="cancel_visit", data={"reason": reason}, cancel_reason=reason[:500]
        )
        clocks.stop(visit, rule_for(visit), now=now, by=by)
    return visit


# --- return visits that follow a handling in another domain (RV-1, RV-2, SR-5) -------------


def _customer_rep(customer: Customer) -> User | None:
    if customer.owner_id and customer.owner.is_active:
        return customer.owner
    reps = list(User.objects.filter(is_active=True, groups__name="customer_rep").order_by("pk"))
    return _least_loaded(reps, _loads(ReturnVisit.Kind.CONFIRMATION))


def open_for_source(
    source, *, customer: Customer, kind: str, channel: str, assignee: User | None, by: User, now: datetime
) -> ReturnVisit:
    """Open the return visit that follows `source` (a request, a service sheet) at once.

    At most one open visit per source and kind: calling again while one is open returns it, so
    a transition retried or run twice creates nothing new (RV-8). A later handling of the same
    source (reopened and solved again) gets its own visit.
    """
    ct = ContentType.objects.get_for_model(source)
    mine = ReturnVisit.objects.filter(source_type=ct, source_id=str(source.pk), kind=kind)
    existing = mine.filter(status__in=OPEN_STATES).first()
    if existing:
        return existing
    sequence = mine.count() + 1
    with transaction.atomic():
        visit = ReturnVisit.objects.create(
            customer=customer,
            kind=kind,
            channel=channel,
            source_type=ct,
            source_id=str(source.pk),
            planned_for=timezone.localdate(now),
            generation_key=f"{kind}:{ct.pk}:{source.pk}:{sequence}",
            assignee=assignee,
            created_at=now,
        )
        visit.customer = customer
        return open_visit(visit, now=now, by=by)


def open_for_request(request, *, kind: str, by: User, now: datetime) -> ReturnVisit:
    """RV-1: after a hotline handling, a return visit by QQ or email within 3 days, by the
    customer representative (or whoever handled it when the customer has none).
    SR-5: after closing, the customer representative's confirmation call."""
    customer = request.customer
    if kind == ReturnVisit.Kind.HOTLINE:
        main = customer.contacts.filter(is_main=True).only("email").first()
        channel = ReturnVisit.Channel.EMAIL if main and main.email else ReturnVisit.Channel.QQ
        assignee = customer.owner if customer.owner_id and customer.owner.is_active else request.owner
    elif kind == ReturnVisit.Kind.CONFIRMATION:
        channel, assignee = ReturnVisit.Channel.PHONE, _customer_rep(customer)
    else:
        raise ValueError(f"no request return visit of kind {kind!r}")
    return open_for_source(request, customer=customer, kind=kind, channel=channel, assignee=assignee, by=by, now=now)


def open_for_sheet(sheet, *, assignee: User | None, by: User, now: datetime) -> ReturnVisit:
    """RV-2: the day after the service (the signature, `now`), the customer-service desk
    (`assignee`) calls the customer: due by the end of the next working day."""
    return open_for_source(
        sheet,
        customer=sheet.order.customer,
        kind=ReturnVisit.Kind.ONSITE,
        channel=ReturnVisit.Channel.PHONE,
        assignee=assignee,
        by=by,
        now=now,
    )


def open_for_complaint(complaint, *, assignee: User | None, by: User | None, now: datetime) -> ReturnVisit:
    """CP-9: an archived customer crisis is followed by a return visit to the customer, by phone
    (the complaints domain calls this when it closes a crisis)."""
    return open_for_source(
        complaint,
        customer=complaint.customer,
        kind=ReturnVisit.Kind.COMPLAINT,
        channel=ReturnVisit.Channel.PHONE,
        assignee=assignee,
        by=by,
        now=now,
    )


def open_for_project(source, *, customer: Customer, final: bool, by: User, now: datetime) -> ReturnVisit:
    """RV-3: a return visit during an implementation project (after a phase, by rule, or when
    the PM asks: `source` is the phase or the project), and the final return visit, due within
    7 working days after acceptance (`final=True`, source the project). By the customer
    representative, by phone."""
    kind = ReturnVisit.Kind.PROJECT_FINAL if final else ReturnVisit.Kind.PROJECT
    return open_for_source(
        source,
        customer=customer,
        kind=kind,
        channel=ReturnVisit.Channel.PHONE,
        assignee=_customer_rep(customer),
        by=by,
        now=now,
    )


def open_visit_for(source, kind: str) -> ReturnVisit | None:
    ct = ContentType.objects.get_for_model(source)
    return (
        ReturnVisit.objects.filter(source_type=ct, source_id=str(source.pk), kind=kind, status__in=OPEN_STATES)
        .select_related("customer")
        .first()
    )
