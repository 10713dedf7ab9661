"""The summary's address, and the page that starts a problem-library draft from a problem's
request (RPT-3 → KB-1: the knowledge workflow's `propose`, the draft linked to the request)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.core.actions import act
from kefu.knowledge import workflow as knowledge
from kefu.knowledge.forms import ArticleForm
from kefu.problems import grouping
from kefu.servicedesk.models import ServiceRequest

DRAFTED = _("已生成问题库草稿“%(t)s”，等待审核。")


def summary(request):
    return redirect(reverse("reports:page", args=["problems"]) + (f"?{request.GET.urlencode()}" if request.GET else ""))


def _initial(req: ServiceRequest) -> dict:
    product, version = grouping.product_version(req.product)
    return {
        "title": req.title,
        "symptom": req.phenomenon,
        "cause": req.cause,
        "solution": req.result or req.method,
        "steps": req.method,
        "product": product,
        "version": version,
    }


@login_required
def draft(request):
    """A draft article prefilled from the request; what was typed is kept on error."""
    if not request.user.has_perm("knowledge.add_article"):
        raise PermissionDenied
    pk = (request.GET.get("request") or "").strip()
    req = ServiceRequest.objects.visible_to(request.user).filter(pk=int(pk)).first() if pk.isdigit() else None
    if req is None:
        raise Http404
    form = ArticleForm(request.POST or None, initial=_initial(req))

    def page(exc=None):
        return render(request, "problems/draft.html", {"form": form, "source": req}, status=exc.status if exc else 200)

    if request.method != "POST":
        return page()
    return act(
        request,
        knowledge.propose,
        req,
        form=form,
        done=lambda article: DRAFTED % {"t": article.title},
        again=page,
    )
