"""The category a feedback's text suggests (FB-1): pure, from the rule table.

Each active category's keywords are looked for in the text (NFKC-folded, lower case, so
full-width and upper-case letters match); the category with the most keyword hits wins, ties
by the table's order; no hit at all is the fallback category (其他)."""

from kefu.feedback.models import FALLBACK, Category
from kefu.search.tokens import normalise


def suggest(text: str, categories: list[Category]) -> Category | None:
    folded = normalise(text)
    best, best_hits = None, 0
    for cat in categories:
        hits = sum(folded.count(normalise(k)) for k in cat.keyword_list)
        if hits > best_hits:
            best, best_hits = cat, hits
    if best is not None:
        return best
    return next((c for c in categories if c.key == FALLBACK), None)


def rule_table() -> list[Category]:
    return list(Category.objects.filter(active=True).order_by("order", "id"))
