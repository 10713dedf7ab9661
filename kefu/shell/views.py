"""Shell pages: workbench, profile (RPT-1)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Value, When
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from kefu.core.workbench import panels_for
from kefu.notify.models import Notification


@login_required
def workbench(request):
    """A user's page of what is theirs and what is due (RPT-1). Domains add panels here."""
    # Unread first (newest first), then the latest read ones.
    unread_first = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1))
    notifications = Notification.objects.filter(recipient=request.user).order_by(unread_first, "-created_at", "-pk")[:8]
    return render(request, "shell/workbench.html", {"notifications": notifications, "panels": panels_for(request)})


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
    return render(request, "shell/profile.html", {"form": form})
