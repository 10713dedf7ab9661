"""Suggestions while a phenomenon is typed (KB-3): similar published articles + registered sources.

The library knows nothing of the domains that hold past cases. A domain registers a source
from its AppConfig.ready():

    from kefu.knowledge.suggest import Suggestion, register_source

    def closed_requests(text: str, *, user, limit: int) -> list[Suggestion]:
        qs = ServiceRequest.objects.visible_to(user).filter(status="closed")
        return [Suggestion(title=r.phenomenon[:80], url=r.get_absolute_url(), snippet=r.solution[:120],
                           key=f"servicedesk.servicerequest:{r.pk}")
                for r in search.suggest(qs, text, limit=limit)]

    register_source(closed_requests, label=_("相似的已关闭服务请求"))

A source must scope its rows to `user` and return at most `limit` items, best first.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from kefu import search
from kefu.knowledge.models import Article

log = logging.getLogger(__name__)

MIN_CHARS = 2  # fewer typed characters suggest nothing (one character matches half the library)
ARTICLE_LABEL = _("相似的问题库条目")


@dataclass(frozen=True)
class Suggestion:
    title: str
    url: str
    snippet: str = ""
    key: str = ""  # "app.model:pk", rendered as data-object
    meta: str = ""  # a short line: product, date, status …


@dataclass
class Source:
    key: str
    label: object
    fetch: Callable
    order: int = 100


@dataclass
class Group:
    key: str
    label: object
    items: list[Suggestion] = field(default_factory=list)


SOURCES: dict[str, Source] = {}


def register_source(fetch: Callable, *, key: str | None = None, label=None, order: int = 100) -> Callable:
    """Add a suggestion source: `fetch(text, *, user, limit) -> list[Suggestion]`. Idempotent by key."""
    key = key or f"{fetch.__module__}.{fetch.__qualname__}"
    SOURCES[key] = Source(key=key, label=label or key, fetch=fetch, order=order)
    return fetch


def unregister_source(key_or_fetch) -> None:
    key = key_or_fetch if isinstance(key_or_fetch, str) else f"{key_or_fetch.__module__}.{key_or_fetch.__qualname__}"
    SOURCES.pop(key, None)


def similar_articles(text: str, *, user, limit: int = 5) -> list[Suggestion]:
    """Published articles sharing words with `text`, most in common first (KB-3)."""
    qs = Article.objects.visible_to(user).published().only("id", "title", "symptom", "solution", "product")
    return [
        Suggestion(
            title=a.title,
            url=a.get_absolute_url(),
            snippet=a.solution[:120],
            key=f"knowledge.article:{a.pk}",
            meta=a.product,
        )
        for a in search.suggest(qs, text, limit=limit)
    ]


def suggest(text: str, *, user, limit: int = 5) -> list[Group]:
    """Articles first, then every registered source; each group at most `limit` items."""
    text = (text or "").strip()
    if len(text) < MIN_CHARS:
        return []
    groups = [Group("knowledge.article", ARTICLE_LABEL, similar_articles(text, user=user, limit=limit))]
    for source in sorted(SOURCES.values(), key=lambda s: (s.order, s.key)):
        try:
            items = list(source.fetch(text, user=user, limit=limit))[:limit]
        except Exception:
            # A broken contributed source must not take the hotline's typing aid down with it.
            log.exception("suggestion source %s failed", source.key)
            continue
        groups.append(Group(source.key, source.label, items))
    return groups
