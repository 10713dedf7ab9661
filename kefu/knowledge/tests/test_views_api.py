"""KB-1/KB-2 pages and API: search lists with bounded queries, transitions as POST actions, negatives."""

import pytest
from django.urls import reverse

from kefu.audit.models import Event
from kefu.knowledge import workflow
from kefu.knowledge.models import Article

pytestmark = pytest.mark.django_db


def test_kb2_search_page_finds_by_two_characters(client, library, hotline, django_assert_max_num_queries):
    client.force_login(hotline)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("knowledge:list"), {"q": "凭证"})
    html = response.content.decode()
    assert "凭证无法打印，提示打印机脱机" in html and "空调内机漏水" not in html
    with django_assert_max_num_queries(12):
        client.get(reverse("knowledge:list"))


def test_kb2_api_search_with_bounded_queries(api_as, library, hotline, django_assert_max_num_queries):
    api = api_as(hotline)
    with django_assert_max_num_queries(8):
        data = api.get("/api/kb/articles/", {"q": "打印"}).json()
    titles = [r["title"] for r in data["results"]]
    assert data["count"] == len(titles) >= 4
    assert all(
        "打印" in r["title"] + r["symptom"] + r["solution"] + r["steps"] + r["tags"] + r["cause"]
        for r in data["results"]
    )
    with django_assert_max_num_queries(8):
        assert api.get("/api/kb/articles/").json()["count"] == len(library)


def test_kb1_api_create_review_publish_with_statuses_read_only(api_as, hotline, quality, manager):
    created = api_as(hotline).post(
        "/api/kb/articles/",
        {"symptom": "加密锁识别失败", "solution": "重装驱动", "product": "财务管理软件", "status": "published"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["status"] == "draft"
    pk = created.json()["id"]
    assert api_as(hotline).post(f"/api/kb/articles/{pk}/review/").status_code == 403
    assert api_as(manager).post(f"/api/kb/articles/{pk}/publish/").status_code == 400  # not reviewed yet
    assert api_as(quality).post(f"/api/kb/articles/{pk}/review/").json()["status"] == "reviewed"
    assert api_as(quality).post(f"/api/kb/articles/{pk}/publish/").status_code == 403
    assert api_as(manager).post(f"/api/kb/articles/{pk}/publish/").json()["status"] == "published"
    assert api_as(hotline).patch(f"/api/kb/articles/{pk}/", {"solution": "x"}, format="json").status_code == 409
    back = api_as(manager).post(f"/api/kb/articles/{pk}/send-back/", {"reason": "补充步骤"}, format="json")
    assert back.json()["status"] == "draft"
    assert Event.objects.filter(object_id=str(pk), verb__startswith="kb_").count() == 4


@pytest.mark.parametrize("role", ["customer", "station_master", "station_engineer"])
def test_kb_outsiders_see_no_articles(api_as, client, make_user, library, role):
    user = make_user(role)
    assert api_as(user).get("/api/kb/articles/", {"q": "凭证"}).json()["count"] == 0
    assert api_as(user).get(f"/api/kb/articles/{library[0].pk}/").status_code == 404
    client.force_login(user)
    assert client.get(reverse("knowledge:list")).status_code == 403
    assert client.get(reverse("knowledge:detail", args=[library[0].pk])).status_code == 404


def test_kb1_page_transitions_and_negatives(client, hotline, quality, manager, now):
    article = workflow.create_article(by=hotline, now=now, symptom="报表取数为零", solution="修改公式")
    client.force_login(hotline)
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'data-testid="review"' not in page
    client.post(reverse("knowledge:transition", args=[article.pk, "review"]))
    assert Article.objects.get().status == "draft"
    client.force_login(quality)
    assert 'data-testid="review"' in client.get(article.get_absolute_url()).content.decode()
    client.post(reverse("knowledge:transition", args=[article.pk, "review"]))
    client.force_login(manager)
    client.post(reverse("knowledge:transition", args=[article.pk, "publish"]))
    assert Article.objects.get().status == "published"
    assert client.post(reverse("knowledge:transition", args=[article.pk, "delete"])).status_code == 404


def test_kb1_create_page_saves_a_draft(client, hotline):
    client.force_login(hotline)
    response = client.post(reverse("knowledge:create"), {"symptom": "扫描枪扫码无反应", "solution": "切换英文输入法"})
    article = Article.objects.get()
    assert response.url == article.get_absolute_url() and article.title == "扫描枪扫码无反应"


def test_kb1_create_page_forbidden_to_finance(client, make_user):
    client.force_login(make_user("finance"))
    assert client.get(reverse("knowledge:create")).status_code == 403
