"""Personas and a project world for the tests, built through the workflow (what users would do)."""

from dataclasses import dataclass
from datetime import date, timedelta

from kefu.customers.models import Contact
from kefu.customers.tests.factories import ContactFactory, ContractFactory, new_customer
from kefu.documents.images import sample_signature
from kefu.org.models import User
from kefu.org.tests.factories import DepartmentFactory, UserFactory
from kefu.projects import workflow
from kefu.projects.models import Project

SIGNATURE = sample_signature()


@dataclass
class World:
    director: User
    pm: User
    consultant: User
    outsider: User
    sales: User
    customer_user: User
    project: Project


def people():
    director = UserFactory(roles=["impl_director"], name="陈总监")
    DepartmentFactory(code="implementation", name="实施部", head=director)
    return {
        "director": director,
        "pm": UserFactory(roles=["project_manager"], name="褚项目"),
        "consultant": UserFactory(roles=["consultant"], name="卫顾问"),
        "outsider": UserFactory(roles=["consultant"], name="蒋顾问"),
        "sales": UserFactory(roles=["sales"], name="韩业务"),
    }


def portal_user(customer) -> User:
    user = UserFactory(roles=["customer"], name="客户王经理")
    contact = customer.contacts.filter(is_main=True).first() or ContactFactory(customer=customer)
    Contact.objects.filter(pk=contact.pk).update(portal_user=user)
    return User.objects.get(pk=user.pk)


def approved_project(now, who=None, *, sites="上海总部、苏州工厂") -> World:
    """A task book filled by the signer, approved by the director with a PM: a project in planning."""
    who = who or people()
    customer = new_customer(who["sales"], now=now)
    contract = ContractFactory(customer=customer, sales=who["sales"])
    book = workflow.create_task_book(
        contract, data={"title": "ERP 实施", "scope": "总账、报表、供应链", "sites": sites}, by=who["sales"], now=now
    )
    workflow.submit(book, by=who["sales"], now=now)
    workflow.approve(book, manager=who["pm"], by=who["director"], now=now)
    project = Project.objects.get(task_book=book)
    workflow.add_member(project, who["consultant"], role="财务顾问", by=who["pm"], now=now)
    return World(customer_user=portal_user(customer), project=project, **who)


def phases(start: date, names=("调研", "上线", "验收")) -> list[dict]:
    rows = []
    for i, name in enumerate(names):
        a = start + timedelta(days=14 * i)
        rows.append({"name": name, "start": a, "end": a + timedelta(days=13), "deliverables": f"{name}报告"})
    return rows


def running_project(now, who=None) -> World:
    """Kickoff held, plan signed by the customer, implementation started."""
    w = approved_project(now, who)
    version = workflow.write_plan(
        w.project,
        scope="总账、报表、供应链",
        approach="分阶段上线",
        phases=phases(now.date()),
        milestones=[{"name": "上线", "due": now.date() + timedelta(days=20), "phase": 2}],
        by=w.pm,
        now=now,
    )
    workflow.send_plan(version, by=w.pm, now=now)
    workflow.sign_plan(version, signer_name="王经理", signature=SIGNATURE, by=w.customer_user, now=now)
    workflow.record_kickoff(
        w.project, on=now.date(), attendees="王经理、褚项目", minutes="确定范围与计划", by=w.pm, now=now
    )
    workflow.start(w.project, by=w.pm, now=now)
    w.project.refresh_from_db()
    return w


def finish_phases(w: World, now) -> None:
    for phase in w.project.phase_set.order_by("order"):
        phase.refresh_from_db()
        if phase.status == "done":
            continue
        workflow.submit_phase(phase, result=f"{phase.name}完成", by=w.consultant, now=now)
        workflow.review_phase(phase, by=w.pm, now=now)
        workflow.sign_phase(phase, signer_name="王经理", signature=SIGNATURE, by=w.customer_user, now=now)
