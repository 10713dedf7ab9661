"""KB-3: similar published articles and registered past cases while the phenomenon is typed."""

import pytest
from django.urls import reverse

from kefu.knowledge import suggest, workflow
from kefu.knowledge.suggest import Suggestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_requests():
    """A stand-in for the servicedesk's source of closed requests, registered like it will be."""
    calls = []

    def closed_requests(text, *, user, limit):
        calls.append((text, user.username, limit))
        if "打印" not in text:
            return []
        return [
            Suggestion(
                title="SR-1001 凭证打印不出来",
                url="/requests/1001/",
                snippet="已关闭：重设默认打印机",
                key="servicedesk.servicerequest:1001",
            )
        ]

    suggest.register_source(closed_requests, key="test.closed_requests", label="相似的已关闭服务请求")
    yield calls
    suggest.unregister_source("test.closed_requests")


def test_kb3_suggests_similar_published_articles(library, hotline):
    groups = suggest.suggest("客户反映凭证无法打印，提示脱机", user=hotline)
    articles = groups[0]
    assert articles.key == "knowledge.article"
    assert articles.items[0].title == "凭证无法打印，提示打印机脱机"
    assert len(articles.items) <= 5


def test_kb3_drafts_are_never_suggested(hotline, now):
    workflow.create_article(by=hotline, now=now, symptom="加密锁识别失败", solution="重装驱动")
    assert suggest.suggest("加密锁识别失败", user=hotline)[0].items == []


def test_kb3_registered_source_adds_closed_requests(library, hotline, fake_requests):
    groups = {g.key: g for g in suggest.suggest("凭证打印不出来", user=hotline)}
    assert [i.title for i in groups["test.closed_requests"].items] == ["SR-1001 凭证打印不出来"]
    assert fake_requests == [("凭证打印不出来", "hotline_kb", 5)]


def test_kb3_a_broken_source_does_not_break_suggestions(library, hotline):
    def broken(text, *, user, limit):
        raise RuntimeError("boom")

    suggest.register_source(broken, key="test.broken")
    try:
        groups = suggest.suggest("空调不制冷", user=hotline)
    finally:
        suggest.unregister_source("test.broken")
    assert groups[0].key == "knowledge.article" and groups[0].items
    assert "test.broken" not in [g.key for g in groups]  # other registered sources still answer


def test_kb3_one_character_suggests_nothing(library, hotline):
    assert suggest.suggest("印", user=hotline) == []


def test_kb3_htmx_endpoint_returns_articles_and_requests(
    client, library, hotline, fake_requests, django_assert_max_num_queries
):
    client.force_login(hotline)
    with django_assert_max_num_queries(12):  # articles + fake source + installed sources (servicedesk)
        response = client.get(
            reverse("knowledge:suggest"), {"phenomenon": "凭证打印时提示打印机脱机"}, HTTP_HX_REQUEST="true"
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "凭证无法打印，提示打印机脱机" in html and "SR-1001 凭证打印不出来" in html
    assert 'data-object="servicedesk.servicerequest:1001"' in html


def test_kb3_form_field_is_debounced_htmx(client, hotline):
    client.force_login(hotline)
    html = client.get(reverse("knowledge:create")).content.decode()
    assert 'hx-trigger="input changed delay:300ms"' in html and reverse("knowledge:suggest") in html


@pytest.mark.parametrize("role", ["customer", "station_master"])
def test_kb3_outsiders_get_no_suggestions(client, make_user, library, role):
    client.force_login(make_user(role))
    assert client.get(reverse("knowledge:suggest"), {"phenomenon": "凭证打印"}).status_code == 403


def test_kb3_api_suggestions(api_as, library, hotline, fake_requests):
    data = api_as(hotline).get("/api/kb/articles/suggestions/", {"phenomenon": "凭证打印失败"}).json()
    groups = {g["key"]: g for g in data}
    assert data[0]["key"] == "knowledge.article" and data[0]["items"][0]["title"].startswith("凭证")
    assert groups["test.closed_requests"]["items"][0]["key"] == "servicedesk.servicerequest:1001"
