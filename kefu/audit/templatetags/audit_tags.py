from django import template

from kefu.audit.service import events_for, verb_label

register = template.Library()


@register.inclusion_tag("audit/history_panel.html")
def history_panel(obj):
    """The history panel shown on every object's page (QS-1)."""
    return {"events": events_for(obj)}


@register.filter
def verb_display(verb: str) -> str:
    return verb_label(verb)
