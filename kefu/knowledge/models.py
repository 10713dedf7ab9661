"""The standardized problem library (标准化问题库, KB-1): articles found by Chinese search (KB-2)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.core.models import AliveManager, AliveQuerySet, SoftDeletable
from kefu.org import roles
from kefu.search.models import SearchableModel

# Who writes drafts: the people who solve problems and see them first.
WRITER_ROLES = frozenset(
    {
        roles.HOTLINE,
        roles.SERVICE_DESK,
        roles.SERVICE_MANAGER,
        roles.FIELD_ENGINEER,
        roles.CALL_CENTER,
        roles.CUSTOMER_REP,
        roles.QUALITY,
        roles.CONSULTANT,
        roles.AFTERSALES_MANAGER,
    }
)
# Who reviews a draft (never their own) and who publishes a reviewed article.
REVIEWER_ROLES = frozenset({roles.SERVICE_MANAGER, roles.QUALITY, roles.AFTERSALES_MANAGER})
PUBLISHER_ROLES = frozenset({roles.SERVICE_MANAGER, roles.AFTERSALES_MANAGER})


def is_staff_reader(user) -> bool:
    return user.is_authenticated and not user.is_external and (user.is_superuser or user.has_internal_role)


def writes_articles(user) -> bool:
    return is_staff_reader(user) and (user.is_superuser or bool(user.role_keys & WRITER_ROLES))


class ArticleQuerySet(AliveQuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED)

    def visible_to(self, user):
        """Internal staff read published articles; writers and reviewers also drafts; outsiders nothing."""
        if not is_staff_reader(user):
            return self.none()
        if writes_articles(user):
            return self
        return self.published()


class Article(SoftDeletable, SearchableModel):
    """标准化问题库条目 (KB-1): symptom, cause, solution, steps; draft → reviewed → published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        REVIEWED = "reviewed", _("已审核")
        PUBLISHED = "published", _("已发布")

    title = models.CharField(_("标题"), max_length=200)
    symptom = models.TextField(_("现象"))
    cause = models.TextField(_("原因"), blank=True)
    solution = models.TextField(_("解决方法"))
    steps = models.TextField(_("处理步骤"), blank=True)
    product = models.CharField(_("产品"), max_length=100, blank=True, db_index=True)
    version = models.CharField(_("版本"), max_length=50, blank=True)
    tags = models.CharField(_("标签"), max_length=300, blank=True, help_text=_("多个标签用逗号分隔"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The request (or service sheet, hotline record …) the article came from (KB-1, HL-4, KB-4):
    # a generic relation, so the library needs no import of the domains that feed it.
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("来源类型"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.CharField(_("来源编号"), max_length=40, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    source_label = models.CharField(_("来源"), max_length=200, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="kb_articles",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("作者"), on_delete=models.PROTECT, related_name="kb_articles"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("修改时间"))

    objects = AliveManager.from_queryset(ArticleQuerySet)()
    all_objects = models.Manager.from_queryset(ArticleQuerySet)()

    class Meta:
        verbose_name = _("问题库条目")
        verbose_name_plural = _("标准化问题库")
        base_manager_name = "all_objects"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "-id"], name="kb_article_status"),
            models.Index(fields=["source_type", "source_id"], name="kb_article_source"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:detail", args=[self.pk])

    def search_text(self) -> str:
        return "\n".join(
            [self.title, self.symptom, self.cause, self.solution, self.steps, self.product, self.version, self.tags]
        )

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.replace("，", ",").split(",") if t.strip()]
