from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.core.actions import act
from kefu.org import selectors, tables, workflow
from kefu.org.forms import RetireForm
from kefu.org.models import ApiToken


@login_required
@permission_required("org.view_station_list", raise_exception=True)
def station_list(request):
    return render(request, "org/station_list.html", {"listing": tables.STATIONS.listing(request)})


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
    return act(
        request,
        workflow.retire_station,
        station,
        form=RetireForm(request.POST),
        done=_("维修站已删除（记录保留）。"),
        then="org:station_list",
        back=reverse("org:station_detail", args=[pk]),
    )


@login_required
@permission_required("org.view_user_list", raise_exception=True)
def user_list(request):
    return render(request, "org/user_list.html", {"listing": tables.USERS.listing(request)})


# --- API tokens and logout (issue 13 §5) ------------------------------------------------------


@login_required
def token_list(request):
    """The user's own API tokens that have not expired: issued, client, last used, expiry and
    the first 8 characters, each with a button to revoke it (reached from the user menu)."""
    tokens = ApiToken.objects.filter(user=request.user).live(timezone.now())
    return render(request, "org/token_list.html", {"tokens": tokens, "ttl_hours": settings.KEFU_TOKEN_TTL_HOURS})


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    return act(
        request,
        workflow.revoke_token,
        token,
        done=_("令牌 %(prefix)s… 已撤销，使用它的客户端需要重新获取令牌。") % {"prefix": token.prefix},
        then="tokens",
    )


class LogoutView(auth_views.LogoutView):
    """Web logout ends the session and every API token of the user (a shared computer is left
    with nothing open); integrations log in with an account of their own."""

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            workflow.log_out(request.user)
        return super().post(request, *args, **kwargs)
