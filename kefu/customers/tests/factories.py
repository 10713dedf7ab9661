"""Factories and personas of the customer archive.

`new_customer()` goes through the workflow (what a user would do); the factory_boy classes
make many plain rows for list and query-count tests.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import factory

from kefu.customers import workflow
from kefu.customers.models import Contact, Contract, Customer, Device
from kefu.org.tests.factories import UserFactory

T0 = datetime(2025, 11, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"测试客户{n}号有限公司")
    short_name = factory.Sequence(lambda n: f"测试{n}")
    created_at = T0
    updated_at = T0


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    phone = "021-58880001"
    email = factory.Sequence(lambda n: f"c{n}@example.com")
    is_main = True


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"HT-T-{n:05d}")
    signed_on = date(2025, 11, 1)
    products = "财务管理软件 V8"
    software_version = "V8.2"
    modules = "总账、报表"
    dongle_no = factory.Sequence(lambda n: f"SD{n:07d}")
    service_start = date(2025, 11, 1)
    service_end = date(2026, 10, 31)
    service_terms = "每 2 个月回访一次"
    created_at = T0


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    customer = factory.SubFactory(CustomerFactory)
    model = "KF-200"
    serial_barcode = factory.Sequence(lambda n: f"SN{n:010d}")


def new_customer(by=None, *, now=T0, contact: dict | None = None, **data) -> Customer:
    """A customer created the way a user creates one (workflow, audit, timeline)."""
    by = by or UserFactory(roles=["customer_rep"])
    data.setdefault("name", f"上海测试{Customer.all_objects.count() + 1}号科技有限公司")
    contacts = [contact] if contact else [{"name": "王经理", "mobile": "13812345678", "email": "wang@example.com"}]
    return workflow.create_customer(data=data, contacts=contacts, by=by, now=now, confirm_duplicate=True)


def portal_user_of(customer: Customer, make_user):
    """A `customer` role login bound to the customer's main contact (a customer of organisation X)."""
    user = make_user("customer")
    contact = customer.contacts.filter(is_main=True).first() or ContactFactory(customer=customer)
    Contact.objects.filter(pk=contact.pk).update(portal_user=user)
    return user


def station_world(station) -> list:
    """CRM rows in a station's region (a customer whose requests would reach the station)."""
    customer = CustomerFactory(name=f"{station.name}辖区客户有限公司", district=station.region)
    return [
        customer,
        ContactFactory(customer=customer),
        ContractFactory(customer=customer),
        DeviceFactory(customer=customer),
    ]
