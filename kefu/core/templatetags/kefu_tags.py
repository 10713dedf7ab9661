from django import template
from django.utils.html import format_html

from kefu.core import states, words
from kefu.core.tables import Table

register = template.Library()


@register.filter
def object_key(obj) -> str:
    """`app.model:pk`, put on every list row so tests can check who sees which rows."""
    return f"{obj._meta.label_lower}:{obj.pk}"


@register.filter
def join_words(items) -> str:
    """`{{ names|join_words }}`: "甲、乙" in Chinese, "a, b" in English (escaped by the template)."""
    return words.join(items)


# --- a form that failed keeps what was typed and says what is wrong beside its field ---------
# A page re-rendered after a KefuError gets `error` (the exception, with `.field`) and `post`
# (what was sent): `class="form-control{{ error|invalid:'note' }}"`, `{% field_error error 'note' %}`,
# `value="{{ post.note }}"`.


@register.filter
def invalid(error, field: str) -> str:
    return " is-invalid" if error is not None and getattr(error, "field", None) == field else ""


@register.simple_tag
def field_error(error, field: str):
    if error is None or getattr(error, "field", None) != field:
        return ""
    return format_html('<div class="invalid-feedback d-block" data-testid="error-{}">{}</div>', field, error.message)


@register.filter
def checked_if(post, pair: str) -> str:
    """`{{ post|checked_if:'outcome=solved' }}` → " checked" when the sent form had that value."""
    name, _sep, value = pair.partition("=")
    if not post or not hasattr(post, "get"):
        return ""
    values = post.getlist(name) if hasattr(post, "getlist") else [post.get(name)]
    return " checked" if (value in values if value else any(values)) else ""


@register.simple_tag
def status_badge(obj, field: str = "status", extra: str = "", label=None):
    """The badge of any status, colour and label from its state machine (kefu.core.states);
    `label` overrides the text (the portal's customer-facing wording)."""
    b = states.badge(obj, field)
    return format_html(
        '<span class="badge bg-{}-lt{}" data-status="{}">{}</span>',
        b["colour"],
        f" {extra}" if extra else "",
        b["status"],
        label or b["label"],
    )


# --- the list kit (kefu.core.tables) -----------------------------------------------------------


@register.inclusion_tag("components/_list_table.html")
def list_table(listing):
    """`{% list_table listing %}`: the page's table, its count and its pager, from the declaration."""
    return {"listing": listing}


@register.inclusion_tag("components/_export_button.html", takes_context=True)
def export_button(context, listing):
    """`{% export_button listing %}`: "导出 Excel" with the page's filters, for those who may.
    `listing` may also be a Table, for a page that renders its rows without a Listing."""
    if isinstance(listing, Table):
        return {"listing": {"export_url": listing.export_link(context["request"])}}
    return {"listing": listing}
