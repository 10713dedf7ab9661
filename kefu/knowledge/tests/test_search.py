"""KB-2: a two-character query finds every article containing it, ranked; the same hits on SQLite
and PostgreSQL (this module runs on both: see the PostgreSQL command in the README)."""

import pytest
from django.db.models import Q

from kefu.knowledge import selectors
from kefu.knowledge.models import Article

pytestmark = pytest.mark.django_db

TWO_CHARS = ["凭证", "打印", "空调", "制冷", "加密", "发票", "报表", "漏水", "网络", "服务", "数据", "失败"]
SEARCHED = ("title", "symptom", "cause", "solution", "steps", "product", "version", "tags")


def containing(word: str) -> set[int]:
    q = Q()
    for field in SEARCHED:
        q |= Q(**{f"{field}__icontains": word})
    return set(Article.objects.published().filter(q).values_list("pk", flat=True))


@pytest.mark.parametrize("q", TWO_CHARS)
def test_kb2_two_character_query_finds_every_article_containing_it(library, hotline, q):
    expected = containing(q)
    assert expected, f"the demo library should contain {q}"
    found = list(selectors.articles_for(hotline, q=q))
    assert {a.pk for a in found} == expected
    ranks = [a.search_rank for a in found]
    assert ranks == sorted(ranks, reverse=True)  # ranked, best first


def test_kb2_ranking_puts_the_article_about_it_first(library, hotline):
    best = selectors.articles_for(hotline, q="加密锁")[0]
    assert "加密锁" in best.title


def test_kb2_several_words_must_all_occur_and_codes_are_found(library, hotline):
    assert [a.title for a in selectors.articles_for(hotline, q="空调 E3")] == ["空调显示故障代码 E3"]
    both = {a.pk for a in selectors.articles_for(hotline, q="凭证 打印")}
    assert both == containing("凭证") & containing("打印")
    assert len(both) < len(containing("打印"))


def test_kb2_drafts_are_not_found_by_default(library, hotline, now):
    from kefu.knowledge import workflow

    draft = workflow.create_article(by=hotline, now=now, symptom="凭证号断号", solution="凭证整理")
    assert draft.pk not in {a.pk for a in selectors.articles_for(hotline, q="凭证")}
    assert draft.pk in {a.pk for a in selectors.articles_for(hotline, q="凭证", status="draft")}


def test_kb2_empty_query_lists_everything_newest_first(library, hotline):
    assert [a.pk for a in selectors.articles_for(hotline, q="  ")] == sorted((a.pk for a in library), reverse=True)
