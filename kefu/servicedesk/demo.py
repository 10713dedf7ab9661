"""Demo data of the service desk: a week of duty roster with `hotline` on duty now, requests in
every state and priority, hotline records, calls. Made through the workflow; idempotent."""

from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from kefu.customers.models import Customer
from kefu.documents.attachments import sample_png
from kefu.org.demo_data import DEMO_PASSWORD
from kefu.org.models import User
from kefu.servicedesk import workflow
from kefu.servicedesk.models import DutyShift, ServiceRequest

PHENOMENA = [
    ("urgent", "fault", "月末结账时总账模块报错“凭证号重复”，无法结账"),
    ("high", "fault", "打印凭证时提示“打印机未就绪”，无法打印"),
    ("medium", "consultation", "咨询工资模块如何批量导入员工银行账号"),
    ("low", "other", "希望增加报表导出为 Excel 的列宽自适应"),
    ("high", "complaint", "上门工程师两次爽约，客户对服务不满意"),
    ("medium", "fault", "加密锁插上后系统提示“未找到加密锁”"),
    ("urgent", "fault", "服务器升级后数据库连接失败，全员无法登录"),
    ("low", "consultation", "咨询发票模块是否支持数电票"),
]


def _roster(manager: User, hotline: User, now) -> int:
    if DutyShift.objects.filter(engineer=hotline, starts_at__lte=now, ends_at__gt=now).exists():
        return 0
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday())
    created = 0
    for day in range(7):
        start = monday + timedelta(days=day, hours=8)
        if DutyShift.objects.filter(
            engineer=hotline, starts_at__lt=start + timedelta(hours=12), ends_at__gt=start
        ).exists():
            continue
        workflow.plan_shift(hotline, starts_at=start, ends_at=start + timedelta(hours=12), by=manager, now=now)
        created += 1
    # Whatever the hour the demo is loaded, the hotline user is on duty now: outside the day
    # shift, a shift that began ten minutes ago (its handover fresh, not overdue).
    if workflow.on_duty(now) != hotline:
        before = DutyShift.objects.filter(engineer=hotline, ends_at__lte=now).order_by("-ends_at").first()
        after = DutyShift.objects.filter(engineer=hotline, starts_at__gt=now).order_by("starts_at").first()
        start = max(now - timedelta(minutes=10), before.ends_at) if before else now - timedelta(minutes=10)
        end = min(now + timedelta(hours=8), after.starts_at) if after else now + timedelta(hours=8)
        workflow.plan_shift(hotline, starts_at=start, ends_at=end, by=manager, now=now)
        created += 1
    return created


def _night_engineer(manager: User) -> User:
    """The previous shift's engineer: the calls of the last days are theirs, for `hotline` to take over (HL-2)."""
    from django.contrib.auth.models import Group

    user, new = User.objects.get_or_create(
        username="hotline_night",
        defaults={
            "name": "夜班热线",
            "email": "hotline_night@example.com",
            "department": manager.department,
            "manager": manager,
        },
    )
    if new:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name="hotline"))
    return user


def load(now: datetime | None = None) -> int:
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["hotline", "service_manager", "customer_rep", "call_center", "customer"]
        )
    }
    hotline, manager = users.get("hotline"), users.get("service_manager")
    if hotline is None or manager is None:
        return 0
    now = now or timezone.now()
    created = _roster(manager, hotline, now)
    # The current shift's clocks, as the every-minute job starts them (HL-2). A normal working
    # day: ready at the post 6 minutes into the shift, the previous shift's items taken over 20
    # minutes in; a shift younger than that still has its handover to do, not yet overdue.
    workflow.start_due_handovers(now=now)
    current = DutyShift.objects.on_duty(now).filter(engineer=hotline).first()
    if current is not None:
        ready_at, taken_at = current.starts_at + timedelta(minutes=6), current.starts_at + timedelta(minutes=20)
        if current.ready_at is None and now > ready_at:
            workflow.report_ready(current, by=hotline, now=ready_at)
        if current.taken_over_at is None and now > taken_at:
            workflow.take_over(current, by=hotline, now=taken_at, note="夜班遗留事项已逐项核对")
    if ServiceRequest.all_objects.exists():
        return created
    customers = list(Customer.objects.order_by("pk")[:8])
    if not customers:
        return created
    portal = users.get("customer")
    portal_customer = Customer.objects.visible_to(portal).first() if portal else None
    start = now - timedelta(days=2)
    night = _night_engineer(manager)
    made = []
    for i, (priority, type_, text) in enumerate(PHENOMENA):
        customer = customers[i % len(customers)]
        rec = workflow.record_call(
            customer,
            phenomenon=text,
            caller="王会计",
            caller_phone="13812345678",
            product="财务软件 V8",
            type=type_,
            priority=priority,
            by=night,
            now=start + timedelta(hours=i),
        )
        made.append(rec)
    t = start + timedelta(hours=10)
    workflow.solve_on_phone(made[1], answer="重新安装打印驱动并设为默认打印机", by=night, now=t)
    workflow.shelve(made[0], note="请教研发：凭证号重复的修复脚本", by=night, now=t)
    workflow.shelve(made[5], note="请教加密锁厂商", by=night, now=t)
    workflow.call_back(made[5], solved=False, answer="更换 USB 口仍不识别", by=night, now=t + timedelta(minutes=40))
    workflow.solve_on_phone(made[2], answer="发送导入模板并远程演示", by=night, now=t)
    workflow.confirm(made[2].request, via="phone", note="客户电话确认", by=night, now=t + timedelta(hours=1))
    workflow.solve_on_phone(made[7], answer="V8.3 起支持数电票", by=night, now=t)
    workflow.request_withdrawal(made[7].request, reason="电话中已解决，无需上门", by=night, now=t)
    workflow.transfer(made[4].request, manager, reason="投诉转服务部经理处理", by=night, now=t)
    workflow.submit_unsolved(by=night, now=t + timedelta(hours=1))
    if portal_customer is not None:
        req = workflow.create_request(
            portal_customer,
            channel="portal",
            title="报表取数为零",
            phenomenon="资产负债表所有科目取数为零",
            priority="medium",
            files=[ContentFile(sample_png((640, 400)), name="报表截图.png")],
            by=portal,
            now=now,
        )
        if req.owner is not None:
            workflow.add_step(req, "diagnosis", "远程检查报表公式，发现会计期间设置错误", by=req.owner, now=now)
            workflow.solve(req, result="修正会计期间后报表取数正常", by=req.owner, now=now)
    for i in range(40):
        workflow.log_call(
            at=start + timedelta(minutes=37 * i),
            answered=i % 12 != 0,
            engineer=hotline,
            caller_phone=f"1380000{i:04d}",
            duration=60 + i,
            by=hotline,
            now=now,
        )
    return created + ServiceRequest.all_objects.count()
