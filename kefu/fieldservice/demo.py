"""Demo: work orders in every state; today's appointments for the demo `field_engineer`."""

from datetime import timedelta

from django.utils import timezone

from kefu.fieldservice import workflow
from kefu.fieldservice.models import EngineerProfile, ServiceSheet, WorkOrder
from kefu.org.models import User

SIGNATURE = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
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


def load() -> int:
    """Idempotent: runs once, when the demo engineer has no work orders yet."""
    from kefu.servicedesk.models import ServiceRequest

    engineer = User.objects.filter(username="field_engineer").first()
    manager = User.objects.filter(username="service_manager").first()
    desk = User.objects.filter(username="service_desk").first() or manager
    # Orders the service desk demo opened (HL-6) have no engineer yet; ours always include some.
    if engineer is None or manager is None or WorkOrder.all_objects.filter(engineer=engineer).exists():
        return 0
    requests = list(ServiceRequest.objects.select_related("customer")[:12])
    if not requests:
        return 0
    EngineerProfile.objects.get_or_create(user=engineer, defaults={"skills": "财务软件、打印机、网络"})
    now = timezone.now()
    start = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    # Target state for each demo order, in workflow order.
    steps = [
        "requested",
        "verified",
        "dispatched",
        "scheduled",
        "scheduled",
        "on_site",
        "completed",
        "signed",
        "written_off",
        "escalated",
        "returned",
    ]
    created = 0
    for i, target in enumerate(steps):
        req = requests[i % len(requests)]
        order = workflow.request_onsite(req, reason=f"热线无法远程解决：{req.title}", by=desk, now=now)
        created += 1
        if target == "returned":
            workflow.send_back(order, reason="信息不全，请补充联系人", by=manager, now=now)
            continue
        if target == "requested":
            continue
        workflow.verify(order, by=manager, now=now)
        if target == "verified":
            continue
        workflow.dispatch(order, engineer, by=manager, now=now)
        if target == "dispatched":
            continue
        workflow.confirm(order, by=engineer, now=now)
        slot = start + timedelta(hours=i % 4)
        workflow.set_appointment(order, start=slot, end=slot + timedelta(hours=2), by=engineer, now=now)
        if target == "scheduled":
            continue
        workflow.check_in(order, by=engineer, now=now)
        if target == "on_site":
            continue
        sheet = dict(
            SHEET, outcome=ServiceSheet.Outcome.NOT_SOLVED if target == "escalated" else ServiceSheet.Outcome.SOLVED
        )
        workflow.complete(order, data=sheet, by=engineer, now=now)
        if target == "completed":
            continue
        workflow.sign(order, signer_name="王经理", signature=SIGNATURE, by=engineer, now=now)
        if target == "written_off":
            workflow.write_off(order, by=engineer, now=now)
        elif target == "escalated":
            workflow.write_off(order, next_step="escalate", note="疑似产品缺陷，提交厂商", by=engineer, now=now)
    return created
