"""The monthly complaint analysis report's clock and publication (CP-8)."""

from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.audit.service import record
from kefu.complaints.models import MonthlyReport
from kefu.complaints.workflow._common import MONTHLY_REPORT
from kefu.core.errors import Conflict, Invalid
from kefu.core.permissions import require
from kefu.core.validation import text
from kefu.deadlines import clocks
from kefu.notify import outbox
from kefu.notify.models import Outbox
from kefu.org import roles
from kefu.org.models import Department, User
from kefu.org.selectors import active_with_role

ALREADY_PUBLISHED = _("该月的投诉分析报告已发布。")
MONTH_NOT_OVER = _("该月尚未结束，不能发布报告。")


def first_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_start(month: date) -> datetime:
    return timezone.make_aware(datetime.combine(month, time.min))


def report_for(month: date, *, now: datetime) -> MonthlyReport:
    """The month's report row, with its clock on the supervisor: due on the 3rd working day of
    the next month (rule complaint.monthly_report), counted from the month's first day."""
    month = first_of(month)
    report = MonthlyReport.objects.filter(month=month).first()
    if report is None:
        owner = next(iter(active_with_role(roles.QUALITY)), None)
        try:
            with transaction.atomic():
                report = MonthlyReport.objects.create(month=month, owner=owner, created_at=now)
        except IntegrityError:  # a concurrent run created it
            return MonthlyReport.objects.get(month=month)
        start = month_start(month)
        clocks.start(report, MONTHLY_REPORT, owner=owner, now=now, since=start if start < now else None)
    return report


def open_monthly_report(*, now: datetime) -> MonthlyReport:
    """The periodic job: the current month's report exists and its clock runs. Idempotent."""
    with transaction.atomic():
        return report_for(timezone.localdate(now), now=now)


def publish(report: MonthlyReport, *, summary: str = "", by: User, now: datetime) -> MonthlyReport:
    """The supervisor publishes the month's report: every department head and the general
    manager are sent it (in-app and email, through the outbox), and its clock stops (CP-8)."""
    require(by, "complaints.publish_report", report)
    summary = text(MonthlyReport, "summary", summary)
    if timezone.localdate(now) < next_month(report.month):
        raise Invalid(MONTH_NOT_OVER)
    with transaction.atomic():
        if not MonthlyReport.objects.filter(pk=report.pk, published_at__isnull=True).update(
            published_at=now, published_by=by, summary=summary
        ):
            raise Conflict(ALREADY_PUBLISHED)
        report.refresh_from_db()
        record(report, "publish_report", by=by, at=now)
        clocks.stop(report, MONTHLY_REPORT, now=now, by=by)
        heads = [d.head for d in Department.objects.filter(head__isnull=False).select_related("head")]
        readers = [u for u in dict.fromkeys([*heads, *active_with_role(roles.GENERAL_MANAGER)]) if u.is_active]
        outbox.enqueue(
            "complaint.monthly_report",
            report,
            to=readers,
            subject=str(_("客户投诉分析报告已发布：%(m)s") % {"m": report.month.strftime("%Y-%m")}),
            body=summary,
            link=report.get_absolute_url(),
            channels_=(Outbox.Channel.INAPP, Outbox.Channel.EMAIL),
            now=now,
        )
    return report
