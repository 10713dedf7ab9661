"""Demo history for the KPI dashboard (issue 15): the eleven weeks before this one and this
week's working days before today, so the 12-period trends have a past and this week's figures
look like a normal week. Made through the workflows at past instants (each step's `now`),
as the desk would have worked: calls logged, hotline calls solved on the phone and closed,
their return visits done. Idempotent: nothing is added once a call older than a week exists."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from kefu.customers.models import Customer
from kefu.kpi.aggregates import STORE
from kefu.org.models import User
from kefu.reports import aggregates
from kefu.servicedesk import workflow as desk
from kefu.servicedesk.models import CallLog
from kefu.visits import workflow as visits
from kefu.visits.models import ReturnVisit

WEEKS = 11
CALLS_PER_DAY = 7
PROBLEMS = [
    ("medium", "咨询固定资产折旧方法如何变更"),
    ("high", "凭证打印格式错位"),
    ("low", "咨询如何设置报表打印页眉"),
    ("medium", "工资条邮件发送失败"),
]
SATISFACTION = ["very_satisfied", "satisfied", "satisfied", "neutral"]


def _monday(now: datetime) -> datetime:
    today = timezone.localtime(now).date()
    return timezone.make_aware(datetime.combine(today - timedelta(days=today.weekday()), time(0)))


def _close_visits(request, *, now: datetime) -> None:
    for visit in ReturnVisit.objects.filter(source_id=str(request.pk), status=ReturnVisit.Status.OPEN):
        if visit.assignee is None:
            continue
        visits.record_result(
            visit,
            content="客户表示问题已解决，使用正常",
            satisfaction=SATISFACTION[visit.pk % len(SATISFACTION)],
            by=visit.assignee,
            now=now,
        )


def load(now: datetime | None = None) -> int:
    now = now or timezone.now()
    hotline = User.objects.filter(username="hotline").first()
    customers = list(Customer.objects.order_by("pk")[:6])
    if hotline is None or not customers or CallLog.objects.filter(at__lt=now - timedelta(days=8)).exists():
        return 0
    made = 0
    this_monday = _monday(now)
    today = timezone.localtime(now).date()
    for week in range(WEEKS, -1, -1):
        monday = this_monday - timedelta(weeks=week)
        # This week: the working days before today only (today is the other loaders' day).
        days = [d for d in range(5) if (monday + timedelta(days=d)).date() < today]
        for day in days:
            start = monday + timedelta(days=day, hours=9)
            for i in range(CALLS_PER_DAY):
                # About one call in eleven is missed, a little more in some weeks (the trend moves).
                missed = (week * 5 + day * CALLS_PER_DAY + i) % (11 if week % 3 else 7) == 0
                desk.log_call(
                    at=start + timedelta(minutes=53 * i),
                    answered=not missed,
                    engineer=hotline,
                    caller_phone=f"1391000{week:02d}{day}{i}",
                    duration=90 + 17 * i,
                    by=hotline,
                    now=now,
                )
                made += 1
        for n, (priority, problem) in enumerate(PROBLEMS[: 2 + week % 3]):
            if n >= len(days):
                break
            at = monday + timedelta(days=days[n], hours=10)
            rec = desk.record_call(
                customers[(week + n) % len(customers)],
                phenomenon=problem,
                caller="李会计",
                caller_phone="13812345678",
                product="财务软件 V8",
                priority=priority,
                by=hotline,
                now=at,
            )
            if n == 0 and week % 2 == 0:  # some need a consultation: shelved, solved at the callback
                desk.shelve(rec, note="请教研发后回拨", by=hotline, now=at + timedelta(minutes=20))
                desk.call_back(
                    rec, solved=True, answer="按研发建议修改设置后正常", by=hotline, now=at + timedelta(minutes=50)
                )
            else:
                desk.solve_on_phone(rec, answer="电话指导客户完成设置", by=hotline, now=at + timedelta(minutes=25))
            desk.confirm(rec.request, via="phone", note="客户电话确认", by=hotline, now=at + timedelta(hours=2))
            if at + timedelta(days=1, hours=1) < now:  # yesterday's visits are still to make today
                _close_visits(rec.request, now=at + timedelta(days=1, hours=1))
            made += 1
    return made


def build_aggregates(now: datetime | None = None) -> int:
    """The daily aggregates of the demo's history (the nightly job's work, done once here), so
    the dashboard reads its past days as it does in production. Only days not built yet are
    built (loading the demo again adds nothing; the job keeps yesterday and today fresh)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    first = _monday(now).date() - timedelta(weeks=WEEKS)
    built = aggregates.built_days(STORE, first, today)
    made, day = 0, first
    while day < today:
        if day not in built:
            made += aggregates.rebuild(STORE, day, now=now) or 0
        day += timedelta(days=1)
    return made
