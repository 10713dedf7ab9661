"""Shared model building blocks."""

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import ALREADY_DELETED, REASON_REQUIRED, Invalid


def reserve_pks(model: type[models.Model], count: int) -> list[int] | None:
    """The ids the next `count` rows of `model` get, taken from its sequence now (PostgreSQL),
    so rows whose other columns derive from their id (a request number) are written once,
    not inserted and then updated. None where there is no sequence (SQLite): insert, then update."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


class AliveQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def delete(self):  # a bulk hard delete of business rows is never right
        raise Invalid(_("业务记录不可物理删除，请使用带原因的删除操作。"))


class AliveManager(models.Manager.from_queryset(AliveQuerySet)):
    """Default manager of soft-deletable models: deleted rows are hidden unless asked for.

    Subclass querysets keep this with `AliveManager.from_queryset(MyQuerySet)()`.
    """

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeletable(models.Model):
    """Business records are never hard-deleted (QS-1): a deletion keeps the row with its reason.

    `objects` shows only live rows; `all_objects` includes deleted ones for history and audit.
    """

    deleted_at = models.DateTimeField(_("删除时间"), null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("删除人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    delete_reason = models.CharField(_("删除原因"), max_length=500, blank=True)

    objects = AliveManager()
    all_objects = models.Manager.from_queryset(AliveQuerySet)()

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def mark_deleted(self, *, by, reason: str, now) -> None:
        """Set the deletion fields; the caller's workflow function saves and audits."""
        if self.is_deleted:
            raise Invalid(ALREADY_DELETED)
        if not (reason or "").strip():
            raise Invalid(REASON_REQUIRED, field="reason")
        self.deleted_at = now
        self.deleted_by = by
        self.delete_reason = reason.strip()

    def delete(self, *args, **kwargs):
        raise Invalid(_("业务记录不可物理删除，请使用带原因的删除操作。"))


class Heartbeat(models.Model):
    """Last time the periodic heartbeat job ran; /healthz reports jobs "degraded" when stale."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()

    class Meta:
        verbose_name = _("心跳")

    def __str__(self) -> str:
        return f"{self.name} {timezone.localtime(self.beat_at):%Y-%m-%d %H:%M:%S}"


class ExportJob(models.Model):
    """An Excel export too big to build during the request (RPT-4): built by a job, with its
    progress on the page and the file offered to the one who asked when it is done."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.PROTECT)
    list_name = models.CharField(_("列表"), max_length=100)
    title = models.CharField(_("名称"), max_length=100)
    query = models.TextField(_("筛选条件"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    written = models.PositiveIntegerField(_("已写行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} #{self.pk}"

    @property
    def percent(self) -> int:
        return min(100, self.written * 100 // self.total) if self.total else 0
