"""Waiting for the customer or a part (CAL-4): one fitting for every domain.

An item that waits does not breach: `start()` marks the item (a `models.Waitable`) and pauses
every open clock on it with the reason; `end()` clears the mark and resumes them, each with the
time it had left. The domain's workflow checks its own permission and state, then calls these
inside its transaction:

    require(by, "fieldservice.wait", order)
    with transaction.atomic():
        waiting.start(order, reason="part", note="等主板到货", by=by, now=now)
"""

from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.audit import verbs
from kefu.audit.service import record
from kefu.core.errors import Conflict, Invalid
from kefu.core.validation import text
from kefu.deadlines import clocks
from kefu.deadlines.models import Waitable, WaitingFor
from kefu.org.models import User

REASON_INVALID = _("请选择等待原因（等待客户或等待备件）。")
ALREADY_WAITING = _("已在等待中，请先恢复计时。")
NOT_WAITING = _("当前没有在等待，无需恢复。")
NOT_OPEN = _("已完成的事项不能暂停计时。")
WAITING_WITH_NOTE = _("%(reason)s：%(note)s")

verbs.register_shared(wait_start=_("暂停计时（等待）"), wait_end=_("恢复计时"))


def label(item: Waitable) -> str:
    """ "等待备件：主板 5 月 3 日到货", or "" when the item is not waiting."""
    if not item.waiting_for:
        return ""
    reason = str(WaitingFor(item.waiting_for).label)
    if not item.waiting_note:
        return reason
    return str(WAITING_WITH_NOTE % {"reason": reason, "note": item.waiting_note})


def start(item: Waitable, *, reason: str, note: str = "", by: User, now: datetime) -> list:
    """Mark `item` waiting and pause its open clocks; Conflict if it already waits."""
    if reason not in WaitingFor.values:
        raise Invalid(REASON_INVALID, field="reason")
    note = text(type(item), "waiting_note", note, field="note")
    manager: models.Manager = type(item)._base_manager
    if not manager.filter(pk=item.pk, waiting_for="").update(waiting_for=reason, waiting_note=note, waiting_since=now):
        raise Conflict(ALREADY_WAITING)
    item.waiting_for, item.waiting_note, item.waiting_since = reason, note, now
    why = label(item)
    paused = [clocks.pause(item, key, now=now, by=by, reason=why) for key in clocks.open_rule_keys(item)]
    record(item, "wait_start", by=by, at=now, after=why, data={"reason": reason, "note": note})
    return paused


def end(item: Waitable, *, by: User, now: datetime) -> list:
    """Clear the wait and resume the item's paused clocks; Conflict if it was not waiting."""
    manager: models.Manager = type(item)._base_manager
    was = manager.filter(pk=item.pk).values_list("waiting_for", "waiting_note", "waiting_since").first()
    if not was or not was[0]:
        raise Conflict(NOT_WAITING)
    if not manager.filter(pk=item.pk, waiting_for=was[0]).update(waiting_for="", waiting_note="", waiting_since=None):
        raise Conflict(NOT_WAITING)
    item.waiting_for, item.waiting_note, item.waiting_since = was
    before = label(item)
    item.waiting_for, item.waiting_note, item.waiting_since = "", "", None
    resumed = [clocks.resume(item, key, now=now, by=by) for key in clocks.open_rule_keys(item)]
    minutes = int((now - was[2]).total_seconds() // 60) if was[2] else 0
    record(
        item,
        "wait_end",
        by=by,
        at=now,
        before=before,
        after=str(_("等待 %(m)d 分钟后恢复")) % {"m": minutes},
        data={"reason": was[0], "since": timezone.localtime(was[2]).isoformat() if was[2] else ""},
    )
    return resumed
