"""Nobody on duty, promises on a night shift, and a handover that hands over (SR-3, HL-1,
HL-2, HL-5, CAL-2, CAL-5)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kefu.audit.models import Event
from kefu.customers.tests.factories import new_customer, portal_user_of
from kefu.deadlines import clocks, scan
from kefu.notify.models import Outbox
from kefu.org.models import Company
from kefu.org.tests.factories import UserFactory
from kefu.servicedesk import workflow
from kefu.servicedesk.tests.factories import hotline_engineer

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def manager(db):
    return UserFactory(roles=["service_manager"], name="吴经理")


def portal_request(make_user, now):
    customer = new_customer(now=now)
    portal = portal_user_of(customer, make_user)
    return workflow.create_request(customer, channel="portal", phenomenon="无法登录", by=portal, now=now)


def test_sr3_nobody_on_duty_the_next_shift_takes_it_and_a_breach_still_tells_the_manager(manager, make_user):
    """Default (next shift): unowned until the handover; its breach goes to the service managers
    (the rule's manager role), not to nobody; the handover makes the taker its owner."""
    night = datetime(2025, 11, 24, 22, tzinfo=SH)
    req = portal_request(make_user, night)
    assert req.owner is None
    clock = clocks.open_clock(req, workflow.first_response_rule("medium"))
    scan.run(now=clock.due_at + timedelta(minutes=1))
    told = set(Outbox.objects.filter(event="clock.breached").values_list("recipient", flat=True))
    assert told == {manager.pk}
    engineer = hotline_engineer(manager=manager)
    morning = datetime(2025, 11, 25, 8, tzinfo=SH)
    shift = workflow.plan_shift(
        engineer, starts_at=morning, ends_at=morning + timedelta(hours=12), by=manager, now=night
    )
    workflow.take_over(shift, by=engineer, now=morning + timedelta(minutes=5))
    req.refresh_from_db()
    assert req.owner == engineer
    assert clocks.open_clock(req, workflow.first_response_rule("medium")).owner == engineer


def test_sr3_nobody_on_duty_goes_to_the_service_manager_when_the_company_says_so(manager, make_user):
    Company.objects.create(name="演示公司", off_duty_intake=Company.OffDutyIntake.SERVICE_MANAGER)
    req = portal_request(make_user, datetime(2025, 11, 24, 22, tzinfo=SH))
    assert req.owner == manager
    assert Outbox.objects.filter(event="request.assigned", recipient=manager).exists()


def test_hl2_taking_over_transfers_the_open_items_with_their_clocks_audited_as_handover(manager, now):
    night = hotline_engineer(manager=manager, name="夜班")
    day = hotline_engineer(manager=manager, name="白班")
    workflow.plan_shift(night, starts_at=now - timedelta(hours=12), ends_at=now, by=manager, now=now)
    shift = workflow.plan_shift(day, starts_at=now, ends_at=now + timedelta(hours=12), by=manager, now=now)
    rec = workflow.record_call(
        new_customer(now=now), phenomenon="夜间来电：无法打印", by=night, now=now - timedelta(hours=1)
    )
    workflow.shelve(rec, note="请教", by=night, now=now - timedelta(hours=1))
    req = rec.request
    workflow.take_over(shift, by=day, now=now + timedelta(minutes=10))
    req.refresh_from_db()
    assert req.owner == day
    assert clocks.open_clock(req, "hotline.shelved_reply").owner == day
    transfer = Event.objects.get(verb="transfer", object_id=str(req.pk))
    assert transfer.before == "夜班" and transfer.after == "白班" and transfer.data["reason"] == "交接班"


def test_hl5_a_promise_made_on_a_night_shift_runs_on_the_shift_not_on_hotline_hours(manager):
    night_engineer = hotline_engineer(manager=manager)
    evening = datetime(2025, 11, 24, 20, tzinfo=SH)
    workflow.plan_shift(
        night_engineer, starts_at=evening, ends_at=evening + timedelta(hours=12), by=manager, now=evening
    )
    at = datetime(2025, 11, 24, 23, tzinfo=SH)
    rec = workflow.record_call(new_customer(now=at), phenomenon="夜间服务器宕机", by=night_engineer, now=at)
    workflow.shelve(rec, note="联系厂商", by=night_engineer, now=at)
    assert clocks.open_clock(rec.request, "hotline.callback").due_at == at + timedelta(hours=1)
    assert clocks.open_clock(rec.request, "hotline.shelved_reply").due_at == at + timedelta(hours=3)


def test_hl5_within_hotline_hours_the_promise_counts_on_them(manager):
    engineer = hotline_engineer(manager=manager)
    at = datetime(2025, 11, 24, 19, 30, tzinfo=SH)
    workflow.plan_shift(
        engineer, starts_at=at - timedelta(hours=11), ends_at=at + timedelta(hours=1), by=manager, now=at
    )
    rec = workflow.record_call(new_customer(now=at), phenomenon="报表取数为零", by=engineer, now=at)
    workflow.shelve(rec, note="请教", by=engineer, now=at)
    # 30 minutes until 20:00, the other 30 from 08:00 (the hotline calendar).
    assert clocks.open_clock(rec.request, "hotline.callback").due_at == datetime(2025, 11, 25, 8, 30, tzinfo=SH)
