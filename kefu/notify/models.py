"""Transactional outbox and in-app notifications (NT-1, QS-4).

An outbox row is written in the same transaction as the business change, so a message is
never lost (the change and its message commit together) and never doubled (a unique key per
event, channel and recipient; delivery claims a row with a conditional UPDATE).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Outbox(models.Model):
    class Channel(models.TextChoices):
        INAPP = "inapp", _("站内通知")
        EMAIL = "email", _("邮件")
        ROBOT = "robot", _("群机器人")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        DEAD = "dead", _("发送失败")

    key = models.CharField(_("唯一键"), max_length=255, unique=True)
    event = models.CharField(_("事件"), max_length=100)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=255, blank=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    # The item's number (request, work order …), carried in robot messages so that a message
    # repeated after a worker crash is recognisable in the group.
    ref = models.CharField(_("编号"), max_length=50, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("待发通知")
        verbose_name_plural = _("待发通知")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.channel}:{self.recipient_id or self.address}"


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """What the bell shows. One per outbox row at most, so a re-delivery can't duplicate it."""

    outbox = models.OneToOneField(Outbox, on_delete=models.PROTECT, related_name="notification")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.title
