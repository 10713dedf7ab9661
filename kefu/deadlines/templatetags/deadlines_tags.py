"""Template helpers of the deadline pages: the countdown text the script then keeps live."""

from datetime import datetime

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

LEFT = _("剩余 %(time)s")
OVERDUE = _("超时 %(time)s")
PAUSED = _("已暂停")
DAYS = _("%(n)s天")
HOURS = _("%(n)s小时")
MINUTES = _("%(n)s分")
UNIT_DAYS = _("天")
UNIT_HOURS = _("小时")
UNIT_MINUTES = _("分")


def duration_text(seconds: int) -> str:
    """ "1天3小时", "2小时5分", "12分" — the two largest units, like the script shows."""
    minutes = max(abs(seconds) // 60, 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{DAYS % {'n': days}}{HOURS % {'n': hours}}"
    if hours:
        return f"{HOURS % {'n': hours}}{MINUTES % {'n': mins}}"
    return str(MINUTES % {"n": mins})


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
    """What the countdown script shows, in the user's language (for json_script)."""
    return {
        "left": str(LEFT % {"time": "%s"}),
        "overdue": str(OVERDUE % {"time": "%s"}),
        "days": str(UNIT_DAYS),
        "hours": str(UNIT_HOURS),
        "minutes": str(UNIT_MINUTES),
    }
