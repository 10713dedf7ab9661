"""`record()` is called by workflow functions; `events_for()` feeds the history panel."""

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from kefu.audit.models import Event
from kefu.audit.verbs import verb_label


def record(
    obj: models.Model,
    verb: str,
    *,
    by,
    at: datetime,
    before: Any = "",
    after: Any = "",
    data: dict | None = None,
) -> Event:
    """Write one audit event for `obj` (QS-1). Call inside the transition's transaction."""
    actor = by if getattr(by, "is_authenticated", False) else None
    return Event.objects.create(
        at=at,
        actor=actor,
        actor_name=actor.display_name if actor else "系统",
        verb=verb,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=str(before or "")[:100],
        after=str(after or "")[:100],
        data=data or {},
    )


def events_for(obj: models.Model, limit: int = 100):
    """The newest events of one object, with their actor, in one query."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return Event.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor")[:limit]


__all__ = ["events_for", "record", "verb_label"]
