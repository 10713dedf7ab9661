"""Issue 12 §7 words: rule names in the user's language, countdowns that read as words (QS-7)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from kefu.core.tests.pending_en import catalogue, english
from kefu.deadlines import clocks, scan
from kefu.deadlines.models import DeadlineRule
from kefu.deadlines.templatetags.deadlines_tags import countdown, countdown_labels
from kefu.notify.models import Notification

pytestmark = pytest.mark.django_db

ZH = "值班准备（上岗 10 分钟内）"
EN = "Duty ready within 10 minutes of the start of the shift"


@pytest.fixture(autouse=True)
def chinese_first():
    """Each test starts in the default language (a request in English leaves it active in the thread)."""
    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")


def in_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


def clock_due_in(seconds: int, now, state: str = "running"):
    return SimpleNamespace(state=state, due_at=now + timedelta(seconds=seconds))


def test_issue12_rule_name_follows_the_language(db):
    rule = DeadlineRule.objects.get(key="hotline.duty_ready")
    assert (rule.name, str(rule)) == (ZH, ZH)
    with translation.override("en"):
        assert (rule.name, str(rule)) == (EN, EN)
    rule.name_en = ""  # no English name: the Chinese one rather than nothing
    with translation.override("en"):
        assert rule.name == ZH


def test_issue12_english_ui_shows_english_rule_names_on_clocks_and_rule_list(client, engineer, subjects, admin_user):
    clocks.start(subjects[0], "hotline.duty_ready", owner=engineer, now=timezone.now())
    client.force_login(engineer)
    assert ZH in client.get(reverse("workbench")).content.decode()
    in_english(client)
    for url in (reverse("workbench"), reverse("deadlines:clock_list")):
        html = client.get(url).content.decode()
        assert EN in html and ZH not in html, url
    client.force_login(admin_user)
    in_english(client)
    html = client.get(reverse("deadlines:rule_list")).content.decode()
    assert EN in html and ZH not in html


def test_issue12_api_rule_name_follows_the_language(api_as, engineer, subjects):
    clocks.start(subjects[0], "hotline.duty_ready", owner=engineer, now=timezone.now())
    api = api_as(engineer)
    assert api.get("/api/workbench/").json()["results"][0]["rule_name"] == ZH
    assert api.get("/api/workbench/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]["rule_name"] == EN


def test_issue12_breach_notice_names_the_rule_in_the_language_it_is_written_in(engineer, subjects, now):
    clocks.start(subjects[0], "hotline.duty_ready", owner=engineer, now=now)
    clocks.start(subjects[1], "hotline.duty_ready", owner=engineer, now=now + timedelta(minutes=1))
    scan.breach(now=now + timedelta(minutes=10, seconds=30))  # the first only
    with translation.override("en"):
        scan.breach(now=now + timedelta(minutes=12))
    titles = list(Notification.objects.filter(recipient=engineer).order_by("pk").values_list("title", flat=True))
    assert ZH in titles[0] and EN not in titles[0]
    assert EN in titles[1] and ZH not in titles[1]


@pytest.mark.parametrize(
    ("seconds", "state", "zh", "en"),
    [
        (32 * 3600 + 59, "running", "剩余 1 天 8 小时", "1 day 8 h left"),
        (2 * 86400 + 600, "running", "剩余 2 天", "2 days left"),
        (3 * 3600 + 125, "running", "剩余 3 小时 2 分钟", "3 h 2 min left"),
        (-3 * 3600, "breached", "超时 3 小时", "3 h overdue"),
        (-(12 * 60 + 5), "running", "超时 12 分钟", "12 min overdue"),
        (3600, "breached", "超时 1 小时", "1 h overdue"),
    ],
)
def test_issue12_countdowns_read_as_words(now, seconds, state, zh, en):
    clock = clock_due_in(seconds, now, state)
    assert countdown(clock, now) == zh
    with english():
        assert countdown(clock, now) == en


def test_issue12_the_script_gets_the_same_words_as_the_server():
    assert countdown_labels() == {
        "left": "剩余 %s",
        "overdue": "超时 %s",
        "day": "%s 天",
        "days": "%s 天",
        "hours": "%s 小时",
        "minutes": "%s 分钟",
    }
    with english():
        assert countdown_labels() == {
            "left": "%s left",
            "overdue": "%s overdue",
            "day": "%s day",
            "days": "%s days",
            "hours": "%s h",
            "minutes": "%s min",
        }


def test_issue12_clock_panel_shows_the_wait_reason_without_full_width_punctuation_in_english(now):
    html_zh = Template("{% include 'deadlines/_clock_panel.html' %}")
    clock = SimpleNamespace(
        rule=SimpleNamespace(key="k", name="Reply", requirement="HL-5"),
        state="paused",
        pause_reason="等待客户",
        paused_at=now,
        due_at=now,
        get_state_display="已暂停",
    )
    with catalogue(), translation.override("en"):
        html = html_zh.render(Context({"clocks": [clock], "now": now}))
    assert "（" not in html and "）" not in html and "，" not in html


def test_issue12_a_clock_can_count_from_an_earlier_moment(engineer, subjects, now):
    """RV-5/RV-6: the next periodic visit counts from the last one done; the start is audited
    when it happens, and a warning point already passed is not sent at once."""
    from kefu.audit.models import Event

    last = now - timedelta(days=50)
    clock = clocks.start(subjects[0], "returnvisit.periodic", owner=engineer, now=now, since=last)
    assert (clock.started_at, clock.due_at, clock.warn_at) == (last, last + timedelta(days=60), None)
    assert clocks.points("returnvisit.periodic", since=last) == (last + timedelta(days=60), last + timedelta(days=48))
    assert Event.objects.get(verb="clock_start", object_id=str(subjects[0].pk)).at == now
