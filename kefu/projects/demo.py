"""Demo: implementation projects of the demo company in several states, made through the
workflow as its users would (issue 17): one running for the portal customer (a log to confirm,
a phase result to sign, an open issue, a risk), one in planning (start blocked), a task book
waiting for the director, a paused project and one in final acceptance (final visit open)."""

from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kefu.customers.models import Contract
from kefu.documents.attachments import sample_png
from kefu.documents.images import sample_signature
from kefu.org.models import User
from kefu.projects import workflow
from kefu.projects.models import Project, TaskBook

CONTRACTS = ("HT-2025-0101", "HT-2025-0102", "HT-2025-0103", "HT-2025-0104", "HT-2025-0105")
ROLES = ("sales", "impl_director", "project_manager", "consultant", "customer")


def _book(contract, who, title, sites, now):
    book = workflow.create_task_book(
        contract,
        data={
            "title": title,
            "scope": "总账、报表、固定资产、供应链模块实施与上线",
            "modules": contract.modules or "总账、报表",
            "sites": sites,
            "milestones": "签约后 2 个月上线",
            "presales_promises": "上线后驻场支持两周",
            "customer_contacts": "财务总监、信息部经理",
        },
        by=who["sales"],
        now=now,
    )
    workflow.submit(book, by=who["sales"], now=now)
    return book


def _approved(contract, who, title, sites, now) -> Project:
    book = _book(contract, who, title, sites, now)
    workflow.approve(book, manager=who["project_manager"], by=who["impl_director"], now=now)
    project = Project.objects.get(task_book=book)
    workflow.add_member(project, who["consultant"], role="实施顾问", by=who["project_manager"], now=now)
    return project


def _running(project, who, customer_user, now, *, signer: str) -> Project:
    pm, start = who["project_manager"], timezone.localdate(now)
    rows = [("调研", 0, 9), ("方案", 10, 24), ("上线准备", 25, 39), ("上线", 40, 49), ("验收", 50, 59)]
    version = workflow.write_plan(
        project,
        scope="总账、报表、固定资产、供应链",
        approach="分阶段实施，先财务后供应链",
        phases=[
            {
                "name": n,
                "start": start + timedelta(days=a),
                "end": start + timedelta(days=b),
                "deliverables": f"{n}报告",
            }
            for n, a, b in rows
        ],
        milestones=[{"name": "系统上线", "due": start + timedelta(days=45), "phase": 4}],
        by=pm,
        now=now,
    )
    workflow.send_plan(version, by=pm, now=now)
    if customer_user is not None:
        workflow.sign_plan(version, signer_name=signer, signature=sample_signature(), by=customer_user, now=now)
    else:
        workflow.sign_plan(version, signer_name=signer, scan=_scan(), by=pm, now=now)
    workflow.record_kickoff(
        project, on=start, attendees=f"{signer}、褚项目、卫顾问", minutes="确认范围、计划与双方分工", by=pm, now=now
    )
    workflow.start(project, by=pm, now=now)
    project.refresh_from_db()
    return project


def _scan():
    return SimpleUploadedFile("签字扫描件.png", sample_png(), content_type="image/png")


def load(now: datetime | None = None) -> int:
    users = {u.username: u for u in User.objects.filter(username__in=ROLES)}
    contracts = {c.number: c for c in Contract.objects.filter(number__in=CONTRACTS).select_related("customer")}
    if len(users) < len(ROLES) or len(contracts) < len(CONTRACTS):
        return 0
    if TaskBook.objects.filter(contract__number__in=CONTRACTS).exists():
        return 0
    now = now or timezone.now()
    who, customer_user = users, users["customer"]
    pm, consultant, director = who["project_manager"], who["consultant"], who["impl_director"]
    started = now - timedelta(days=12)

    # 1. Running, for the portal customer: logs (one confirmed, one waiting), a phase result to sign.
    p1 = _approved(contracts["HT-2025-0101"], who, "明达机械 ERP 实施", "上海总部、苏州工厂", started)
    p1 = _running(p1, who, customer_user, started, signer="王立军")
    for days, site, work in ((10, "上海总部", "总账科目与期初数据导入"), (3, "苏州工厂", "库存模块调研")):
        at = now - timedelta(days=days)
        log = workflow.write_log(
            p1, site=site, day=timezone.localdate(at), work_done=work, hours="7", by=consultant, now=at
        )
        if days == 10:
            workflow.confirm_log(log, by=customer_user, now=at + timedelta(hours=6))
    first = p1.phase_set.get(order=1)
    workflow.submit_phase(
        first, result="调研报告已完成，业务流程梳理 23 项", by=consultant, now=now - timedelta(days=2)
    )
    workflow.review_phase(first, by=pm, now=now - timedelta(days=1))
    workflow.raise_issue(
        p1,
        title="银行接口对账失败",
        description="工行回单格式不符",
        owner=consultant,
        product_fault=True,
        by=pm,
        now=now,
    )
    workflow.add_risk(
        p1,
        description="期初数据质量差",
        probability="high",
        impact="medium",
        owner=consultant,
        mitigation="导入前由客户财务复核",
        by=pm,
        now=now,
    )

    # 2. In planning: the kickoff and the signed plan are missing, so the start is blocked.
    _approved(contracts["HT-2025-0102"], who, "云帆电商 财务共享实施", "杭州总部", now - timedelta(days=2))

    # 3. A task book waiting for the director's approval.
    _book(contracts["HT-2025-0103"], who, "第三份合同 报表平台实施", "", now - timedelta(days=1))

    # 4. Paused: the customer's servers are not ready (approved by the PM and the director).
    p4 = _approved(contracts["HT-2025-0104"], who, "报表平台实施（暂停）", "总部", started)
    p4 = _running(p4, who, None, started, signer="客户代表")
    change = workflow.request_pause(p4, reason="客户服务器未到位，无法部署", by=consultant, now=now - timedelta(days=3))
    workflow.decide(change, verdict="approve", by=pm, now=now - timedelta(days=3))
    workflow.decide(change, verdict="approve", by=director, now=now - timedelta(days=2))

    # 5. Accepted: in final acceptance, its final return visit open (RV-3).
    p5 = _approved(contracts["HT-2025-0105"], who, "固定资产模块实施（终验）", "总部", now - timedelta(days=70))
    p5 = _running(p5, who, None, now - timedelta(days=70), signer="客户代表")
    for phase in p5.phase_set.order_by("order"):
        at = now - timedelta(days=60 - 10 * phase.order)
        workflow.submit_phase(phase, result=f"{phase.name}完成", by=consultant, now=at)
        workflow.review_phase(phase, by=pm, now=at)
        workflow.sign_phase(phase, signer_name="客户代表", scan=_scan(), by=pm, now=at)
    acceptance = workflow.submit_acceptance(
        p5, items="总账、固定资产、报表", by=consultant, now=now - timedelta(days=4)
    )
    workflow.evaluate_pm(acceptance, passed=True, opinion="交付完整", by=pm, now=now - timedelta(days=3))
    workflow.evaluate_customer(
        acceptance, passed=True, signer_name="客户代表", scan=_scan(), by=pm, now=now - timedelta(days=3)
    )
    return 5
