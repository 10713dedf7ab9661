"""The other clocks of the generated requests (issue 15: 1 M requests carry ~5 M clocks).

`bench_requests.generate` writes each request with its first-response clock (and a shelved
request's reply clock): ~1 clock a request. The service desk starts more over a request's
life, and the KPI dashboard (RPT-2) reads them; this adds them, read back from the generated
requests, so a database generated before this step gets them too:

| rule | on | share of the requests |
|---|---|---|
| `hotline.callback` (1 h) | answered, a callback promised | 80 % |
| `hotline.unsolved_submit` (next start of work) | answered, not solved within 4 h | 70 % of those |
| `returnvisit.hotline` (RV-1, 3 days) | solved or closed | all |
| `returnvisit.confirmation` (SR-5, 2 days) | closed | all |
| `returnvisit.onsite` (RV-2, 2 days) + `fieldservice.write_off` (next start of work) | solved after an onsite visit | 35 % |

About 4 clocks a request (so ~5 M with the first ones at 1 M requests): met in time mostly,
some met late, running or breached when the request is recent and the due time is near `now`
(the same state rule as the first ones: `Rules.clock`). The subject is always the request
(the engine only needs the ids; the write-off's work orders are not generated). Batches of
`BATCH` requests, one transaction each, resumable through the generator's marker file.
"""

import random
import sys
from datetime import datetime, timedelta

OPEN = ("new", "in_progress", "shelved", "onsite")


def _next_work_start(at: datetime, sh) -> datetime:
    """08:30 Asia/Shanghai of the next working day (Mon-Fri) after `at`."""
    day = at.astimezone(sh).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 8, 30, tzinfo=sh)


def _met(rnd: random.Random, started: datetime, due: datetime, now: datetime, *, late: float) -> datetime | None:
    """When the clock was met: before its due time, or after it for a share `late`; None
    (still running, or breached) when that instant has not come yet."""
    span = (due - started).total_seconds()
    if rnd.random() < late:
        at = due + timedelta(seconds=span * rnd.uniform(0.05, 1.0))
    else:
        at = started + timedelta(seconds=span * rnd.uniform(0.05, 0.98))
    return at if at <= now else None


def clocks_for(row: tuple, rnd: random.Random, *, now, rules, ct_id, sh) -> list[dict]:
    pk, status, owner, answered, solved, closed = row
    out = []

    def add(key, started, due, met_at):
        if started > now:
            return
        out.append(
            rules.clock(
                key, ct_id=ct_id, object_id=pk, owner_id=owner, started=started, due=due, now=now, met_at=met_at
            )
        )

    if answered is not None:
        if rnd.random() < 0.8:
            due = answered + timedelta(hours=1)
            add("hotline.callback", answered, due, _met(rnd, answered, due, now, late=0.08))
        if (solved is None or solved - answered > timedelta(hours=4)) and rnd.random() < 0.7:
            started = answered + timedelta(hours=2)
            due = _next_work_start(started, sh)
            met = _met(rnd, started, due, now, late=0.1) if status not in OPEN or rnd.random() < 0.5 else None
            add("hotline.unsolved_submit", started, due, met)
    if solved is not None:
        due = solved + timedelta(days=3)
        add("returnvisit.hotline", solved, due, _met(rnd, solved, due, now, late=0.1))
        if rnd.random() < 0.35:
            due = solved + timedelta(days=2)
            add("returnvisit.onsite", solved, due, _met(rnd, solved, due, now, late=0.12))
            started = solved - timedelta(hours=2)
            due = _next_work_start(started, sh)
            add("fieldservice.write_off", started, due, _met(rnd, started, due, now, late=0.15))
    if closed is not None:
        due = closed + timedelta(days=2)
        add("returnvisit.confirmation", closed, due, _met(rnd, closed, due, now, late=0.06))
    return out


def generate_more(state: dict, marker, *, n: int, batch: int, now, rules, ct_id, sh, write, save) -> int:
    """Add the clocks above for requests 1..n (batch by batch from state["clock_batches"])."""
    from django.db import transaction

    from kefu.deadlines.models import Clock
    from kefu.servicedesk.models import ServiceRequest

    written = 0
    fields = ("id", "status", "owner_id", "first_response_at", "solved_at", "closed_at")
    for batch_no in range(state.get("clock_batches", 0), (n + batch - 1) // batch):
        rnd = random.Random(9_000 + batch_no)
        lo, hi = batch_no * batch + 1, min(n, (batch_no + 1) * batch)
        rows = ServiceRequest.all_objects.filter(pk__gte=lo, pk__lte=hi).order_by("pk").values_list(*fields)
        clocks = []
        for row in rows:
            clocks += clocks_for(row, rnd, now=now, rules=rules, ct_id=ct_id, sh=sh)
        with transaction.atomic():
            write(Clock, clocks)
        written += len(clocks)
        state["clock_batches"] = batch_no + 1
        save(state)
        print(f"# more clocks for {hi:,} requests (+{written:,})", file=sys.stderr, flush=True)
    return written
