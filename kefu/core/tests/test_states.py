"""One state machine (issue 14 §1): every status has its labels and colour, every machine can
finish, no business status is moved outside it, and `move` keeps its promises."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import get_resolver
from django.utils import translation

from kefu.audit.models import Event
from kefu.core import states
from kefu.core.errors import Conflict, Invalid
from kefu.core.tests.pending_en import english

KEFU = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def machines():
    assert get_resolver().url_patterns  # every domain's workflow module (and its machines) is loaded
    return list(states.MACHINES.values())


def test_the_domains_declare_their_machines(machines):
    names = {f"{m.model.__name__}.{m.field}" for m in machines}
    assert names >= {
        "ServiceRequest.status",
        "ServiceRequest.withdrawal",
        "HotlineRecord.outcome",
        "WorkOrder.status",
        "ServicePlan.status",
        "ReturnVisit.status",
        "FirstVisit.status",
        "Article.status",
        "Customer.status",
        "Survey.status",
        "Rectification.status",
        "ImportJob.status",
        "Approval.status",
        "ApprovalStep.status",
    }


def test_every_status_has_a_label_in_both_languages_and_a_colour(machines):
    for m in machines:
        for status in m.statuses:
            assert m.colour(status) in states.COLOURS and status in m.colours, (m.model, status)
            with translation.override("zh-hans"):
                assert CJK.search(m.label(status)), (m.model, status)
            with english():  # the catalogue, and the entries still pending for it
                assert m.label(status) and not CJK.search(m.label(status)), (m.model, status, m.label(status))


def test_every_move_names_real_statuses_and_every_status_is_reachable_from_the_start(machines):
    """A status nothing leads to is dead code; a non-terminal status always has a way out (by
    the table's definition) and the terminal ones are the machine's ends."""
    for m in machines:
        known = set(m.statuses)
        assert set(m.moves) <= known and all(t <= known for t in m.moves.values()), m.model
        start = m.model._meta.get_field(m.field).default
        seen, todo = set(), [start]
        while todo:
            s = todo.pop()
            if s not in seen:
                seen.add(s)
                todo.extend(m.moves.get(s, ()))
        assert seen == known, (m.model.__name__, m.field, known - seen)


def test_no_business_status_is_moved_outside_the_machine():
    """A bare `.update(status=…)` (or outcome/withdrawal) bypasses the table and the audit."""
    pattern = re.compile(r"\.update\((?:[^()]|\([^()]*\))*\b(status|outcome|withdrawal)\s*=", re.S)
    allowed = {
        KEFU / "core" / "states.py",  # the machine itself
        KEFU / "notify" / "outbox.py",  # a delivery claim, not a business status
        KEFU / "core" / "health.py",  # a dict of the health report
        KEFU / "fieldservice" / "views.py",  # a dict of the sheet form's fields
    }
    offenders = [
        str(p.relative_to(KEFU))
        for p in KEFU.rglob("*.py")
        if "tests" not in p.parts and "migrations" not in p.parts and p not in allowed and pattern.search(p.read_text())
    ]
    assert offenders == []


def test_registering_a_second_machine_for_a_field_raises(machines):
    m = machines[0]
    with pytest.raises(ValueError):
        states.Machine(m.model, moves={}, colours={}, field=m.field)


@pytest.mark.django_db
def test_move_checks_the_table_stamps_audits_from_the_row_and_a_lost_race_is_409(make_user, now):
    from kefu.customers.models import Customer
    from kefu.customers.tests.factories import new_customer

    rep = make_user("customer_rep")
    customer = new_customer(rep, now=now)
    stale = Customer.objects.get(pk=customer.pk)
    later = now + timedelta(hours=1)
    before = states.move(customer, Customer.Status.CLOSED, by=rep, now=later, verb="close", data={"reason": "到期"})
    assert before == Customer.Status.ACTIVE and customer.status == Customer.Status.CLOSED
    assert customer.updated_at == later
    event = Event.objects.get(verb="close", object_id=str(customer.pk))
    assert (event.before, event.after, event.data) == ("正常", "已停止合作", {"reason": "到期"})
    with pytest.raises(Conflict):  # the row is already there: someone else was first
        states.move(stale, Customer.Status.CLOSED, by=rep, now=later)
    with pytest.raises(Conflict):  # the status the caller saw is gone
        states.move(stale, Customer.Status.CLOSED, by=rep, now=later, expected=Customer.Status.ACTIVE)
    from kefu.plans.models import ServicePlan
    from kefu.plans.tests.factories import customer_relations, written_plan

    _dept, _head, plan_rep = customer_relations()
    plan = written_plan(plan_rep, now)
    with pytest.raises(Invalid) as err:  # off the table: a clear message with both labels
        states.move(plan, ServicePlan.Status.SIGNED, by=plan_rep, now=now)
    assert "草稿" in str(err.value.message) and "已签字" in str(err.value.message)


@pytest.mark.django_db
def test_status_badge_shows_label_and_colour_from_the_machine(make_user, now):
    from kefu.customers.tests.factories import new_customer

    customer = new_customer(make_user("customer_rep"), now=now)
    html = Template("{% load kefu_tags %}{% status_badge c %}").render(Context({"c": customer}))
    assert html == '<span class="badge bg-green-lt" data-status="active">正常</span>'
