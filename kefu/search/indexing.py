"""Writing search tokens: one row after a change, or a whole table after a tokenizer change."""

from django.db import transaction
from django.db.models import Model, QuerySet

from kefu.search.tokens import index_tokens


def tokens_for(obj) -> str:
    return index_tokens(obj.search_text())


def index(obj) -> str:
    """Recompute and store `obj`'s tokens (the database triggers update the index itself).

    Call it from the workflow function that changed the searched fields, inside its
    transaction; one UPDATE of one column, so it never overwrites other fields.
    """
    tokens = tokens_for(obj)
    type(obj)._base_manager.filter(pk=obj.pk).update(search_tokens=tokens)
    obj.search_tokens = tokens
    return tokens


def reindex(source: type[Model] | QuerySet, *, batch: int = 1000) -> int:
    """Recompute the tokens of every row (a model or a queryset, e.g. with select_related for
    search_text()); writes only rows whose tokens changed. Returns how many changed.

    Walks the primary key in batches, so it needs no long-lived cursor and can be resumed.
    """
    queryset = source if isinstance(source, QuerySet) else source._base_manager.all()
    changed, last = 0, None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page[:batch])
        if not rows:
            return changed
        stale = []
        for obj in rows:
            tokens = tokens_for(obj)
            if tokens != obj.search_tokens:
                obj.search_tokens = tokens
                stale.append(obj)
        with transaction.atomic(using=queryset.db):
            queryset.model._base_manager.using(queryset.db).bulk_update(stale, ["search_tokens"], batch_size=batch)
        changed += len(stale)
        last = rows[-1].pk
