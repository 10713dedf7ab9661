"""Scoped reads of the service desk: every list and page goes through visible_to(user)."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connections
from django.db.models import BigIntegerField, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.shortcuts import get_object_or_404

from kefu.core import lists
from kefu.deadlines import calendars, clocks
from kefu.deadlines.models import Clock, ClockState
from kefu.knowledge.suggest import Suggestion
from kefu.search import matching, suggest
from kefu.search.backends import PostgresBackend, SqliteBackend
from kefu.search.tokens import query_tokens
from kefu.servicedesk.models import OPEN_STATUSES, CallLog, DutyShift, HotlineRecord, ServiceRequest

CONNECTION_TARGET = 0.9
LIST_RELATED = ("customer", "owner")
# A list never shows the search columns; a tsvector is the widest value of a row.
LIST_DEFERRED = ("search_tokens", "search_vector", "customer__search_tokens", "customer__search_vector")


def requests_for(
    user,
    *,
    q: str = "",
    owner: str = "",
    status: str = "",
    priority: str = "",
    type: str = "",
    channel: str = "",
    overdue: bool = False,
    customer: str = "",
    now: datetime | None = None,
    for_count: bool = False,
) -> QuerySet:
    """The request list with its usual filters (owner, status, priority, overdue), newest first.

    `for_count=True`: the same rows in the form that is cheapest to count (the API's capped
    count), without the joined columns; a page is read from the default form.
    """
    qs = ServiceRequest.objects.visible_to(user)
    if owner == "me":
        qs = qs.filter(owner=user)
    elif owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif owner.isdigit():
        qs = qs.filter(owner_id=int(owner))
    if status == "open":
        # The same expression as the partial indexes' condition (sr_open_*), so they match.
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status in ServiceRequest.Status.values:
        qs = qs.filter(status=status)
    if priority in ServiceRequest.Priority.values:
        qs = qs.filter(priority=priority)
    if type in ServiceRequest.Type.values:
        qs = qs.filter(type=type)
    if channel in ServiceRequest.Channel.values:
        qs = qs.filter(channel=channel)
    if customer.isdigit():
        qs = qs.filter(customer_id=int(customer))
    if overdue and now is not None:
        late = overdue_clocks(now)
        if for_count:
            # From the few overdue clocks to the requests by primary key: ~20 ms to count
            # 3,900 overdue requests among 1,000,000 (probing every row from the newest: 150 ms).
            qs = qs.filter(pk__in=late.values(request_id=Cast("object_id", BigIntegerField())))
        else:
            # A page walks the list's index newest first and probes each row's clocks
            # (deadlines_clock_one_open): overdue requests are the recent ones, so it stops early.
            qs = qs.filter(Exists(late.filter(object_id=Cast(OuterRef("pk"), CharField()))))
    if q.strip():
        qs = _search(qs, q)
    if for_count:
        if (overdue and now is not None) or priority in ServiceRequest.Priority.values:
            # Unordered, the count stops at the cap along the narrowest access: the overdue
            # clocks (31 → 8 ms for 3,840 overdue of 1,000,000 on PostgreSQL) or the
            # (priority, status) index (urgent and open on SQLite: 140 → 0.5 ms).
            return qs.order_by().values("pk")
        # Newest first: a capped count then stops among the newest rows, where the open ones
        # are (SQLite, unordered, scans the table from its oldest rows: 2 → 76 ms).
        return qs.order_by("-created_at", "-id").values("pk")
    return qs.select_related(*LIST_RELATED).defer(*LIST_DEFERRED).order_by("-created_at", "-id")


# A search is checked row by row along the list's index when at least 1 % of the newest
# requests match (a page then costs ~3,000 rows at most); else the full-text index finds them.
PROBE_ROWS, PROBE_HITS = 1000, 10


def _search(qs: QuerySet, q: str) -> QuerySet:
    """The list's rows containing `q`, newest first: walk the list's index and check each row
    when the words are common (stops after a page), use the full-text index when rare.

    Left alone, the planners get common searches wrong. PostgreSQL estimates a phrase as
    independent bigrams (加密锁未找到, in 33,000 of 1,000,000 requests, was estimated at 900), so
    it fetches every match through the GIN index and sorts them (400 ms); single tokens are
    estimated well. SQLite always looks every FTS5 match up by rowid and sorts them (凭证 at
    200,000 requests: 17,000 rows, 170 ms). So count the matches among the newest PROBE_ROWS
    requests first (~1 ms), and when common, filter in a form the database cannot look up by
    index (COALESCE(vector) on PostgreSQL, `id + 0 IN (matches)` on SQLite).
    """
    hits = matching(qs, q)
    terms = query_tokens(q)
    connection = connections[qs.db]
    if not terms or connection.vendor not in ("postgresql", "sqlite"):
        return hits
    if connection.vendor == "postgresql":
        if all(len(t.tokens) == 1 and not t.word for t in terms):
            return hits
        tsquery = PostgresBackend.tsquery(terms, match_all=True)
        newest = ServiceRequest.objects.order_by("-created_at", "-id").values("search_vector")[:PROBE_ROWS]
        sql, params = newest.query.sql_with_params()
        probe = f"SELECT count(*) FROM ({sql}) r WHERE r.search_vector @@ to_tsquery('simple', %s)"  # noqa: S608
        params = [*params, tsquery]
    else:
        fts = connection.ops.quote_name(SqliteBackend.fts_table(ServiceRequest))
        match = SqliteBackend.match(terms, match_all=True)
        last = ServiceRequest.all_objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        # FTS5 seeks to a rowid bound instead of reading every match; ids grow with time.
        probe = f"SELECT count(*) FROM (SELECT 1 FROM {fts} WHERE {fts} MATCH %s AND rowid > %s LIMIT %s)"  # noqa: S608
        params = [match, last - PROBE_ROWS, PROBE_HITS]
    with connection.cursor() as cursor:
        cursor.execute(probe, params)
        (found,) = cursor.fetchone()
    if found < PROBE_HITS:
        return hits
    if connection.vendor == "postgresql":
        words = Coalesce("search_vector", Value("", output_field=SearchVectorField()))
        return qs.alias(_words=words).filter(_words=SearchQuery(tsquery, search_type="raw", config="simple"))
    found_ids = RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [match])  # noqa: S608, S611
    return qs.alias(_walk=F("id") + 0).filter(_walk__in=found_ids)


def overdue_clocks(now: datetime) -> QuerySet:
    """Running deadlines of requests past due (SR-2 first response, HL reply and call-back
    times), read from the clocks, which stay right after a pause or a calendar recompute; a
    paused clock is not overdue (CAL-4)."""
    return Clock.objects.filter(
        content_type=ContentType.objects.get_for_model(ServiceRequest),
        state__in=[ClockState.RUNNING, ClockState.BREACHED],
        due_at__lt=now,
    )


def request_for(user, pk) -> ServiceRequest:
    """One request; a withdrawn one stays readable by staff (SR-7)."""
    manager = ServiceRequest.all_objects if not user.is_customer_user else ServiceRequest.objects
    return get_object_or_404(
        manager.visible_to(user).select_related(
            "customer", "contact", "owner", "created_by", "withdrawal_requested_by", "deleted_by"
        ),
        pk=pk,
    )


def may_see_request(user, req: ServiceRequest) -> bool:
    """Whether the user may open this request, and so its attachments: the same rows as
    `request_for` (a portal user its organisation's live requests, staff their scope, withdrawn
    ones included) and the page's permission."""
    manager = ServiceRequest.all_objects if not user.is_customer_user else ServiceRequest.objects
    return manager.visible_to(user).filter(pk=req.pk).exists() and user.has_perm("servicedesk.view_request", req)


def work_orders_of(req: ServiceRequest) -> list:
    """The request's onsite visits, newest first, with engineer and sheet (OS-1..OS-6)."""
    return list(req.work_orders.select_related("engineer", "sheet").order_by("-pk"))


def steps_of(req: ServiceRequest, *, customer_view: bool = False):
    qs = req.steps.select_related("by")
    return qs.filter(visible_to_customer=True) if customer_view else qs


def hotline_records_for(user, *, mine: bool = False, outcome: str = "") -> QuerySet:
    qs = HotlineRecord.objects.visible_to(user)
    if mine:
        qs = qs.filter(engineer=user)
    if outcome in HotlineRecord.Outcome.values:
        qs = qs.filter(outcome=outcome)
    return qs.select_related("request", "customer", "engineer").order_by("-started_at", "-id")


def unsolved_for(user, *, open_only: bool = True) -> QuerySet:
    """The service manager's list of unsolved records (HL-7), each tracked to a closed loop."""
    qs = HotlineRecord.objects.visible_to(user).filter(submitted_at__isnull=False)
    if open_only:
        qs = qs.filter(loop_closed_at__isnull=True)
    return qs.select_related("request", "customer", "engineer", "submitted_to").order_by("submitted_at", "id")


def shifts_for(user, *, start: datetime, days: int = 7, mine: bool = False) -> QuerySet:
    qs = DutyShift.objects.visible_to(user).filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=days))
    if mine:
        qs = qs.filter(engineer=user)
    return qs.select_related("engineer").order_by("starts_at", "id")


def on_duty_now(now: datetime) -> list[DutyShift]:
    return list(DutyShift.objects.on_duty(now).select_related("engineer").order_by("starts_at"))


def calls_for(user) -> QuerySet:
    return CallLog.objects.visible_to(user).select_related("engineer").order_by("-at", "-id")


def connection_rate(user, *, first: date, last: date, params=None) -> dict:
    """Answered share of incoming calls per day and per engineer, against the 90 % target (HL-8);
    `params`: a report's drill-down narrowing it to an engineer or department (`lists.people`)."""
    qs = CallLog.objects.visible_to(user).filter(at__date__gte=first, at__date__lte=last)
    if params is not None:
        qs = lists.filter_people(qs, "engineer", params)
    rows = (
        qs.annotate(day=TruncDate("at"))
        .values("day", "engineer__username", "engineer__name")
        .annotate(total=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
        .order_by("day")
    )
    by_day: dict = defaultdict(lambda: [0, 0])
    by_engineer: dict = defaultdict(lambda: [0, 0])
    for r in rows:
        by_day[r["day"]][0] += r["answered"]
        by_day[r["day"]][1] += r["total"]
        name = r["engineer__name"] or r["engineer__username"] or "—"
        by_engineer[name][0] += r["answered"]
        by_engineer[name][1] += r["total"]

    def rate(pair):
        return {
            "answered": pair[0],
            "total": pair[1],
            "rate": round(pair[0] / pair[1], 4) if pair[1] else None,
            "meets_target": bool(pair[1]) and pair[0] / pair[1] >= CONNECTION_TARGET,
        }

    answered = sum(p[0] for p in by_day.values())
    total = sum(p[1] for p in by_day.values())
    return {
        "target": CONNECTION_TARGET,
        "overall": rate([answered, total]),
        "by_day": [{"day": d.isoformat(), **rate(p)} for d, p in sorted(by_day.items())],
        "by_engineer": [{"engineer": n, **rate(p)} for n, p in sorted(by_engineer.items())],
    }


def similar_closed_requests(text: str, *, user, limit: int) -> list:
    """KB-3 source: closed requests whose phenomenon shares words with what is being typed."""
    qs = ServiceRequest.objects.visible_to(user).filter(status=ServiceRequest.Status.CLOSED)
    return [
        Suggestion(
            title=r.phenomenon[:80],
            url=r.get_absolute_url(),
            snippet=(r.result or r.method)[:120],
            key=f"servicedesk.servicerequest:{r.pk}",
            meta=f"{r.number} · {r.customer_id}",
        )
        for r in suggest(qs, text, limit=limit)
    ]


def hotline_hours():
    """The hours the hotline must be answered (HL-1): the working calendar of its handover rule,
    so an administrator who changes the hotline's hours changes what counts as a gap."""
    return calendars.snapshot(clocks.get_rule("hotline.handover").calendar)


def duty_gaps(days: list[date], shifts: list[DutyShift], hours) -> list[tuple[datetime, datetime]]:
    """The stretches of hotline hours on `days` that no shift covers (HL-1, 排班补缺), in order."""
    covered = sorted((s.starts_at, s.ends_at) for s in shifts)
    gaps = []
    for day in days:
        for start_time, end_time in hours.overrides.get(day, hours.weekly[day.weekday()]):
            start = datetime.combine(day, start_time, tzinfo=hours.tz)
            end = datetime.combine(day, end_time, tzinfo=hours.tz)
            for s, e in covered:
                if e <= start or s >= end:
                    continue
                if s > start:
                    gaps.append((start, s))
                start = max(start, e)
                if start >= end:
                    break
            if start < end:
                gaps.append((start, end))
    return gaps
