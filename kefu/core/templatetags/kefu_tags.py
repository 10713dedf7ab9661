from django import template

from kefu.org.roles import ROLE_LABELS

register = template.Library()


@register.filter
def object_key(obj) -> str:
    """`app.model:pk`, put on every list row so tests can check who sees which rows."""
    return f"{obj._meta.label_lower}:{obj.pk}"


@register.filter
def role_label(key: str) -> str:
    return str(ROLE_LABELS.get(key, key))
