"""1,000,000 django-helpdesk 2.6.1 tickets for the dashboard benchmark (issue 15, for the record).

Run in helpdesk's own virtualenv, never Kefu's:

    cd bench/helpdesk && .venv/bin/python generate_tickets.py [--tickets N]

Ten queues, 200 staff users (staff001 … staff200, password "bench"), N tickets with Chinese titles and
descriptions (the phrase lists of ../bench_requests.py) spread over two years of working hours, statuses
by age (old tickets closed or resolved, today's mostly open), and their follow-ups: "opened" for every
ticket, a staff reply for open ones and 30 % of the rest, a closing one for resolved/closed/duplicate tickets (~2.3 per ticket).
PostgreSQL COPY in batches of 50,000 tickets, one transaction each, so an interrupted run resumes from
the last committed batch; a run that finds N tickets does nothing. Prints one JSON line.
"""

import argparse
import json
import os
import random
import shlex
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdbench.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from helpdesk.models import FollowUp, Queue, Ticket  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
SPAN_DAYS = 730
BATCH = 50_000
STAFF = 200
CUSTOMERS = 100_000

# Copied from ../bench_requests.py (a few of each): the same kind of text as Kefu's bench data.
CONTEXT = [
    "客户反映",
    "财务部王会计来电：",
    "今天上午开始",
    "升级到 V8.3 后",
    "月末结账时",
    "新装电脑上",
    "出纳小李说",
    "客户QQ留言：",
    "微信群里反馈：",
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
    "导出 Excel 乱码",
    "审核按钮灰色无法点击",
    "网络版客户端连不上服务器",
    "月报与明细账对不上",
]
TAILS = [
    "，重启后仍然如此",
    "，提示代码 E{n}",
    "，影响全公司开票",
    "，急需处理",
    "，其他模块正常",
    "，已按手册操作无效",
    "，报错 ORA-{n}",
    "。客户要求今天解决",
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
REPLIES = [
    "已远程查看，正在排查",
    "请提供报错截图",
    "已联系客户确认版本",
    "已转二线处理",
    "已预约明天上门",
    "等待客户回复",
]
QUEUES = [
    ("hotline", "热线支持"),
    ("finance", "财务软件"),
    ("erp", "ERP"),
    ("inventory", "进销存"),
    ("hr", "人力资源"),
    ("tax", "税务接口"),
    ("mobile", "移动审批"),
    ("onsite", "上门服务"),
    ("install", "安装实施"),
    ("complaint", "投诉与建议"),
]
QUEUE_WEIGHTS = [30, 20, 12, 10, 6, 8, 3, 5, 4, 2]
OPEN, REOPENED, RESOLVED, CLOSED, DUPLICATE = (
    Ticket.OPEN_STATUS,
    Ticket.REOPENED_STATUS,
    Ticket.RESOLVED_STATUS,
    Ticket.CLOSED_STATUS,
    Ticket.DUPLICATE_STATUS,
)
# (max age in days, status weights): old tickets are closed, today's mostly open.
BY_AGE = [
    (1, {OPEN: 70, REOPENED: 2, RESOLVED: 18, CLOSED: 10}),
    (7, {OPEN: 30, REOPENED: 4, RESOLVED: 30, CLOSED: 35, DUPLICATE: 1}),
    (30, {OPEN: 8, REOPENED: 2, RESOLVED: 15, CLOSED: 74, DUPLICATE: 1}),
    (SPAN_DAYS + 1, {OPEN: 0.7, REOPENED: 0.3, RESOLVED: 6, CLOSED: 91.5, DUPLICATE: 1.5}),
]
HOURS = [(8, 4), (9, 12), (10, 14), (11, 12), (12, 4), (13, 8), (14, 13), (15, 13), (16, 11), (17, 6), (18, 2), (19, 1)]
TICKET_COLUMNS = (
    "id",
    "title",
    "created",
    "modified",
    "submitter_email",
    "status",
    "on_hold",
    "description",
    "resolution",
    "priority",
    "due_date",
    "assigned_to_id",
    "queue_id",
    "secret_key",
)
FOLLOWUP_COLUMNS = ("id", "date", "title", "comment", "public", "new_status", "ticket_id", "user_id")


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def setup_world() -> tuple[list[int], list[int]]:
    """Queues and staff users (idempotent); users are saved one by one so helpdesk's user settings exist."""
    queues = []
    for slug, title in QUEUES:
        queue, _ = Queue.objects.get_or_create(slug=slug, defaults={"title": title, "allow_public_submission": True})
        queues.append(queue.pk)
    User = get_user_model()
    staff = []
    for k in range(1, STAFF + 1):
        user = User.objects.filter(username=f"staff{k:03d}").first()
        if user is None:
            user = User(username=f"staff{k:03d}", email=f"staff{k:03d}@kefu.example", is_staff=True)
            user.set_password("bench")
            user.save()
        staff.append(user.pk)
    return queues, staff


def created_at(i: int, n: int, now: datetime, rnd: random.Random) -> datetime:
    """Ticket i of n: evenly over SPAN_DAYS (ids follow time), on a weekday, in working hours."""
    day = (now.astimezone(SH) - timedelta(days=SPAN_DAYS * (n - i) / n)).date()
    if day.weekday() >= 5 and rnd.random() < 0.85:  # a few weekend tickets stay
        day -= timedelta(days=day.weekday() - 4)
    hour = rnd.choices([h for h, _ in HOURS], [w for _, w in HOURS])[0]
    local = datetime(day.year, day.month, day.day, hour, rnd.randrange(60), rnd.randrange(60), tzinfo=SH)
    return min(local.astimezone(UTC), now - timedelta(minutes=1))


def status_for(age_days: float, rnd: random.Random) -> int:
    for limit, weights in BY_AGE:
        if age_days < limit:
            return rnd.choices(list(weights), list(weights.values()))[0]
    raise AssertionError("unreachable")


def rows_for(i: int, n: int, fid: int, now, queues, staff, rnd):
    """One ticket's row and its follow-ups' rows; returns (ticket_row, followup_rows)."""
    created = created_at(i, n, now, rnd)
    age = (now - created) / timedelta(days=1)
    status = status_for(age, rnd)
    is_open = status in (OPEN, REOPENED)
    assignee = None if is_open and rnd.random() < 0.12 else rnd.choice(staff)
    if not is_open and rnd.random() < 0.01:
        assignee = None
    module = rnd.choice(MODULES)
    symptom = rnd.choice(SYMPTOMS)
    title = f"{module}{symptom}"[:200]
    tail = rnd.choice(TAILS).format(n=rnd.randrange(1000, 99999))
    description = f"{rnd.choice(CONTEXT)}{rnd.choice(PRODUCTS)} {module}模块{symptom}{tail}。"
    resolution = None
    modified = created + timedelta(minutes=rnd.randrange(5, 120))
    closed_at = None
    if not is_open:
        hours = rnd.expovariate(1 / 30)  # resolution time, mean 30 h
        closed_at = min(created + timedelta(hours=hours), now - timedelta(seconds=30))
        modified = closed_at
        resolution = f"原因：{rnd.choice(CAUSES)}。{rnd.choice(RESULTS)}。"
    elif age > 0.1:
        modified = min(created + timedelta(hours=rnd.uniform(1, max(1, age * 24))), now)
    priority = rnd.choices([1, 2, 3, 4, 5], [2, 10, 70, 13, 5])[0]
    due = created + timedelta(days=3) if rnd.random() < 0.3 else None
    customer = rnd.randrange(1, CUSTOMERS + 1)
    ticket = (
        i,
        title,
        created,
        modified,
        f"kehu{customer:06d}@example.cn",
        status,
        False,
        description,
        resolution,
        priority,
        due,
        assignee,
        rnd.choices(queues, QUEUE_WEIGHTS)[0],
        str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
    )
    followups = [(fid, created, "工单已创建", description, True, None, i, None)]
    if assignee is not None and (rnd.random() < 0.3 or is_open):
        reply_at = created + (closed_at - created) / 2 if closed_at else modified
        followups.append((fid + 1, reply_at, "回复", rnd.choice(REPLIES), True, None, i, assignee))
    if closed_at is not None:
        titles = {RESOLVED: "已解决", CLOSED: "已关闭", DUPLICATE: "重复工单"}
        followups.append(
            (fid + len(followups), closed_at, titles[status], resolution, True, status, i, assignee or staff[0])
        )
    if status == REOPENED:
        followups.append((fid + len(followups), modified, "重新打开", "客户反馈问题复现", True, REOPENED, i, None))
    return ticket, followups


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def generate(n: int) -> dict:
    if connection.vendor != "postgresql":
        raise SystemExit("generate_tickets.py writes with PostgreSQL COPY; set HD_DB to a PostgreSQL database")
    queues, staff = setup_world()
    now = datetime.now(UTC).replace(microsecond=0)
    done = Ticket.objects.count()
    tickets = followups = 0
    start = done + 1
    while start <= n:
        end = min(start + BATCH - 1, n)
        rnd = random.Random(start)  # a batch is the same whichever run writes it
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table(FollowUp)}")
            fid = cursor.fetchone()[0] + 1
            ticket_rows, followup_rows = [], []
            for i in range(start, end + 1):
                ticket, fus = rows_for(i, n, fid, now, queues, staff, rnd)
                ticket_rows.append(ticket)
                followup_rows.extend(fus)
                fid += len(fus)
            raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
            with raw.copy(f"COPY {table(Ticket)} ({', '.join(TICKET_COLUMNS)}) FROM STDIN") as copy:
                for row in ticket_rows:
                    copy.write_row(row)
            with raw.copy(f"COPY {table(FollowUp)} ({', '.join(FOLLOWUP_COLUMNS)}) FROM STDIN") as copy:
                for row in followup_rows:
                    copy.write_row(row)
        tickets += len(ticket_rows)
        followups += len(followup_rows)
        print(f"  {end:,} tickets", file=sys.stderr, flush=True)
        start = end + 1
    with connection.cursor() as cursor:
        for model in (Ticket, FollowUp):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table(model)}))"
            )
        if tickets:
            cursor.execute(f"ANALYZE {table(Ticket)}")
            cursor.execute(f"ANALYZE {table(FollowUp)}")
    return {"written_tickets": tickets, "written_followups": followups}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    written = generate(args.tickets)
    seconds = time.perf_counter() - t0
    line = {
        "bench": "helpdesk_generate_tickets",
        "value": round(seconds, 1),
        "unit": "s",
        "n": Ticket.objects.count(),
        "db": connection.vendor,
        "command": " ".join(map(shlex.quote, ["python", *sys.argv])),
        "loadavg": loadavg(),
        "followups": FollowUp.objects.count(),
        **written,
    }
    print(json.dumps(line, ensure_ascii=False))


if __name__ == "__main__":
    main()
