"""The demo company has customers, first visits in several states, an approved plan and visits."""

import pytest

pytestmark = pytest.mark.django_db


def test_demo_data_of_the_archive_is_complete_and_idempotent(client):
    from kefu.customers.models import Contact, Customer
    from kefu.firstvisit.models import FirstVisit
    from kefu.org.demo_data import load
    from kefu.plans.models import ServicePlan
    from kefu.visits.models import ReturnVisit

    load()
    counts = (Customer.objects.count(), FirstVisit.objects.count(), ReturnVisit.objects.count())
    assert counts[0] >= 6
    assert set(FirstVisit.objects.values_list("status", flat=True)) == {"pending", "retry", "completed"}
    plan = ServicePlan.objects.get(status="approved")
    assert plan.visits.filter(status="open").exists()
    assert ReturnVisit.objects.filter(kind="care").exists()
    assert ReturnVisit.objects.filter(kind="inspection").exists()
    portal = Contact.objects.get(portal_user__username="customer")
    load()
    assert (Customer.objects.count(), FirstVisit.objects.count(), ReturnVisit.objects.count()) == counts
    # The portal customer sees its own organisation only.
    client.force_login(portal.portal_user)
    html = client.get("/customers/").content.decode()
    assert html.count('data-object="customers.customer:') == 1
