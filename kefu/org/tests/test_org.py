"""Org domain: soft delete with reason and audit, role assignment, station isolation (QS-1, QS-6, RS)."""

import pytest
from django.urls import reverse

from kefu.audit.models import Event
from kefu.core.errors import REASON_REQUIRED, Forbidden, Invalid
from kefu.notify import outbox
from kefu.org import workflow
from kefu.org.models import Station
from tests.helpers.guards import assert_station_isolation

pytestmark = pytest.mark.django_db


def test_qs1_retiring_a_station_keeps_the_row_with_its_reason(station_a, make_user, now):
    manager = make_user("aftersales_manager")
    workflow.retire_station(station_a, by=manager, reason="合同到期，不再合作", now=now)

    assert not Station.objects.filter(pk=station_a.pk).exists()
    kept = Station.all_objects.get(pk=station_a.pk)
    assert kept.deleted_at == now
    assert kept.deleted_by == manager
    assert kept.delete_reason == "合同到期，不再合作"
    event = Event.objects.get(verb="soft_delete", object_id=str(station_a.pk))
    assert event.actor == manager
    assert event.data == {"reason": "合同到期，不再合作"}
    assert (event.before, event.after) == ("在用", "已删除")


def test_qs1_business_rows_cannot_be_hard_deleted(station_a):
    with pytest.raises(Invalid):
        station_a.delete()
    with pytest.raises(Invalid):
        Station.objects.all().delete()
    assert Station.all_objects.filter(pk=station_a.pk).exists()


def test_qs2_retire_needs_a_reason_and_saves_nothing_without_it(station_a, make_user, now):
    with pytest.raises(Invalid) as err:
        workflow.retire_station(station_a, by=make_user("admin"), reason="  ", now=now)
    assert err.value.message == REASON_REQUIRED
    station_a.refresh_from_db()
    assert station_a.deleted_at is None
    assert not Event.objects.exists()


def test_retire_is_refused_to_roles_without_the_permission(station_a, make_user, now):
    with pytest.raises(Forbidden):
        workflow.retire_station(station_a, by=make_user("hotline"), reason="x", now=now)


def test_qs1_audit_event_is_shown_in_the_history_panel(client, station_a, make_user, now):
    admin = make_user("admin", name="管理员")
    workflow.retire_station(station_a, by=admin, reason="站点撤并", now=now)
    viewer = make_user("aftersales_manager")
    client.force_login(viewer)
    # The retired station is gone from lists but its page (by all_objects in history) is not needed;
    # the history panel is shown on live objects: retire a second one through the page instead.
    other = Station.objects.create(company=station_a.company, code="s2", name="第二站")
    response = client.post(reverse("org:station_retire", args=[other.pk]), {"reason": "重复建档"})
    assert response.status_code == 302
    event = Event.objects.get(object_id=str(other.pk))
    assert event.actor == viewer
    # A live station page shows its history panel with events.
    third = Station.objects.create(company=station_a.company, code="s3", name="第三站")
    from kefu.audit.service import record

    record(third, "update", by=admin, at=now, before="旧电话", after="新电话")
    html = client.get(reverse("org:station_detail", args=[third.pk])).content.decode()
    assert 'id="history-panel"' in html
    assert 'data-audit-verb="update"' in html
    assert "旧电话 → 新电话" in html
    assert "管理员" in html


def test_set_roles_gives_several_roles_and_audits(make_user, now):
    admin = make_user("admin")
    user = make_user("hotline")
    workflow.set_roles(user, ["hotline", "field_engineer"], by=admin, now=now)
    assert user.role_keys == {"hotline", "field_engineer"}
    assert Event.objects.get(verb="assign_roles").after == "field_engineer,hotline"
    with pytest.raises(Invalid):
        workflow.set_roles(user, ["nonsense"], by=admin, now=now)


def build_station_world(station, make_user, now) -> list:
    """Everything that belongs to `station`: staff and what reaches them. Domains extend this."""
    master = make_user("station_master", station=station)
    engineer = make_user("station_engineer", station=station)
    outbox.enqueue("test.hello", station, to=[master, engineer], subject="你好", now=now)
    outbox.deliver_pending(now=now)
    from kefu.complaints.tests.factories import station_world as complaints_world
    from kefu.customers.tests.factories import station_world as customer_world
    from kefu.deadlines import clocks
    from kefu.fieldservice.tests.factories import station_world as fieldservice_world
    from kefu.notify.models import Notification
    from kefu.servicedesk.tests.factories import station_world as servicedesk_world

    clock = clocks.start(station, "station.acknowledge", owner=master, now=now)
    crm = customer_world(station)
    from django.utils import timezone

    from kefu.org import workflow

    token, _secret = workflow.issue_token(master, now=timezone.now(), client="station app")
    return [
        station,
        master,
        engineer,
        clock,
        token,
        *Notification.objects.filter(recipient__station=station),
        *crm,
        *servicedesk_world(crm[0]),
        *fieldservice_world(),
        *complaints_world(station),
    ]


@pytest.mark.parametrize("role", ["station_master", "station_engineer"])
def test_rs_station_a_sees_zero_rows_of_station_b_anywhere(client, api_as, station_a, station_b, make_user, now, role):
    build_station_world(station_a, make_user, now)
    foreign = build_station_world(station_b, make_user, now)
    user = make_user(role, station=station_a)
    client.force_login(user)
    checked = assert_station_isolation(client, api_as(user), foreign)
    assert "api:station-list" in checked
    assert "html:org:station_list" in checked
    # And the user does see its own station.
    assert [s["code"] for s in api_as(user).get("/api/stations/").json()["results"]] == ["station-a"]


def test_station_user_cannot_open_another_stations_page(client, station_a, station_b, make_user):
    client.force_login(make_user("station_master", station=station_a))
    assert client.get(reverse("org:station_detail", args=[station_b.pk])).status_code == 404
    assert client.get(reverse("org:station_detail", args=[station_a.pk])).status_code == 200


def test_station_list_query_count_is_bounded(client, make_user, django_assert_max_num_queries):
    from kefu.org.tests.factories import StationFactory

    for _ in range(30):
        StationFactory()
    client.force_login(make_user("call_center"))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("org:station_list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("org:user_list")).status_code == 200


def test_demo_data_is_idempotent(db):
    from kefu.org.demo_data import load
    from kefu.org.models import User

    assert load() > 0
    users = User.objects.count()
    assert load() == 0
    assert User.objects.count() == users
    hotline = User.objects.get(username="hotline")
    assert hotline.check_password("kefu2026")
    assert hotline.role_keys == {"hotline"}
