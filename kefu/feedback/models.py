"""Customer feedback (FB-1): each comment of a survey, each return visit's result and each
remark heard on a call is one `Feedback`, with a category suggested from its text by the rule
table (`Category.keywords`, editable in the admin) and set or changed by staff."""

import re

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.org import roles
from kefu.surveys.models import MANAGER_ROLES as SURVEY_MANAGERS
from kefu.visits.models import MANAGER_ROLES as VISIT_MANAGERS

MANAGER_ROLES = SURVEY_MANAGERS | VISIT_MANAGERS | {roles.QUALITY}
# Who reads and categorises feedback besides the managers: the people who hear it.
CATEGORISER_ROLES = MANAGER_ROLES | {roles.CUSTOMER_REP, roles.SERVICE_DESK, roles.CALL_CENTER, roles.HOTLINE}
FALLBACK = "other"  # the category of a text no rule matches
SOURCE_PAGES = {"survey": "surveys:detail", "visit": "visits:detail"}
_SPLIT = re.compile(r"[\n,，、;；]+")


def is_staff(user) -> bool:
    return user.is_authenticated and not user.is_external and (user.is_superuser or user.has_internal_role)


def manages_feedback(user) -> bool:
    return is_staff(user) and (user.is_superuser or bool(user.role_keys & MANAGER_ROLES))


def categorises(user) -> bool:
    return is_staff(user) and (user.is_superuser or bool(user.role_keys & CATEGORISER_ROLES))


class Category(models.Model):
    """意见分类 with its rule: the keywords that suggest it (FB-1)."""

    key = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    keywords = models.TextField(
        _("关键词"), blank=True, help_text=_("每行一个，或用逗号、顿号分隔；意见中出现即计一次")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("意见分类")
        verbose_name_plural = _("意见分类")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip().lower() for k in _SPLIT.split(self.keywords or "") if k.strip()]


class FeedbackQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Managers see all feedback; other staff who hear it see what was said of their own
        service; stations and customers none."""
        if manages_feedback(user):
            return self
        if categorises(user):
            return self.filter(staff=user)
        return self.none()


class Feedback(models.Model):
    class Source(models.TextChoices):
        SURVEY = "survey", _("满意度调查")
        VISIT = "visit", _("回访")
        CALL = "call", _("来电")

    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.CharField(max_length=40)
    subject = GenericForeignKey("source_type", "source_id")
    source_label = models.CharField(_("来源事项"), max_length=200, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="feedback"
    )
    text = models.TextField(_("意见内容"))
    rating = models.CharField(_("评价"), max_length=20, blank=True)
    at = models.DateTimeField(_("反馈时间"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    suggested = models.ForeignKey(
        Category, verbose_name=_("建议分类"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("分类"), null=True, blank=True, on_delete=models.PROTECT, related_name="feedback"
    )
    categorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("分类人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    categorised_at = models.DateTimeField(_("分类时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("收集时间"))

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户意见")
        verbose_name_plural = _("客户意见")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id"], name="feedback_one_per_source"),
        ]
        indexes = [
            models.Index(fields=["-at", "-id"], name="feedback_newest"),
            models.Index(fields=["category", "at"], name="feedback_category_at"),
            models.Index(fields=["staff", "-at"], name="feedback_staff"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} · {self.customer}"

    def get_absolute_url(self) -> str:
        """The survey or visit it was said in (no query), or the call's record."""
        name = SOURCE_PAGES.get(self.source)
        if name:
            return reverse(name, args=[self.source_id])
        subject = self.subject
        return subject.get_absolute_url() if subject is not None else ""

    @property
    def confirmed(self) -> bool:
        """Set by staff (else the rule table's suggestion stands)."""
        return self.categorised_by_id is not None
