"""Looking back at the work: weekly QA sampling (OS-7, KB-4) and the consultation (OS-9)."""

import math
import random
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.audit.service import record
from kefu.core.errors import Conflict, Invalid
from kefu.core.permissions import require
from kefu.core.validation import text
from kefu.fieldservice.models import Consultation, QASample, ServiceSheet, WorkOrder
from kefu.fieldservice.workflow._common import (
    ALREADY_SAMPLED,
    PARTICIPANTS_REQUIRED,
    RESULT_RECORDED,
    RESULT_REQUIRED,
    VERDICT_REQUIRED,
)
from kefu.notify import outbox
from kefu.org.models import User

QA_SHARE = 0.2


WEEK_OUT_OF_RANGE = _("周须在 2000–2100 年之间。")


def week_of(day: date) -> date:
    """The Monday of `day`'s week; a week outside 2000–2100 is an input error, not a date overflow."""
    if not 2000 <= day.year <= 2100:
        raise Invalid(WEEK_OUT_OF_RANGE, field="week")
    return day - timedelta(days=day.weekday())


def week_sheets(week: date):
    """The signed sheets of the week starting Monday `week` (Shanghai days)."""
    start = timezone.make_aware(datetime.combine(week, datetime.min.time()))
    return ServiceSheet.objects.filter(signed_at__gte=start, signed_at__lt=start + timedelta(days=7)).order_by("pk")


def propose_sample(week: date) -> list[ServiceSheet]:
    """The system's proposal: a random ~20 % of the week's sheets not yet in the QA library (OS-7).

    Seeded by the week, so the proposal is the same every time the manager opens the page.
    """
    sheets = list(week_sheets(week).filter(qa_sample__isnull=True).select_related("order__customer"))
    if not sheets:
        return []
    size = max(1, math.ceil(len(sheets) * QA_SHARE))
    return sorted(random.Random(week.isoformat()).sample(sheets, size), key=lambda s: s.pk)  # noqa: S311 — sampling, not crypto


def pick_sample(week: date, sheets: list[ServiceSheet], *, by: User, now: datetime) -> list[QASample]:
    """The manager accepts (or changes) the proposal; the pick is recorded (OS-7)."""
    require(by, "fieldservice.qa_sample")
    proposal = {s.pk for s in propose_sample(week)}
    allowed = set(week_sheets(week).filter(qa_sample__isnull=True).values_list("pk", flat=True))
    ids = [s.pk for s in sheets]
    if not ids or not set(ids) <= allowed:
        raise Invalid(ALREADY_SAMPLED)
    with transaction.atomic():
        samples = [
            QASample.objects.create(sheet=s, week=week, proposed=s.pk in proposal, picked_at=now, picked_by=by)
            for s in sheets
        ]
        for sample in samples:
            record(sample, "qa_pick", by=by, at=now, data={"week": week.isoformat(), "proposed": sample.proposed})
    return samples


def review_sample(sample: QASample, *, verdict: str, comment: str = "", by: User, now: datetime) -> QASample:
    """A reviewer's verdict on a QA library entry (KB-4)."""
    require(by, "fieldservice.qa_review", sample)
    if verdict not in QASample.Verdict.values:
        raise Invalid(VERDICT_REQUIRED, field="verdict")
    comment = text(QASample, "comment", comment)
    with transaction.atomic():
        before = sample.get_verdict_display()
        QASample.objects.filter(pk=sample.pk).update(verdict=verdict, comment=comment, reviewer=by, reviewed_at=now)
        sample.refresh_from_db()
        record(sample, "qa_review", by=by, at=now, before=before, after=sample.get_verdict_display())
    return sample


# --- OS-9: consultation ----------------------------------------------------------------------


def organise_consultation(
    order: WorkOrder, *, topic: str, participants: list[User], by: User, now: datetime
) -> Consultation:
    """The after-sales department assigns the right people to a problem not solved in time (OS-9)."""
    require(by, "fieldservice.consult", order)
    topic = text(Consultation, "topic", topic, required=True)
    people = [p for p in participants if p.is_active and not p.is_external]
    if not people:
        raise Invalid(PARTICIPANTS_REQUIRED, field="participants")
    with transaction.atomic():
        consultation = Consultation.objects.create(order=order, topic=topic, organised_at=now, organised_by=by)
        consultation.participants.set(people)
        record(order, "consultation", by=by, at=now, data={"topic": topic, "participants": [p.pk for p in people]})
        outbox.enqueue(
            "work_order.consultation",
            consultation,
            to=people,
            subject=str(_("会诊：%(t)s（%(n)s）") % {"t": topic, "n": order.number}),
            link=order.get_absolute_url(),
            now=now,
        )
    return consultation


def record_consultation_result(consultation: Consultation, *, result: str, by: User, now: datetime) -> Consultation:
    """The consultation's result is recorded once (OS-9); the participants are told."""
    require(by, "fieldservice.consult", consultation.order)
    result = text(Consultation, "result", result, field="result")
    if not result:
        raise Invalid(RESULT_REQUIRED, field="result")
    with transaction.atomic():
        if not Consultation.objects.filter(pk=consultation.pk, result_at__isnull=True).update(
            result=result, result_at=now
        ):
            raise Conflict(RESULT_RECORDED)
        consultation.refresh_from_db()
        record(consultation.order, "consultation_result", by=by, at=now, data={"result": result[:200]})
        outbox.enqueue(
            "work_order.consultation_result",
            consultation,
            to=[p for p in consultation.participants.all() if p.pk != by.pk],
            subject=str(_("会诊结果：%(t)s（%(n)s）") % {"t": consultation.topic, "n": consultation.order.number}),
            body=result,
            link=consultation.order.get_absolute_url(),
            now=now,
        )
    return consultation
