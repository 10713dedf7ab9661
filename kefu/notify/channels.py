"""Delivery channels. Each `send` must be safe to repeat for the same outbox row."""

import base64
import hashlib
import hmac
import time
import urllib.parse
from datetime import datetime

import httpx
from django.conf import settings
from django.core.mail import EmailMessage

from kefu.notify.models import Notification, Outbox


def send(row: Outbox, *, now: datetime) -> None:
    {
        Outbox.Channel.INAPP: _send_inapp,
        Outbox.Channel.EMAIL: _send_email,
        Outbox.Channel.ROBOT: _send_robot,
    }[row.channel](row, now=now)


def _send_inapp(row: Outbox, *, now: datetime) -> None:
    # The one-to-one on outbox makes a repeated delivery a no-op instead of a second bell item.
    Notification.objects.get_or_create(
        outbox=row,
        defaults={
            "recipient": row.recipient,
            "title": row.subject,
            "body": row.body,
            "link": row.link,
            "created_at": now,
        },
    )


def _send_email(row: Outbox, *, now: datetime) -> None:
    body = row.body
    if row.link:
        body = f"{body}\n\n{settings.KEFU_BASE_URL.rstrip('/')}{row.link}"
    message = EmailMessage(
        subject=row.subject,
        body=body,
        to=[row.address],
        # A stable Message-ID lets mail systems drop a duplicate after a crash mid-send.
        headers={"Message-ID": f"<outbox-{row.pk}@kefu>"},
    )
    message.send(fail_silently=False)


def robot_url(group: str) -> str:
    return settings.KEFU_ROBOTS.get(group, {}).get("url", "")


def _send_robot(row: Outbox, *, now: datetime) -> None:
    """WeCom / DingTalk group robot (e.g. the dispatch group, 派单群). In-app only when unset."""
    conf = settings.KEFU_ROBOTS.get(row.address, {})
    url = conf.get("url", "")
    if not url:
        return  # no robot configured: the in-app notifications are the channel
    text = f"{row.subject}\n{row.body}".strip()[:2000]
    if conf.get("kind") == "dingtalk":
        secret = conf.get("secret", "")
        if secret:
            ms = str(int(time.time() * 1000))
            digest = hmac.new(secret.encode(), f"{ms}\n{secret}".encode(), hashlib.sha256).digest()
            url = f"{url}&timestamp={ms}&sign={urllib.parse.quote_plus(base64.b64encode(digest))}"
        payload = {"msgtype": "text", "text": {"content": text}}
    else:
        payload = {"msgtype": "text", "text": {"content": text}}
    response = httpx.post(url, json=payload, timeout=10)
    response.raise_for_status()
    data = response.json()
    if data.get("errcode", 0) != 0:
        raise RuntimeError(f"robot error {data.get('errcode')}: {data.get('errmsg')}")
