"""Every time limit of the requirements catalogue, with its catalogue value (CAL-3).

One row per obligation. `sync()` writes missing rules into the database and refreshes
rules an administrator never edited; an edited rule (`customized`) is never overwritten.
Calendars: hotline and call-centre rules run on `hotline`, office rules on `office`,
station rules on `station`.

Interpretations of the catalogue, each editable by an administrator:
- hour limits of the hotline and the office (SR-2, HL-5, HL-6, CP-3, RS-2, RS-3) count
  working time of their calendar; "N days" (FV-2, RV-1, RS-7, PT-6 notice, PT-10) and
  "N hours" of the network (RS-4, RV-4) count wall-clock time;
- RV-2 "return visit on the next day" is the end of the next working day;
- RV-5 "every 2 months" is 60 days; RV-6 "1–2 inspections a year" is one within 365 days;
  PT-12 "stock-take at least twice a month" is one within 15 days;
- PT-8 reconciliation dates are due at close of work of that day;
- approval steps (PLAN-2, SR-7) have no limit in the seeds: 2 and 1 working days.
"""

from dataclasses import dataclass, field
from datetime import time

from django.db import transaction

from kefu.deadlines.calendars import ensure_standard_calendars
from kefu.deadlines.clockmath import Kind
from kefu.deadlines.models import CalendarSource, DeadlineRule, EscalationLevel
from kefu.org import roles

E, WT, WD = Kind.ELAPSED, Kind.WORKING_TIME, Kind.WORKING_DAYS
NWS, WK, DOM, NTH = Kind.NEXT_WORK_START, Kind.WEEKDAY_TIME, Kind.DAY_OF_MONTH, Kind.NTH_WORKING_DAY_NEXT_MONTH


@dataclass(frozen=True)
class Default:
    key: str
    requirement: str
    name_zh: str
    name_en: str
    calendar: str
    kind: Kind
    amount: int | None = None
    unit: str = ""
    weekday: int | None = None
    at: time | None = None
    day: int | None = None
    cutoff: time | None = None
    # (offset minutes relative to due, whom): before due is negative.
    escalations: tuple[tuple[int, str], ...] = field(default=())

    @property
    def calendar_source(self) -> str:
        """Promises to the customer on service hours count on the rule's calendar (a hotline
        engineer in an office department still answers on hotline hours); a person's own
        obligations count on their calendar (their own, their station's or department's)."""
        return CalendarSource.RULE if self.calendar == "hotline" else CalendarSource.OWNER

    @property
    def manager_role(self) -> str:
        """Who hears of a clock that has no owner: the manager of the obligation's domain."""
        return next((role for prefix, role in MANAGER_ROLE_BY_PREFIX if self.key.startswith(prefix)), "")

    def params(self) -> dict:
        return {
            "requirement": self.requirement,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "kind": self.kind.value,
            "amount": self.amount,
            "unit": self.unit,
            "weekday": self.weekday,
            "at": self.at,
            "day": self.day,
            "cutoff": self.cutoff,
            "calendar_source": self.calendar_source,
            "manager_role": self.manager_role,
        }


MANAGER_ROLE_BY_PREFIX = (
    ("request.", roles.SERVICE_MANAGER),
    ("hotline.", roles.SERVICE_MANAGER),
    ("fieldservice.", roles.SERVICE_MANAGER),
    ("firstvisit.", roles.DEPT_HEAD),
    ("returnvisit.network_followup", roles.AFTERSALES_MANAGER),
    ("returnvisit.", roles.DEPT_HEAD),
    ("survey.", roles.QUALITY),
    ("approval.plan", roles.DEPT_HEAD),
    ("approval.project", roles.IMPL_DIRECTOR),
    ("project.", roles.IMPL_DIRECTOR),
    ("approval.withdrawal", roles.AFTERSALES_MANAGER),
    ("approval.compensation", roles.QUALITY),
    ("complaint.", roles.QUALITY),
    ("station.", roles.AFTERSALES_MANAGER),
    ("parts.", roles.PARTS_GROUP),
)


REMIND_AND_ESCALATE = ((-30, "owner"), (120, "department_head"))

DEFAULTS: tuple[Default, ...] = (
    # First visit after signing (seeds 000, 004)
    Default(
        "firstvisit.call",
        "FV-2",
        "首访电话（移交后 1 周内）",
        "First-visit call within 1 week of the handover",
        "office",
        E,
        7,
        "days",
    ),
    Default(
        "firstvisit.need_submit",
        "FV-5",
        "需求提交部门负责人（次日上班前）",
        "Needs submitted to the department head by start of work on the next working day",
        "office",
        NWS,
    ),
    Default(
        "firstvisit.retry",
        "FV-6",
        "首访再次联系（约定时间后 1 个工作小时内）",
        "First-visit retry within 1 working hour of the agreed next attempt",
        "office",
        WT,
        1,
        "hours",
    ),
    # Service requests and hotline
    Default(
        "request.first_response.urgent",
        "SR-2",
        "首次响应（紧急，2 小时）",
        "First response, urgent: 2 h",
        "hotline",
        WT,
        2,
        "hours",
        escalations=REMIND_AND_ESCALATE,
    ),
    Default(
        "request.first_response.high",
        "SR-2",
        "首次响应（高，4 小时）",
        "First response, high: 4 h",
        "hotline",
        WT,
        4,
        "hours",
        escalations=REMIND_AND_ESCALATE,
    ),
    Default(
        "request.first_response.medium",
        "SR-2",
        "首次响应（中，6 小时）",
        "First response, medium: 6 h",
        "hotline",
        WT,
        6,
        "hours",
    ),
    Default(
        "request.first_response.low",
        "SR-2",
        "首次响应（低，24 小时）",
        "First response, low: 24 h",
        "hotline",
        WT,
        24,
        "hours",
    ),
    Default(
        "hotline.duty_ready",
        "HL-2",
        "值班准备（上岗 10 分钟内）",
        "Duty ready within 10 minutes of the start of the shift",
        "hotline",
        E,
        10,
        "minutes",
    ),
    Default(
        "hotline.handover",
        "HL-2",
        "接手上一班未结事项（30 分钟内）",
        "Take over the previous shift's open items within 30 minutes",
        "hotline",
        E,
        30,
        "minutes",
    ),
    Default(
        "hotline.shelved_reply",
        "HL-5",
        "搁置问题答复客户（3 小时内）",
        "Reply to the customer on a shelved problem within 3 h",
        "hotline",
        WT,
        3,
        "hours",
        escalations=REMIND_AND_ESCALATE,
    ),
    Default(
        "hotline.callback",
        "HL-5",
        "挂机后承诺回拨（1 小时内）",
        "Promised callback within 1 h",
        "hotline",
        WT,
        1,
        "hours",
        escalations=((-15, "owner"),),
    ),
    Default(
        "hotline.onsite_submit",
        "HL-6",
        "提交上门服务申请（30 分钟内）",
        "Onsite request submitted within 30 minutes",
        "hotline",
        WT,
        30,
        "minutes",
    ),
    Default(
        "hotline.unsolved_submit",
        "HL-7",
        "未解决问题提交服务部经理（次日上班前）",
        "Unsolved problem records to the service manager by start of work on the next working day",
        "hotline",
        NWS,
    ),
    # Onsite service
    Default(
        "fieldservice.verify",
        "OS-1",
        "上门申请核实（次日上班前）",
        "Onsite request verified by start of work on the next working day",
        "office",
        NWS,
    ),
    Default(
        "fieldservice.appointment",
        "OS-2",
        "派工后与客户约定上门时间（4 小时内）",
        "Appointment agreed with the customer within 4 working hours of dispatch",
        "office",
        WT,
        4,
        "hours",
    ),
    Default(
        "fieldservice.escalation",
        "OS-5",
        "升级问题跟踪厂商/总部答复（3 个工作日）",
        "Escalated problem: vendor / headquarters answer tracked within 3 working days",
        "office",
        WD,
        3,
    ),
    Default(
        "fieldservice.write_off",
        "OS-5",
        "工单核销（次日上班前）",
        "Work order written off by start of work on the next working day",
        "office",
        NWS,
    ),
    Default(
        "fieldservice.sheet_to_desk",
        "OS-6",
        "签字服务单交客服专岗（周一上班前）",
        "Signed service sheets to the service desk before Monday start of work",
        "office",
        WK,
        weekday=0,
    ),
    # Return visits
    Default(
        "returnvisit.hotline",
        "RV-1",
        "热线处理回访（3 天内）",
        "Return visit after hotline handling within 3 days",
        "office",
        E,
        3,
        "days",
    ),
    Default(
        "returnvisit.onsite",
        "RV-2",
        "上门服务次日回访",
        "Return visit on the next (working) day after onsite service",
        "office",
        WD,
        1,
    ),
    Default(
        "returnvisit.project_final",
        "RV-3",
        "项目验收后最终回访（7 个工作日内）",
        "Final project return visit within 7 working days after acceptance",
        "office",
        WD,
        7,
    ),
    Default(
        "returnvisit.project",
        "RV-3",
        "项目实施中回访（3 个工作日内）",
        "Return visit during a project within 3 working days",
        "office",
        WD,
        3,
    ),
    # Implementation projects (seed 004 二; the seeds give no limits but RV-3: our choice, editable)
    Default(
        "project.log_confirm",
        "PRJ-4",
        "实施日志客户确认（3 个工作日内）",
        "Customer confirms a daily implementation log within 3 working days",
        "office",
        WD,
        3,
    ),
    Default(
        "project.issue",
        "PRJ-5",
        "项目问题解决（5 个工作日内）",
        "Project issue resolved within 5 working days",
        "office",
        WD,
        5,
    ),
    Default(
        "project.acceptance",
        "PRJ-7",
        "验收评估（提交后 5 个工作日内）",
        "Acceptance evaluation within 5 working days of submission",
        "office",
        WD,
        5,
    ),
    Default(
        "approval.project",
        "PRJ-1",
        "实施项目审批（任务书、暂停、终止；2 个工作日内）",
        "Project approvals (task book, pause, terminate) within 2 working days",
        "office",
        WD,
        2,
    ),
    Default(
        "returnvisit.network_followup",
        "RV-4",
        "维修网络服务后跟踪回访（48 小时内）",
        "Network follow-up within 48 hours after service",
        "hotline",
        E,
        48,
        "hours",
    ),
    Default(
        "returnvisit.periodic",
        "RV-5",
        "定期服务意见与关怀回访（每 2 个月）",
        "Periodic care call every 2 months (60 days)",
        "office",
        E,
        60,
        "days",
    ),
    Default(
        "returnvisit.key_inspection",
        "RV-6",
        "重点/VIP 客户上门巡检（每年至少 1 次）",
        "Onsite inspection of key/VIP customers at least once a year",
        "office",
        E,
        365,
        "days",
    ),
    Default(
        "returnvisit.vip_inspection",
        "RV-6",
        "VIP 客户上门巡检（每年 2 次，间隔不超过 182 天）",
        "Onsite inspection of VIP customers twice a year (within 182 days)",
        "office",
        E,
        182,
        "days",
    ),
    Default(
        "returnvisit.confirmation",
        "SR-5",
        "结单确认电话回访（关闭后 1 个工作日内）",
        "Confirmation call after a request is closed, within 1 working day",
        "office",
        WD,
        1,
    ),
    Default(
        "returnvisit.complaint",
        "CP-9",
        "客户危机归档后回访客户（1 个工作日内）",
        "Return visit to the customer within 1 working day after a crisis is archived",
        "office",
        WD,
        1,
    ),
    Default(
        "returnvisit.plan",
        "PLAN-2",
        "服务计划回访（计划日起 3 个工作日内）",
        "Service-plan return visit within 3 working days of its planned date",
        "office",
        WD,
        3,
    ),
    # Approval steps (the shared approval chains; the seeds give no limit: our choice, editable)
    Default(
        "approval.plan",
        "PLAN-2",
        "服务计划审批（提交后 2 个工作日内）",
        "Service-plan approval within 2 working days of submission",
        "office",
        WD,
        2,
    ),
    Default(
        "approval.withdrawal",
        "SR-7",
        "撤销申请审核（1 个工作日内）",
        "Withdrawal review within 1 working day",
        "hotline",
        WD,
        1,
    ),
    Default(
        "survey.rectification",
        "RV-7",
        "满意度不满意整改（3 个工作日内）",
        "Rectification of an unsatisfied survey answer within 3 working days",
        "office",
        WD,
        3,
    ),
    # Complaints
    Default(
        "complaint.contact",
        "CP-3",
        "投诉责任人联系客户（3 小时内）",
        "Responsible person contacts the complaining customer within 3 h",
        "office",
        WT,
        3,
        "hours",
        escalations=((-30, "owner"), (60, "department_head")),
    ),
    Default(
        "complaint.verify",
        "CP-5",
        "投诉结果回访验证（1 个工作日内）",
        "Supervisor verifies the complaint result within 1 working day",
        "office",
        WD,
        1,
    ),
    Default(
        "complaint.vendor_feedback",
        "CP-7",
        "厂商转来投诉结果反馈（1 个工作日内）",
        "Result fed back to the vendor within 1 working day",
        "office",
        WD,
        1,
    ),
    Default(
        "complaint.gm_contact",
        "CP-4",
        "重点/VIP 客户投诉总经理联系客户（1 个工作日内）",
        "General manager contacts a key or VIP complaining customer within 1 working day",
        "office",
        WD,
        1,
    ),
    Default(
        "complaint.capa",
        "CP-6",
        "纠正预防措施完成（10 个工作日内）",
        "Corrective or preventive action done within 10 working days",
        "office",
        WD,
        10,
        escalations=((-24 * 60, "owner"),),
    ),
    Default(
        "complaint.crisis_fix",
        "CP-9",
        "客户危机整改（3 个工作日内，超时升级为严重危机）",
        "Customer crisis fixed within 3 working days, else it rises to serious",
        "station",
        WD,
        3,
    ),
    Default(
        "approval.compensation",
        "CP-3",
        "投诉补偿审批（1 个工作日内）",
        "Complaint compensation approved within 1 working day",
        "office",
        WD,
        1,
    ),
    Default(
        "complaint.monthly_report",
        "CP-8",
        "月度投诉分析报告（下月 3 个工作日内）",
        "Monthly complaint analysis within 3 working days of the next month",
        "office",
        NTH,
        3,
    ),
    # Repair stations
    Default(
        "station.acknowledge",
        "RS-2",
        "维修站接单（2 小时内）",
        "Station acknowledges a dispatched order within 2 h",
        "station",
        WT,
        2,
        "hours",
        escalations=((-30, "owner"),),
    ),
    Default(
        "station.contact",
        "RS-3",
        "接单后联系客户（2 小时内）",
        "Station contacts the customer within 2 h of acknowledging",
        "station",
        WT,
        2,
        "hours",
    ),
    Default(
        "station.urban_visit",
        "RS-4",
        "城区客户上门（24 小时内）",
        "Onsite visit for urban customers within 24 h",
        "station",
        E,
        24,
        "hours",
    ),
    Default(
        "station.repair_escalate",
        "RS-7",
        "维修超 5 天上报总部",
        "Repair not finished within 5 days goes to headquarters",
        "station",
        E,
        5,
        "days",
    ),
    # Spare parts
    Default(
        "parts.ship",
        "PT-2",
        "备件发货（12:00 前当天，否则次日）",
        "Parts shipped the same day if received before 12:00, otherwise the next day",
        "office",
        WD,
        1,
        cutoff=time(12),
    ),
    Default(
        "parts.receipt_mismatch",
        "PT-3",
        "到货数量/品种不符当天报告",
        "Quantity or kind mismatch reported the same day",
        "station",
        WD,
        1,
        cutoff=time(23, 59),
    ),
    Default(
        "parts.damage_statement",
        "PT-3",
        "承运商书面说明送达维修站（3 个工作日内）",
        "Written statement with the carrier reaches the station within 3 working days",
        "office",
        WD,
        3,
    ),
    Default(
        "parts.refusal_notice",
        "PT-3",
        "承运商拒赔时书面通知维修站（1 个工作日内）",
        "Station told in writing of a refused delivery within 1 working day",
        "office",
        WD,
        1,
    ),
    Default(
        "parts.direct_purchase_ship",
        "PT-4",
        "直购备件发货（财务确认后 1 个工作日内）",
        "Direct purchase shipped within 1 working day after payment is confirmed",
        "office",
        WD,
        1,
    ),
    Default(
        "parts.loan_sale_report",
        "PT-5",
        "借用转销售上报（5 个工作日内）",
        "Loan converted to sale reported within 5 working days",
        "station",
        WD,
        5,
    ),
    Default(
        "parts.return_defective",
        "PT-6",
        "坏件返还（5 个工作日内）",
        "Defective parts returned within 5 working days",
        "station",
        WD,
        5,
    ),
    Default(
        "parts.return_loan",
        "PT-6",
        "未用借件返还（10 个工作日内）",
        "Unused loans returned within 10 working days",
        "station",
        WD,
        10,
    ),
    Default(
        "parts.loan_auto_sale",
        "PT-6",
        "借件超 20 个工作日未还自动转销售",
        "Loans not back after 20 working days become a sale",
        "station",
        WD,
        20,
    ),
    Default(
        "parts.return_notice",
        "PT-6",
        "返件发运后邮件通知（1 天内）",
        "Shipping notice e-mailed within 1 day of sending a return",
        "station",
        E,
        1,
        "days",
    ),
    Default(
        "parts.return_query",
        "PT-6",
        "返件查询答复（2 个工作日内）",
        "Parts group answers a query about a return within 2 working days",
        "office",
        WD,
        2,
    ),
    Default(
        "parts.reconcile_stocktake",
        "PT-8",
        "每月 25 日盘点",
        "Monthly stock-take on the 25th",
        "station",
        DOM,
        at=time(17, 30),
        day=25,
    ),
    Default(
        "parts.reconcile_statement",
        "PT-8",
        "每月 28 日发送对账单",
        "Statement sent to each station on the 28th",
        "office",
        DOM,
        at=time(18),
        day=28,
    ),
    Default(
        "parts.reconcile_confirm",
        "PT-8",
        "每月 1 日维修站确认对账单",
        "Each station confirms its statement on the 1st",
        "station",
        DOM,
        at=time(17, 30),
        day=1,
    ),
    Default(
        "parts.reconcile_close",
        "PT-8",
        "每月 3 日对账关闭",
        "Reconciliation closed on the 3rd",
        "office",
        DOM,
        at=time(18),
        day=3,
    ),
    Default(
        "parts.weekly_stock_report",
        "PT-9",
        "库存周报（每周三 12:00 前）",
        "Weekly stock report due Wednesday 12:00",
        "station",
        WK,
        weekday=2,
        at=time(12),
    ),
    Default(
        "parts.batch_return",
        "PT-10",
        "批量质量问题件返还（15 天内）",
        "Batch quality problem parts returned within 15 days",
        "station",
        E,
        15,
        "days",
    ),
    Default(
        "parts.ledger_stocktake",
        "PT-12",
        "维修站盘点（每月至少两次，间隔不超过 15 天）",
        "Station stock-take at least twice a month (within 15 days)",
        "station",
        E,
        15,
        "days",
    ),
)
BY_KEY = {d.key: d for d in DEFAULTS}


def sync(*, now) -> dict[str, int]:
    """Write the defaults table into the database; idempotent; never overwrites admin edits.

    Returns counts: created, updated (untouched by an administrator and changed in code).
    """
    counts = {"created": 0, "updated": 0}
    with transaction.atomic():
        calendars = ensure_standard_calendars(now=now)
        existing = {r.key: r for r in DeadlineRule.objects.all()}
        for default in DEFAULTS:
            params = default.params()
            rule = existing.get(default.key)
            if rule is None:
                rule = DeadlineRule.objects.create(
                    key=default.key, calendar=calendars[default.calendar], updated_at=now, **params
                )
                EscalationLevel.objects.bulk_create(
                    EscalationLevel(rule=rule, offset_minutes=offset, notify=notify)
                    for offset, notify in default.escalations
                )
                counts["created"] += 1
                continue
            if rule.customized:
                continue
            changed = {k: v for k, v in params.items() if getattr(rule, k) != v}
            if changed:
                for k, v in changed.items():
                    setattr(rule, k, v)
                rule.updated_at = now
                rule.save()
                counts["updated"] += 1
    return counts
