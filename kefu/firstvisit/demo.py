"""Demo first visits in several states, made through the workflow (idempotent)."""

from datetime import datetime, timedelta

from django.utils import timezone

from kefu.customers.models import Contract
from kefu.firstvisit import workflow
from kefu.firstvisit.models import FirstVisit
from kefu.org.models import Department, User


def load(now: datetime | None = None) -> int:
    users = {u.username: u for u in User.objects.filter(username__in=["sales", "first_visit"])}
    sales, specialist = users.get("sales"), users.get("first_visit")
    if not (sales and specialist):
        return 0
    contracts = list(Contract.objects.filter(number__startswith="HT-2025-01").order_by("number"))
    if len(contracts) < 4 or FirstVisit.objects.filter(contract__in=contracts).exists():
        return 0
    now = now or timezone.now()
    workflow.process_template()
    visits = [
        workflow.hand_over(c, by=sales, now=now - timedelta(days=d), specialist=specialist)
        for c, d in zip(contracts[:5], (8, 5, 3, 1, 0), strict=False)
    ]
    service = Department.objects.filter(code="service").first()
    implementation = Department.objects.filter(code="implementation").first()
    # Completed: verified, explained, needs submitted.
    done = visits[0]
    workflow.verify(done, verified=list(workflow.CHECKS), corrections={}, by=specialist, now=now - timedelta(days=7))
    workflow.explain_process(done, by=specialist, now=now - timedelta(days=7))
    if implementation:
        workflow.record_need(
            done,
            department=implementation,
            content="希望安排供应链模块上线辅导",
            by=specialist,
            now=now - timedelta(days=7),
        )
        workflow.submit_needs(done, by=specialist, now=now - timedelta(days=7))
    workflow.complete(done, summary="客户信息核实无误，已告知服务流程。", by=specialist, now=now - timedelta(days=7))
    # Not completed: the customer asked to be called back.
    workflow.not_completed(
        visits[1],
        reason="联系人出差，约定下周再联系",
        next_attempt_at=now + timedelta(days=2),
        by=specialist,
        now=now - timedelta(days=4),
    )
    # In progress: a need recorded, not yet submitted.
    if service:
        workflow.record_need(
            visits[2], department=service, content="需要上门安装打印驱动", by=specialist, now=now - timedelta(hours=2)
        )
    return len(visits)
