"""Shell pages: login lockout."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

LOCKED_OUT = _("该账户从您所在的网络地址登录失败次数过多，已暂停 %(minutes)d 分钟，请稍后再试或联系系统管理员。")
ADDRESS_LOCKED = _("您所在的网络地址登录失败次数过多，已暂停登录 %(minutes)d 分钟，请稍后再试或联系系统管理员。")


def lockout(request, credentials=None, *args, **kwargs):
    """django-axes calls this when a login is refused (kefu.core.lockout): 5 failures of this
    username from this address, or 20 from this address. A Chinese message, 429 (JSON for the API)."""
    if getattr(request, "kefu_address_locked", False):
        message, code = ADDRESS_LOCKED, "address_locked"
    else:
        message, code = LOCKED_OUT, "locked"
    message = message % {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": code}, status=429)
    return render(request, "registration/locked.html", {"message": message}, status=429)
