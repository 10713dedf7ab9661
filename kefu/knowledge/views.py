"""Problem-library pages: search (KB-2), an article with its transitions (KB-1), suggestions (KB-3)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.audit.service import events_for
from kefu.core.errors import KefuError
from kefu.knowledge import selectors, suggest, workflow
from kefu.knowledge.forms import ArticleForm
from kefu.knowledge.models import Article

PAGE_SIZE = 20


@login_required
@permission_required("knowledge.view_list", raise_exception=True)
def article_list(request):
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status and not request.user.has_perm("knowledge.add_article"):
        status = ""
    product = request.GET.get("product", "")
    qs = selectors.articles_for(request.user, q=q, status=status, product=product)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/article_list.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "product": product,
            "products": selectors.products(),
            "statuses": Article.Status.choices,
            "can_write": request.user.has_perm("knowledge.add_article"),
        },
    )


@login_required
def article_detail(request, pk):
    article = selectors.article_for(request.user, pk)
    user = request.user
    S = Article.Status
    return render(
        request,
        "knowledge/article_detail.html",
        {
            "article": article,
            "events": events_for(article, limit=30),
            "can_edit": article.status == S.DRAFT and user.has_perm("knowledge.change_article", article),
            "can_review": article.status == S.DRAFT and user.has_perm("knowledge.review_article", article),
            "can_publish": article.status == S.REVIEWED and user.has_perm("knowledge.publish_article", article),
            "can_send_back": article.status != S.DRAFT and user.has_perm("knowledge.send_back_article", article),
        },
    )


@login_required
def article_create(request):
    if not request.user.has_perm("knowledge.add_article"):
        raise PermissionDenied
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            article = workflow.create_article(by=request.user, now=timezone.now(), **form.cleaned_data)
        except KefuError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("草稿已保存，等待审核。"))
            return redirect(article)
    return render(request, "knowledge/article_form.html", {"form": form, "article": None})


@login_required
def article_edit(request, pk):
    article = selectors.article_for(request.user, pk)
    if not request.user.has_perm("knowledge.change_article", article):
        raise PermissionDenied
    form = ArticleForm(request.POST or None, instance=Article(**{f: getattr(article, f) for f in workflow.EDITABLE}))
    if request.method == "POST" and form.is_valid():
        try:
            workflow.update_article(article, by=request.user, now=timezone.now(), **form.cleaned_data)
        except KefuError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("草稿已修改。"))
            return redirect(article)
    return render(request, "knowledge/article_form.html", {"form": form, "article": article})


TRANSITIONS = {
    "review": (workflow.review, _("已审核。")),
    "publish": (workflow.publish, _("已发布，现在可以被检索和推荐。")),
    "send_back": (workflow.send_back, _("已退回草稿。")),
}


@login_required
@require_POST
def article_transition(request, pk, action):
    if action not in TRANSITIONS:
        raise Http404
    article = selectors.article_for(request.user, pk)
    func, done = TRANSITIONS[action]
    extra = {"reason": request.POST.get("reason", "")} if action == "send_back" else {}
    try:
        func(article, by=request.user, now=timezone.now(), **extra)
    except KefuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(article)


@login_required
@permission_required("knowledge.view_list", raise_exception=True)
def suggestions(request):
    """htmx fragment (KB-3): given the phenomenon being typed, similar articles and past cases."""
    text = request.GET.get("phenomenon") or request.GET.get("symptom") or request.GET.get("q") or ""
    groups = suggest.suggest(text, user=request.user)
    return render(request, "knowledge/_suggestions.html", {"groups": groups, "text": text.strip()})
