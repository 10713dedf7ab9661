"""The customer care column (客户关怀栏, CRM-5): the one interface every domain writes to.

    from kefu.customers import timeline
    timeline.add(customer, "visit", title="回访：满意", body=..., at=now, by=user, subject=visit)

Call it inside the caller's transaction, so a line exists exactly when its event does.
A page is one query on (customer, -at, -id) with a keyset cursor: no COUNT, no OFFSET.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from kefu.customers.models import Customer, TimelineEntry
from kefu.org.models import User

KINDS: dict[str, object] = {
    "note": _("备注"),
    "call": _("电话"),
    "email": _("邮件"),
    "first_visit": _("首访"),
    "archive": _("档案"),
    "contract": _("合同"),
    "plan": _("服务计划"),
    "visit": _("回访"),
    "request": _("服务请求"),
    "complaint": _("投诉"),
    "project": _("项目"),
    "survey": _("满意度调查"),
}
PAGE_SIZE = 30


def register_kind(key: str, label) -> None:
    """Later domains name their kinds here (from AppConfig.ready)."""
    KINDS.setdefault(key, label)


def kind_label(key: str) -> str:
    return str(KINDS.get(key, key))


def entry(
    customer: Customer,
    kind: str,
    *,
    title: str,
    at: datetime,
    body: str = "",
    by: User | None = None,
    subject: models.Model | None = None,
    link: str = "",
) -> TimelineEntry:
    """One line, not saved yet: `add` saves one, `add_many` a batch."""
    actor = by if getattr(by, "is_authenticated", False) else None
    if not link and subject is not None and hasattr(subject, "get_absolute_url"):
        link = subject.get_absolute_url()
    return TimelineEntry(
        customer=customer,
        at=at,
        kind=kind,
        title=str(title)[:200],
        body=str(body or ""),
        link=link[:300],
        actor=actor,
        actor_name=actor.display_name if actor else "系统",
        content_type=ContentType.objects.get_for_model(subject, for_concrete_model=False) if subject else None,
        object_id=str(subject.pk) if subject is not None else "",
    )


def add(customer: Customer, kind: str, **fields) -> TimelineEntry:
    line = entry(customer, kind, **fields)
    line.save(force_insert=True)
    return line


def add_many(lines: list[TimelineEntry]) -> list[TimelineEntry]:
    return TimelineEntry.objects.bulk_create(lines)


@dataclass
class Page:
    entries: list[TimelineEntry]
    next_cursor: str


def cursor_of(entry: TimelineEntry) -> str:
    return f"{entry.at.isoformat()}|{entry.pk}"


def page(customer: Customer, *, before: str = "", kind: str = "", size: int = PAGE_SIZE) -> Page:
    """One page of the timeline, newest first, in one query; `before` is the previous page's cursor."""
    qs = TimelineEntry.objects.filter(customer=customer)
    if kind:
        qs = qs.filter(kind=kind)
    if before:
        at_text, _sep, pk_text = before.partition("|")
        at = parse_datetime(at_text)
        if at is not None and pk_text.isdigit():
            qs = qs.filter(models.Q(at__lt=at) | models.Q(at=at, pk__lt=int(pk_text)))
    rows = list(qs.order_by("-at", "-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    for row in rows:
        row.kind_label = kind_label(row.kind)
    return Page(entries=rows, next_cursor=cursor_of(rows[-1]) if more else "")
