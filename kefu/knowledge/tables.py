"""The problem library's search list, declared once for its page and its Excel export (KB-2,
RPT-4). The page shows hits as a list, not a table; the export writes the articles' fields."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.core.tables import Column, Table
from kefu.knowledge import selectors
from kefu.knowledge.models import Article


def filters_of(user, params) -> dict:
    """The search, product and status (another status than published only for writers)."""
    status = params.get("status", "")
    if status and not user.has_perm("knowledge.add_article"):
        status = ""
    return {"q": params.get("q", "").strip(), "status": status, "product": params.get("product", "")}


class ArticleTable(Table):
    name = "knowledge:list"
    title = _("标准化问题库")
    permission = "knowledge.view_list"
    testid = "kb-results"
    per_page = 20
    columns = (
        Column("title", _("标题"), link=lambda a: reverse("knowledge:detail", args=[a.pk]), width=30),
        Column("status", _("状态"), choices=Article.Status),
        Column("product", _("产品")),
        Column("version", _("版本")),
        Column("symptom", _("现象"), width=40),
        Column("cause", _("原因"), width=30),
        Column("solution", _("解决方法"), width=40),
        Column("tags", _("标签")),
        Column("author", _("作者"), value="author.display_name"),
    )

    def rows(self, user, params):
        return selectors.articles_for(user, **filters_of(user, params))


ARTICLES = ArticleTable()
