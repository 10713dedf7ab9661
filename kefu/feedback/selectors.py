"""Scoped reads of feedback (FB-1): the list's filters and the analysis's counts."""

from collections import Counter
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from kefu.feedback.models import Category, Feedback


def categories() -> list[Category]:
    return list(Category.objects.order_by("order", "id"))


def feedback_for(user, *, category: str = "", source: str = "", confirmed: str = "") -> QuerySet:
    qs = Feedback.objects.visible_to(user)
    if category == "none":
        qs = qs.filter(category__isnull=True)
    elif category.isdigit():
        qs = qs.filter(category_id=int(category))
    if source in Feedback.Source.values:
        qs = qs.filter(source=source)
    if confirmed == "1":
        qs = qs.filter(categorised_by__isnull=False)
    elif confirmed == "0":
        qs = qs.filter(categorised_by__isnull=True)
    return qs


def _in(qs: QuerySet, start: datetime, end: datetime, source: str) -> QuerySet:
    qs = qs.filter(at__gte=start, at__lt=end)
    return qs.filter(source=source) if source else qs


def counts(user, start: datetime, end: datetime, *, source: str = "") -> Counter:
    """Feedback of [start, end) per category id (None: not categorised)."""
    rows = _in(Feedback.objects.visible_to(user), start, end, source).values("category").annotate(n=Count("pk"))
    return Counter({r["category"]: r["n"] for r in rows})


def confirmed(user, start: datetime, end: datetime, *, source: str = "") -> tuple[int, int]:
    """(set by staff, all) of [start, end)."""
    agg = _in(Feedback.objects.visible_to(user), start, end, source).aggregate(
        all=Count("pk"), set=Count("pk", filter=Q(categorised_by__isnull=False))
    )
    return agg["set"], agg["all"]


def series(user, spans, *, source: str = "") -> list[Counter]:
    """Per span [start, end): feedback per category id, in one query."""
    lo, hi = min(a for a, _b in spans), max(b for _a, b in spans)
    qs = _in(Feedback.objects.visible_to(user), lo, hi, source)
    agg = {
        f"c{i}_{c.pk}": Count("pk", filter=Q(at__gte=a, at__lt=b, category_id=c.pk))
        for i, (a, b) in enumerate(spans)
        for c in categories()
    }
    got = qs.aggregate(**agg) if agg else {}
    out = []
    for i in range(len(spans)):
        out.append(Counter({c.pk: got.get(f"c{i}_{c.pk}", 0) for c in categories()}))
    return out


def comments(user, start: datetime, end: datetime, category_id: int, *, source: str = "", limit: int = 3) -> list:
    qs = _in(Feedback.objects.visible_to(user), start, end, source).filter(category_id=category_id)
    return list(qs.select_related("customer").order_by("-at", "-id")[:limit])
