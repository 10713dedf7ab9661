"""The user's notifications, declared once for their page and their Excel export (RPT-4). The page
shows them as a list with a button each; the export writes title, text, time and when read."""

from django.utils.translation import gettext_lazy as _

from kefu.core.tables import Column, Table
from kefu.notify.models import Notification


class NotificationTable(Table):
    name = "notify:list"
    title = _("通知")
    testid = "notification-list"
    empty = _("暂无通知")
    columns = (
        Column("title", _("标题"), width=30),
        Column("body", _("内容"), width=50),
        Column("created_at", _("时间"), kind="datetime"),
        Column("read_at", _("已读时间"), kind="datetime"),
        Column("link", _("链接"), page=False),
    )

    def rows(self, user, params):
        return Notification.objects.visible_to(user).order_by("-created_at", "-id")


NOTIFICATIONS = NotificationTable()
