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
