"""The helpers of scripts/topology.sh (issue 13 §7); each subcommand is one step:

    topology_check.py prepare --out clocks.json     clocks that fall due while the load runs
    topology_check.py sink --port P --out F         a group-robot receiver that writes every POST
    topology_check.py drain --beat-log L            waits until the workers have sent everything
    topology_check.py check --var DIR               prints one JSON line per figure; exit 1 if a check fails

`prepare`, `drain` and `check` read the topology's database (DATABASE_URL). `prepare` arranges
the scratch database of the run: it moves the due time of some running demo clocks into the
next minute, so the breach scan has real work while the two workers run.
"""

import argparse
import csv
import json
import os
import re
import sys
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = "bash scripts/topology.sh"
SCAN_SENT = re.compile(r"Sending due task deadline-scan\b")
MESSAGE_ID = re.compile(r"^.*Message-ID: <([^>]+)>", re.MULTILINE)
SETUP_PATHS = {"/login/", "/api/auth/token/", "/healthz"}  # signing in happens before the load
TASK_FAILED = re.compile(r"Task \S+\[[0-9a-f-]+\] (raised unexpected|retry:)")


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    import django

    django.setup()


# --- prepare ------------------------------------------------------------------------------


def prepare(args) -> None:
    django_setup()
    from django.utils import timezone

    from kefu.deadlines.models import Clock, ClockState

    now = timezone.now()
    ids = list(
        Clock.objects.filter(state=ClockState.RUNNING, owner__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[: args.clocks]
    )
    for i, pk in enumerate(ids):
        # Due between 20 s and 60 s from now: inside the load, on several scan ticks.
        due = now + timedelta(seconds=20 + 40 * i / max(len(ids) - 1, 1))
        Clock.objects.filter(pk=pk).update(due_at=due, warn_at=None, next_escalation_at=None)
    Path(args.out).write_text(json.dumps(ids))


# --- sink ---------------------------------------------------------------------------------


def sink(args) -> None:
    out = open(args.out, "a", encoding="utf-8")  # noqa: SIM115 -- open for the server's life

    class Robot(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            out.write(json.dumps({"path": self.path, "body": json.loads(body or b"{}")}, ensure_ascii=False) + "\n")
            out.flush()
            answer = b'{"errcode": 0, "errmsg": "ok"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *a) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", args.port), Robot).serve_forever()


# --- drain --------------------------------------------------------------------------------


def drain(args) -> None:
    """Wait (at most --timeout s) until no notification is pending or being sent and every scan
    tick beat sent has run to its end."""
    django_setup()
    from kefu.deadlines.models import ScanRun
    from kefu.notify.models import Outbox

    ticks = len(SCAN_SENT.findall(Path(args.beat_log).read_text(errors="replace")))
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        busy = Outbox.objects.filter(status__in=[Outbox.Status.PENDING, Outbox.Status.SENDING]).count()
        runs = ScanRun.objects.filter(finished_at__isnull=False).count()
        if not busy and runs >= ticks:
            return
        time.sleep(1)


# --- check --------------------------------------------------------------------------------


def emit(bench: str, value, unit: str, n: int | None = None, **extra) -> None:
    line = {"bench": f"topology.{bench}", "value": value, "unit": unit, "n": n, "db": "postgresql", "command": COMMAND}
    print(json.dumps(line | extra, ensure_ascii=False), flush=True)


def locust_stats(var: Path) -> tuple[dict, list[dict]]:
    rows = list(csv.DictReader((var / "locust_stats.csv").open(encoding="utf-8")))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return total, [r for r in rows if r["Name"] != "Aggregated"]


def check(args) -> int:
    django_setup()
    from django.db.models import Count

    from kefu.audit.models import Event
    from kefu.deadlines.models import Clock, ClockState, ScanRun
    from kefu.fieldservice.models import WorkOrder
    from kefu.notify.channels import robot_url
    from kefu.notify.models import Notification, Outbox
    from kefu.servicedesk.models import HotlineRecord

    var = Path(args.var)
    failed: list[str] = []

    def need(ok: bool, what: str) -> None:
        if not ok:
            failed.append(what)

    # Load: locust's own account, then the server's.
    total, rows = locust_stats(var)
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    emit("requests", requests, "requests", users=args.users, duration=args.duration, rps=float(total["Requests/s"]))
    emit("failures", failures, "requests", n=requests)
    emit("p50", float(total["50%"]), "ms", n=requests)
    emit("p95", float(total["95%"]), "ms", n=requests)
    for row in rows:
        emit("p95_by_name", float(row["95%"]), "ms", n=int(row["Request Count"]), name=row["Name"])
    need(requests > 0, "no request was made")
    need(failures == 0, f"{failures} failed requests (locust)")

    # gunicorn's access log: status, method, path, milliseconds (topology.sh sets the format).
    access = [line.split(" ") for line in (var / "access.log").read_text().splitlines() if line]
    statuses = Counter(status for status, *_rest in access)
    served = sorted(int(ms) for _s, _m, path, ms in access if path not in SETUP_PATHS)
    if served:
        emit("server_p50", served[len(served) // 2], "ms", n=len(served))
        emit("server_p95", served[int(len(served) * 0.95)], "ms", n=len(served))
    server_errors = sum(n for s, n in statuses.items() if s.startswith("5"))
    gunicorn_log = (var / "gunicorn.log").read_text(errors="replace")
    tracebacks = gunicorn_log.count("Traceback (most recent call last)")
    emit("server_errors", server_errors, "responses", n=sum(statuses.values()), tracebacks=tracebacks)
    emit("lost_races", statuses.get("409", 0), "responses (409, expected)")
    need(server_errors == 0 and tracebacks == 0, f"{server_errors} server errors, {tracebacks} tracebacks (gunicorn)")

    records = HotlineRecord.objects.filter(caller="压测来电").count()
    dispatched = WorkOrder.objects.exclude(dispatched_at=None).count()
    emit("hotline_intakes", records, "calls")
    emit("dispatched", dispatched, "work orders")

    # Notifications: all sent, each once.
    by_status = dict(Outbox.objects.values_list("status").annotate(n=Count("pk")))
    sent = by_status.get(Outbox.Status.SENT, 0)
    unsent = sum(n for s, n in by_status.items() if s != Outbox.Status.SENT)
    inapp_sent = Outbox.objects.filter(channel=Outbox.Channel.INAPP, status=Outbox.Status.SENT)
    inapp_missing = inapp_sent.filter(notification__isnull=True).count()
    inapp_doubled = Notification.objects.values("outbox_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    emit("notifications", sent, "sent", n=sum(by_status.values()), by_status=by_status)
    need(unsent == 0, f"{unsent} notifications not sent after the drain: {by_status}")
    emit(
        "inapp_notifications", Notification.objects.count(), "bell items", missing=inapp_missing, doubled=inapp_doubled
    )
    need(inapp_missing == 0 and inapp_doubled == 0, f"in-app: {inapp_missing} missing, {inapp_doubled} doubled")

    worker_logs = "".join(p.read_text(errors="replace") for p in sorted(var.glob("worker*.log")))
    message_ids = Counter(MESSAGE_ID.findall(worker_logs))
    email_sent = Outbox.objects.filter(channel=Outbox.Channel.EMAIL, status=Outbox.Status.SENT).count()
    email_doubled = sum(1 for n in message_ids.values() if n > 1)
    emit("emails", sum(message_ids.values()), "mails", n=email_sent, doubled=email_doubled)
    need(len(message_ids) == email_sent and email_doubled == 0, f"email: {dict(message_ids)} for {email_sent} rows")

    posts = [json.loads(line) for line in (var / "robot.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [p["body"].get("text", {}).get("content", "") for p in posts]
    robot_rows = [
        r
        for r in Outbox.objects.filter(channel=Outbox.Channel.ROBOT, status=Outbox.Status.SENT)
        if robot_url(r.address)  # a group without a URL is sent in-app only
    ]
    robot_wrong = [
        r.subject
        for r in robot_rows
        if sum(r.subject in t for t in texts) != sum(r.subject == o.subject for o in robot_rows)
    ]
    emit("robot_posts", len(posts), "posts", n=len(robot_rows), wrong=len(robot_wrong))
    need(len(posts) == len(robot_rows) and not robot_wrong, f"robot: {len(posts)} posts for {len(robot_rows)} rows")

    task_failures = len(TASK_FAILED.findall(worker_logs))
    emit("task_failures", task_failures, "tasks")
    need(task_failures == 0, f"{task_failures} tasks failed or retried (worker logs)")

    # The breach scan: one run per beat tick, across both workers; each due clock breached once.
    ticks = len(SCAN_SENT.findall((var / "beat.log").read_text(errors="replace")))
    runs = ScanRun.objects.count()
    unfinished = ScanRun.objects.filter(finished_at=None).count()
    per_worker = dict(ScanRun.objects.values_list("worker").annotate(n=Count("pk")))
    emit(
        "scans_per_tick",
        round(runs / ticks, 3) if ticks else 0,
        "runs per tick",
        n=ticks,
        runs=runs,
        per_worker=per_worker,
    )
    need(
        ticks >= 5 and runs == ticks and not unfinished,
        f"scan: {runs} runs ({unfinished} unfinished) for {ticks} ticks",
    )

    due = json.loads((var / "clocks.json").read_text())
    breached = Clock.objects.filter(pk__in=due, state=ClockState.BREACHED).count()
    events = Counter(
        e["clock"]
        for e in Event.objects.filter(verb="clock_breach", data__clock__in=due).values_list("data", flat=True)
    )
    breached_twice = sum(1 for n in events.values() if n > 1)
    emit("clocks_breached", breached, "clocks", n=len(due), events=sum(events.values()), twice=breached_twice)
    need(breached == len(due) == len(events) and not breached_twice, f"breach: {breached}/{len(due)}, {dict(events)}")

    emit("checks", "fail" if failed else "ok", "", n=len(failed), failed=failed)
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--out", required=True)
    p.add_argument("--clocks", type=int, default=20)
    p = sub.add_parser("sink")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("drain")
    p.add_argument("--beat-log", required=True)
    p.add_argument("--timeout", type=float, default=90)
    p = sub.add_parser("check")
    p.add_argument("--var", required=True)
    p.add_argument("--users", type=int, default=0)
    p.add_argument("--duration", default="")
    args = parser.parse_args()
    return {"prepare": prepare, "sink": sink, "drain": drain, "check": check}[args.step](args) or 0


if __name__ == "__main__":
    sys.exit(main())
