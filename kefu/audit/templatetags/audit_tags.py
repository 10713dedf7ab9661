from django import template

from kefu.audit.service import events_for, verb_label

register = template.Library()


@register.inclusion_tag("audit/history_panel.html")
def history_panel(obj):
    """The history panel shown on every object's page (QS-1)."""
    return {"events": events_for(obj)}


@register.filter
def verb_display(verb: str, domain: str = "") -> str:
    """`{{ verb|verb_display:"servicedesk" }}`: a verb's label in a domain (an event has `verb_label`)."""
    return verb_label(verb, domain or None)
