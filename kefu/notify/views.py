from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kefu.notify import inbox, tables
from kefu.notify.models import Notification


@login_required
def notification_list(request):
    return render(request, "notify/list.html", {"listing": tables.NOTIFICATIONS.listing(request)})


@login_required
@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    inbox.mark_read(request.user, [notification.pk], now=timezone.now())
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notify:list")


@login_required
@require_POST
def notification_read_all(request):
    inbox.mark_all_read(request.user, now=timezone.now())
    return redirect("notify:list")
