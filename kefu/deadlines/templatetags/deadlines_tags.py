"""Template helpers of the deadline pages: the countdown text the script then keeps live.

The server and `deadlines/countdown.js` write the same words: "剩余 1 天 8 小时" / "超时 3 小时"
in Chinese, "1 day 8 h left" / "3 h overdue" in English (issue 12 §7). The script takes its
words from `countdown_labels`, so both read the one catalogue.
"""

from datetime import datetime

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

register = template.Library()

LEFT = _("剩余 %(time)s")
OVERDUE = _("超时 %(time)s")
PAUSED = _("已暂停")
HOURS = _("%(n)s 小时")
MINUTES = _("%(n)s 分钟")


def _days(n: int) -> str:
    """ "%(n)s 天" / "%(n)s day(s)", the plural form for `n`."""
    return ngettext("%(n)s 天", "%(n)s 天", n)


def duration_parts(seconds: int) -> list[str]:
    """The two largest units, a zero second one left out: "1 天 8 小时", "3 小时", "12 分钟"."""
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        parts = [_days(days) % {"n": days}] + ([HOURS % {"n": hours}] if hours else [])
    elif hours:
        parts = [HOURS % {"n": hours}] + ([MINUTES % {"n": mins}] if mins else [])
    else:
        parts = [MINUTES % {"n": mins}]
    return [str(p) for p in parts]


def duration_text(seconds: int) -> str:
    return " ".join(duration_parts(seconds))


@register.filter
def countdown(clock, now: datetime) -> str:
    if clock.state == "paused":
        return str(PAUSED)
    seconds = int((clock.due_at - now).total_seconds())
    if seconds < 0 or clock.state == "breached":
        return str(OVERDUE % {"time": duration_text(seconds)})
    return str(LEFT % {"time": duration_text(seconds)})


@register.simple_tag
def countdown_labels() -> dict:
    """What the countdown script shows, in the user's language (for json_script): "%s" stands
    for the number (or, in left/overdue, the duration)."""
    return {
        "left": str(LEFT % {"time": "%s"}),
        "overdue": str(OVERDUE % {"time": "%s"}),
        "day": _days(1) % {"n": "%s"},
        "days": _days(2) % {"n": "%s"},
        "hours": str(HOURS % {"n": "%s"}),
        "minutes": str(MINUTES % {"n": "%s"}),
    }
