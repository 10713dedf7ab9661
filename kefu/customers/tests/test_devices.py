"""Installed devices are corrected through the workflow, each change audited (CRM-4, QS-1)."""

from datetime import date

import pytest

from kefu.audit.models import Event
from kefu.core.errors import Conflict, Forbidden, Invalid
from kefu.customers import workflow
from kefu.customers.tests.factories import DeviceFactory, new_customer

pytestmark = pytest.mark.django_db


def test_crm4_device_corrected_with_old_and_new_value_audited(make_user, now):
    rep = make_user("customer_rep")
    customer = new_customer(rep, owner=rep)
    device = DeviceFactory(customer=customer, model="LQ-630K", serial_barcode="SN0001")
    changed = workflow.update_device(device, {"model": "LQ-635K", "factory_date": date(2024, 3, 1)}, by=rep, now=now)
    assert set(changed) == {"model", "factory_date"}
    device.refresh_from_db()
    assert device.model == "LQ-635K"
    event = Event.objects.get(verb="update", data__field="model")
    assert (event.before, event.after) == ("LQ-630K", "LQ-635K")


def test_crm4_device_barcode_stays_unique_and_nothing_half_saved(make_user, now):
    rep = make_user("customer_rep")
    customer = new_customer(rep, owner=rep)
    DeviceFactory(customer=customer, serial_barcode="SN0001")
    device = DeviceFactory(customer=customer, model="LQ-630K", serial_barcode="SN0002")
    with pytest.raises(Invalid) as err:
        workflow.update_device(device, {"model": "新型号", "serial_barcode": "SN0001"}, by=rep, now=now)
    assert "SN0001" in err.value.message
    device.refresh_from_db()
    assert (device.model, device.serial_barcode) == ("LQ-630K", "SN0002")
    assert not Event.objects.filter(verb="update").exists()


def test_crm4_device_edit_refuses_a_stale_form_and_strangers(make_user, now):
    rep = make_user("customer_rep")
    customer = new_customer(rep, owner=rep)
    device = DeviceFactory(customer=customer, model="LQ-630K")
    workflow.update_device(device, {"model": "LQ-635K"}, by=rep, now=now)
    with pytest.raises(Conflict):
        workflow.update_device(device, {"model": "X"}, expected={"model": "LQ-630K"}, by=rep, now=now)
    with pytest.raises(Forbidden):
        workflow.update_device(device, {"model": "X"}, by=make_user("station_engineer"), now=now)


def test_crm1_crm4_edit_pages_for_contact_contract_and_device(client, make_user, now):
    from django.urls import reverse

    from kefu.customers.tests.factories import ContractFactory

    rep = make_user("customer_rep")
    customer = new_customer(rep, owner=rep, contact={"name": "王会计", "mobile": "13812345678"})
    contact = customer.contacts.get()
    contract = ContractFactory(customer=customer)
    device = DeviceFactory(customer=customer, model="LQ-630K", serial_barcode="SN0009")
    client.force_login(rep)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    for name, obj in (("contact_edit", contact), ("contract_edit", contract), ("device_edit", device)):
        assert reverse(f"customers:{name}", args=[customer.pk, obj.pk]) in page
    url = reverse("customers:device_edit", args=[customer.pk, device.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"model": "LQ-635K", "serial_barcode": "SN0009"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.model == "LQ-635K"
    url = reverse("customers:contact_edit", args=[customer.pk, contact.pk])
    response = client.post(url, {"name": "王会计", "title": "财务经理", "mobile": "138 1234 5678", "is_main": "on"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.title, contact.mobile) == ("财务经理", "13812345678")
    # Another customer's device is not reachable through this customer's URL.
    other = DeviceFactory(customer=new_customer(rep, name="别的客户有限公司"), serial_barcode="SN0010")
    assert client.get(reverse("customers:device_edit", args=[customer.pk, other.pk])).status_code == 404
    # A station engineer may not edit the archive.
    client.force_login(make_user("station_engineer"))
    assert client.get(reverse("customers:device_edit", args=[customer.pk, device.pk])).status_code in (403, 404)
