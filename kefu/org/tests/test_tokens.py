"""API tokens that expire, are stored hashed and end on logout, a password change and
deactivation; a user sees and revokes their own (issue 13 §5, NT-2, QS-6)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from kefu.core.errors import Conflict, Forbidden, Invalid
from kefu.org import workflow
from kefu.org.authentication import EXPIRED_TOKEN, INVALID_TOKEN
from kefu.org.models import ApiToken

pytestmark = pytest.mark.django_db

ME = "/api/users/me/"


def get_token(username, password="kefu2026", **headers):  # noqa: S107 -- the factories' password
    response = APIClient().post(
        "/api/auth/token/", {"username": username, "password": password}, format="json", **headers
    )
    assert response.status_code == 200, response.content
    return response.json()


def with_token(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def refused(api: APIClient, detail=INVALID_TOKEN) -> bool:
    r = api.get(ME)
    return r.status_code == 401 and r["WWW-Authenticate"] == "Token" and r.json()["detail"] == str(detail)


def test_issue13_each_login_gives_a_new_token_that_expires_after_a_working_day(make_user):
    make_user("hotline", username="wang")
    t = timezone.now()
    first, second = get_token("wang"), get_token("wang")
    assert first["token"] != second["token"]  # never re-issued unchanged
    assert len(first["token"]) == 64 and first["prefix"] == first["token"][:8]
    row = ApiToken.objects.get(token_key=first["token"][:15])
    assert timedelta(hours=10) - timedelta(minutes=1) < row.expiry - t <= timedelta(hours=10, minutes=1)
    assert with_token(first["token"]).get(ME).json()["username"] == "wang"
    assert with_token(second["token"]).get(ME).json()["username"] == "wang"


def test_issue13_only_a_digest_of_the_token_is_stored(make_user):
    make_user("hotline", username="wang")
    token = get_token("wang")["token"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")  # noqa: S608 -- our own table name
        stored = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert token not in stored
    assert token[:15] in stored  # the lookup key, a quarter of the token


def test_issue13_an_expired_token_is_a_401_with_the_scheme(make_user, settings):
    settings.KEFU_TOKEN_TTL = timedelta(hours=2)  # KEFU_TOKEN_TTL_HOURS=2
    user = make_user("hotline")
    row, token = workflow.issue_token(user, now=timezone.now())
    assert row.expiry - row.created == timedelta(hours=2)
    assert with_token(token).get(ME).status_code == 200
    ApiToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert refused(with_token(token), EXPIRED_TOKEN)


def test_issue13_a_wrong_or_malformed_token_is_a_401(make_user):
    user = make_user("hotline")
    _row, token = workflow.issue_token(user, now=timezone.now())
    assert refused(with_token(token[:-1] + ("0" if token[-1] != "0" else "1")))
    assert refused(with_token("ä" * 64))


def test_issue13_a_password_change_on_the_password_page_ends_the_tokens(client, make_user):
    user = make_user("hotline")
    _row, token = workflow.issue_token(user, now=timezone.now())
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "kefu2026", "new_password1": "Xk9-shanghai-2026", "new_password2": "Xk9-shanghai-2026"},
    )
    assert response.status_code == 302
    assert refused(with_token(token))
    assert not ApiToken.objects.filter(user=user).exists()


def test_issue13_a_password_set_anywhere_else_ends_the_tokens_too(make_user):
    """The admin's password form, `changepassword` and a reset all call set_password and save."""
    user = make_user("hotline")
    _row, token = workflow.issue_token(user, now=timezone.now())
    user.name = "改名不影响令牌"
    user.save()
    assert with_token(token).get(ME).status_code == 200
    user.set_password("Xk9-shanghai-2026")
    user.save()
    assert refused(with_token(token))


def test_issue13_deactivation_ends_the_tokens_and_is_audited(make_user, admin_user, now):
    from kefu.audit.models import Event

    user = make_user("hotline")
    _row, token = workflow.issue_token(user, now=timezone.now())
    with pytest.raises(Forbidden):
        workflow.deactivate_user(user, by=make_user("service_manager"), reason="离职", now=now)
    with pytest.raises(Invalid):
        workflow.deactivate_user(user, by=admin_user, reason=" ", now=now)
    workflow.deactivate_user(user, by=admin_user, reason="离职", now=now)
    assert refused(with_token(token))
    assert not ApiToken.objects.filter(user=user).exists()
    assert Event.objects.get(verb="deactivate", object_id=str(user.pk)).data == {"reason": "离职"}
    with pytest.raises(Conflict):
        workflow.deactivate_user(user, by=admin_user, reason="离职", now=now)
    # A deactivated user gets no new token either.
    r = APIClient().post("/api/auth/token/", {"username": user.username, "password": "kefu2026"}, format="json")
    assert r.status_code == 400


def test_issue13_unticking_active_in_the_admin_ends_the_tokens(client, make_user, admin_user):
    user = make_user("hotline")
    _row, token = workflow.issue_token(user, now=timezone.now())
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert refused(with_token(token))


def test_issue13_the_admin_action_deactivates_through_the_workflow(client, make_user, admin_user):
    from kefu.audit.models import Event

    user = make_user("hotline")
    _row, token = workflow.issue_token(user, now=timezone.now())
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:org_user_changelist"), {"action": "deactivate_users", "_selected_action": [user.pk]}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert refused(with_token(token))
    assert Event.objects.filter(verb="deactivate", object_id=str(user.pk)).exists()


def test_issue13_api_logout_ends_the_token_it_came_with_only(make_user):
    make_user("hotline", username="wang")
    laptop, script = get_token("wang")["token"], get_token("wang")["token"]
    assert with_token(laptop).post("/api/auth/logout/").status_code == 204
    assert refused(with_token(laptop))
    assert with_token(script).get(ME).status_code == 200


def test_issue13_web_logout_ends_every_token_of_the_user(client, make_user):
    user = make_user("hotline")
    _row, token = workflow.issue_token(user, now=timezone.now())
    other = make_user("hotline")
    _row, theirs = workflow.issue_token(other, now=timezone.now())
    client.force_login(user)
    assert client.post(reverse("logout")).status_code == 302
    assert refused(with_token(token))
    assert with_token(theirs).get(ME).status_code == 200


def test_issue13_the_api_lists_my_live_tokens_without_the_secret_and_revokes_one(make_user):
    me = make_user("hotline", username="wang")
    current = get_token("wang", HTTP_USER_AGENT="crm-sync/1.0")
    other = get_token("wang", HTTP_USER_AGENT="report-script")
    expired, _secret = workflow.issue_token(me, now=timezone.now() - timedelta(hours=11))
    theirs, _secret = workflow.issue_token(make_user("hotline"), now=timezone.now())
    api = with_token(current["token"])
    response = api.get("/api/auth/tokens/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["prefix"] for r in rows] == [other["prefix"], current["prefix"]]  # newest first, no expired
    assert [r["current"] for r in rows] == [False, True]
    assert rows[1]["client"] == "crm-sync/1.0" and rows[1]["last_used_at"] and rows[0]["last_used_at"] is None
    assert set(rows[0]) == {"id", "prefix", "client", "created", "expiry", "last_used_at", "current"}
    assert current["token"] not in response.content.decode() and other["token"] not in response.content.decode()
    # Someone else's token or an expired one is not there to revoke.
    assert api.delete(f"/api/auth/tokens/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/auth/tokens/{expired.pk}/").status_code == 404
    assert api.delete(f"/api/auth/tokens/{rows[0]['id']}/").status_code == 204
    assert refused(with_token(other["token"]))
    assert api.delete(f"/api/auth/tokens/{rows[0]['id']}/").status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_issue13_the_last_use_is_stamped_at_most_once_a_minute(make_user):
    from django.test.utils import CaptureQueriesContext

    make_user("hotline", username="wang")
    token = get_token("wang")["token"]
    row = ApiToken.objects.get(token_key=token[:15])
    assert row.last_used_at is None
    api = with_token(token)
    api.get("/api/notifications/")
    row.refresh_from_db()
    assert row.last_used_at is not None
    with CaptureQueriesContext(connection) as first:
        api.get("/api/notifications/")
    assert not any(q["sql"].startswith("UPDATE") for q in first.captured_queries)
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    with CaptureQueriesContext(connection) as later:
        api.get("/api/notifications/")
    assert any(q["sql"].startswith("UPDATE") for q in later.captured_queries)


def test_issue13_my_tokens_page_is_in_the_user_menu_and_revokes(client, make_user):
    user = make_user("hotline")
    row, token = workflow.issue_token(user, now=timezone.now(), client="crm-sync/1.0")
    theirs, _secret = workflow.issue_token(make_user("hotline"), now=timezone.now())
    client.force_login(user)
    assert f'href="{reverse("tokens")}"' in client.get(reverse("workbench")).content.decode()
    html = client.get(reverse("tokens")).content.decode()
    assert f"{row.prefix}…" in html and "crm-sync/1.0" in html and "从未使用" in html
    assert token not in html and token[:15] not in html and theirs.prefix not in html
    assert client.post(reverse("token_revoke", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("token_revoke", args=[row.pk]), follow=True)
    assert f"令牌 {row.prefix}… 已撤销" in response.content.decode()
    assert refused(with_token(token))
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_issue13_an_administrator_sees_every_token_in_the_admin_without_the_secret(client, make_user, admin_user):
    row, token = workflow.issue_token(make_user("hotline"), now=timezone.now(), client="crm-sync/1.0")
    client.force_login(admin_user)
    html = client.get(reverse("admin:org_apitoken_changelist")).content.decode()
    assert row.prefix in html and "crm-sync/1.0" in html
    assert token not in html and row.digest not in html
    assert client.get(reverse("admin:org_apitoken_add")).status_code == 403
