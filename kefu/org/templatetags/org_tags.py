from django import template

from kefu.core import lists
from kefu.org.models import Department, User
from kefu.org.roles import ROLE_LABELS

register = template.Library()


@register.filter
def role_label(key: str) -> str:
    """A role group's key (`hotline`) → its label (热线工程师)."""
    return str(ROLE_LABELS.get(key, key))


@register.simple_tag(takes_context=True)
def drill_people(context) -> str:
    """The name of the engineer or department a report's drill-down narrowed a list to
    (`core.lists.people`), looked up among what the user may see; "" when none."""
    request = context.get("request")
    chosen = lists.people(request.GET) if request is not None else None
    if chosen is None:
        return ""
    key, pk = chosen
    if key == "engineer":
        found = User.objects.visible_to(request.user).filter(pk=pk).first()
        return found.display_name if found else ""
    found = Department.objects.visible_to(request.user).filter(pk=pk).first()
    return found.name if found else ""
