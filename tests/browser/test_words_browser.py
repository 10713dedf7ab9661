"""Browser: the live countdown script writes the words the server writes, in Chinese and in
English; the language selector names each language by its own name (issue 12 §7, QS-7)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kefu.core.tests.pending_en import catalogue
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# seconds from now → the words, in Chinese and English (margins keep them stable for ~30 s)
CASES = [
    (32 * 3600 + 1800, "剩余 1 天 8 小时", "1 day 8 h left"),
    (2 * 86400 + 1800, "剩余 2 天", "2 days left"),
    (-(3 * 3600 + 20), "超时 3 小时", "3 h overdue"),
    (-(12 * 60 + 20), "超时 12 分钟", "12 min overdue"),
]


def _countdown_texts(page, seconds_list) -> list[str]:
    """Point the first countdown at each due time in turn and read what the script writes."""
    texts = []
    for seconds in seconds_list:
        page.evaluate(
            """(s) => {
                const el = document.querySelector("[data-testid=clock-panel] .countdown");
                el.dataset.due = new Date(Date.now() + s * 1000).toISOString();
                el.textContent = "";
            }""",
            seconds,
        )
        page.locator("[data-testid=clock-panel] .countdown").first.wait_for()
        expect(page.locator("[data-testid=clock-panel] .countdown").first).not_to_have_text("")
        texts.append(page.locator("[data-testid=clock-panel] .countdown").first.inner_text())
    return texts


def test_issue12_live_countdowns_read_like_the_server_in_both_languages(page, live_server, make_user):
    from kefu.deadlines import clocks
    from kefu.deadlines.templatetags.deadlines_tags import countdown
    from kefu.org.tests.factories import DepartmentFactory

    user = make_user("hotline", username="reyu")
    clocks.start(DepartmentFactory(), "returnvisit.hotline", owner=user, now=timezone.now())
    seconds = [s for s, _zh, _en in CASES]
    with catalogue():  # the English words this change asks the catalogue for
        login(page, live_server, "reyu")
        assert page.locator("#language-form option[value=en]").inner_text() == "English"
        assert _countdown_texts(page, seconds) == [zh for _s, zh, _en in CASES]
        page.select_option("#language-form select", "en")
        page.wait_for_selector("html[lang=en]")
        assert page.locator("#language-form option[value=zh-hans]").inner_text() == "简体中文"
        assert _countdown_texts(page, seconds) == [en for _s, _zh, en in CASES]
        # The server writes the same words for the same due times.
        from types import SimpleNamespace

        from django.utils import translation

        now = timezone.now()
        for s, zh, en in CASES:
            clock = SimpleNamespace(state="running", due_at=now + timedelta(seconds=s))
            with translation.override("zh-hans"):
                assert countdown(clock, now) == zh
            with translation.override("en"):
                assert countdown(clock, now) == en
