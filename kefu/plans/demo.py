"""Demo: an approved service plan (which scheduled its visits), written and approved through the workflow."""

from datetime import datetime, timedelta

from django.utils import timezone

from kefu.customers.models import Contract
from kefu.org.models import User
from kefu.plans import workflow
from kefu.plans.models import ServicePlan


def load(now: datetime | None = None) -> int:
    users = {u.username: u for u in User.objects.filter(username__in=["customer_rep", "dept_head"])}
    rep, head = users.get("customer_rep"), users.get("dept_head")
    contract = Contract.objects.filter(number="HT-2025-0101").select_related("customer").first()
    if not (rep and head and contract) or ServicePlan.objects.filter(contract=contract).exists():
        return 0
    now = now or timezone.now()
    # A plan that started a few months ago, so some of its visits are already open.
    data = workflow.draft_from_contract(contract)
    data.update(
        period_start=contract.service_start - timedelta(days=75),
        visit_frequency=1,
        requirements="每月电话回访一次；重大版本升级前上门沟通。",
    )
    plan = workflow.create_plan(contract.customer, contract=contract, data=data, by=rep, now=now - timedelta(days=2))
    workflow.submit(plan, by=rep, now=now - timedelta(days=2))
    workflow.approve(plan, by=head, now=now - timedelta(days=1))
    return 1
