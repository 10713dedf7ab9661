"""Shell pages: login lockout, workbench, profile."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Value, When
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from kefu.notify.models import Notification

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


@login_required
def workbench(request):
    """A user's page of what is theirs and what is due (RPT-1). Domains add panels here."""
    # Unread first (newest first), then the latest read ones.
    unread_first = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1))
    notifications = Notification.objects.filter(recipient=request.user).order_by(unread_first, "-created_at", "-pk")[:8]
    return render(request, "core/workbench.html", {"notifications": notifications, "panels": workbench_panels(request)})


def workbench_panels(request) -> list[dict]:
    from kefu.core.workbench import panels_for

    return panels_for(request)


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    mobile = PhoneNumberField(label=_("手机"), region="CN", required=False)
    email = forms.EmailField(label=_("邮箱"), required=False)


@login_required
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            user.name = form.cleaned_data["name"]
            user.mobile = form.cleaned_data["mobile"] or ""
            user.email = form.cleaned_data["email"]
            user.save(update_fields=["name", "mobile", "email"])
            messages.success(request, _("个人资料已保存。"))
            return redirect("profile")
    else:
        form = ProfileForm(initial={"name": user.name, "mobile": user.mobile, "email": user.email})
    return render(request, "core/profile.html", {"form": form})
