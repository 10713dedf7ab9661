"""Demo: complaints in every state over the current and the last 12 months, through the workflow
(invalid ones, a vendor-transferred one, key-customer ones, a station crisis, CAPA), so that the
monthly analysis report of last month has content (CP-1..CP-9)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from kefu.complaints import workflow
from kefu.complaints.models import Complaint, MonthlyReport
from kefu.customers.models import Customer
from kefu.deadlines.models import OPEN_STATES, Clock
from kefu.org.models import Department, Station, User
from kefu.visits import workflow as visits
from kefu.visits.models import ReturnVisit

TYPES = ["attitude", "timeliness", "repair", "product", "rules", "charge"]
CAUSES = ["工程师未按约定时间上门", "备件供应延迟", "维修后故障复发", "收费标准解释不清", "服务用语不规范"]
PRODUCTS = ["财务软件 V8", "ERP 企业版", "KF-200 终端", "供应链模块"]
TITLES = [
    ("工程师迟到两小时", "约定上午 9 点上门，11 点才到，也没有提前通知。"),
    ("维修后同一故障再次出现", "上周刚修好的打印模块今天又无法出单。"),
    ("热线长时间无人接听", "连续三次拨打热线均无人接听。"),
    ("上门收费与报价不符", "报价 300 元，实际收取 450 元，没有说明。"),
    ("工程师服务态度差", "工程师在现场语气生硬，不愿解释原因。"),
    ("备件等待超过一周", "主板更换等待 8 天仍未到货。"),
]


def _month(today: date, back: int) -> date:
    year, month = today.year, today.month - back
    while month <= 0:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _people():
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[
                "quality",
                "dept_head",
                "hotline",
                "general_manager",
                "field_engineer",
                "station_master",
                "aftersales_manager",
                "customer_rep",
            ]
        )
    }
    return users


def load(now: datetime | None = None) -> int:
    if MonthlyReport.objects.exists():  # loaded already (a demo request may have opened a complaint)
        return 0
    users = _people()
    quality, head, desk = users.get("quality"), users.get("dept_head"), users.get("hotline")
    department = Department.objects.filter(code="customer_relations").first()
    customers = list(Customer.objects.order_by("pk")[:8])
    if not (quality and head and desk and department and customers):
        return 0
    responsible = users.get("customer_rep") or head
    now = now or timezone.now()
    today = timezone.localdate(now)
    created = 0
    for back in range(12, -1, -1):
        first = _month(today, back)
        for i in range(3 + back % 3 if back else 5):
            day = first + timedelta(days=2 + 4 * i)
            received = _at(day, 10, 0)
            if not back:  # this month: the last day and a half, one complaint at each early stage
                received = now - timedelta(hours=2 + 7 * i)
            elif received > now - timedelta(hours=2):
                continue
            title, content = TITLES[(back + i) % len(TITLES)]
            customer = customers[(back * 3 + i) % len(customers)]
            vendor = back == 1 and i == 1
            c = workflow.create_complaint(
                customer,
                title=title,
                content=content,
                type=TYPES[(back + i) % len(TYPES)],
                product=PRODUCTS[(back + i) % len(PRODUCTS)],
                contact_name="客户联系人",
                by=desk,
                now=received,
                **(
                    {
                        "source": "vendor",
                        "vendor_ref": f"VD-{first:%Y%m}-{i:02d}",
                        "vendor_contact": "厂商客服部刘工",
                        "vendor_email": "service@vendor.example.com",
                    }
                    if vendor
                    else {}
                ),
            )
            created += 1
            # A normal working day: what is open was received lately; older complaints are closed,
            # not counted, or (the last two months) with the vendor; this month's are at each early stage.
            stage = i if not back else ((5, 1, 5, 6, 5)[(back + i) % 5] if back <= 2 else (5, 1, 5)[(back + i) % 3])
            _advance(c, stage, users=users, department=department, responsible=responsible, at=received, now=now)
    created += _crisis(users, now=now, today=today)
    # The monthly reports: every past month published on its 2nd working day, last month's due.
    for back in range(12, 1, -1):
        month = _month(today, back)
        report = workflow.report_for(month, now=_at(month, 9))
        workflow.publish(
            report, summary="本月投诉情况平稳。", by=quality, now=_at(_month(today, back - 1), 10) + timedelta(days=1)
        )
    last = workflow.report_for(_month(today, 1), now=_at(_month(today, 1), 9))
    due = (
        Clock.objects.filter(object_id=str(last.pk), state__in=OPEN_STATES, rule__key=workflow.MONTHLY_REPORT)
        .values_list("due_at", flat=True)
        .first()
    )
    if due is not None and due < now:  # past its 3rd working day: the supervisor published it on time
        workflow.publish(last, summary="本月投诉情况平稳。", by=quality, now=due - timedelta(hours=2))
    workflow.report_for(_month(today, 0), now=min(now, _at(_month(today, 0), 9) + timedelta(hours=1)))
    return created + MonthlyReport.objects.count()


def _advance(c: Complaint, stage: int, *, users, department, responsible, at: datetime, now: datetime) -> None:
    """0 new · 1 invalid · 2 assigned · 3 handling · 4 result · 5 closed (+CAPA) · 6 escalated."""
    quality, head = users["quality"], users["dept_head"]
    step = at
    if stage == 0:
        return
    step += timedelta(minutes=40)
    if stage == 1:
        workflow.archive_invalid(
            c, explanation="该项服务不在合同约定的服务范围内，已向客户说明。", by=quality, now=step
        )
        return
    workflow.accept(c, department=department, by=quality, now=step)
    if c.gm_flag and users.get("general_manager") and stage >= 4:
        workflow.gm_contact(
            c, contact="总经理致电客户致歉并承诺跟进。", by=users["general_manager"], now=step + timedelta(hours=2)
        )
    if stage == 2:
        return
    step += timedelta(minutes=30)
    workflow.assign_responsible(c, cause=CAUSES[c.pk % len(CAUSES)], responsible=responsible, by=head, now=step)
    if stage == 3:
        return
    late = c.pk % 4 == 0  # some contacts miss the 3 hours
    step += timedelta(hours=5 if late else 1)
    workflow.record_contact(
        c,
        measures="安排再次上门并致歉",
        remedy="service",
        contact_record="已电话联系客户，约定次日上门。",
        by=responsible,
        now=step,
    )
    step += timedelta(hours=20)
    workflow.record_result(c, result="已再次上门处理，问题已解决。", by=responsible, now=step)
    if c.source == Complaint.Source.VENDOR:
        workflow.vendor_feedback(
            c, feedback="已再次上门处理，客户问题已解决。", by=quality, now=step + timedelta(hours=3)
        )
    if stage == 4:
        return
    step += timedelta(hours=4 if c.pk % 5 else 30)
    if stage == 6:
        workflow.verify(
            c,
            satisfied=False,
            opinion="客户仍不满意，要求厂商给出方案",
            vendor_contact="厂商服务开发部李工",
            sent="投诉经过、处理记录与客户要求",
            by=quality,
            now=step,
        )
        return
    workflow.verify(c, satisfied=True, opinion="客户对处理结果满意。", by=quality, now=step)
    owner = users.get("field_engineer") or responsible
    action = workflow.add_action(c, description="修订上门预约确认流程", owner=owner, by=quality, now=step)
    if c.pk % 2:
        workflow.complete_action(action, evidence="新流程已发布并培训", by=owner, now=step + timedelta(days=3))
        workflow.check_action(action, passed=True, note="", by=quality, now=step + timedelta(days=4))


def _crisis(users, *, now: datetime, today: date) -> int:
    """A station crisis in Pudong: one fixed and archived last month, one still at the station."""
    station = Station.objects.filter(code="sh-pudong").first()
    customer = Customer.objects.filter(district_id="310115").order_by("pk").first()
    quality, desk = users.get("quality"), users.get("hotline")
    if station is None or customer is None or not users.get("station_master"):
        return 0
    master = users["station_master"]
    last = _month(today, 1) + timedelta(days=9)
    c = workflow.create_complaint(
        customer,
        title="维修拖延两周，客户威胁投诉媒体",
        content="主板更换拖延两周仍未完成。",
        type="timeliness",
        by=desk,
        now=_at(last, 9),
    )
    workflow.accept(c, crisis_level="potential", by=quality, now=_at(last, 10))
    workflow.ask_headquarters(c, help="主板缺货，请总部调拨", by=master, now=_at(last, 14))
    if users.get("aftersales_manager"):
        workflow.hq_solution(
            c,
            solution="总部从杭州调拨主板",
            result="主板已更换，设备恢复正常",
            by=users["aftersales_manager"],
            now=_at(last + timedelta(days=1), 16),
        )
        workflow.verify(c, satisfied=True, opinion="客户满意", by=quality, now=_at(last + timedelta(days=2), 10))
        # The crisis was archived and the customer called back the next day (CP-9).
        visit = ReturnVisit.objects.filter(kind=ReturnVisit.Kind.COMPLAINT, customer=customer, done_at=None).last()
        if visit is not None and visit.assignee_id:
            visits.record_result(
                visit,
                content="客户确认设备已恢复正常，对处理结果满意。",
                satisfaction="satisfied",
                by=visit.assignee,
                now=_at(last + timedelta(days=3), 11),
            )
    recent = now - timedelta(hours=3)
    d = workflow.create_complaint(
        customer,
        title="上门工程师违反服务规范",
        content="工程师未穿工服、未出示工牌。",
        type="rules",
        by=desk,
        now=recent,
    )
    workflow.accept(d, crisis_level="ordinary", by=quality, now=recent + timedelta(minutes=30))
    e = workflow.create_complaint(
        customer,
        title="设备反复死机，维修站无法解决",
        content="同一故障上门三次仍未解决。",
        type="repair",
        by=desk,
        now=recent,
    )
    workflow.accept(e, crisis_level="potential", by=quality, now=recent + timedelta(minutes=40))
    workflow.ask_headquarters(e, help="需要厂商技术支持远程诊断", by=master, now=recent + timedelta(hours=1))
    return 3
