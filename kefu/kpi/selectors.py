"""The service desk's KPIs (RPT-2, issue 15): each figure's definition is one function here.

Every function reads the rows of one period [start, end) as the user may see them (each
domain's `visible_to(user)`), narrowed to `people` (user ids: a department or an engineer)
when given, and returns a `kit.Value`. Rates are "part of whole" with the whole as the base.

Deadline compliance (first response, shelved reply, callback, write-off, return visits, first
visits) is read from the deadline engine's clocks: a clock *started* in the period counts once
it is decided, i.e. met, or past its due time at `now`; it is on time when met by its due time
(a clock breached and met late is late). A paused clock not yet met is undecided.
"""

from collections import Counter
from datetime import datetime
from statistics import median

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate

from kefu.deadlines.models import Clock, ClockState
from kefu.fieldservice.models import Appointment, ServiceSheet, WorkOrder
from kefu.org.models import User
from kefu.reports.kit import Value
from kefu.servicedesk import selectors as desk
from kefu.servicedesk.models import CallLog, HotlineRecord, ServiceRequest
from kefu.surveys.models import UNSATISFIED_MAX, Rectification, Survey
from kefu.visits.models import ReturnVisit

PRIORITIES = ("urgent", "high", "medium", "low")
# RV-1 after a hotline handling, RV-2 after onsite service, RV-5 the periodic care call, SR-5 the
# confirmation after closing: the visits the desk makes (RV-8: each on its own clock).
RETURN_VISIT_RULES = (
    "returnvisit.hotline",
    "returnvisit.onsite",
    "returnvisit.periodic",
    "returnvisit.confirmation",
)
RESOLUTION_BUCKETS = ((4, "≤4h"), (24, "4–24h"), (72, "1–3d"), (None, ">3d"))


def _in(qs: QuerySet, field: str, start: datetime, end: datetime) -> QuerySet:
    return qs.filter(**{f"{field}__gte": start, f"{field}__lt": end})


def _people(qs: QuerySet, field: str, people) -> QuerySet:
    return qs if people is None else qs.filter(**{f"{field}__in": people})


def clocks_visible(user) -> QuerySet:
    """Clocks whose owner the user may see: everyone's for company staff, else none that is
    not of their own world (a station sees its own staff's, a customer only their own)."""
    if not user.is_authenticated:
        return Clock.objects.none()
    if user.is_external:
        return Clock.objects.filter(owner__in=User.objects.visible_to(user).values("pk"))
    return Clock.objects.all()


def _bucketed(field: str, spans) -> tuple[datetime, datetime, list[Q]]:
    """The whole range of the spans, and one condition per span on `field`."""
    lo, hi = min(a for a, _b in spans), max(b for _a, b in spans)
    return lo, hi, [Q(**{f"{field}__gte": a, f"{field}__lt": b}) for a, b in spans]


def _rates(qs: QuerySet, buckets: list[Q], part: Q) -> list[Value]:
    """One query: for each bucket, how many rows (whole) and how many of them match `part`."""
    agg = {}
    for i, bucket in enumerate(buckets):
        agg[f"w{i}"] = Count("pk", filter=bucket)
        agg[f"p{i}"] = Count("pk", filter=bucket & part)
    counts = qs.aggregate(**agg)
    return [Value.rate(counts[f"p{i}"], counts[f"w{i}"]) for i in range(len(buckets))]


def clock_compliance_series(user, spans, *, now, rules, people=None) -> list[Value]:
    """Share of the clocks of `rules` started in each span [start, end) and decided by `now`
    that were met by their due time; one query for all the spans (a trend)."""
    lo, hi, buckets = _bucketed("started_at", spans)
    qs = _people(_in(clocks_visible(user).filter(rule__key__in=list(rules)), "started_at", lo, hi), "owner", people)
    decided = qs.filter(
        Q(state=ClockState.MET) | Q(state__in=[ClockState.RUNNING, ClockState.BREACHED], due_at__lte=now)
    )
    return _rates(decided, buckets, Q(state=ClockState.MET, met_at__lte=F("due_at")))


def clock_compliance(user, start, end, *, now, rules, people=None) -> Value:
    """One period of `clock_compliance_series` (the same definition)."""
    return clock_compliance_series(user, [(start, end)], now=now, rules=rules, people=people)[0]


def first_response_series(user, spans, *, now, priority, people=None) -> list[Value]:
    """SR-2: first-response clocks of one priority (2 / 4 / 6 / 24 working hours) met in time."""
    return clock_compliance_series(user, spans, now=now, rules=[f"request.first_response.{priority}"], people=people)


def first_response(user, start, end, *, now, priority, people=None) -> Value:
    return first_response_series(user, [(start, end)], now=now, priority=priority, people=people)[0]


def requests_in(user, start, end, people=None) -> QuerySet:
    return _people(_in(ServiceRequest.objects.visible_to(user), "created_at", start, end), "owner", people)


def resolution_hours(user, start, end, *, people=None) -> list[float]:
    """Hours from intake to solution of the requests taken in in the period and solved since."""
    rows = requests_in(user, start, end, people).filter(solved_at__isnull=False).values_list("created_at", "solved_at")
    return [(solved - created).total_seconds() / 3600 for created, solved in rows]


def median_resolution(user, start, end, *, people=None) -> Value:
    hours = resolution_hours(user, start, end, people=people)
    return Value(round(median(hours), 1) if hours else None, len(hours))


def resolution_distribution(user, start, end, *, people=None) -> list[list]:
    """[bucket, count, share %] of the resolution times."""
    hours = resolution_hours(user, start, end, people=people)
    counts = Counter()
    for h in hours:
        counts[next(label for limit, label in RESOLUTION_BUCKETS if limit is None or h <= limit)] += 1
    total = len(hours)
    return [
        [label, counts[label], round(100.0 * counts[label] / total, 1) if total else None]
        for _l, label in RESOLUTION_BUCKETS
    ]


def first_call_resolution_series(user, spans, *, people=None) -> list[Value]:
    """Phone requests taken in in each span that were solved on the phone: a hotline record
    ended "电话解决" during the call (not at a later callback), no work order was asked for,
    and the request was not handed to anyone else (its owner took the call)."""
    lo, hi, buckets = _bucketed("created_at", spans)
    qs = requests_in(user, lo, hi, people).filter(channel=ServiceRequest.Channel.PHONE)
    solved_by_owner = HotlineRecord.objects.filter(
        request=OuterRef("pk"),
        outcome=HotlineRecord.Outcome.SOLVED,
        called_back_at__isnull=True,
        engineer=OuterRef("owner"),
    )
    onsite = WorkOrder.all_objects.filter(request=OuterRef("pk"))
    return _rates(qs, buckets, Q(Exists(solved_by_owner)) & ~Q(Exists(onsite)))


def first_call_resolution(user, start, end, *, people=None) -> Value:
    return first_call_resolution_series(user, [(start, end)], people=people)[0]


def calls_in(user, start, end, people=None) -> QuerySet:
    return _people(_in(CallLog.objects.visible_to(user), "at", start, end), "engineer", people)


def connection_rate_series(user, spans, *, people=None) -> list[Value]:
    """HL-8: incoming calls answered of all incoming calls (target ≥ 90 %): the calls page's
    count (`servicedesk.selectors.connection_rate`), narrowed to `people` when given."""
    lo, hi, buckets = _bucketed("at", spans)
    return _rates(calls_in(user, lo, hi, people), buckets, Q(answered=True))


def connection_rate(user, start, end, *, people=None) -> Value:
    return connection_rate_series(user, [(start, end)], people=people)[0]


def connection_by(user, start, end, *, by: str, people=None) -> list[list]:
    """[engineer or day, calls, answered, rate %] (HL-8 per engineer, per day)."""
    qs = calls_in(user, start, end, people)
    if by == "engineer":
        rows = qs.values("engineer__name", "engineer__username").annotate(
            n=Count("pk"), ok=Count("pk", filter=Q(answered=True))
        )
        out = [[r["engineer__name"] or r["engineer__username"] or "—", r["n"], r["ok"]] for r in rows]
    else:
        rows = (
            qs.annotate(day=TruncDate("at", tzinfo=start.tzinfo))
            .values("day")
            .annotate(n=Count("pk"), ok=Count("pk", filter=Q(answered=True)))
            .order_by("day")
        )
        out = [[r["day"].isoformat(), r["n"], r["ok"]] for r in rows]
    return sorted([[label, n, ok, round(100.0 * ok / n, 1) if n else None] for label, n, ok in out])


def orders_visible(user) -> QuerySet:
    return WorkOrder.objects.visible_to(user)


def appointments_kept(user, start, end, *, people=None) -> Value:
    """OS-2: appointments due to start in the period (up to now) not recorded as missed."""
    qs = Appointment.objects.filter(order__in=orders_visible(user).values("pk"))
    qs = _people(_in(qs, "start", start, end), "order__engineer", people)
    counts = qs.aggregate(whole=Count("pk"), part=Count("pk", filter=Q(missed_reason="")))
    return Value.rate(counts["part"], counts["whole"])


def on_time_arrival(user, start, end, *, people=None) -> Value:
    """OS-3: visits checked in in the period within the agreed window (by its end)."""
    qs = _people(_in(orders_visible(user), "checked_in_at", start, end), "engineer", people)
    qs = qs.filter(appointment_end__isnull=False)
    counts = qs.aggregate(whole=Count("pk"), part=Count("pk", filter=Q(checked_in_at__lte=F("appointment_end"))))
    return Value.rate(counts["part"], counts["whole"])


def write_off_on_time(user, start, end, *, now, people=None) -> Value:
    """OS-5: work orders written off by start of work on the next working day (the clock)."""
    return clock_compliance(user, start, end, now=now, rules=["fieldservice.write_off"], people=people)


def sheets_signed(user, start, end, people=None) -> QuerySet:
    qs = ServiceSheet.objects.filter(order__in=orders_visible(user).values("pk"))
    return _people(_in(qs, "signed_at", start, end), "order__engineer", people)


def sheet_outcomes(user, start, end, *, people=None) -> list[list]:
    """[outcome, sheets, share %] of the sheets signed in the period (OS-4)."""
    counts = dict(sheets_signed(user, start, end, people).values_list("outcome").annotate(n=Count("pk")))
    total = sum(counts.values())
    return [
        [str(label), counts.get(value, 0), round(100.0 * counts.get(value, 0) / total, 1) if total else None]
        for value, label in ServiceSheet.Outcome.choices
    ]


def onsite_solved(user, start, end, *, people=None) -> Value:
    """Sheets signed in the period with the outcome "已解决"."""
    qs = sheets_signed(user, start, end, people)
    counts = qs.aggregate(whole=Count("pk"), part=Count("pk", filter=Q(outcome=ServiceSheet.Outcome.SOLVED)))
    return Value.rate(counts["part"], counts["whole"])


def repeat_visits(user, start, end, *, people=None) -> Value:
    """Work orders asked for in the period that follow an earlier visit of the same request."""
    qs = _people(_in(orders_visible(user), "created_at", start, end), "engineer", people)
    counts = qs.aggregate(whole=Count("pk"), part=Count("pk", filter=Q(previous__isnull=False)))
    return Value.rate(counts["part"], counts["whole"])


def return_visits_series(user, spans, *, now, people=None) -> list[Value]:
    """RV-1/2/5, SR-5 (RV-8): return visits opened in the period done by their due time."""
    return clock_compliance_series(user, spans, now=now, rules=RETURN_VISIT_RULES, people=people)


def return_visits_on_time(user, start, end, *, now, people=None) -> Value:
    return return_visits_series(user, [(start, end)], now=now, people=people)[0]


def surveys_answered(user, start, end, people=None) -> QuerySet:
    qs = Survey.objects.visible_to(user).filter(status=Survey.Status.ANSWERED)
    return _people(_in(qs, "answered_at", start, end), "served_by", people)


def satisfaction_average(user, start, end, *, people=None) -> Value:
    """RV-7: the average rating (1–5) of the surveys answered in the period."""
    ratings = list(surveys_answered(user, start, end, people).values_list("rating", flat=True))
    ratings = [r for r in ratings if r is not None]
    return Value(round(sum(ratings) / len(ratings), 2) if ratings else None, len(ratings))


def unsatisfied_share(user, start, end, *, people=None) -> Value:
    """Answered surveys rated 1–2 or marked "存在问题" (each opens a rectification)."""
    qs = surveys_answered(user, start, end, people)
    bad = Q(problem=True) | Q(rating__lte=UNSATISFIED_MAX)
    counts = qs.aggregate(whole=Count("pk"), part=Count("pk", filter=bad))
    return Value.rate(counts["part"], counts["whole"])


def satisfaction_distribution(user, start, end, *, people=None) -> list[list]:
    """[rating, answers, share %]."""
    counts = dict(surveys_answered(user, start, end, people).values_list("rating").annotate(n=Count("pk")))
    total = sum(counts.values())
    return [
        [f"{r} ★", counts.get(r, 0), round(100.0 * counts.get(r, 0) / total, 1) if total else None]
        for r in (5, 4, 3, 2, 1)
    ]


def rectifications_open(user, *, people=None) -> Value:
    """Rectifications not yet done, now (whatever the period)."""
    qs = _people(Rectification.objects.visible_to(user).filter(status=Rectification.Status.OPEN), "owner", people)
    return Value.count(qs.count())


def first_visits_on_time(user, start, end, *, now, people=None) -> Value:
    """FV-2: first-visit calls completed within a week of the handover (the clock)."""
    return clock_compliance(user, start, end, now=now, rules=["firstvisit.call"], people=people)


def needs_on_time(user, start, end, *, now, people=None) -> Value:
    """FV-5: needs submitted to the department head by start of work on the next working day."""
    return clock_compliance(user, start, end, now=now, rules=["firstvisit.need_submit"], people=people)


def overdue_requests(user, *, now, people=None) -> Value:
    """Open requests with a clock past due now: the request list's own "超时" filter."""
    qs = desk.requests_for(user, overdue=True, now=now, for_count=True)
    if people is not None:
        qs = qs.filter(owner__in=people)
    return Value.count(qs.count())


def overdue_clocks(user, *, now, people=None) -> Value:
    """Every open clock past its due time now (requests, visits, approvals …)."""
    qs = clocks_visible(user).filter(state__in=[ClockState.RUNNING, ClockState.BREACHED], due_at__lt=now)
    return Value.count(_people(qs, "owner", people).count())


def workload(user, start, end, *, now, by: str, people=None) -> list[list]:
    """[engineer or department, requests taken in, work orders, return visits done, open clocks now]."""

    def label(u) -> str:
        return (u.name or u.username) if by == "engineer" else (u.department.name if u.department_id else "—")

    rows: dict[str, list[int]] = {}

    def add(user_ids: dict[int, int], column: int) -> None:
        for u in User.objects.filter(pk__in=list(user_ids)).select_related("department"):
            rows.setdefault(label(u), [0, 0, 0, 0])[column] += user_ids[u.pk]

    add(dict(requests_in(user, start, end, people).exclude(owner=None).values_list("owner").annotate(n=Count("pk"))), 0)
    orders = _people(_in(orders_visible(user), "created_at", start, end), "engineer", people).exclude(engineer=None)
    add(dict(orders.values_list("engineer").annotate(n=Count("pk"))), 1)
    visits = _people(_in(ReturnVisit.objects.visible_to(user), "done_at", start, end), "done_by", people)
    add(dict(visits.exclude(done_by=None).values_list("done_by").annotate(n=Count("pk"))), 2)
    open_clocks = _people(
        clocks_visible(user).filter(state__in=[ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED]),
        "owner",
        people,
    )
    add(dict(open_clocks.exclude(owner=None).values_list("owner").annotate(n=Count("pk"))), 3)
    return sorted(([name, *counts] for name, counts in rows.items()), key=lambda r: (-sum(r[1:]), r[0]))
