from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.core.errors import KefuError
from kefu.org import selectors, workflow
from kefu.org.forms import RetireForm


@login_required
@permission_required("org.view_station_list", raise_exception=True)
def station_list(request):
    page = Paginator(selectors.stations_for(request.user).prefetch_related("regions"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "org/station_list.html", {"page": page})


@login_required
def station_detail(request, pk):
    station = selectors.station_for(request.user, pk)
    return render(
        request,
        "org/station_detail.html",
        {
            "station": station,
            "regions": station.regions.all(),
            "staff": station.staff.filter(is_active=True),
            "retire_form": RetireForm(),
            "can_retire": request.user.has_perm("org.retire_station", station),
        },
    )


@login_required
@require_POST
def station_retire(request, pk):
    station = selectors.station_for(request.user, pk)
    form = RetireForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写删除原因。"))
        return redirect("org:station_detail", pk=pk)
    try:
        workflow.retire_station(station, by=request.user, reason=form.cleaned_data["reason"], now=timezone.now())
    except KefuError as exc:
        messages.error(request, exc.message)
        return redirect("org:station_detail", pk=pk)
    messages.success(request, _("维修站已删除（记录保留）。"))
    return redirect("org:station_list")


@login_required
@permission_required("org.view_user_list", raise_exception=True)
def user_list(request):
    page = Paginator(selectors.users_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "org/user_list.html", {"page": page})
