"""Issue 12 §7: 403 / 404 / 500 pages in the user's language, styled, with a way back."""

import pytest
from django.test import RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_404_and_403_pages_are_chinese_with_a_link_home(client, make_user):
    client.force_login(make_user("field_engineer"))
    page = client.get("/no-such-page/")
    html = page.content.decode()
    assert page.status_code == 404 and "页面不存在" in html and 'href="/"' in html and "tabler" in html
    forbidden = client.get("/deadlines/rules/")  # the rule table is for administrators
    assert forbidden.status_code == 403 and "无权访问" in forbidden.content.decode()
    assert 'data-testid="go-home"' in forbidden.content.decode()


def test_english_user_gets_the_english_404(client, make_user, settings):
    client.force_login(make_user("hotline"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/no-such-page/").content.decode()
    assert 'lang="en"' in html


def test_500_page_renders_without_a_database_or_a_request_context():
    response = defaults.server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and "系统出错了" in html and 'href="/"' in html


def test_expired_form_gets_the_styled_csrf_page(make_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("hotline"))
    page = client.post("/servicedesk/duty/", {})
    assert page.status_code == 403 and "页面已过期" in page.content.decode()
