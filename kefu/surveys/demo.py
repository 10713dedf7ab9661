"""Demo surveys on the demo contracts: one open (its link works), one satisfied, one unsatisfied with
its rectification for the field engineer. Idempotent (one survey per subject)."""

from datetime import datetime, timedelta

from django.utils import timezone

from kefu.customers.models import Contract
from kefu.org.models import User
from kefu.surveys import workflow
from kefu.surveys.models import Survey


def load(now: datetime | None = None) -> int:
    users = {u.username: u for u in User.objects.filter(username__in=["service_desk", "hotline", "field_engineer"])}
    contracts = list(Contract.objects.select_related("customer").order_by("pk")[:4])
    if len(users) < 3 or not contracts:
        return 0
    now = now or timezone.now()
    plan = [
        ("hotline", None),
        ("hotline", (5, "热线工程师很耐心，远程十分钟就解决了凭证打印问题。", False)),
        ("field_engineer", (2, "上门晚了两个小时，也没有提前电话说明。", True)),
        ("field_engineer", (4, "空调修好了，工程师讲解清楚。", False)),
    ]
    created = 0
    for contract, (served, answer) in zip(contracts, plan, strict=False):
        if Survey.objects.filter(customer=contract.customer, object_id=str(contract.pk)).exists():
            continue
        survey = workflow.open_survey(
            contract,
            customer=contract.customer,
            served_by=users[served],
            by=users["service_desk"],
            now=now - timedelta(days=2),
        )
        created += 1
        if answer:
            rating, comment, problem = answer
            workflow.answer_by_phone(
                survey,
                rating=rating,
                comment=comment,
                problem=problem,
                by=users["service_desk"],
                now=now - timedelta(days=1),
            )
    return created
