"""Issue 12 §7 words in the shell: the language selector names each language by its own name (QS-7)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

OPTION = re.compile(r'<option value="(?P<code>[\w-]+)"[^>]*>(?P<name>[^<]*)</option>')


def language_options(html: str) -> dict[str, str]:
    form = html[html.index('id="language-form"') :]
    form = form[: form.index("</form>")]
    return {m["code"]: m["name"] for m in OPTION.finditer(form)}


def test_issue12_chinese_ui_offers_english_as_english(client, make_user):
    client.force_login(make_user("hotline"))
    assert language_options(client.get(reverse("workbench")).content.decode()) == {
        "zh-hans": "简体中文",
        "en": "English",
    }
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert language_options(client.get(reverse("workbench")).content.decode()) == {
        "zh-hans": "简体中文",
        "en": "English",
    }
