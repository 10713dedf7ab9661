"""Hand-made rows for the KPI tests: each row written as it is stored, so a test knows the
expected figure by counting them (no workflow in between to move a timestamp)."""

from datetime import timedelta
from itertools import count

from django.contrib.contenttypes.models import ContentType

from kefu.customers.tests.factories import CustomerFactory
from kefu.deadlines.models import Clock, DeadlineRule
from kefu.org.models import User
from kefu.servicedesk.models import CallLog, HotlineRecord, ServiceRequest

_ids = count(1)


def clock(rule_key: str, *, started, due, state="running", met_at=None, owner=None) -> Clock:
    rule = DeadlineRule.objects.get(key=rule_key)
    return Clock.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_id=f"kpi-{next(_ids)}",
        rule=rule,
        calendar=rule.calendar,
        owner=owner,
        kind=rule.kind,
        spec={},
        state=state,
        started_at=started,
        due_at=due,
        met_at=met_at,
        breached_at=due if state == "breached" or (met_at and met_at > due) else None,
    )


def request(*, by, at, owner=None, channel="phone", priority="medium", solved_after=None, customer=None):
    n = next(_ids)
    req = ServiceRequest.objects.create(
        number=f"SR-KPI-{n:05d}",
        customer=customer or CustomerFactory(),
        channel=channel,
        priority=priority,
        title=f"测试请求{n}",
        phenomenon="无法打印",
        owner=owner,
        created_at=at,
        created_by=by,
        updated_at=at,
        solved_at=at + solved_after if solved_after is not None else None,
        status="solved" if solved_after is not None else "in_progress",
    )
    return req


def hotline(req, *, engineer, outcome, at):
    return HotlineRecord.objects.create(
        request=req, customer=req.customer, engineer=engineer, phenomenon="无法打印", outcome=outcome, started_at=at
    )


def calls(*, at, engineer, answered: int, missed: int) -> None:
    for i in range(answered + missed):
        CallLog.objects.create(at=at + timedelta(minutes=i), engineer=engineer, answered=i < answered)
