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
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate

from kefu.deadlines.models import OPEN_CONDITION, Clock, ClockState
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


@dataclass(frozen=True)
class Counted:
    """A counted figure's definition: its rows (the whole, i.e. the base), the part of them
    (None: a plain count), and the field naming whose work a row is (the people filter). The
    live figure and the daily aggregates (kefu.kpi.aggregates) both count these rows."""

    rows: QuerySet
    part: Q | None
    person: str
    at: str  # the time field that puts a row in a period

    def counts_by(self, spans) -> list[tuple[int, int]]:
        """(part, whole) of each [start, end) span in one query."""
        agg, anywhere = {}, Q(pk__in=[])
        for i, (a, b) in enumerate(spans):
            span = Q(**{f"{self.at}__gte": a, f"{self.at}__lt": b})
            anywhere |= span
            agg[f"w{i}"] = Count("pk", filter=span)
            agg[f"p{i}"] = Count("pk", filter=span & self.part) if self.part else Count("pk", filter=span)
        # Only the spans' rows are read (today and a long-ago empty stretch are not one range).
        got = self.rows.filter(anywhere).aggregate(**agg)
        return [(got[f"p{i}"], got[f"w{i}"]) for i in range(len(spans))]

    def counts(self) -> tuple[int, int]:
        """(part, whole) in one query."""
        got = self.rows.aggregate(whole=Count("pk"), part=Count("pk", filter=self.part) if self.part else Count("pk"))
        return got["part"], got["whole"]

    def value(self) -> Value:
        return Value.rate(*self.counts())


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


MET_IN_TIME = Q(state=ClockState.MET, met_at__lte=F("due_at"))


def clock_rows(user, start, end, *, now, rules, people=None) -> Counted:
    """The clocks of `rules` started in [start, end) and decided by `now`; the part: met by
    their due time."""
    qs = _people(_in(clocks_visible(user).filter(rule__key__in=list(rules)), "started_at", start, end), "owner", people)
    decided = qs.filter(
        Q(state=ClockState.MET) | Q(state__in=[ClockState.RUNNING, ClockState.BREACHED], due_at__lte=now)
    )
    return Counted(decided, MET_IN_TIME, "owner", "started_at")


def clock_compliance_series(user, spans, *, now, rules, people=None) -> list[Value]:
    """Share of the clocks of `rules` started in each span [start, end) and decided by `now`
    that were met by their due time; one query for all the spans (a trend)."""
    lo, hi, buckets = _bucketed("started_at", spans)
    counted = clock_rows(user, lo, hi, now=now, rules=rules, people=people)
    return _rates(counted.rows, buckets, counted.part)


def clock_compliance(user, start, end, *, now, rules, people=None) -> Value:
    """One period of `clock_compliance_series` (the same definition)."""
    return clock_rows(user, start, end, now=now, rules=rules, people=people).value()


def first_response_series(user, spans, *, now, priority, people=None) -> list[Value]:
    """SR-2: first-response clocks of one priority (2 / 4 / 6 / 24 working hours) met in time."""
    return clock_compliance_series(user, spans, now=now, rules=[f"request.first_response.{priority}"], people=people)


def first_response(user, start, end, *, now, priority, people=None) -> Value:
    return first_response_series(user, [(start, end)], now=now, priority=priority, people=people)[0]


def requests_in(user, start, end, people=None) -> QuerySet:
    return _people(_in(ServiceRequest.objects.visible_to(user), "created_at", start, end), "owner", people)


def resolved(user, start, end, people=None) -> QuerySet:
    """The requests taken in in the period and solved since."""
    return requests_in(user, start, end, people).filter(solved_at__isnull=False)


def resolution_hours(user, start, end, *, people=None) -> list[float]:
    """Hours from intake to solution of the requests taken in in the period and solved since."""
    rows = resolved(user, start, end, people).values_list("created_at", "solved_at")
    return [(solved - created).total_seconds() / 3600 for created, solved in rows]


def bucket_of(hours: float) -> str:
    return next(label for limit, label in RESOLUTION_BUCKETS if limit is None or hours <= limit)


def whole_hours(hours: float) -> int:
    """The median counts whole hours begun, rounded down (so daily aggregates add up exactly)."""
    return int(hours + 1e-9)


def median_of_counts(counts: Counter) -> Value:
    """The median of values given as {value: how many}."""
    total = sum(counts.values())
    if not total:
        return Value(None, 0)
    ordered = sorted(counts)
    low, high = (total - 1) // 2, total // 2  # the middle one or two positions
    seen, picks = 0, {}
    for v in ordered:
        for pos in (low, high):
            if pos not in picks and seen <= pos < seen + counts[v]:
                picks[pos] = v
        seen += counts[v]
    return Value(round((picks[low] + picks[high]) / 2, 1), total)


def median_resolution(user, start, end, *, people=None) -> Value:
    """The median of the resolution times in whole hours (`whole_hours`)."""
    hours = resolution_hours(user, start, end, people=people)
    return median_of_counts(Counter(whole_hours(h) for h in hours))


def distribution(counts: Counter, labels) -> list[list]:
    """[label, count, share %] of each label, in order."""
    total = sum(counts.values())
    return [
        [str(label), counts.get(key, 0), round(100.0 * counts.get(key, 0) / total, 1) if total else None]
        for key, label in labels
    ]


def resolution_distribution(user, start, end, *, people=None) -> list[list]:
    """[bucket, count, share %] of the resolution times."""
    counts = Counter(bucket_of(h) for h in resolution_hours(user, start, end, people=people))
    return distribution(counts, [(label, label) for _l, label in RESOLUTION_BUCKETS])


def first_call_rows(user, start, end, *, people=None) -> Counted:
    """Phone requests taken in in the period that were solved on the phone: a hotline record
    ended "电话解决" during the call (not at a later callback), no work order was asked for,
    and the request was not handed to anyone else (its owner took the call)."""
    qs = requests_in(user, start, end, people).filter(channel=ServiceRequest.Channel.PHONE)
    solved_by_owner = HotlineRecord.objects.filter(
        request=OuterRef("pk"),
        outcome=HotlineRecord.Outcome.SOLVED,
        called_back_at__isnull=True,
        engineer=OuterRef("owner"),
    )
    onsite = WorkOrder.all_objects.filter(request=OuterRef("pk"))
    return Counted(qs, Q(Exists(solved_by_owner)) & ~Q(Exists(onsite)), "owner", "created_at")


def first_call_resolution_series(user, spans, *, people=None) -> list[Value]:
    """`first_call_rows` of each span in one query (a trend)."""
    lo, hi, buckets = _bucketed("created_at", spans)
    counted = first_call_rows(user, lo, hi, people=people)
    return _rates(counted.rows, buckets, counted.part)


def first_call_resolution(user, start, end, *, people=None) -> Value:
    return first_call_rows(user, start, end, people=people).value()


def calls_in(user, start, end, people=None) -> QuerySet:
    return _people(_in(CallLog.objects.visible_to(user), "at", start, end), "engineer", people)


ANSWERED = Q(answered=True)


def call_rows(user, start, end, *, people=None) -> Counted:
    """HL-8: incoming calls answered of all incoming calls (target ≥ 90 %): the calls page's
    count (`servicedesk.selectors.connection_rate`), narrowed to `people` when given."""
    return Counted(calls_in(user, start, end, people), ANSWERED, "engineer", "at")


def connection_rate_series(user, spans, *, people=None) -> list[Value]:
    lo, hi, buckets = _bucketed("at", spans)
    return _rates(calls_in(user, lo, hi, people), buckets, Q(answered=True))


def connection_rate(user, start, end, *, people=None) -> Value:
    return call_rows(user, start, end, people=people).value()


def engineer_label(name: str | None, username: str | None) -> str:
    return name or username or "—"


def connection_by(user, start, end, *, by: str, people=None) -> list[list]:
    """[engineer or day, calls, answered, rate %] (HL-8 per engineer, per day)."""
    qs = calls_in(user, start, end, people)
    if by == "engineer":
        rows = qs.values("engineer__name", "engineer__username").annotate(
            n=Count("pk"), ok=Count("pk", filter=Q(answered=True))
        )
        out = [[engineer_label(r["engineer__name"], r["engineer__username"]), r["n"], r["ok"]] for r in rows]
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


def appointment_rows(user, start, end, *, people=None) -> Counted:
    """OS-2: appointments due to start in the period (up to now) not recorded as missed."""
    qs = Appointment.objects.filter(order__in=orders_visible(user).values("pk"))
    qs = _people(_in(qs, "start", start, end), "order__engineer", people)
    return Counted(qs, Q(missed_reason=""), "order__engineer", "start")


def appointments_kept(user, start, end, *, people=None) -> Value:
    return appointment_rows(user, start, end, people=people).value()


def arrival_rows(user, start, end, *, people=None) -> Counted:
    """OS-3: visits checked in in the period within the agreed window (by its end)."""
    qs = _people(_in(orders_visible(user), "checked_in_at", start, end), "engineer", people)
    qs = qs.filter(appointment_end__isnull=False)
    return Counted(qs, Q(checked_in_at__lte=F("appointment_end")), "engineer", "checked_in_at")


def on_time_arrival(user, start, end, *, people=None) -> Value:
    return arrival_rows(user, start, end, people=people).value()


def write_off_on_time(user, start, end, *, now, people=None) -> Value:
    """OS-5: work orders written off by start of work on the next working day (the clock)."""
    return clock_compliance(user, start, end, now=now, rules=["fieldservice.write_off"], people=people)


def sheets_signed(user, start, end, people=None) -> QuerySet:
    qs = ServiceSheet.objects.filter(order__in=orders_visible(user).values("pk"))
    return _people(_in(qs, "signed_at", start, end), "order__engineer", people)


def sheet_table(counts: Counter) -> list[list]:
    """[outcome, sheets, share %] from {outcome: sheets}."""
    return distribution(counts, ServiceSheet.Outcome.choices)


def sheet_outcomes(user, start, end, *, people=None) -> list[list]:
    """[outcome, sheets, share %] of the sheets signed in the period (OS-4)."""
    return sheet_table(sheet_outcome_counts(user, start, end, people))


def sheet_outcome_counts(user, start, end, people=None) -> Counter:
    return Counter(dict(sheets_signed(user, start, end, people).values_list("outcome").annotate(n=Count("pk"))))


def sheet_rows(user, start, end, *, people=None) -> Counted:
    """Sheets signed in the period with the outcome "已解决"."""
    return Counted(
        sheets_signed(user, start, end, people), Q(outcome=ServiceSheet.Outcome.SOLVED), "order__engineer", "signed_at"
    )


def onsite_solved(user, start, end, *, people=None) -> Value:
    return sheet_rows(user, start, end, people=people).value()


def repeat_rows(user, start, end, *, people=None) -> Counted:
    """Work orders asked for in the period that follow an earlier visit of the same request."""
    qs = _people(_in(orders_visible(user), "created_at", start, end), "engineer", people)
    return Counted(qs, Q(previous__isnull=False), "engineer", "created_at")


def repeat_visits(user, start, end, *, people=None) -> Value:
    return repeat_rows(user, start, end, people=people).value()


def return_visits_series(user, spans, *, now, people=None) -> list[Value]:
    """RV-1/2/5, SR-5 (RV-8): return visits opened in the period done by their due time."""
    return clock_compliance_series(user, spans, now=now, rules=RETURN_VISIT_RULES, people=people)


def return_visits_on_time(user, start, end, *, now, people=None) -> Value:
    return return_visits_series(user, [(start, end)], now=now, people=people)[0]


def surveys_answered(user, start, end, people=None) -> QuerySet:
    qs = Survey.objects.visible_to(user).filter(status=Survey.Status.ANSWERED)
    return _people(_in(qs, "answered_at", start, end), "served_by", people)


def ratings(user, start, end, *, people=None) -> Counter:
    """{rating (None: answered without one): surveys} of the surveys answered in the period."""
    return Counter(dict(surveys_answered(user, start, end, people).values_list("rating").annotate(n=Count("pk"))))


def average_of(counts: Counter) -> Value:
    """RV-7: the average rating (1–5) of the surveys answered in the period."""
    rated = {r: n for r, n in counts.items() if r is not None}
    n = sum(rated.values())
    return Value(round(sum(r * k for r, k in rated.items()) / n, 2) if n else None, n)


def satisfaction_average(user, start, end, *, people=None) -> Value:
    return average_of(ratings(user, start, end, people=people))


def unsatisfied_rows(user, start, end, *, people=None) -> Counted:
    """Answered surveys rated 1–2 or marked "存在问题" (each opens a rectification)."""
    bad = Q(problem=True) | Q(rating__lte=UNSATISFIED_MAX)
    return Counted(surveys_answered(user, start, end, people), bad, "served_by", "answered_at")


def unsatisfied_share(user, start, end, *, people=None) -> Value:
    return unsatisfied_rows(user, start, end, people=people).value()


def rating_table(counts: Counter) -> list[list]:
    """[rating, answers, share %] (the share of all answers, a rating or not)."""
    total = sum(counts.values())
    return [
        [f"{r} ★", counts.get(r, 0), round(100.0 * counts.get(r, 0) / total, 1) if total else None]
        for r in (5, 4, 3, 2, 1)
    ]


def satisfaction_distribution(user, start, end, *, people=None) -> list[list]:
    """[rating, answers, share %]."""
    return rating_table(ratings(user, start, end, people=people))


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
    """Open requests with a clock past due now: the request list's own "超时" filter (its
    count form: from the overdue clocks to the requests by primary key)."""
    qs = desk.requests_for(user, overdue=True, now=now, for_count=True)
    if people is not None:
        qs = qs.filter(owner__in=people)
    return Value.count(qs.count())


def overdue_clocks(user, *, now, people=None) -> Value:
    """Every open clock past its due time now (requests, visits, approvals …)."""
    qs = clocks_visible(user).filter(state__in=[ClockState.RUNNING, ClockState.BREACHED], due_at__lt=now)
    return Value.count(_people(qs, "owner", people).count())


def workload_rows(user, start, end, *, people=None) -> list[tuple[QuerySet, str]]:
    """The period's columns of the workload: (rows, whose work) of requests taken in, work
    orders asked for and return visits done."""
    orders = _people(_in(orders_visible(user), "created_at", start, end), "engineer", people)
    visits = _people(_in(ReturnVisit.objects.visible_to(user), "done_at", start, end), "done_by", people)
    return [
        (requests_in(user, start, end, people).exclude(owner=None), "owner"),
        (orders.exclude(engineer=None), "engineer"),
        (visits.exclude(done_by=None), "done_by"),
    ]


def per_person(qs: QuerySet, person: str) -> Counter:
    return Counter(dict(qs.values_list(person).annotate(n=Count("pk")).order_by()))


def open_clocks_now(user, *, people=None) -> Counter:
    """{owner: open clocks} now (the workload's last column)."""
    qs = clocks_visible(user).extra(where=[OPEN_CONDITION])  # noqa: S610 -- a constant, the index's own words
    counts = per_person(_people(qs, "owner", people), "owner")
    counts.pop(None, None)  # nobody's clocks (not filtered in SQL: SQLite would then walk the owner index)
    return counts


def workload_table(columns: list[Counter], *, by: str) -> list[list]:
    """[engineer or department, …one count per column] from {user id: count} per column."""

    def label(u) -> str:
        return (u.name or u.username) if by == "engineer" else (u.department.name if u.department_id else "—")

    rows: dict[str, list[int]] = {}
    ids = {pk for column in columns for pk in column}
    people = {u.pk: u for u in User.objects.filter(pk__in=ids).select_related("department")}
    for i, column in enumerate(columns):
        for pk, n in column.items():
            if pk in people:
                rows.setdefault(label(people[pk]), [0] * len(columns))[i] += n
    return sorted(([name, *counts] for name, counts in rows.items()), key=lambda r: (-sum(r[1:]), r[0]))


def workload(user, start, end, *, now, by: str, people=None) -> list[list]:
    """[engineer or department, requests taken in, work orders, return visits done, open clocks now]."""
    columns = [per_person(qs, person) for qs, person in workload_rows(user, start, end, people=people)]
    return workload_table([*columns, open_clocks_now(user, people=people)], by=by)
