"""Subscribed reports (issue 15): the schedule, subscribing, and the job that sends each slot
exactly once, however many workers run it.

Two steps, each claimed by a conditional UPDATE:

1. `schedule_due(now)`: a subscription whose `next_run_at` has come is claimed by moving
   `next_run_at` to its next slot `WHERE next_run_at = <the slot read>`; only the worker whose
   UPDATE changed the row writes the slot's `Delivery` (unique per subscription and slot).
2. `send_pending(now)`: a pending delivery (or one whose worker died while rendering) is
   claimed `pending → rendering WHERE step and claimed_at are as read`; the winner renders
   the PDF and the workbook outside any transaction, then in one transaction hands one email
   per recipient to the outbox (key `report:<delivery>`, so a repeat is a no-op) and marks it
   sent. The outbox delivers and retries as it does every message.
"""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.audit import verbs
from kefu.audit.service import record
from kefu.core.errors import Invalid
from kefu.core.permissions import require
from kefu.deadlines import clocks
from kefu.deadlines.models import DeadlineRule
from kefu.notify import outbox
from kefu.notify.models import Outbox
from kefu.reports import kit, output, periods
from kefu.reports.models import Delivery, Subscription

RENDER_TIMEOUT = timedelta(minutes=10)  # a delivery claimed longer ago belongs to a dead worker
UNKNOWN_REPORT = gettext_lazy("没有这个报表。")
NO_RECIPIENTS = gettext_lazy("请至少选择一位接收人或填写一个邮箱。")
RECIPIENT_CANNOT_SEE = gettext_lazy("%(name)s 无权查看此报表，不能作为接收人。")
UNKNOWN_RULE = gettext_lazy("没有这条时限规则：%(key)s")
BAD_EVERY = gettext_lazy("请选择每周或每月。")
BAD_ADDRESS = gettext_lazy("邮箱格式不正确：%(address)s")
verbs.register("reports", subscribe=gettext_lazy("订阅报表"), unsubscribe=gettext_lazy("取消订阅"))


def _slot(day: date, at: time, tz) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def next_slot(sub: Subscription, *, after: datetime) -> datetime:
    """The first send time strictly after `after`, on the company calendar's time zone:
    every week on `weekday` at `at`, or every month on `day` at `at`."""
    tz = periods.company_zone()
    local = after.astimezone(tz)
    if sub.every == Subscription.Every.WEEK:
        day = local.date() + timedelta(days=(sub.weekday - local.weekday()) % 7)
        slot = _slot(day, sub.at, tz)
        return slot if slot > after else slot + timedelta(weeks=1)
    day = local.date().replace(day=sub.day)
    slot = _slot(day, sub.at, tz)
    if slot > after:
        return slot
    month = periods.containing(periods.MONTH, local.date(), tz).back(-1).first
    return _slot(month.replace(day=sub.day), sub.at, tz)


def period_of(sub: Subscription, slot: datetime) -> periods.Period:
    """What a slot reports: the full week or month before it."""
    tz = periods.company_zone()
    kind = periods.WEEK if sub.every == Subscription.Every.WEEK else periods.MONTH
    return periods.containing(kind, slot.astimezone(tz).date(), tz).back()


def subscribe(
    report_key: str,
    *,
    every: str,
    at: time,
    recipients,
    weekday: int = 0,
    day: int = 1,
    addresses: str = "",
    due_rule: str = "",
    filters: dict | None = None,
    by,
    now: datetime,
) -> Subscription:
    """Subscribe recipients to a report (who may see it themselves) on a schedule."""
    report = kit.get(report_key)
    if report is None:
        raise Invalid(UNKNOWN_REPORT, field="report")
    require(by, "reports.manage_subscriptions")
    require(by, report.perm)
    if every not in Subscription.Every.values:
        raise Invalid(BAD_EVERY, field="every")
    recipients = list(recipients)
    extra = [a.strip() for a in (addresses or "").splitlines() if a.strip()]
    if not recipients and not extra:
        raise Invalid(NO_RECIPIENTS, field="recipients")
    for user in recipients:
        if not user.has_perm(report.perm):
            raise Invalid(RECIPIENT_CANNOT_SEE % {"name": user.display_name}, field="recipients")
    for address in extra:
        try:
            validate_email(address)
        except ValidationError as exc:
            raise Invalid(BAD_ADDRESS % {"address": address}, field="addresses") from exc
    if due_rule and not DeadlineRule.objects.filter(key=due_rule).exists():
        raise Invalid(UNKNOWN_RULE % {"key": due_rule}, field="due_rule")
    # The filters are checked as the owner sees them, like a page's.
    values, _shown = kit.read_filters(report, filters or {}, by)
    with transaction.atomic():
        sub = Subscription(
            report=report_key,
            every=every,
            weekday=int(weekday),
            day=int(day),
            at=at,
            due_rule=due_rule,
            filters={k: v for k, v in values.items() if v},
            owner=by,
            addresses="\n".join(extra),
            created_at=now,
            next_run_at=now,
        )
        sub.next_run_at = next_slot(sub, after=now)
        sub.save()
        sub.recipients.set(recipients)
        record(sub, "subscribe", by=by, at=now, after=str(sub), data={"recipients": [u.pk for u in recipients]})
    return sub


def unsubscribe(sub: Subscription, *, by, now: datetime) -> Subscription:
    require(by, "reports.manage_subscriptions")
    with transaction.atomic():
        Subscription.objects.filter(pk=sub.pk).update(active=False)
        sub.active = False
        record(sub, "unsubscribe", by=by, at=now, before=str(sub))
    return sub


# --- the job ------------------------------------------------------------------------------


def due(now: datetime) -> list[Subscription]:
    """Subscriptions whose slot has come, as a worker reads them before claiming."""
    return list(Subscription.objects.filter(active=True, next_run_at__lte=now).order_by("next_run_at", "pk"))


def schedule_due(now: datetime, *, read: list[Subscription] | None = None) -> list[Delivery]:
    """Claim each due slot and write its delivery; `read` is what this worker read (default: now)."""
    made = []
    for sub in due(now) if read is None else read:
        slot = sub.next_run_at
        following = next_slot(sub, after=max(slot, now))  # a missed slot is sent once, not caught up
        with transaction.atomic():
            claimed = Subscription.objects.filter(pk=sub.pk, active=True, next_run_at=slot).update(
                next_run_at=following
            )
            if not claimed:
                continue  # another worker took this slot
            due_at = clocks.points(sub.due_rule, since=slot)[0] if sub.due_rule else None
            try:
                with transaction.atomic():
                    made.append(
                        Delivery.objects.create(
                            subscription=sub,
                            slot=slot,
                            period=period_of(sub, slot).label,
                            due_at=due_at,
                            created_at=now,
                        )
                    )
            except IntegrityError:
                continue  # the slot's delivery exists already
    return made


def _claim(delivery: Delivery, *, now: datetime) -> bool:
    free = Q(step=Delivery.Step.PENDING) | Q(step=Delivery.Step.RENDERING, claimed_at__lt=now - RENDER_TIMEOUT)
    return bool(
        Delivery.objects.filter(free, pk=delivery.pk, step=delivery.step, claimed_at=delivery.claimed_at).update(
            step=Delivery.Step.RENDERING, claimed_at=now
        )
    )


def sendable(now: datetime) -> list[Delivery]:
    stale = Q(step=Delivery.Step.RENDERING, claimed_at__lt=now - RENDER_TIMEOUT)
    return list(Delivery.objects.filter(Q(step=Delivery.Step.PENDING) | stale).select_related("subscription__owner"))


def send_pending(now: datetime, *, read: list[Delivery] | None = None) -> int:
    """Render and hand to the outbox each pending delivery this worker claims; returns how many."""
    sent = 0
    for delivery in sendable(now) if read is None else read:
        if not _claim(delivery, now=now):
            continue
        deliver(delivery, now=now)
        sent += 1
    return sent


def deliver(delivery: Delivery, *, now: datetime) -> None:
    sub = delivery.subscription
    report = kit.get(sub.report)
    period = period_of(sub, delivery.slot)
    params = QueryDict(mutable=True)
    params.update({**period.params(), **sub.filters})
    computed, _shown = kit.build(report, params, sub.owner, now=now)
    pdf_name, xlsx_name = output.file_name(computed, "pdf"), output.file_name(computed, "xlsx")
    delivery.pdf.save(pdf_name, ContentFile(output.pdf_bytes(computed)), save=False)
    delivery.xlsx.save(xlsx_name, ContentFile(output.xlsx_bytes(computed)), save=False)
    subject = _("%(title)s · %(period)s") % {"title": report.title, "period": period.label}
    body = _("附件为%(title)s（%(period)s）的 PDF 和 Excel。") % {"title": report.title, "period": period.label}
    if delivery.due_at:
        when = delivery.due_at.astimezone(period.tz).strftime("%Y-%m-%d %H:%M")
        body += "\n" + _("请于 %(due)s 前阅读并处理未达标项。") % {"due": when}
    with transaction.atomic():
        outbox.enqueue(
            "report.subscription",
            delivery,
            to=list(sub.recipients.filter(is_active=True)),
            addresses=sub.address_list,
            subject=subject,
            body=body,
            link=f"/reports/{sub.report}/?{params.urlencode()}",
            channels_=(Outbox.Channel.EMAIL, Outbox.Channel.INAPP),
            key=f"report:{delivery.pk}",
            now=now,
        )
        Delivery.objects.filter(pk=delivery.pk, claimed_at=now).update(
            step=Delivery.Step.SENT, sent_at=now, pdf=delivery.pdf.name, xlsx=delivery.xlsx.name
        )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachments(row) -> list[tuple[str, bytes, str]]:
    """The files of a subscribed report's email (`notify.channels.register_attachments`): the
    delivery is named by the outbox key, `report:<delivery>:…`."""
    delivery = Delivery.objects.select_related("subscription").get(pk=int(row.key.split(":")[1]))
    base = f"{delivery.subscription.report}-{delivery.period}"
    files = []
    for field, ext, mimetype in ((delivery.pdf, "pdf", "application/pdf"), (delivery.xlsx, "xlsx", XLSX)):
        with field.open("rb") as f:
            files.append((f"{base}.{ext}", f.read(), mimetype))
    return files


def run(now: datetime) -> int:
    """The periodic job: claim due slots, then send what this worker claims."""
    schedule_due(now)
    return send_pending(now)
