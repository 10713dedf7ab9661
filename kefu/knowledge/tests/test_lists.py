"""RPT-4: the problem library exports the hits its page shows; drafts only for writers."""

import pytest
from django.urls import reverse

from kefu.knowledge import workflow
from tests.helpers.lists import export, page_count

pytestmark = pytest.mark.django_db


def test_rpt4_library_export_is_the_search_and_the_readers_articles(client, library, hotline, make_user, now):
    draft = workflow.create_article(by=hotline, now=now, title="凭证草稿条目", symptom="凭证", solution="重装")
    client.force_login(hotline)
    for params in ({"q": "凭证"}, {}, {"status": "all"}, {"q": "凭证", "status": "draft"}):
        html = client.get(reverse("knowledge:list"), params).content.decode()
        assert len(export(client, "knowledge:list", params)) == 1 + page_count(html), params
    header, *rows = export(client, "knowledge:list", {"status": "draft"})
    assert [r[header.index("标题")] for r in rows] == [draft.title] and rows[0][header.index("状态")] == "草稿"
    assert len(export(client, "knowledge:list")) == 1 + len(library)
    reader = make_user("finance")  # reads the library, writes nothing: published articles only
    client.force_login(reader)
    assert draft.title not in str(export(client, "knowledge:list", {"status": "draft"}))
    client.force_login(make_user("customer"))
    assert client.get(reverse("exports:start", args=["knowledge:list"])).status_code == 403
