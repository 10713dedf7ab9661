"""The web shell: role navigation, health, language (issue 3, QS-6, QS-7). Login lockout and
throttling: test_login_security.py."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_by_default(client):
    html = client.get(reverse("login")).content.decode()
    assert "登录您的账户" in html
    assert 'lang="zh-hans"' in html


def test_qs7_language_switch_to_english(client, make_user):
    user = make_user("hotline")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("workbench")).content.decode()
    assert 'lang="en"' in html
    assert "Workbench" in html


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        ("hotline", {"workbench", "notifications", "stations", "api_docs"}, {"admin"}),
        ("admin", {"workbench", "stations", "users", "admin", "api_docs"}, set()),
        ("station_master", {"workbench", "stations", "users"}, {"admin", "api_docs"}),
        ("station_engineer", {"workbench", "stations"}, {"admin", "users", "api_docs"}),
        ("customer", {"workbench", "notifications"}, {"stations", "users", "admin", "api_docs"}),
    ],
)
def test_navigation_shows_each_role_what_it_may_use(client, make_user, role, visible, hidden):
    user = make_user(role, is_superuser=role == "admin", is_staff=role == "admin")
    client.force_login(user)
    html = client.get(reverse("workbench")).content.decode()
    for key in visible:
        assert f'data-nav="{key}"' in html, key
    for key in hidden:
        assert f'data-nav="{key}"' not in html, key


def test_pages_refuse_roles_that_may_not_use_them(client, make_user):
    client.force_login(make_user("customer"))
    assert client.get(reverse("org:station_list")).status_code == 403
    assert client.get(reverse("org:user_list")).status_code == 403


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("workbench"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_healthz_reports_database_and_jobs(client, now):
    from kefu.core.models import Heartbeat

    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["jobs"] == "degraded"  # no worker has beaten yet
    from django.utils import timezone

    Heartbeat.objects.create(name="worker", beat_at=timezone.now())
    assert client.get("/healthz").json()["jobs"] == "ok"


def test_profile_page_saves_name_and_rejects_bad_mobile(client, make_user):
    user = make_user("field_engineer")
    client.force_login(user)
    response = client.post(reverse("profile"), {"name": "冯工", "mobile": "12345", "email": ""})
    assert response.status_code == 200
    assert "输入" in response.content.decode()  # Chinese validation message
    user.refresh_from_db()
    assert user.name != "冯工"  # nothing half-saved
    response = client.post(reverse("profile"), {"name": "冯工", "mobile": "13800138000", "email": "f@example.com"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.name == "冯工"
    assert str(user.mobile) == "+8613800138000"


# Each domain's workbench panel costs one or two queries whatever the data: the bound grows with
# the number of domains, never with the number of rows.
WORKBENCH_MAX_QUERIES = 30


@pytest.mark.parametrize("role", ["service_manager", "hotline", "field_engineer", "customer"])
def test_rpt1_workbench_query_count_is_bounded(client, make_user, django_assert_max_num_queries, role):
    user = make_user(role)
    client.force_login(user)
    with django_assert_max_num_queries(WORKBENCH_MAX_QUERIES):
        assert client.get(reverse("workbench")).status_code == 200


def test_rpt1_workbench_lists_unread_notices_first_and_opening_one_marks_it_read(client, make_user, now):
    from datetime import timedelta

    from kefu.notify import outbox
    from kefu.notify.models import Notification

    user = make_user("hotline")
    for i in range(10):
        outbox.enqueue(f"demo.n{i}", None, to=[user], subject=f"通知{i}", link="/", now=now + timedelta(minutes=i))
    outbox.deliver_pending(now=now + timedelta(hours=1))
    old_unread = Notification.objects.get(title="通知0")
    Notification.objects.exclude(pk=old_unread.pk).update(read_at=now + timedelta(hours=1))
    client.force_login(user)
    html = client.get(reverse("workbench")).content.decode()
    panel = html[html.index('data-testid="workbench-notifications"') :]
    # The one unread notice comes first although it is the oldest; then the newest read ones.
    assert panel.index("通知0") < panel.index("通知9") < panel.index("通知8")
    assert client.post(reverse("notify:read", args=[old_unread.pk])).status_code == 302
    old_unread.refresh_from_db()
    assert old_unread.read_at is not None
