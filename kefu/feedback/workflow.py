"""Feedback transitions (FB-1): collect the comments of surveys and the results of return
visits, record a remark heard on a call, set a category. Permission, change, audit in one
transaction.

The surveys and visits domains sit below this one and know nothing of it: `collect(now)` (the
beat job `feedback-collect`, every 5 minutes) reads what they have recorded since and makes one
`Feedback` per survey with a comment and per done visit with a result (unique per source, so
two workers or two runs make it once). A domain above (the service desk) calls
`record_call_remark` with the call it was heard on.
"""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from kefu.audit import verbs
from kefu.audit.service import record
from kefu.core.errors import Conflict, Invalid
from kefu.core.permissions import require
from kefu.feedback import suggest
from kefu.feedback.models import Category, Feedback
from kefu.org.models import User
from kefu.surveys.models import Survey
from kefu.visits.models import ReturnVisit

Source = Feedback.Source
TEXT_REQUIRED = _("请填写客户的意见。")
CATEGORY_REQUIRED = _("请选择意见分类。")
CHANGED_MEANWHILE = _("该意见的分类已被他人修改，请刷新后重试。")
BATCH = 500

verbs.register("feedback", fb_collect=_("收集客户意见"), fb_record=_("登记来电意见"), fb_categorise=_("设置意见分类"))


def _new(subject, *, source, customer, text, at, staff, rating, label, table, now) -> Feedback:
    category = suggest.suggest(text, table)
    return Feedback(
        source=source,
        source_type=ContentType.objects.get_for_model(subject, for_concrete_model=False),
        source_id=str(subject.pk),
        source_label=label[:200],
        customer=customer,
        text=text,
        rating=rating,
        at=at,
        staff=staff,
        suggested=category,
        category=category,
        created_at=now,
    )


def _missing(qs, model):
    ct = ContentType.objects.get_for_model(model)
    known = Feedback.objects.filter(source_type=ct, source_id=Cast(models.OuterRef("pk"), models.CharField()))
    return qs.exclude(models.Exists(known))


def _pending(now: datetime, table) -> list[Feedback]:
    surveys = _missing(
        Survey.objects.filter(status=Survey.Status.ANSWERED, answered_at__lte=now).exclude(comment=""), Survey
    ).select_related("customer")[:BATCH]
    made = [
        _new(
            s,
            source=Source.SURVEY,
            customer=s.customer,
            text=s.comment.strip(),
            at=s.answered_at,
            staff=s.served_by,
            rating=str(_("%(n)s 分") % {"n": s.rating}) if s.rating else "",
            label=s.subject_label,
            table=table,
            now=now,
        )
        for s in surveys
        if s.comment.strip()
    ]
    visits = _missing(
        ReturnVisit.objects.filter(status=ReturnVisit.Status.DONE, done_at__lte=now).exclude(content="", problems=""),
        ReturnVisit,
    ).select_related("customer")[:BATCH]
    for v in visits:
        text = "\n".join(t.strip() for t in (v.problems, v.content) if t.strip())
        if text:
            made.append(
                _new(
                    v,
                    source=Source.VISIT,
                    customer=v.customer,
                    text=text,
                    at=v.done_at,
                    staff=v.done_by or v.assignee,
                    rating=v.get_satisfaction_display() if v.satisfaction else "",
                    label=v.get_kind_display(),
                    table=table,
                    now=now,
                )
            )
    return made


def collect(*, now: datetime, by: User | None = None) -> int:
    """Feedback for every answered survey with a comment and every done visit with a result
    not collected yet, each with its suggested category. Returns how many were made."""
    table = suggest.rule_table()
    total = 0
    while made := _pending(now, table):
        with transaction.atomic():
            created = Feedback.objects.bulk_create(made, ignore_conflicts=True)
        total += len(created)
        if len(made) < BATCH:
            break
    return total


def record_call_remark(subject, *, customer, text: str, by: User, now: datetime, staff: User | None = None) -> Feedback:
    """A remark the customer made on a call (FB-1), recorded on the call's record `subject`."""
    require(by, "feedback.record")
    text = (text or "").strip()
    if not text:
        raise Invalid(TEXT_REQUIRED, field="text")
    fb = _new(
        subject,
        source=Source.CALL,
        customer=customer,
        text=text,
        at=now,
        staff=staff or by,
        rating="",
        label=str(subject)[:200],
        table=suggest.rule_table(),
        now=now,
    )
    try:
        with transaction.atomic():
            fb.save(force_insert=True)
            record(fb, "fb_record", by=by, at=now, after=fb.category.name if fb.category else "")
    except IntegrityError as exc:
        raise Conflict() from exc
    return fb


def set_category(fb: Feedback, *, category: Category | None, was: str, by: User, now: datetime) -> Feedback:
    """Staff set or change the category (FB-1). `was` is the category id the page showed: if
    someone changed it meanwhile, this one loses with 409."""
    require(by, "feedback.categorise", fb)
    if category is None or not category.active:
        raise Invalid(CATEGORY_REQUIRED, field="category")
    before = fb.category.name if fb.category_id else ""
    shown = int(was) if str(was).isdigit() else None
    with transaction.atomic():
        changed = Feedback.objects.filter(pk=fb.pk, category_id=shown).update(
            category=category, categorised_by=by, categorised_at=now
        )
        if not changed:
            raise Conflict(CHANGED_MEANWHILE)
        fb.refresh_from_db()
        record(fb, "fb_categorise", by=by, at=now, before=before, after=category.name)
    return fb
