"""Reading in-app notifications (the bell)."""

from datetime import datetime

from kefu.notify.models import Notification


def mark_read(user, ids, *, now: datetime) -> int:
    return Notification.objects.visible_to(user).unread().filter(pk__in=ids).update(read_at=now)


def mark_all_read(user, *, now: datetime) -> int:
    return Notification.objects.visible_to(user).unread().update(read_at=now)
