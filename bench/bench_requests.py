"""Service requests at scale (QS-5, issue 6): generator + benchmarks, one JSON line per figure.

Generates N requests over N/10 customers (default 1,000,000 over 100,000) with realistic Chinese
phenomena, two years of history (a request's status follows its age: old ones are closed,
today's are mostly open), 40 handlers, and the deadline clocks the workflow would have
started: a first-response clock per request (met once answered; running or breached while
unanswered) and a running reply clock per shelved request, so `overdue` is real. PostgreSQL
gets the rows by COPY, SQLite by executemany, in batches of 20,000 (each batch one
transaction, so an interrupted run resumes). Then measures:

- the request list page with the usual filters (owner, status, priority, overdue, search)
  p95 and its query count; the same through the selector only; the API list p95;
- the request page p95;
- intake: the statements one POST /api/requests/ runs, the in-process rate (Django test
  client, one process), and the rate a deployment gives: gunicorn (--workers, default 2)
  on this database with --clients concurrent HTTP clients (token auth, JSON).

    createdb -h 127.0.0.1 -U postgres -T template0 -E UTF8 kefu_bench_requests
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_requests python bench/bench_requests.py
    python bench/bench_requests.py --requests 200000        # SQLite, $KEFU_VAR_DIR/bench-requests.sqlite3
"""

import argparse
import io
import json
import os
import random
import shlex
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path
from time import perf_counter, sleep
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VAR = Path(os.environ.get("KEFU_VAR_DIR", ROOT / "var"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{VAR / 'bench-requests.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import _request_clocks  # noqa: E402
from bench import generate_customers as gen  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
BATCH = 20_000
HANDLERS = 40
SPAN_DAYS = 730

CONTEXT = [
    "客户反映",
    "财务部王会计来电：",
    "今天上午开始",
    "升级到 V8.3 后",
    "月末结账时",
    "新装电脑上",
    "换了新服务器后",
    "从昨天下午起",
    "出纳小李说",
    "客户QQ留言：",
    "微信群里反馈：",
    "分公司",
    "年底结账期间",
    "安装补丁后",
    "",
]
MODULES = ["总账", "报表", "固定资产", "工资", "应收", "应付", "存货", "出纳", "发票", "库存", "采购", "销售", "成本"]
SYMPTOMS = [
    "凭证无法打印",
    "月末结账报错",
    "报表取数为零",
    "加密锁未找到",
    "工资条乱码",
    "发票无法上传",
    "数据库连接失败",
    "登录超时",
    "银行对账单导入失败",
    "固定资产折旧计算错误",
    "库存数量为负",
    "打印机未就绪",
    "记账凭证断号",
    "期初余额不平",
    "税控盘读取失败",
    "电子发票验签失败",
    "数据备份失败",
    "系统升级后菜单丢失",
    "客户端闪退",
    "运行很慢，打开一张单据要一分钟",
    "提示“许可数已满”",
    "年结后上年数据查不到",
    "金税盘抄税失败",
    "导出 Excel 乱码",
    "审核按钮灰色无法点击",
    "自定义报表公式报错",
    "网络版客户端连不上服务器",
    "扫码枪录入重复",
    "月报与明细账对不上",
    "出库单成本为零",
]
TAILS = [
    "，重启后仍然如此",
    "，提示代码 E{n}",
    "，影响全公司开票",
    "，急需处理",
    "，其他模块正常",
    "，已按手册操作无效",
    "，截图已发邮箱",
    "，报错 ORA-{n}",
    "，只有一台电脑有问题",
    "，所有用户都一样",
    "。客户要求今天解决",
    "，报错信息：“对象引用未设置到对象的实例”",
    "",
]
PRODUCTS = [
    "财务软件 V8.3",
    "财务软件 V9.0",
    "ERP 标准版 V10.1",
    "进销存 V7.2",
    "人力资源 HR 5.0",
    "税务接口 2.2",
    "移动审批 App 3.1",
    "",
]
CAUSES = [
    "驱动版本不兼容",
    "数据库索引损坏",
    "操作不当",
    "加密锁接触不良",
    "防火墙拦截端口",
    "补丁未安装",
    "账套参数设置错误",
]
RESULTS = [
    "指导客户重新安装打印驱动后正常",
    "远程修复数据后结账成功",
    "升级补丁后正常",
    "更换加密锁后正常",
    "重建索引后速度恢复",
    "修改报表公式后取数正确",
    "清理缓存并重新登录后恢复",
]
# (status, weight) by the request's age: old requests are closed, today's mostly open.
BY_AGE = [
    (1, {"new": 30, "in_progress": 35, "shelved": 8, "onsite": 7, "solved": 12, "closed": 8}),
    (7, {"new": 5, "in_progress": 25, "shelved": 8, "onsite": 7, "solved": 20, "closed": 34, "withdrawn": 1}),
    (30, {"new": 1, "in_progress": 6, "shelved": 3, "onsite": 2, "solved": 8, "closed": 79, "withdrawn": 1}),
    (
        None,
        {
            "new": 0.02,
            "in_progress": 0.2,
            "shelved": 0.1,
            "onsite": 0.05,
            "solved": 0.3,
            "closed": 98.3,
            "withdrawn": 1,
        },
    ),
]
WEIGHTS = {
    "channel": {"phone": 55, "email": 10, "portal": 15, "chat": 15, "api": 5},
    "type": {"fault": 60, "consultation": 30, "complaint": 3, "other": 7},
    "priority": {"urgent": 5, "high": 20, "medium": 55, "low": 20},
}
FIRST_RESPONSE_HOURS = {"urgent": 2, "high": 4, "medium": 6, "low": 24}


def phenomenon(rnd: random.Random) -> str:
    module = f"{rnd.choice(MODULES)}模块" if rnd.random() < 0.4 else ""
    tail = rnd.choice(TAILS).format(n=rnd.randint(100, 99999))
    return f"{rnd.choice(CONTEXT)}{module}{rnd.choice(SYMPTOMS)}{tail}"


def pick(rnd: random.Random, weights: dict) -> str:
    return rnd.choices(list(weights), weights=list(weights.values()))[0]


# --- writing rows: COPY on PostgreSQL, executemany on SQLite -------------------------------


def _pg_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, timedelta):
        return f"{value.total_seconds()} seconds"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _sqlite_value(value):
    if isinstance(value, datetime):
        return str(value.astimezone(UTC).replace(tzinfo=None))
    if isinstance(value, timedelta):
        return int(value.total_seconds() * 1_000_000)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def write(model, rows: list[dict]) -> None:
    """Insert dicts (column → value) into the model's table; every row has the same keys."""
    if not rows:
        return
    table, columns = model._meta.db_table, list(rows[0])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join(_pg_text(row[c]) for c in columns))
                buffer.write("\n")
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                [[_sqlite_value(row[c]) for c in columns] for row in rows],
            )


# --- the generator ---------------------------------------------------------------------------


def handlers() -> list[int]:
    """The demo hotline user plus HANDLERS-1 bench handlers (hotline / customer_rep roles)."""
    from django.contrib.auth.models import Group

    from kefu.org.models import User

    existing = set(User.objects.filter(username__startswith="bench_handler_").values_list("username", flat=True))
    new = [
        User(username=f"bench_handler_{i}", name=gen.person(random.Random(i)), password="!", is_active=True)  # noqa: S106 -- unusable
        for i in range(1, HANDLERS)
        if f"bench_handler_{i}" not in existing
    ]
    User.objects.bulk_create(new)
    ids = list(User.objects.filter(username__startswith="bench_handler_").order_by("pk").values_list("pk", flat=True))
    Group.objects.get(name="hotline").user_set.add(*ids[::2])
    Group.objects.get(name="customer_rep").user_set.add(*ids[1::2])
    return [User.objects.get(username="hotline").pk, *ids]


def customers(n: int, rep_id: int) -> list[int]:
    from kefu.customers import names
    from kefu.customers.models import Customer

    have = Customer.all_objects.count()
    if have < n:
        rng = random.Random(5 + have)
        places = gen.regions()
        now = timezone.now()
        batch = []
        for i in range(have, n):
            pc, pn, cc, cn, dc, dn = rng.choice(places)
            full, short = gen.company(rng, cn if cn != "市辖区" else pn, i)
            c = Customer(
                name=full,
                short_name=short,
                province_id=pc,
                city_id=cc,
                district_id=dc,
                address=gen.address(rng, dn),
                industry=short[-2:],
                owner_id=rep_id,
                created_at=now - timedelta(days=SPAN_DAYS + 30, minutes=n - i),
                updated_at=now,
            )
            c.name_key = names.name_key(c.name)
            c.short_key = names.name_key(c.short_name)
            c.initials = names.initials(c.short_name)
            c.fill_search_tokens()
            batch.append(c)
            if len(batch) == 5000:
                with transaction.atomic():
                    Customer.objects.bulk_create(batch)
                batch = []
        with transaction.atomic():
            Customer.objects.bulk_create(batch)
    return list(Customer.all_objects.order_by("pk").values_list("pk", flat=True)[:n])


def _created_at(i: int, n: int, rnd: random.Random, t0: datetime) -> datetime:
    """Monotonic in i over SPAN_DAYS; within a day 80 % of requests fall in 08:30-18:00."""
    at = t0 + timedelta(days=SPAN_DAYS) * ((i + rnd.random()) / n)
    local = at.astimezone(SH)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    f = (local - midnight) / timedelta(days=1)
    # Piecewise-linear, monotonic: [0, .15) → 00:00-08:30, [.15, .95) → 08:30-18:00, rest → evening.
    if f < 0.15:
        hours = f / 0.15 * 8.5
    elif f < 0.95:
        hours = 8.5 + (f - 0.15) / 0.8 * 9.5
    else:
        hours = 18 + (f - 0.95) / 0.05 * 6
    return midnight + timedelta(hours=hours)


class Rules:
    """What a started clock copies from its rule (spec, escalations), per rule key."""

    def __init__(self):
        from kefu.deadlines.models import DeadlineRule
        from kefu.deadlines.spec import RuleSpec

        self.by_key = {}
        for rule in DeadlineRule.objects.prefetch_related("escalations"):
            self.by_key[rule.key] = {
                "id": rule.pk,
                "calendar_id": rule.calendar_id,
                "kind": rule.kind,
                "spec": {**RuleSpec.of_rule(rule).to_json(), "warn_ratio": rule.effective_warn_ratio},
                "escalations": sorted([e.offset_minutes, e.notify] for e in rule.escalations.all()),
            }

    def clock(self, key, *, ct_id, object_id, owner_id, started, due, now, met_at=None) -> dict:
        rule = self.by_key[key]
        if met_at is not None:
            state, breached = "met", (due if met_at > due else None)
        else:
            state, breached = ("running", None) if due > now else ("breached", due + timedelta(minutes=1))
        through, upcoming = None, None
        if state != "met":
            for offset, _notify in rule["escalations"]:
                if due + timedelta(minutes=offset) <= now:
                    through = offset
                elif upcoming is None:
                    upcoming = due + timedelta(minutes=offset)
        return {
            "content_type_id": ct_id,
            "object_id": str(object_id),
            "rule_id": rule["id"],
            "calendar_id": rule["calendar_id"],
            "owner_id": owner_id,
            "kind": rule["kind"],
            "spec": rule["spec"],
            "escalations": rule["escalations"],
            "state": state,
            "started_at": started,
            "due_at": due,
            "warn_at": started + (due - started) * 0.8 if state == "running" else None,
            "warned_at": None,
            "next_escalation_at": upcoming,
            "escalated_through": through,
            "paused_at": None,
            "pause_reason": "",
            "paused_for": timedelta(0),
            "pauses": [],
            "met_at": met_at,
            "breached_at": breached,
        }


def request_batch(batch_no: int, n: int, *, now, customer_ids, owner_ids, rules, ct_id, first_id):
    """Rows of requests [batch_no*BATCH, …) and their clocks; deterministic per batch."""
    from kefu.search.tokens import index_tokens
    from kefu.servicedesk.models import ServiceRequest

    rnd = random.Random(6_000 + batch_no)
    fields = [f for f in ServiceRequest._meta.concrete_fields if f.attname != "search_vector"]
    blank = {f.column: f.get_default() for f in fields}
    t0 = now - timedelta(days=SPAN_DAYS)
    requests, clocks = [], []
    for i in range(batch_no * BATCH, min(n, (batch_no + 1) * BATCH)):
        pk = first_id + i
        created = _created_at(i, n, rnd, t0)
        age = (now - created) / timedelta(days=1)
        status = pick(rnd, next(w for limit, w in BY_AGE if limit is None or age < limit))
        priority = pick(rnd, WEIGHTS["priority"])
        text = phenomenon(rnd)
        owner = owner_ids[int(len(owner_ids) * rnd.random() ** 1.3)]
        if status == "new" and rnd.random() < 0.02:
            owner = None  # a portal request that came when nobody was on duty
        due = created + timedelta(hours=FIRST_RESPONSE_HOURS[priority])
        answered = None if status == "new" else created + timedelta(minutes=rnd.randint(3, 240))
        done = status in ("solved", "closed", "withdrawn")
        solved = answered + timedelta(hours=rnd.randint(1, 72)) if done else None
        if solved is not None and solved > now:
            solved = now - timedelta(minutes=1)
        row = dict(blank)
        row.update(
            id=pk,
            number=f"SR{created.astimezone(SH):%y%m%d}{pk:07d}",
            customer_id=customer_ids[int(len(customer_ids) * rnd.random() ** 2.5)],
            caller=gen.person(rnd),
            caller_phone=gen.mobile(rnd),
            channel=pick(rnd, WEIGHTS["channel"]),
            type=pick(rnd, WEIGHTS["type"]),
            priority=priority,
            status=status,
            title=text[:40],
            product=rnd.choice(PRODUCTS),
            phenomenon=text,
            owner_id=owner,
            created_at=created,
            created_by_id=owner or owner_ids[0],
            updated_at=solved or answered or created,
            first_response_at=answered,
            first_response_due=due,
            needs_onsite=status == "onsite",
        )
        if done:
            row.update(
                cause=rnd.choice(CAUSES), method=rnd.choice(RESULTS), result=rnd.choice(RESULTS), solved_at=solved
            )
        if status == "closed":
            row.update(closed_at=min(solved + timedelta(hours=rnd.randint(1, 48)), now), confirmed_via="phone")
        if status == "withdrawn":
            row.update(
                withdrawal="approved",
                withdrawal_reason="电话中已解决，无需上门",
                deleted_at=solved,
                deleted_by_id=owner_ids[0],
                delete_reason="电话中已解决，无需上门",
            )
        row["search_tokens"] = index_tokens(" ".join(filter(None, [row["number"], row["title"], text, row["product"]])))
        requests.append(row)
        clocks.append(
            rules.clock(
                f"request.first_response.{priority}",
                ct_id=ct_id,
                object_id=pk,
                owner_id=owner,
                started=created,
                due=due,
                now=now,
                met_at=answered,
            )
        )
        if status == "shelved":
            clocks.append(
                rules.clock(
                    "hotline.shelved_reply",
                    ct_id=ct_id,
                    object_id=pk,
                    owner_id=owner,
                    started=answered,
                    due=answered + timedelta(hours=3),
                    now=now,
                )
            )
    return requests, clocks


def generate(n: int, n_customers: int) -> int:
    """Bring the database to n generated requests; returns how many were written now."""
    from django.contrib.contenttypes.models import ContentType

    from kefu.deadlines.models import Clock
    from kefu.servicedesk.models import ServiceRequest

    if connection.vendor == "sqlite":
        # The indexes of 1 M rows do not fit SQLite's default 2 MB page cache: every insert then
        # reads index pages from disk (~600 rows/s). A big cache and no fsync while generating.
        with connection.cursor() as cursor:
            for pragma in ("cache_size = -3000000", "synchronous = OFF", "temp_store = MEMORY"):
                cursor.execute(f"PRAGMA {pragma}")
    owner_ids = handlers()
    customer_ids = customers(n_customers, owner_ids[1])
    marker = VAR / f"bench-requests-{connection.settings_dict['NAME'].rsplit('/', 1)[-1]}.json"
    state = json.loads(marker.read_text()) if marker.exists() else {}
    if state.get("n") != n:
        if ServiceRequest.all_objects.exists():
            raise SystemExit(f"{connection.settings_dict['NAME']} holds other requests: use a fresh database")
        state = {"n": n, "now": timezone.now().isoformat(), "batches": 0}
        marker.write_text(json.dumps(state))
    now = datetime.fromisoformat(state["now"])
    rules = Rules()
    ct_id = ContentType.objects.get_for_model(ServiceRequest).pk
    written = 0
    for batch_no in range(state["batches"], (n + BATCH - 1) // BATCH):
        requests, clocks = request_batch(
            batch_no, n, now=now, customer_ids=customer_ids, owner_ids=owner_ids, rules=rules, ct_id=ct_id, first_id=1
        )
        with transaction.atomic():
            write(ServiceRequest, requests)
            write(Clock, clocks)
        written += len(requests)
        state["batches"] = batch_no + 1
        marker.write_text(json.dumps(state))
        print(f"# {(batch_no + 1) * BATCH:,} requests", file=sys.stderr, flush=True)
    more = _request_clocks.generate_more(
        state,
        marker,
        n=n,
        batch=BATCH,
        now=now,
        rules=rules,
        ct_id=ct_id,
        sh=SH,
        write=write,
        save=lambda state: marker.write_text(json.dumps(state)),
    )
    if written or more:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                for model in (ServiceRequest, Clock):
                    table = model._meta.db_table
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
                    cursor.execute(f"VACUUM ANALYZE {table}")
            else:
                cursor.execute("ANALYZE")
    return written


# --- measuring ---------------------------------------------------------------------------


def p95(samples: list[float]) -> float:
    samples = sorted(samples)
    return round(samples[max(int(len(samples) * 0.95) - 1, 0)] * 1000, 2)


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return ""


def emit(bench: str, value, unit: str, n: int, **extra) -> None:
    print(
        json.dumps(
            {
                "bench": bench,
                "value": value,
                "unit": unit,
                "n": n,
                "db": connection.vendor,
                "command": " ".join(map(shlex.quote, ["python", *sys.argv])),
                "loadavg": loadavg(),
                **extra,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


def check(ok: bool, what) -> None:
    if not ok:
        raise SystemExit(f"benchmark request failed: {what}")


FILTERS = [
    {},
    {"owner": "me"},
    {"status": "in_progress"},
    {"status": "open"},
    {"priority": "urgent", "status": "open"},
    {"overdue": "1"},
    {"owner": "me", "status": "open", "overdue": "1"},
    {"owner": "me", "status": "shelved", "priority": "high"},
    {"q": "凭证"},
    {"q": "加密锁未找到"},
]


def _name(f: dict) -> str:
    return "&".join(f"{k}={v}" for k, v in f.items()) or "(none)"


def measure_lists(n: int, repeat: int, user, manager) -> None:
    from kefu.servicedesk import selectors

    now = timezone.now()
    by_filter, queries = {}, 0
    for f in FILTERS:
        params = {k: v for k, v in f.items() if k != "overdue"}
        who = user if f.get("owner") else manager
        samples = []
        for _ in range(repeat):
            t = perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                list(selectors.requests_for(who, now=now, overdue="overdue" in f, **params)[:31])
            samples.append(perf_counter() - t)
            queries = max(queries, len(ctx.captured_queries))
        by_filter[_name(f)] = p95(samples)
    emit("requests.list_selector_p95", max(by_filter.values()), "ms", n, queries_max=queries, by_filter=by_filter)

    for label, who in (("manager", manager), ("hotline", user)):
        client = Client(SERVER_NAME="localhost")
        client.force_login(who)
        client.get("/servicedesk/")
        by_filter, all_samples, queries = {}, [], 0
        for f in FILTERS:
            samples = []
            for _ in range(repeat):
                t = perf_counter()
                with CaptureQueriesContext(connection) as ctx:
                    response = client.get("/servicedesk/", f)
                samples.append(perf_counter() - t)
                check(response.status_code == 200, response.status_code)
                queries = max(queries, len(ctx.captured_queries))
            by_filter[_name(f)] = p95(samples)
            all_samples += samples
        emit(
            "requests.list_page_p95",
            p95(all_samples),
            "ms",
            n,
            user=label,
            queries_max=queries,
            worst=max(by_filter.values()),
            by_filter=by_filter,
        )


def measure_api_list(n: int, repeat: int, api) -> None:
    samples, queries = [], 0
    for i in range(repeat):
        f = FILTERS[i % len(FILTERS)]
        t = perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            response = api.get("/api/requests/", f)
        samples.append(perf_counter() - t)
        check(response.status_code == 200, response.status_code)
        queries = max(queries, len(ctx.captured_queries))
    emit("requests.api_list_p95", p95(samples), "ms", n, queries_max=queries)


def intake_payload(rnd: random.Random, customer_ids: list[int]) -> dict:
    return {
        "customer": customer_ids[int(len(customer_ids) * rnd.random() ** 2.5)],
        "phenomenon": phenomenon(rnd),
        "priority": pick(rnd, WEIGHTS["priority"]),
        "type": pick(rnd, WEIGHTS["type"]),
        "product": rnd.choice(PRODUCTS),
        "caller": gen.person(rnd),
        "caller_phone": gen.mobile(rnd),
    }


def measure_intake_in_process(n: int, count: int, api, customer_ids) -> None:
    rnd = random.Random(1)
    api.post("/api/requests/", intake_payload(rnd, customer_ids), format="json")  # process caches warm
    payload = {**intake_payload(rnd, customer_ids), "type": "fault"}  # a complaint also notifies quality
    with CaptureQueriesContext(connection) as ctx:
        r = api.post("/api/requests/", payload, format="json")
    check(r.status_code == 201, r.content)
    statements = len(ctx.captured_queries)
    t = perf_counter()
    for _ in range(count):
        r = api.post("/api/requests/", intake_payload(rnd, customer_ids), format="json")
        check(r.status_code == 201, r.content)
    emit(
        "requests.api_intake_rate_in_process",
        round(count / (perf_counter() - t), 1),
        "requests/s",
        n,
        requests=count,
        statements_per_intake=statements,
    )


def measure_batch_intake_in_process(n: int, count: int, batch: int, api, customer_ids) -> None:
    rnd = random.Random(2)
    api.post("/api/requests/batch/", {"requests": [intake_payload(rnd, customer_ids)]}, format="json")
    bodies = [
        {"requests": [intake_payload(rnd, customer_ids) for _ in range(batch)]} for _ in range(max(count // batch, 1))
    ]
    with CaptureQueriesContext(connection) as ctx:
        r = api.post("/api/requests/batch/", bodies[0], format="json")
    check(r.status_code == 201, r.content)
    statements = len(ctx.captured_queries)
    t = perf_counter()
    for body in bodies[1:]:
        r = api.post("/api/requests/batch/", body, format="json")
        check(r.status_code == 201, r.content)
    emit(
        "requests.api_batch_intake_rate_in_process",
        round((len(bodies) - 1) * batch / (perf_counter() - t), 1),
        "requests/s",
        n,
        requests=(len(bodies) - 1) * batch,
        batch=batch,
        statements_per_batch=statements,
    )


def measure_intake_server(
    n: int, count: int, clients: int, workers: int, token: str, customer_ids, batch: int = 0
) -> None:
    """gunicorn (sync workers, as scripts/run_demo.sh) on this database; `clients` threads POST,
    one request per call, or `batch` requests per call to /api/requests/batch/."""
    import logging

    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)

    port = 18000 + os.getpid() % 1000
    env = {**os.environ, "KEFU_DEBUG": "0"}
    server = subprocess.Popen(  # noqa: S603 -- our own venv's gunicorn
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "kefu.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break  # any answer: the server is up
            except httpx.HTTPError:
                pass
            sleep(0.1)
        headers = {"Authorization": f"Token {token}", "Host": "localhost"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as warm:
            for i in range(workers * 5):
                r = warm.post("/api/requests/", json=intake_payload(random.Random(i), customer_ids))
                check(r.status_code == 201, r.text)
                if batch:
                    r = warm.post(
                        "/api/requests/batch/", json={"requests": [intake_payload(random.Random(i), customer_ids)]}
                    )
                    check(r.status_code == 201, r.text)
        latencies: list[float] = []
        errors: list[str] = []
        per_client = count // clients
        barrier = threading.Barrier(clients + 1)

        def run(k: int) -> None:
            rnd = random.Random(100 + k)
            payloads = [intake_payload(rnd, customer_ids) for _ in range(per_client)]
            if batch:
                calls = [
                    ("/api/requests/batch/", {"requests": payloads[i : i + batch]}) for i in range(0, per_client, batch)
                ]
            else:
                calls = [("/api/requests/", payload) for payload in payloads]
            mine = []
            with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
                barrier.wait()
                for url, body in calls:
                    t = perf_counter()
                    r = http.post(url, json=body)
                    mine.append(perf_counter() - t)
                    if r.status_code != 201:
                        errors.append(f"{r.status_code} {r.text[:200]}")
            latencies.extend(mine)

        threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
        for thread in threads:
            thread.start()
        barrier.wait()
        t = perf_counter()
        for thread in threads:
            thread.join()
        elapsed = perf_counter() - t
        check(not errors, errors[:3])
        emit(
            "requests.api_batch_intake_rate_server" if batch else "requests.api_intake_rate_server",
            round(per_client * clients / elapsed, 1),
            "requests/s",
            n,
            requests=per_client * clients,
            clients=clients,
            workers=workers,
            server="gunicorn sync",
            latency_p95_ms=p95(latencies),
            **({"batch": batch, "calls_per_s": round(len(latencies) / elapsed, 1)} if batch else {}),
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=20, help="samples per list filter and page")
    parser.add_argument("--intake", type=int, default=300, help="in-process intake requests")
    parser.add_argument("--server-intake", type=int, default=2000, help="intake requests against gunicorn (0: skip)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--batch", type=int, default=50, help="requests per call of the batch intake (0: skip)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=["generate", "lists", "intake"], default=None)
    args = parser.parse_args()
    n = args.requests
    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from kefu.org.demo_data import _load_org
    from kefu.org.models import Region, User

    if not Region.objects.exists():
        call_command("loaddata", "regions", verbosity=0)
    with transaction.atomic():
        _load_org(None)
    from rest_framework.test import APIClient

    from kefu.org import workflow as org_workflow
    from kefu.servicedesk.models import ServiceRequest

    t = perf_counter()
    written = generate(n, args.customers or max(n // 10, 10))
    if written:
        emit("requests.generate", round(perf_counter() - t, 1), "s", n, written=written)
    if args.only == "generate":
        return
    user = User.objects.get(username="hotline")
    manager = User.objects.get(username="service_manager")
    token = org_workflow.issue_token(user, now=timezone.now(), client="bench")[1]
    api = APIClient(SERVER_NAME="localhost")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    if args.only in (None, "lists"):
        measure_lists(n, args.repeat, user, manager)
        measure_api_list(n, args.repeat * 2, api)
    if args.only in (None, "intake"):
        customer_ids = list(ServiceRequest.objects.order_by().values_list("customer_id", flat=True).distinct()[:5000])
        measure_intake_in_process(n, args.intake, api, customer_ids)
        if args.batch:
            measure_batch_intake_in_process(n, args.intake * 4, args.batch, api, customer_ids)
        if args.server_intake:
            measure_intake_server(n, args.server_intake, args.clients, args.workers, token, customer_ids)
            if args.batch:
                measure_intake_server(
                    n, args.server_intake * 2, args.clients, args.workers, token, customer_ids, batch=args.batch
                )
    # The request page: the newest requests (made through the API above: clocks, audit,
    # timeline) and generated ones of every status.
    client = Client(SERVER_NAME="localhost")
    client.force_login(manager)
    newest = list(ServiceRequest.objects.order_by("-id").values_list("pk", flat=True)[: args.repeat])
    older = list(
        ServiceRequest.objects.filter(pk__lte=n).order_by("-id").values_list("pk", flat=True)[: args.repeat * 50 : 50]
    )
    samples, queries = [], 0
    for pk in newest + older:
        t = perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/servicedesk/{pk}/")
        samples.append(perf_counter() - t)
        check(response.status_code == 200, response.status_code)
        queries = max(queries, len(ctx.captured_queries))
    emit("requests.detail_page_p95", p95(samples), "ms", n, queries_max=queries)


if __name__ == "__main__":
    main()
