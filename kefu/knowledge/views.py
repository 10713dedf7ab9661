"""Problem-library pages: search (KB-2), an article with its transitions (KB-1), suggestions (KB-3)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.audit.service import events_for
from kefu.core.actions import act
from kefu.knowledge import selectors, suggest, tables, workflow
from kefu.knowledge.forms import ArticleForm, SendBackForm
from kefu.knowledge.models import Article


@login_required
@permission_required("knowledge.view_list", raise_exception=True)
def article_list(request):
    return render(
        request,
        "knowledge/article_list.html",
        {
            "listing": tables.ARTICLES.listing(request),
            **tables.filters_of(request.user, request.GET),
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

    def page(exc=None):
        return render(request, "knowledge/article_form.html", {"form": form, "article": None})

    if request.method != "POST":
        return page()
    return act(request, workflow.create_article, form=form, done=_("草稿已保存，等待审核。"), again=page)


@login_required
def article_edit(request, pk):
    article = selectors.article_for(request.user, pk)
    if not request.user.has_perm("knowledge.change_article", article):
        raise PermissionDenied
    form = ArticleForm(request.POST or None, instance=Article(**{f: getattr(article, f) for f in workflow.EDITABLE}))

    def page(exc=None):
        return render(request, "knowledge/article_form.html", {"form": form, "article": article})

    if request.method != "POST":
        return page()
    return act(request, workflow.update_article, article, form=form, done=_("草稿已修改。"), then=article, again=page)


# The article page's buttons: action → (workflow function, its form or None, what happened).
PAGE_ACTIONS = {
    "review": (workflow.review, None, _("已审核。")),
    "publish": (workflow.publish, None, _("已发布，现在可以被检索和推荐。")),
    "send_back": (workflow.send_back, SendBackForm, _("已退回草稿。")),
}


@login_required
@require_POST
def article_transition(request, pk, action):
    if action not in PAGE_ACTIONS:
        raise Http404
    article = selectors.article_for(request.user, pk)
    fn, form_class, done = PAGE_ACTIONS[action]
    form = form_class(request.POST) if form_class else None
    return act(request, fn, article, form=form, done=done, then=article)


@login_required
@permission_required("knowledge.view_list", raise_exception=True)
def suggestions(request):
    """htmx fragment (KB-3): given the phenomenon being typed, similar articles and past cases."""
    text = request.GET.get("phenomenon") or request.GET.get("symptom") or request.GET.get("q") or ""
    groups = suggest.suggest(text, user=request.user)
    return render(request, "knowledge/_suggestions.html", {"groups": groups, "text": text.strip()})
