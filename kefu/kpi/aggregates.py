"""The KPI dashboard from daily aggregates (issue 15, RPT-2): the store `kpi` of the reports kit
(`kefu.reports.aggregates`) and the dashboard's readers.

Each day is counted by the selectors themselves (`kefu.kpi.selectors`: they stay the
definition), as the whole company sees it, per person (whose work a row is) and, where a figure
needs it, per bin (an outcome, a rating, whole hours). A reader adds up the built days of a
period that are over and counts the rest (today, a day not built yet) live, so the figures are
the live selectors' at the time each day was built (`as_of`, shown as "数据截至").

Aggregates are counted as the company sees the rows; a figure is read from them only for a
user who sees every row of its source (`sees_all`), anyone else gets the live selector.
"""

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from django.db.models import Count
from django.db.models.functions import TruncDate

from kefu.deadlines.models import Clock
from kefu.fieldservice.models import WorkOrder
from kefu.kpi import selectors as s
from kefu.kpi.models import DailyKpi
from kefu.org.models import User
from kefu.reports import aggregates
from kefu.reports.kit import Context, Value
from kefu.servicedesk.models import CallLog, ServiceRequest
from kefu.surveys.models import Survey
from kefu.visits.models import ReturnVisit

HOURS, BUCKETS = "resolution.hours", "resolution.bucket"
SHEETS, RATINGS = "sheets", "ratings"
WORKLOAD = ("workload.requests", "workload.orders", "workload.visits")


def _clock(rules) -> Callable:
    def rows(user, start, end, now, people=None):
        return s.clock_rows(user, start, end, now=now, rules=rules, people=people)

    return rows


def _plain(selector) -> Callable:
    def rows(user, start, end, now, people=None):
        return selector(user, start, end, people=people)

    return rows


# metric → (the rows of a span as a `selectors.Counted`, the model whose visibility decides)
RATES: dict[str, tuple[Callable, type]] = {
    **{f"fr.{p}": (_clock([f"request.first_response.{p}"]), Clock) for p in s.PRIORITIES},
    "shelved_reply": (_clock(["hotline.shelved_reply"]), Clock),
    "callback": (_clock(["hotline.callback"]), Clock),
    "write_off": (_clock(["fieldservice.write_off"]), Clock),
    "return_visits": (_clock(s.RETURN_VISIT_RULES), Clock),
    "first_visits": (_clock(["firstvisit.call"]), Clock),
    "needs": (_clock(["firstvisit.need_submit"]), Clock),
    "fcr": (_plain(s.first_call_rows), ServiceRequest),
    "calls": (_plain(s.call_rows), CallLog),
    "appointments": (_plain(s.appointment_rows), WorkOrder),
    "arrival": (_plain(s.arrival_rows), WorkOrder),
    "onsite_solved": (_plain(s.sheet_rows), WorkOrder),
    "repeat": (_plain(s.repeat_rows), WorkOrder),
    "unsatisfied": (_plain(s.unsatisfied_rows), Survey),
}
SOURCES = {
    HOURS: ServiceRequest,
    BUCKETS: ServiceRequest,
    SHEETS: WorkOrder,
    RATINGS: Survey,
    "workload.requests": ServiceRequest,
    "workload.orders": WorkOrder,
    "workload.visits": ReturnVisit,
}


def company() -> User:
    """Who the aggregates are counted as: the whole company (an unsaved superuser, never a
    login); they are shown only to users who see as much (`sees_all`)."""
    reader = User(username="kpi-aggregates", is_superuser=True, is_active=True)
    reader.__dict__["role_keys"] = frozenset()
    return reader


def sees_all(user, metric: str) -> bool:
    """Whether the user sees every row the metric counts: a domain's `visible_to` hands back the
    very queryset when it narrows nothing (the clocks: every staff member sees all)."""
    if not user.is_authenticated or user.is_external:
        return False
    model = RATES[metric][1] if metric in RATES else SOURCES[metric]
    if model is Clock:
        return True
    qs = model.objects.all()
    return qs.visible_to(user) is qs


# --- building a day -----------------------------------------------------------------------


def _rows(metric: str, qs, person: str, *, part=None, bin_field: str = "") -> list[DailyKpi]:
    fields = [person, *([bin_field] if bin_field else [])]
    counted = Count("pk", filter=part) if part is not None else Count("pk")
    out = []
    for r in qs.values(*fields).annotate(w=Count("pk"), p=counted).order_by():
        label = "" if not bin_field or r[bin_field] is None else str(r[bin_field])
        out.append(DailyKpi(metric=metric, person_id=r[person], bin=label, part=r["p"], whole=r["w"]))
    return out


def resolution_counts(user, start, end, people=None) -> dict[str, Counter]:
    """{metric: Counter[(person, bin)]} of the resolution times of a span (whole hours and buckets)."""
    got = {HOURS: Counter(), BUCKETS: Counter()}
    for owner, created, solved in s.resolved(user, start, end, people).values_list("owner", "created_at", "solved_at"):
        hours = (solved - created).total_seconds() / 3600
        got[HOURS][owner, str(s.whole_hours(hours))] += 1
        got[BUCKETS][owner, s.bucket_of(hours)] += 1
    return got


def build(day, start: datetime, end: datetime, now: datetime) -> list[DailyKpi]:
    """Every metric of one day [start, end), counted as the company sees it (the store's build)."""
    user, rows = company(), []
    for metric, (counted_rows, _model) in RATES.items():
        c = counted_rows(user, start, end, now)
        rows += _rows(metric, c.rows, c.person, part=c.part)
    rows += _rows(SHEETS, s.sheets_signed(user, start, end), "order__engineer", bin_field="outcome")
    rows += _rows(RATINGS, s.surveys_answered(user, start, end), "served_by", bin_field="rating")
    for metric, (qs, person) in zip(WORKLOAD, s.workload_rows(user, start, end), strict=True):
        rows += _rows(metric, qs, person)
    for metric, counts in resolution_counts(user, start, end).items():
        for (person, label), n in counts.items():
            rows.append(DailyKpi(metric=metric, person_id=person, bin=label, part=n, whole=n))
    return rows + totals(rows)


def totals(rows: list[DailyKpi]) -> list[DailyKpi]:
    """The company's rows of the day: each metric and bin added up over the people, so a page
    for everyone reads one row per metric and day however many people there are."""
    sums: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        got = sums.setdefault((r.metric, r.bin), [0, 0])
        got[0] += r.part
        got[1] += r.whole
    return [DailyKpi(metric=m, bin=b, part=p, whole=w, total=True) for (m, b), (p, w) in sums.items()]


STORE = aggregates.register(aggregates.Store("kpi", DailyKpi, build))


# --- reading ------------------------------------------------------------------------------


def _stored(metric: str, people, *, by_person: bool = False):
    """The stored rows to add up: the company's totals, or the people's own rows."""
    if people is None and not by_person:
        return DailyKpi.objects.filter(metric=metric, total=True)
    qs = DailyKpi.objects.filter(metric=metric, total=False)
    return qs if people is None else qs.filter(person__in=people)


def _plan(ctx: Context, start: datetime, end: datetime, metric: str) -> aggregates.Plan:
    if not sees_all(ctx.user, metric):
        return aggregates.Plan(runs=[], live=[(start, end)], as_of=None)
    # The built days are read once per computation (every figure asks for the same ones).
    built = ctx.memo.get("kpi.built")
    if built is None:
        built = ctx.memo["kpi.built"] = aggregates.built_days(STORE, None, None)
    key = ("kpi.plan", start, end)
    if key not in ctx.memo:
        ctx.memo[key] = aggregates.plan(STORE, start, end, now=ctx.now, tz=ctx.period.tz, built=built)
    return ctx.memo[key]


def rate(ctx: Context, metric: str, people) -> Value:
    """A rate (or count) figure of the context's period: built days added up, the rest live."""
    return rate_series(ctx, metric, [ctx.period], people)[0]


def _key(people):
    return None if people is None else tuple(sorted(people))


def _rate_days(ctx: Context, people, spans) -> dict:
    """{metric: {day: {"part", "whole"}}} of every rate metric over the page's whole range (the
    period and its 12-period trend), in one query shared by every figure of the page; {} when
    `spans` reach outside that range."""
    trend = ctx.period.trend(12)
    first, last = min(trend[0].first, ctx.period.first), max(trend[-1].last, ctx.period.last)
    if spans[0].first < first or spans[-1].last > last:
        return {}
    key = ("kpi.rate_days", _key(people))
    if key not in ctx.memo:
        rows = _stored_many(list(RATES), people).filter(day__gte=first, day__lte=last)
        got: dict = {}
        for r in aggregates.sums(rows, "metric", "day"):
            got.setdefault(r["metric"], {})[r["day"]] = r
        ctx.memo[key] = {m: got.get(m, {}) for m in RATES}
    return ctx.memo[key]


def _stored_many(metrics: list[str], people):
    if people is None:
        return DailyKpi.objects.filter(metric__in=metrics, total=True)
    return DailyKpi.objects.filter(metric__in=metrics, total=False, person__in=people)


def rate_series(ctx: Context, metric: str, spans, people) -> list[Value]:
    """The figure for each period of `spans` (contiguous, oldest first): one query for the built
    days of all of them, one live count per span that reaches a day not built (today)."""
    counted_rows = RATES[metric][0]
    plan = _plan(ctx, spans[0].start, spans[-1].end, metric)
    by_day = {}
    if plan.runs:
        by_day = _rate_days(ctx, people, spans).get(metric)
        if by_day is None:  # outside the page's range: this metric alone
            by_day = {r["day"]: r for r in aggregates.sums(_stored(metric, people).filter(plan.days()), "day")}
    # The pieces of the periods that are counted live (today, days not built): one query.
    pieces = [
        (i, max(a, p.start), min(b, p.end))
        for i, p in enumerate(spans)
        for a, b in plan.live
        if max(a, p.start) < min(b, p.end)
    ]
    live = [(0, 0)] * len(spans)
    if pieces:
        counted = counted_rows(
            ctx.user, min(a for _i, a, _b in pieces), max(b for _i, _a, b in pieces), ctx.now, people
        )
        for (i, _a, _b), (part, whole) in zip(pieces, counted.counts_by([(a, b) for _i, a, b in pieces]), strict=True):
            live[i] = (live[i][0] + part, live[i][1] + whole)
    # The stored days the plan reads (not today's rows: today is counted live above).
    stored = [(day, r) for day, r in by_day.items() if any(a <= day <= b for a, b in plan.runs)]
    out = []
    for i, p in enumerate(spans):
        part, whole = live[i]
        for day, r in stored:
            if p.first <= day <= p.last:
                part, whole = part + r["part"], whole + r["whole"]
        out.append(Value.rate(part, whole))
    return out


def binned(ctx: Context, metric: str, people, live: Callable) -> Counter:
    """{bin: count} of the period: built days from the store, the rest by `live(user, a, b)`."""
    plan = _plan(ctx, ctx.period.start, ctx.period.end, metric)
    counts = Counter()
    if plan.runs:
        stored = _stored(metric, people)
        for r in aggregates.sums(stored.filter(plan.days()), "bin"):
            counts[r["bin"]] += r["part"]
    for a, b in plan.live:
        counts.update(live(ctx.user, a, b))
    return +counts


def per_person(ctx: Context, metric: str, people, live: Callable) -> dict:
    """{person: (part, whole)} of the period (read once per page: both workload tables use it)."""
    key = ("kpi.per_person", metric, _key(people))
    if key not in ctx.memo:
        ctx.memo[key] = _per_person(ctx, metric, people, live)
    return ctx.memo[key]


def _per_person(ctx: Context, metric: str, people, live: Callable) -> dict:
    plan = _plan(ctx, ctx.period.start, ctx.period.end, metric)
    got: dict = {}
    if plan.runs:
        for r in aggregates.sums(_stored(metric, people, by_person=True).filter(plan.days()), "person"):
            got[r["person"]] = (r["part"], r["whole"])
    for a, b in plan.live:
        for person, (part, whole) in live(ctx.user, a, b).items():
            p0, w0 = got.get(person, (0, 0))
            got[person] = (p0 + part, w0 + whole)
    return got


# --- the dashboard's figures and tables ---------------------------------------------------


def median_resolution(ctx: Context, people) -> Value:
    def live(user, a, b):
        return Counter({k[1]: n for k, n in _merge(resolution_counts(user, a, b, people)[HOURS]).items()})

    counts = binned(ctx, HOURS, people, live)
    return s.median_of_counts(Counter({int(k): n for k, n in counts.items()}))


def _merge(counts: Counter) -> Counter:
    """(person, bin) counts → (None, bin) counts."""
    out = Counter()
    for (_person, label), n in counts.items():
        out[None, label] += n
    return out


def resolution_distribution(ctx: Context, people) -> list[list]:
    def live(user, a, b):
        return Counter({k[1]: n for k, n in _merge(resolution_counts(user, a, b, people)[BUCKETS]).items()})

    counts = binned(ctx, BUCKETS, people, live)
    return s.distribution(counts, [(label, label) for _l, label in s.RESOLUTION_BUCKETS])


def sheet_outcomes(ctx: Context, people) -> list[list]:
    def live(user, a, b):
        return Counter({str(k): n for k, n in s.sheet_outcome_counts(user, a, b, people).items()})

    return s.sheet_table(binned(ctx, SHEETS, people, live))


def _ratings(ctx: Context, people) -> Counter:
    def live(user, a, b):
        return Counter({"" if k is None else str(k): n for k, n in s.ratings(user, a, b, people=people).items()})

    return Counter({(int(k) if k else None): n for k, n in binned(ctx, RATINGS, people, live).items()})


def satisfaction_average(ctx: Context, people) -> Value:
    return s.average_of(_ratings(ctx, people))


def satisfaction_distribution(ctx: Context, people) -> list[list]:
    return s.rating_table(_ratings(ctx, people))


def connection_by_engineer(ctx: Context, people) -> list[list]:
    def live(user, a, b):
        qs = (
            s.calls_in(user, a, b, people).values("engineer").annotate(n=Count("pk"), ok=Count("pk", filter=s.ANSWERED))
        )
        return {r["engineer"]: (r["ok"], r["n"]) for r in qs.order_by()}

    got = per_person(ctx, "calls", people, live)
    names = dict(User.objects.filter(pk__in=[p for p in got if p]).values_list("pk", "name"))
    usernames = dict(User.objects.filter(pk__in=[p for p in got if p]).values_list("pk", "username"))
    by_name: dict = {}
    for person, (ok, n) in got.items():
        key = (names.get(person), usernames.get(person))
        p0, w0 = by_name.get(key, (0, 0))
        by_name[key] = (p0 + ok, w0 + n)
    out = [[s.engineer_label(*key), n, ok] for key, (ok, n) in by_name.items() if n]
    return sorted([[label, n, ok, round(100.0 * ok / n, 1) if n else None] for label, n, ok in out])


def connection_by_day(ctx: Context, people) -> list[list]:
    plan = _plan(ctx, ctx.period.start, ctx.period.end, "calls")
    days: dict = {}
    if plan.runs:
        for r in aggregates.sums(_stored("calls", people).filter(plan.days()), "day"):
            days[r["day"]] = (r["part"], r["whole"])
    for a, b in plan.live:
        qs = s.calls_in(ctx.user, a, b, people).annotate(day=TruncDate("at", tzinfo=ctx.period.tz))
        for r in qs.values("day").annotate(n=Count("pk"), ok=Count("pk", filter=s.ANSWERED)).order_by():
            p0, w0 = days.get(r["day"], (0, 0))
            days[r["day"]] = (p0 + r["ok"], w0 + r["n"])
    out = [[day.isoformat(), n, ok] for day, (ok, n) in days.items() if n]
    return sorted([[label, n, ok, round(100.0 * ok / n, 1) if n else None] for label, n, ok in out])


def workload(ctx: Context, people, *, by: str) -> list[list]:
    columns = []
    for i, metric in enumerate(WORKLOAD):

        def live(user, a, b, i=i):
            qs, person = s.workload_rows(user, a, b, people=people)[i]
            return {k: (n, n) for k, n in s.per_person(qs, person).items()}

        got = per_person(ctx, metric, people, live)
        columns.append(Counter({k: whole for k, (_part, whole) in got.items() if whole}))
    key = ("kpi.open_clocks", _key(people))  # both workload tables show the same column
    if key not in ctx.memo:
        ctx.memo[key] = s.open_clocks_now(ctx.user, people=people)
    return s.workload_table([*columns, ctx.memo[key]], by=by)


def as_of(ctx: Context, trend_periods: int = 12) -> datetime:
    """The oldest build the page reads (the period and its trend), else now."""
    if not sees_all(ctx.user, "calls"):
        return ctx.now
    plan = _plan(ctx, ctx.period.trend(trend_periods)[0].start, ctx.period.end, "calls")  # the trends' own plan
    return min(plan.as_of, ctx.now) if plan.as_of else ctx.now
