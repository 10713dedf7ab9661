"""Login lockout and throttling, web and API (issue 13 §5, QS-6).

Lockout is keyed on username *and* address: an attacker cannot keep `admin` out from elsewhere,
and one address that tries many usernames is locked as a whole.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from kefu.core.views import ADDRESS_LOCKED, LOCKED_OUT

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.7"
TOKEN_URL = "/api/auth/token/"


def locked_text(message) -> str:
    return str(message) % {"minutes": 15}


def web_login(client, username, password, address):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def api_login(username, password, address, **headers):
    return APIClient().post(
        TOKEN_URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=address, **headers
    )


def test_qs6_five_failures_lock_the_username_from_that_address_even_with_the_right_password(client, admin_user):
    for _ in range(4):
        response = web_login(client, "admin", "wrong", ATTACKER)
        assert response.status_code == 200
        assert "请输入一个正确的" in response.content.decode()
    response = web_login(client, "admin", "wrong", ATTACKER)
    assert response.status_code == 429
    assert locked_text(LOCKED_OUT) in response.content.decode()
    assert web_login(client, "admin", "kefu2026", ATTACKER).status_code == 429


def test_issue13_the_real_admin_still_logs_in_on_the_web_from_another_address(client, admin_user):
    for _ in range(5):
        web_login(client, "admin", "wrong", ATTACKER)
    assert web_login(client, "admin", "kefu2026", ATTACKER).status_code == 429
    response = web_login(client, "admin", "kefu2026", OFFICE)
    assert response.status_code == 302 and response["Location"] == reverse("workbench")


def test_issue13_the_real_admin_still_gets_an_api_token_from_another_address(admin_user):
    for _ in range(5):
        api_login("admin", "wrong", ATTACKER)
    locked = api_login("admin", "kefu2026", ATTACKER)
    assert locked.status_code == 429
    assert locked.json() == {"detail": locked_text(LOCKED_OUT), "code": "locked"}
    response = api_login("admin", "kefu2026", OFFICE)
    assert response.status_code == 200 and response.json()["token"]


def test_issue13_25_usernames_from_one_address_lock_that_address_on_the_web(client, make_user):
    real = make_user("hotline", username="real")
    answers = [web_login(client, f"user{i}", "kefu2026", ATTACKER).status_code for i in range(25)]
    # 20 failures from one address within 15 minutes: the 20th answer is already the lockout.
    assert answers[:19] == [200] * 19
    assert answers[19:] == [429] * 6
    response = web_login(client, real.username, "kefu2026", ATTACKER)
    assert response.status_code == 429
    assert locked_text(ADDRESS_LOCKED) in response.content.decode()
    # The rest of the world is not locked out.
    assert web_login(client, real.username, "kefu2026", OFFICE).status_code == 302


def test_issue13_25_usernames_from_one_address_lock_that_address_in_the_api(make_user):
    real = make_user("hotline", username="real")
    answers = [api_login(f"user{i}", "kefu2026", ATTACKER) for i in range(25)]
    assert [a.status_code for a in answers[:19]] == [400] * 19
    assert {a.status_code for a in answers[19:]} == {429}
    assert answers[-1].json() == {"detail": locked_text(ADDRESS_LOCKED), "code": "address_locked"}
    assert api_login(real.username, "kefu2026", ATTACKER).status_code == 429
    assert api_login(real.username, "kefu2026", OFFICE).status_code == 200


def test_issue13_web_and_api_failures_count_together(client, make_user):
    make_user("hotline", username="zhao")
    for _ in range(3):
        web_login(client, "zhao", "wrong", ATTACKER)
    api_login("zhao", "wrong", ATTACKER)
    assert api_login("zhao", "wrong", ATTACKER).status_code == 429
    assert web_login(client, "zhao", "kefu2026", ATTACKER).status_code == 429


def test_issue13_a_lock_ends_after_15_minutes(client, make_user):
    from axes.models import AccessAttempt

    make_user("hotline", username="qian")
    for _ in range(5):
        web_login(client, "qian", "wrong", ATTACKER)
    assert web_login(client, "qian", "kefu2026", ATTACKER).status_code == 429
    # The failures were 16 minutes ago (axes stamps them with the real clock).
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - timedelta(minutes=16))
    assert web_login(client, "qian", "kefu2026", ATTACKER).status_code == 302


def test_issue13_the_token_endpoint_is_rate_limited_per_address_with_a_chinese_429(make_user):
    make_user("hotline", username="sun")
    for _ in range(30):  # KEFU_LOGIN_RATE: 30 an hour, right or wrong
        assert api_login("sun", "kefu2026", ATTACKER).status_code == 200
    response = api_login("sun", "kefu2026", ATTACKER)
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert body["detail"].startswith("获取令牌的请求过于频繁，请 ") and body["detail"].endswith(" 秒后再试。")
    assert int(response["Retry-After"]) > 0
    # Another address is not limited.
    assert api_login("sun", "kefu2026", OFFICE).status_code == 200


def test_issue13_a_forwarded_address_counts_only_behind_a_trusted_proxy(client, make_user, settings):
    from kefu.core.lockout import client_ip

    class Request:
        META = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.9.9.9, " + ATTACKER}

    settings.KEFU_PROXY_COUNT = 0  # no proxy: a client-sent header is never believed
    assert client_ip(Request) == "127.0.0.1"
    settings.KEFU_PROXY_COUNT = 1  # one proxy: the address it saw, whatever the client prepended
    assert client_ip(Request) == ATTACKER

    # Behind the proxy, the attacker is locked and a colleague behind the same proxy is not.
    make_user("hotline", username="li")
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "li", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=ATTACKER,
        )
    login = {"username": "li", "password": "kefu2026"}
    assert (
        client.post(reverse("login"), login, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    )
    assert client.post(reverse("login"), login, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OFFICE).status_code == 302


def test_issue13_the_login_rate_leaves_other_throttled_views_working():
    """The public survey answer keeps DRF's anonymous throttle (unlimited): a 400, never a 500."""
    response = APIClient().post("/api/surveys/answer/", {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
