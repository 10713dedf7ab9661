"""The KPI dashboard's daily aggregates (issue 15, RPT-2): per day, metric, bin and person."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.reports.models import DailyAggregate


class DailyKpi(DailyAggregate):
    """Pre-counted rows of one KPI metric for one day and one person (the owner, engineer or
    server of the rows: what the department and engineer filters narrow to; blank: nobody's).
    Kept by `kefu.kpi.aggregates` from the selectors; never edited by hand."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The company's row of a metric and bin (added up over the people): what a page for everyone reads.
    total = models.BooleanField(_("合计"), default=False)

    class Meta:
        verbose_name = _("KPI 每日汇总")
        verbose_name_plural = _("KPI 每日汇总")
        indexes = [
            # The company's rows (what a page for everyone reads), by metric and day; a partial
            # index, as `total` alone is not a range either database can seek on.
            models.Index(fields=["metric", "day"], condition=models.Q(total=True), name="kpi_daily_totals"),
            # Everyone's own rows of a period (the workload tables, per person), by metric and day.
            models.Index(fields=["metric", "day"], condition=models.Q(total=False), name="kpi_daily_people"),
            models.Index(fields=["metric", "person", "day"], name="kpi_daily_metric_person"),
            models.Index(fields=["day"], name="kpi_daily_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.metric} {self.bin}"
