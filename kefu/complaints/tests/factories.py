"""Personas and complaints in each state, built through the workflow (what users would do)."""

from datetime import timedelta

from kefu.complaints import workflow
from kefu.complaints.models import Complaint
from kefu.customers.tests.factories import CustomerFactory
from kefu.org.models import Region
from kefu.org.tests.factories import DepartmentFactory, StationFactory, UserFactory


class World:
    """The people of a complaint: supervisor, department head, responsible person, GM, desk."""

    def __init__(self):
        self.quality = UserFactory(roles=["quality"], name="质量监督员")
        self.quality2 = UserFactory(roles=["quality"], name="质量监督员二")
        self.head = UserFactory(roles=["dept_head"], name="服务部负责人")
        self.department = DepartmentFactory(name="服务部", head=self.head)
        self.head.department = self.department
        self.head.save()
        self.responsible = UserFactory(roles=["field_engineer"], name="责任工程师", department=self.department)
        self.gm = UserFactory(roles=["general_manager"], name="总经理")
        self.desk = UserFactory(roles=["hotline"], name="热线工程师")
        self.service_manager = UserFactory(roles=["service_manager"], name="服务部经理")


def new_complaint(world: World, *, now, customer=None, **data) -> Complaint:
    fields = {"title": "工程师迟到两小时", "content": "约定 9 点上门，11 点才到，态度也不好。", "type": "attitude"}
    fields.update(data)
    return workflow.create_complaint(customer or CustomerFactory(), by=world.desk, now=now, **fields)


def accepted(world: World, *, now, **data) -> Complaint:
    complaint = new_complaint(world, now=now, **data)
    return workflow.accept(complaint, department=world.department, by=world.quality, now=now)


def handling(world: World, *, now, **data) -> Complaint:
    complaint = accepted(world, now=now, **data)
    return workflow.assign_responsible(
        complaint, cause="工程师路线安排不当", responsible=world.responsible, by=world.head, now=now
    )


def contacted(world: World, *, now, **data) -> Complaint:
    complaint = handling(world, now=now, **data)
    return workflow.record_contact(
        complaint,
        measures="调整派工路线，当面致歉",
        remedy="apology",
        contact_record="已电话致歉，客户接受",
        by=world.responsible,
        now=now + timedelta(hours=1),
    )


def result_back(world: World, *, now, **data) -> Complaint:
    complaint = contacted(world, now=now, **data)
    return workflow.record_result(
        complaint, result="已重新上门并致歉", by=world.responsible, now=now + timedelta(hours=2)
    )


def station_customer(station, code="310115"):
    """A customer in a district the station covers."""
    district = Region.objects.get_or_create(code=code, defaults={"name": "浦东新区", "level": Region.Level.DISTRICT})[0]
    station.regions.add(district)
    return CustomerFactory(district=district)


def station_master(station):
    return UserFactory(roles=["station_master"], station=station, name=f"{station.name}站长")


__all__ = ["StationFactory", "World", "accepted", "contacted", "handling", "new_complaint", "result_back"]


def station_world(station) -> list:
    """A crisis of `station` (CP-9) for the isolation guard (kefu/org/tests/test_org.py)."""
    from django.utils import timezone

    now = timezone.now()
    quality = UserFactory(roles=["quality"])
    desk = UserFactory(roles=["hotline"])
    customer = station_customer(station, code=f"39{station.pk:04d}")
    complaint = workflow.create_complaint(customer, title="站点危机", content="维修拖延", by=desk, now=now)
    complaint = workflow.accept(complaint, crisis_level="ordinary", by=quality, now=now)
    action = workflow.add_action(complaint, description="整改", owner=quality, by=quality, now=now)
    return [complaint, action]
