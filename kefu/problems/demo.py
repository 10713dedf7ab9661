"""Demo requests of last month for the problem summary (RPT-3): problems that come back, some
with a problem-library article (加密锁, found by similarity with the knowledge demo's article),
some without (凭证号重复, 报表取数为零: 建议入库). Logged through the hotline workflow at past
instants. Idempotent: nothing is added once one of them exists."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from kefu.customers.models import Customer
from kefu.org.models import User
from kefu.servicedesk import workflow as desk
from kefu.servicedesk.models import ServiceRequest

# (phenomenon, product, how many last month, how many the month before)
RECURRING = [
    ("月末结账时提示“凭证号重复”，无法结账", "财务软件 V8", 4, 2),
    ("插上加密锁后登录提示“未检测到加密锁”，无法进入账套", "财务软件 V8", 3, 3),
    ("资产负债表取数公式返回零，报表模块取不到数", "财务软件 V8.3", 2, 0),
    ("工资模块计算个税与税务局系统结果不一致", "人力资源 V5", 2, 1),
    ("供应链模块出库单无法审核，提示“库存不足”", "进销存 V3", 1, 0),
]


def _month_start(day, back: int):
    first = day.replace(day=1)
    for _ in range(back):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def load(now: datetime | None = None) -> int:
    now = now or timezone.now()
    hotline = User.objects.filter(username="hotline").first()
    customers = list(Customer.objects.order_by("pk")[:6])
    if hotline is None or not customers or ServiceRequest.all_objects.filter(phenomenon=RECURRING[0][0]).exists():
        return 0
    today = timezone.localtime(now).date()
    made = 0
    for i, (text, product, last, before) in enumerate(RECURRING):
        for back, n in ((1, last), (2, before)):
            first = _month_start(today, back)
            for k in range(n):
                at = timezone.make_aware(datetime.combine(first + timedelta(days=3 + 5 * k + i), time(10 + i % 6)))
                desk.record_call(
                    customers[(i + k) % len(customers)],
                    phenomenon=text,
                    caller="刘会计",
                    caller_phone="13900001111",
                    product=product,
                    by=hotline,
                    now=at,
                )
                made += 1
    return made
