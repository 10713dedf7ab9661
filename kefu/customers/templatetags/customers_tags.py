from django import template

from kefu.customers.masking import personal

register = template.Library()


@register.filter
def phone(value, allowed) -> str:
    """{{ contact.mobile|phone:show_personal }}: the number, or 138****5678 (QS-6)."""
    return personal(value, allowed=bool(allowed))


@register.filter
def address(value, allowed) -> str:
    return personal(value, allowed=bool(allowed), kind="address")
