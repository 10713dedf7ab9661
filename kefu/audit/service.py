"""`record()` is called by workflow functions; `events_for()` feeds the history panel."""

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from kefu.audit import verbs
from kefu.audit.models import Event
from kefu.audit.verbs import verb_label


def event(
    obj: models.Model,
    verb: str,
    *,
    by,
    at: datetime,
    before: Any = "",
    after: Any = "",
    data: dict | None = None,
) -> Event:
    """One audit event for `obj`, not saved yet: `record` saves one, `record_many` a batch."""
    actor = by if getattr(by, "is_authenticated", False) else None
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    verbs.check(verb, content_type.app_label)
    return Event(
        at=at,
        actor=actor,
        actor_name=actor.display_name if actor else "系统",
        verb=verb,
        content_type=content_type,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=str(before or "")[:100],
        after=str(after or "")[:100],
        data=data or {},
    )


def record(obj: models.Model, verb: str, **fields) -> Event:
    """Write one audit event for `obj` (QS-1), `event()`'s arguments. Call inside the
    transition's transaction."""
    e = event(obj, verb, **fields)
    e.save(force_insert=True)
    return e


def record_many(events: list[Event]) -> list[Event]:
    """Write the events of a batch transition (many requests taken in at once) in one statement."""
    return Event.objects.bulk_create(events)


def events_for(obj: models.Model, limit: int = 100):
    """The newest events of one object, with their actor, in one query."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return Event.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor")[:limit]


__all__ = ["event", "events_for", "record", "record_many", "verb_label"]
