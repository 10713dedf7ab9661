"""Customer archive (CRM-1..CRM-5): customers, contacts, contracts, devices and the timeline."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kefu.core.models import AliveManager, AliveQuerySet, SoftDeletable
from kefu.customers import names
from kefu.org import roles
from kefu.search.models import SearchableModel

# Internal roles that work with customers and so see the archive (QS-6: per role).
ARCHIVE_ROLES = frozenset(
    {
        roles.ADMIN,
        roles.SALES,
        roles.FIRST_VISIT,
        roles.CUSTOMER_REP,
        roles.SERVICE_DESK,
        roles.HOTLINE,
        roles.SERVICE_MANAGER,
        roles.IMPL_DIRECTOR,
        roles.PROJECT_MANAGER,
        roles.CONSULTANT,
        roles.QUALITY,
        roles.DEPT_HEAD,
        roles.GENERAL_MANAGER,
        roles.CALL_CENTER,
        roles.AFTERSALES_MANAGER,
    }
)


def reads_archive(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(user.role_keys & ARCHIVE_ROLES))


# Roles that see customers only by relation (QS-6): role → (user, prefix) → the Q of the customers
# related to that user. A domain registers its relation from its AppConfig.ready(), e.g. onsite
# service: a field engineer sees the customers of the orders dispatched to them, nothing else.
RELATION_SCOPES: dict[str, Callable[[Any, str], models.Q]] = {}


def register_relation_scope(role: str, scope: Callable[[Any, str], models.Q]) -> None:
    RELATION_SCOPES[role] = scope


def relation_scope(user, prefix: str = "") -> models.Q | None:
    """The Q of the customers a relation-scoped user may see, or None if none of their roles has one."""
    found = [scope(user, prefix) for role, scope in RELATION_SCOPES.items() if role in user.role_keys]
    if not found:
        return None
    q = found[0]
    for more in found[1:]:
        q |= more
    return q


def sees_by_relation(user) -> bool:
    return (
        user.is_authenticated
        and not user.is_external
        and not reads_archive(user)
        and any(role in user.role_keys for role in RELATION_SCOPES)
    )


def scoped(qs, user, prefix: str):
    """Apply the archive scope to a queryset whose customer is reached by `prefix`: archive staff
    see all, a portal user its organisation, a relation-scoped role its related customers."""
    if not user.is_authenticated:
        return qs.none()
    if user.is_customer_user:
        return qs.filter(**{f"{prefix}contacts__portal_user": user, f"{prefix}contacts__deleted_at__isnull": True})
    if user.is_station_user:
        return qs.none()
    if reads_archive(user):
        return qs
    related = relation_scope(user, prefix)
    return qs.filter(related).distinct() if related is not None else qs.none()


_LIVE = models.Q(deleted_at__isnull=True)


class CustomerQuerySet(AliveQuerySet):
    def visible_to(self, user):
        """Archive staff see every customer; a portal user its own organisation; others none."""
        return scoped(self, user, "")


class Customer(SoftDeletable, SearchableModel):
    """客户档案 (CRM-1). Names keep a normalised key (duplicates) and pinyin initials (search)."""

    class Level(models.TextChoices):
        NORMAL = "normal", _("普通")
        KEY = "key", _("重点")
        VIP = "vip", _("VIP")

    class Status(models.TextChoices):
        ACTIVE = "active", _("正常")
        CLOSED = "closed", _("已停止合作")

    name = models.CharField(_("客户全称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    name_key = models.CharField(_("名称比对键"), max_length=200, editable=False, db_index=True)
    short_key = models.CharField(_("简称比对键"), max_length=60, editable=False, blank=True, db_index=True)
    initials = models.CharField(_("拼音首字母"), max_length=60, editable=False, blank=True, db_index=True)
    province = models.ForeignKey(
        "org.Region", verbose_name=_("省"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    city = models.ForeignKey(
        "org.Region", verbose_name=_("市"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "org.Region", verbose_name=_("区/县"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("详细地址"), max_length=300, blank=True)
    industry = models.CharField(_("行业"), max_length=50, blank=True)
    website = models.CharField(_("公司网站"), max_length=200, blank=True)
    business = models.TextField(_("经营业务/产品"), blank=True)
    level = models.CharField(_("客户级别"), max_length=10, choices=Level.choices, default=Level.NORMAL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("客户代表"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers_owned",
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("建档时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("建档人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("修改时间"))
    history = HistoricalRecords(
        excluded_fields=["name_key", "short_key", "initials", "updated_at", "search_tokens", "search_vector"]
    )

    objects = AliveManager.from_queryset(CustomerQuerySet)()
    all_objects = models.Manager.from_queryset(CustomerQuerySet)()

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        ordering = ["-created_at", "-id"]
        # The list shows live customers newest first; each filter has a partial index in
        # exactly that order (created_at, then id: rows imported together share created_at),
        # so a page reads 30 index entries instead of sorting every match (bench/).
        indexes = [
            models.Index(fields=["-created_at", "-id"], condition=_LIVE, name="customers_newest"),
            models.Index(fields=["level", "-created_at", "-id"], condition=_LIVE, name="customers_level_newest"),
            models.Index(fields=["status", "-created_at", "-id"], condition=_LIVE, name="customers_status_newest"),
            models.Index(fields=["owner", "-created_at", "-id"], condition=_LIVE, name="customers_owner_newest"),
            models.Index(fields=["province", "-created_at", "-id"], condition=_LIVE, name="customers_prov_newest"),
            models.Index(fields=["city", "-created_at", "-id"], condition=_LIVE, name="customers_city_newest"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = names.name_key(self.name)
        self.short_key = names.name_key(self.short_name)
        # Initials of what people say: the short name, else the name without its legal suffix.
        self.initials = names.initials(self.short_name or self.name_key)
        self.fill_search_tokens()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "short_name", "industry"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "name_key", "short_key", "initials", "search_tokens"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])

    def search_text(self) -> str:
        return " ".join(filter(None, [self.name, self.short_name, self.industry]))

    @property
    def region_label(self) -> str:
        return "".join(str(r.name) for r in (self.province, self.city, self.district) if r and r.name != "市辖区")


class ContactQuerySet(AliveQuerySet):
    def visible_to(self, user):
        return scoped(self, user, "customer__")


class Contact(SoftDeletable):
    """联系人 (CRM-2). One main contact per customer; a contact may be the portal login."""

    customer = models.ForeignKey(Customer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    mobile = models.CharField(_("手机"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("邮箱"), blank=True)
    qq = models.CharField(_("QQ"), max_length=20, blank=True)
    wechat = models.CharField(_("微信"), max_length=50, blank=True)
    is_main = models.BooleanField(_("主要联系人"), default=False)
    in_marketing_qq = models.BooleanField(_("已加入营销QQ"), default=False)
    in_wechat_service = models.BooleanField(_("已关注微信服务号"), default=False)
    portal_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("客户门户账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customer_contact",
    )
    history = HistoricalRecords()

    objects = AliveManager.from_queryset(ContactQuerySet)()
    all_objects = models.Manager.from_queryset(ContactQuerySet)()

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["-is_main", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(is_main=True, deleted_at__isnull=True),
                name="customers_one_main_contact",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ContractQuerySet(AliveQuerySet):
    def visible_to(self, user):
        return scoped(self, user, "customer__")

    def in_service(self, day):
        return self.filter(service_start__lte=day, service_end__gte=day)


class Contract(SoftDeletable):
    """合同 (CRM-3): what was sold, the software and dongle, the service period and terms."""

    customer = models.ForeignKey(Customer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="contracts")
    number = models.CharField(_("合同编号"), max_length=50, unique=True)
    signed_on = models.DateField(_("签约日期"))
    sales = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签约人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts_signed",
    )
    products = models.TextField(_("产品与服务"))
    software_version = models.CharField(_("软件版本"), max_length=50, blank=True)
    modules = models.CharField(_("软件模块"), max_length=300, blank=True)
    dongle_no = models.CharField(_("加密锁号"), max_length=50, blank=True, db_index=True)
    service_start = models.DateField(_("服务开始"))
    service_end = models.DateField(_("服务结束"))
    service_terms = models.TextField(_("服务条款"), blank=True)
    amount = models.DecimalField(_("合同金额"), max_digits=14, decimal_places=2, null=True, blank=True)
    handed_over_at = models.DateTimeField(_("移交首访时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("录入时间"))
    history = HistoricalRecords()

    objects = AliveManager.from_queryset(ContractQuerySet)()
    all_objects = models.Manager.from_queryset(ContractQuerySet)()

    class Meta:
        verbose_name = _("合同")
        verbose_name_plural = _("合同")
        ordering = ["-signed_on", "-id"]
        indexes = [models.Index(fields=["service_start", "service_end"], name="contracts_service_period")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(service_end__gte=models.F("service_start")), name="contracts_period_order"
            )
        ]

    def __str__(self) -> str:
        return self.number


class DeviceQuerySet(AliveQuerySet):
    def visible_to(self, user):
        return scoped(self, user, "customer__")


class Device(SoftDeletable):
    """设备 (CRM-4): an installed unit; the barcode is the unit's, not the box's."""

    customer = models.ForeignKey(Customer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="devices")
    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), null=True, blank=True, on_delete=models.PROTECT, related_name="devices"
    )
    model = models.CharField(_("型号"), max_length=100)
    serial_barcode = models.CharField(_("整机条码"), max_length=64, unique=True)
    purchase_date = models.DateField(_("购买日期"), null=True, blank=True)
    invoice_no = models.CharField(_("发票号"), max_length=50, blank=True)
    warranty_card_no = models.CharField(_("保修卡号"), max_length=50, blank=True)
    factory_date = models.DateField(_("出厂日期"), null=True, blank=True)

    objects = AliveManager.from_queryset(DeviceQuerySet)()
    all_objects = models.Manager.from_queryset(DeviceQuerySet)()

    class Meta:
        verbose_name = _("设备")
        verbose_name_plural = _("设备")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.model} {self.serial_barcode}"


class TimelineEntry(models.Model):
    """One line of the customer care column (客户关怀栏, CRM-5), written by any domain's workflow.

    Denormalised on purpose: a page of the timeline is one indexed query, whatever domains
    the lines come from; `subject` points back to the request, visit or note for a link.
    """

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="timeline")
    at = models.DateTimeField(_("时间"))
    kind = models.CharField(_("类型"), max_length=30)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=100, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("客户关怀栏记录")
        verbose_name_plural = _("客户关怀栏记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "-at", "-id"], name="customers_timeline_page")]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.title}"


class ImportJob(models.Model):
    """One Excel import of customers and contacts (CRM-6): all rows or none, errors per row."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("处理中")
        FAILED = "failed", _("有错误，未导入")
        DONE = "done", _("已导入")

    class Phase(models.TextChoices):
        CHECKING = "checking", _("校验")
        WRITING = "writing", _("写入")

    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(_("阶段"), max_length=10, choices=Phase.choices, default=Phase.CHECKING)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    customers_created = models.PositiveIntegerField(_("新建客户"), default=0)
    contacts_created = models.PositiveIntegerField(_("新建联系人"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("上传时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("客户导入")
        verbose_name_plural = _("客户导入")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (self.Status.DONE, self.Status.FAILED) else 0
        done = self.processed_rows if self.phase == self.Phase.CHECKING else self.total_rows
        share = 90 * done // self.total_rows
        return 100 if self.status in (self.Status.DONE, self.Status.FAILED) else share
