"""Shell pages: login lockout."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

LOCKED_OUT = _("登录失败次数过多，账户已锁定 15 分钟，请稍后再试或联系系统管理员。")


def lockout(request, credentials=None, *args, **kwargs):
    """django-axes calls this after 5 failures: a Chinese message, 429 (JSON for the API)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(LOCKED_OUT), "code": "locked"}, status=429)
    return render(request, "registration/locked.html", {"message": LOCKED_OUT}, status=429)
