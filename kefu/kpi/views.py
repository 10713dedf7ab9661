"""The dashboard's address and its workbench link (the page itself is the reports kit's)."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def dashboard(request):
    return redirect(reverse("reports:page", args=["kpi"]) + (f"?{request.GET.urlencode()}" if request.GET else ""))


def workbench_panel(request):
    """The service manager's and department head's link to the dashboard (RPT-1, RPT-2)."""
    if not request.user.has_perm("kpi.view_dashboard"):
        return None
    return {
        "title": _("KPI 看板"),
        "template": "kpi/workbench_panel.html",
        "url": reverse("reports:page", args=["kpi"]),
    }
