"""Browser: KB search in Chinese finds an article by two characters (issue 6: KB-2), and the
phenomenon typed in the article form brings debounced suggestions (KB-3)."""

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    from kefu.org.demo_data import load

    load()


def test_kb2_hotline_finds_an_article_by_two_chinese_characters(page, live_server, demo, screenshot, outside_requests):
    login(page, live_server, "hotline")
    page.click("[data-nav=knowledge]")
    page.fill("[data-testid=kb-q]", "凭证")
    page.click("[data-testid=kb-submit]")
    rows = page.locator("[data-testid=kb-results] [data-object^='knowledge.article:']")
    rows.first.wait_for()
    titles = rows.locator("a").all_inner_texts()
    assert "凭证无法打印，提示打印机脱机" in titles
    assert all("空调" not in t for t in titles)
    assert "找到" in page.locator("[data-testid=kb-count]").inner_text()
    path = screenshot(page, "kb-search-two-characters")
    assert path.stat().st_size > 10_000
    page.click("text=凭证无法打印，提示打印机脱机")
    assert page.locator("[data-testid=article-status]").inner_text() == "已发布"
    assert outside_requests == []


def test_kb3_typing_a_phenomenon_suggests_similar_articles(page, live_server, demo, screenshot, outside_requests):
    login(page, live_server, "hotline")
    page.goto(f"{live_server.url}/kb/new/")
    page.locator("#id_symptom").press_sequentially("空调开机不制冷", delay=30)
    box = page.locator("[data-testid=kb-suggestions]")
    box.locator("[data-object^='knowledge.article:']").first.wait_for()
    assert "空调开机后不制冷，外机不启动" in box.inner_text()
    screenshot(page, "kb-suggestions-while-typing")
    assert outside_requests == []
