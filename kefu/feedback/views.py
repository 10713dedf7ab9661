"""Feedback pages (FB-1): the list with its filters, where staff set each category; the
analysis is the reports kit's page (`/reports/feedback/`)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.core.actions import act
from kefu.feedback import selectors, tables, workflow
from kefu.feedback.forms import CategoryForm
from kefu.feedback.models import Feedback

SET = _("已将分类设为“%(c)s”。")


@login_required
@permission_required("feedback.view_list", raise_exception=True)
def feedback_list(request):
    categories = selectors.categories()
    return render(
        request,
        "feedback/list.html",
        {
            "listing": tables.FEEDBACK.listing(request, categories=[c for c in categories if c.active]),
            **tables.filters_of(request.GET),
            "categories": categories,
            "sources": Feedback.Source.choices,
            "next": request.get_full_path(),
        },
    )


def _back(request) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return reverse("feedback:list")


@login_required
@require_POST
def set_category(request):
    row = (request.POST.get("row") or "").strip()
    fb = Feedback.objects.visible_to(request.user).filter(pk=int(row)).first() if row.isdigit() else None
    if fb is None:
        raise Http404
    back = _back(request)
    return act(
        request,
        workflow.set_category,
        fb,
        form=CategoryForm(request.POST, pk=fb.pk),
        done=lambda done: SET % {"c": done.category.name},
        then=back,
        back=back,
    )


def analysis(request):
    return redirect(reverse("reports:page", args=["feedback"]) + (f"?{request.GET.urlencode()}" if request.GET else ""))
