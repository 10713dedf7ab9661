from django.conf import settings

from kefu.core.navigation import items_for
from kefu.notify.models import Notification


def shell(request):
    """Navigation and the bell's unread count for the page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"kefu_version": settings.VERSION}
    return {
        "kefu_version": settings.VERSION,
        "nav_items": items_for(user),
        "unread_count": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
    }
