"""Demo: requests that needed a visit, with their work orders in every state (OS-1..OS-6), made
through the workflow as users make them: the hotline asks for the visit (HL-6), the service
manager verifies and dispatches, the demo `field_engineer` does the rest. Idempotent."""

from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from kefu.customers.models import Customer
from kefu.documents.attachments import sample_png
from kefu.documents.images import sample_signature
from kefu.fieldservice import workflow as fieldservice
from kefu.fieldservice.models import ServiceSheet, WorkOrder
from kefu.org.models import User
from kefu.servicedesk import workflow

SHEET = {
    "backup_done": True,
    "backup_location": "D:\\备份\\账套2025",
    "phenomenon": "打印凭证时提示“打印机未就绪”",
    "cause": "打印机驱动版本与系统不兼容",
    "method": "重装打印机驱动并重新设置默认打印机",
    "steps": "1. 卸载旧驱动 2. 安装新驱动 3. 打印测试页",
    "prevention": "系统升级后先检查驱动兼容性",
    "parts_used": "",
    "minutes_spent": 45,
    "outcome": ServiceSheet.Outcome.SOLVED,
}
# (target state of the order, the customer's problem)
ORDERS = [
    ("requested", "财务软件安装后无法启动，提示缺少运行库"),
    ("verified", "新装的网络打印机在财务软件中找不到"),
    ("dispatched", "服务器迁移后账套无法打开"),
    ("scheduled", "工资模块计算结果与手工核对不一致"),
    ("scheduled", "扫描枪扫码后出入库单据不生成"),
    ("on_site", "月结时存货模块报错，无法结账"),
    ("completed", "发票打印位置整体偏移"),
    ("signed", "凭证打印时提示“打印机未就绪”"),
    ("written_off", "新电脑上财务软件无法连接数据库"),
    ("escalated", "加密锁频繁掉线，重启后才能识别"),
    ("returned", "客户要求上门培训新员工"),
]


def load(now: datetime | None = None) -> int:
    users = {u.username: u for u in User.objects.filter(username__in=["field_engineer", "service_manager", "hotline"])}
    engineer, manager, hotline = users.get("field_engineer"), users.get("service_manager"), users.get("hotline")
    if engineer is None or manager is None or hotline is None:
        return 0
    if WorkOrder.all_objects.filter(engineer=engineer).exists():
        return 0
    customers = list(Customer.objects.order_by("pk")[:8])
    if not customers:
        return 0
    now = now or timezone.now()
    start = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    signature = sample_signature()
    created = 0
    for i, (target, problem) in enumerate(ORDERS):
        asked = now - timedelta(hours=3, minutes=10 * (len(ORDERS) - i))
        req = workflow.create_request(
            customers[i % len(customers)],
            channel="phone",
            phenomenon=problem,
            caller="王会计",
            caller_phone="13812345678",
            product="财务软件 V8",
            needs_onsite=True,
            by=hotline,
            now=asked,
        )
        workflow.request_onsite(req, reason=f"电话无法远程解决：{problem}", by=hotline, now=asked)
        order = fieldservice.open_order_of(req)
        created += 2
        if target == "returned":
            fieldservice.send_back(order, reason="客户需求是培训，请转实施部安排", by=manager, now=now)
            continue
        if target == "requested":
            continue
        fieldservice.verify(order, by=manager, now=asked + timedelta(minutes=20))
        if target == "verified":
            continue
        fieldservice.dispatch(order, engineer, by=manager, now=asked + timedelta(minutes=30))
        if target == "dispatched":
            continue
        fieldservice.confirm(order, by=engineer, now=asked + timedelta(minutes=40))
        slot = start + timedelta(hours=i % 4)
        fieldservice.set_appointment(
            order, start=slot, end=slot + timedelta(hours=2), by=engineer, now=asked + timedelta(minutes=45)
        )
        if target == "scheduled":
            continue
        fieldservice.check_in(order, by=engineer, now=now)
        if target == "on_site":
            continue
        outcome = ServiceSheet.Outcome.NOT_SOLVED if target == "escalated" else ServiceSheet.Outcome.SOLVED
        photo = ContentFile(sample_png((800, 600)), name="现场照片.png")
        fieldservice.complete(
            order, data=dict(SHEET, phenomenon=problem, outcome=outcome), photos=[photo], by=engineer, now=now
        )
        if target == "completed":
            continue
        fieldservice.sign(order, signer_name="王经理", signature=signature, by=engineer, now=now)
        if target == "written_off":
            fieldservice.write_off(order, by=engineer, now=now)
        elif target == "escalated":
            fieldservice.write_off(order, next_step="escalate", note="疑似产品缺陷，提交厂商", by=engineer, now=now)
    return created
