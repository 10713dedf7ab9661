from django import template

from kefu.org.roles import ROLE_LABELS

register = template.Library()


@register.filter
def role_label(key: str) -> str:
    """A role group's key (`hotline`) → its label (热线工程师)."""
    return str(ROLE_LABELS.get(key, key))
