"""Delivery channels. Each `send` must be safe to repeat for the same outbox row.

In-app is exactly once (the bell item is one-to-one with its row, in the same database). Email
and robots are outside systems: a worker killed after handing a message over and before
recording it sends it again, so each carries the row's stable key to the receiver (email:
`Message-ID`; robot: the item's number and the notice number in the text, and an
`Idempotency-Key` header) so that a repeat is recognisable.
"""

import base64
import hashlib
import hmac
import time
import urllib.parse
from collections.abc import Callable
from datetime import datetime

import httpx
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

from kefu.notify.models import Notification, Outbox

# Files an email of an event carries, from the domain that knows them (a subscribed report's
# PDF and workbook): event → provider(row) → [(file name, bytes, MIME type)]. Read at every
# attempt, so each attempt sends the same files.
ATTACHMENTS: dict[str, Callable[[Outbox], list[tuple[str, bytes, str]]]] = {}


def register_attachments(event: str, provider: Callable[[Outbox], list[tuple[str, bytes, str]]]) -> None:
    ATTACHMENTS[event] = provider


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
        headers={"Message-ID": message_id(row)},
    )
    provider = ATTACHMENTS.get(row.event)
    for name, content, mimetype in provider(row) if provider else ():
        message.attach(name, content, mimetype)
    message.send(fail_silently=False)


def row_token(row: Outbox) -> str:
    """A stable token per outbox row, from its unique key: the same on every attempt."""
    return hashlib.sha256(row.key.encode()).hexdigest()[:32]


def message_id(row: Outbox) -> str:
    """`<outbox.<token>@<KEFU_MESSAGE_ID_DOMAIN>>`: one Message-ID per row, whatever the attempt."""
    return f"<outbox.{row_token(row)}@{settings.KEFU_MESSAGE_ID_DOMAIN}>"


def robot_text(row: Outbox) -> str:
    """The robot message: the item's number first (unless the subject names it already), the
    notice number last, so that a message repeated after a crash is recognisable as one."""
    subject = row.subject
    if row.ref and row.ref not in subject:
        subject = f"【{row.ref}】{subject}"
    footer = _("通知编号：%(n)s") % {"n": row.pk}
    head = f"{subject}\n{row.body}".strip()
    return f"{head[: 2000 - len(footer) - 1]}\n{footer}"


def robot_url(group: str) -> str:
    return settings.KEFU_ROBOTS.get(group, {}).get("url", "")


def _send_robot(row: Outbox, *, now: datetime) -> None:
    """WeCom / DingTalk group robot (e.g. the dispatch group, 派单群). In-app only when unset."""
    conf = settings.KEFU_ROBOTS.get(row.address, {})
    url = conf.get("url", "")
    if not url:
        return  # no robot configured: the in-app notifications are the channel
    text = robot_text(row)
    if conf.get("kind") == "dingtalk":
        secret = conf.get("secret", "")
        if secret:
            ms = str(int(time.time() * 1000))
            digest = hmac.new(secret.encode(), f"{ms}\n{secret}".encode(), hashlib.sha256).digest()
            url = f"{url}&timestamp={ms}&sign={urllib.parse.quote_plus(base64.b64encode(digest))}"
        payload = {"msgtype": "text", "text": {"content": text}}
    else:
        payload = {"msgtype": "text", "text": {"content": text}}
    # Neither WeCom's nor DingTalk's webhook documents an idempotency key; the header costs
    # nothing and lets a relay in between drop a repeat.
    response = httpx.post(
        url,
        json=payload,
        headers={"Idempotency-Key": row_token(row)},
        timeout=settings.KEFU_OUTBOX_SEND_TIMEOUT,
    )
    response.raise_for_status()
    data = response.json()
    if data.get("errcode", 0) != 0:
        raise RuntimeError(f"robot error {data.get('errcode')}: {data.get('errmsg')}")
