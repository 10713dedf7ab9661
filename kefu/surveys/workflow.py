"""Satisfaction surveys (RV-7): open one per handled subject, answer it once (signed link or phone),
and an unsatisfied answer opens a rectification for whoever served, on a clock.

Other domains call `open_survey(...)` from their own workflow when a request is handled.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.audit import verbs
from kefu.audit.service import record
from kefu.core import states
from kefu.core.errors import Conflict, Invalid
from kefu.core.permissions import require
from kefu.customers import timeline
from kefu.deadlines import clocks
from kefu.notify import outbox
from kefu.org.models import Company, User
from kefu.surveys.models import UNSATISFIED_MAX, Rectification, Survey

RECTIFICATION_RULE = "survey.rectification"
LINK_VALID_FOR = timedelta(days=30)
SALT = "kefu.surveys.answer"

ALREADY_ANSWERED = _("该满意度调查已经提交过，不能重复评价。感谢您的反馈！")
BAD_LINK = _("评价链接无效，请联系客服重新获取。")
LINK_EXPIRED = _("评价链接已过期，请联系客服重新获取。")
RATING_REQUIRED = _("请选择 1–5 分的评分。")
ACTION_REQUIRED = _("请填写整改措施。")
ALREADY_RECTIFIED = _("该整改已完成。")

verbs.register(
    "surveys",
    open_survey=_("发起满意度调查"),
    answer_survey=_("满意度评价"),
    open_rectification=_("开立整改"),
    close_rectification=_("完成整改"),
)

SURVEY = states.Machine(
    Survey,
    moves={Survey.Status.OPEN: {Survey.Status.ANSWERED}},
    colours={Survey.Status.OPEN: "blue", Survey.Status.ANSWERED: "green"},
    conflict=ALREADY_ANSWERED,
)
RECTIFICATION = states.Machine(
    Rectification,
    moves={Rectification.Status.OPEN: {Rectification.Status.DONE}},
    colours={Rectification.Status.OPEN: "orange", Rectification.Status.DONE: "green"},
    conflict=ALREADY_RECTIFIED,
)


def token_for(survey: Survey) -> str:
    """The signed token of the survey's link: no account needed, valid until `expires_at`.

    No signing timestamp: the expiry is inside the payload, and the same survey always gets the
    same link (a resent email or an SMS shows the link the customer already has).
    """
    return signing.Signer(salt=SALT).sign_object({"s": survey.pk, "e": int(survey.expires_at.timestamp())})


def link_for(survey: Survey) -> str:
    return reverse("surveys:answer", args=[token_for(survey)])


def absolute_link(survey: Survey) -> str:
    return f"{settings.KEFU_BASE_URL.rstrip('/')}{link_for(survey)}"


def invitation_text(survey: Survey) -> str:
    """The invitation as a customer reads it: short enough for an SMS, the link in full (RV-7)."""
    return str(
        _("【%(company)s】您好，%(subject)s 已处理完毕，请为我们的服务评分（1–5 分，无需登录）：%(link)s")
        % {"company": _company_name(), "subject": survey.subject_label, "link": absolute_link(survey)}
    )


def _company_name() -> str:
    company = Company.objects.order_by("pk").first()
    return str(company) if company else "Kefu"


def _recipients(survey: Survey, contact) -> tuple[list, list[str]]:
    """The customer's portal logins, and the email of the contact who has none."""
    users = list(User.objects.filter(is_active=True, customer_contact__customer=survey.customer_id).distinct())
    contact = contact or survey.customer.contacts.filter(is_main=True).first()
    addresses = [contact.email] if contact is not None and contact.email and not contact.portal_user_id else []
    return users, addresses


def send_invitation(survey: Survey, *, contact=None, now: datetime) -> int:
    """The link goes to the customer (RV-7): in the portal and by email; once per survey (the
    outbox key), so opening the survey again or a retried job sends nothing more."""
    users, addresses = _recipients(survey, contact)
    if not users and not addresses:
        return 0
    return outbox.enqueue(
        "survey.invitation",
        survey,
        to=users,
        addresses=addresses,
        channels_=("inapp", "email"),
        subject=str(_("请为我们的服务评分：%(s)s") % {"s": survey.subject_label}),
        body=invitation_text(survey),
        link=link_for(survey),
        now=now,
    )


def survey_for_token(token: str, *, now: datetime) -> Survey:
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
        survey = Survey.objects.select_related("customer", "served_by").get(pk=payload["s"])
    except (signing.BadSignature, KeyError, TypeError, Survey.DoesNotExist):
        raise Invalid(BAD_LINK) from None
    if now.timestamp() > payload.get("e", 0):
        raise Invalid(LINK_EXPIRED)
    return survey


def open_survey(subject: models.Model, *, customer, served_by, by: User, now: datetime, contact=None) -> Survey:
    """A survey for a handled subject (RV-7). Idempotent: the subject's existing survey is returned.

    A new survey's link is sent to the customer at once (`send_invitation`; `contact`: whom
    the subject was for, else the main contact).

    `served_by` is whoever served (the owner of a rectification if the answer is unsatisfied).
    Call it inside the caller's transaction (e.g. when a request is closed). No permission of its
    own: it is a consequence of the caller's transition, which checked its actor (who may be the
    customer confirming in the portal, or a job with by=None).
    """
    ct = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    existing = Survey.objects.filter(content_type=ct, object_id=str(subject.pk)).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                content_type=ct,
                object_id=str(subject.pk),
                subject_label=str(subject)[:200],
                customer=customer,
                served_by=served_by,
                created_by=by,
                created_at=now,
                expires_at=now + LINK_VALID_FOR,
            )
            record(
                survey,
                "open_survey",
                by=by,
                at=now,
                after=survey.get_status_display(),
                data={"subject": f"{ct.app_label}.{ct.model}:{subject.pk}", "served_by": served_by.pk},
            )
            timeline.add(
                customer,
                "survey",
                title=_("发起满意度调查：%(s)s") % {"s": survey.subject_label},
                at=now,
                by=by,
                subject=survey,
            )
            send_invitation(survey, contact=contact, now=now)
    except IntegrityError:  # a concurrent call opened it first (one per subject)
        return Survey.objects.get(content_type=ct, object_id=str(subject.pk))
    return survey


def _answer(survey: Survey, *, rating, comment: str, problem: bool, channel: str, by, now: datetime) -> Survey:
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise Invalid(RATING_REQUIRED, field="rating") from None
    if not 1 <= rating <= 5:
        raise Invalid(RATING_REQUIRED, field="rating")
    comment = (comment or "").strip()
    with transaction.atomic():
        # One answer only: the conditional update lets exactly one of two submissions through.
        states.move(
            survey,
            Survey.Status.ANSWERED,
            by=by,
            now=now,
            verb="answer_survey",
            data={"rating": rating, "problem": bool(problem), "channel": channel},
            expected=Survey.Status.OPEN,  # one answer only: a second submission gets 409
            rating=rating,
            comment=comment,
            problem=bool(problem),
            channel=channel,
            answered_at=now,
            entered_by=by if getattr(by, "is_authenticated", False) else None,
        )
        timeline.add(
            survey.customer,
            "survey",
            title=_("满意度评价：%(r)s 分（%(c)s）") % {"r": rating, "c": survey.get_channel_display()},
            body=comment,
            at=now,
            by=by,
            subject=survey,
        )
        if survey.unsatisfied:
            _open_rectification(survey, by=by, now=now)
    return survey


def answer_by_token(token: str, *, rating, comment: str = "", problem: bool = False, now: datetime) -> Survey:
    """The customer answers through the link, without an account; a second use is refused (RV-7)."""
    survey = survey_for_token(token, now=now)
    if survey.status != Survey.Status.OPEN:
        raise Conflict(ALREADY_ANSWERED)
    return _answer(
        survey, rating=rating, comment=comment, problem=problem, channel=Survey.Channel.LINK, by=None, now=now
    )


def answer_by_phone(
    survey: Survey, *, rating, comment: str = "", problem: bool = False, by: User, now: datetime
) -> Survey:
    """Staff record the answer a customer gave on the phone (RV-7)."""
    require(by, "surveys.enter_answer", survey)
    return _answer(
        survey, rating=rating, comment=comment, problem=problem, channel=Survey.Channel.PHONE, by=by, now=now
    )


def _open_rectification(survey: Survey, *, by, now: datetime) -> Rectification:
    reason = survey.comment or str(_("评分 %(r)s 分") % {"r": survey.rating})
    item = Rectification.objects.create(
        survey=survey, customer=survey.customer, owner=survey.served_by, reason=reason, created_at=now
    )
    clock = clocks.start(item, RECTIFICATION_RULE, owner=survey.served_by, now=now, by=by)
    record(
        item,
        "open_rectification",
        by=by,
        at=now,
        after=item.get_status_display(),
        data={
            "survey": survey.pk,
            "rating": survey.rating,
            "owner": survey.served_by_id,
            "due_at": clock.due_at.isoformat() if clock else None,
        },
    )
    outbox.enqueue(
        "survey.rectification_opened",
        item,
        to=[survey.served_by],
        subject=str(_("客户不满意，请整改：%(c)s") % {"c": survey.customer}),
        body=reason,
        link=item.get_absolute_url(),
        now=now,
    )
    return item


def close_rectification(item: Rectification, *, action_taken: str, by: User, now: datetime) -> Rectification:
    """The owner (or a manager) records what was done; the clock stops (RV-7)."""
    require(by, "surveys.close_rectification", item)
    if not (action_taken or "").strip():
        raise Invalid(ACTION_REQUIRED, field="action_taken")
    with transaction.atomic():
        states.move(
            item,
            Rectification.Status.DONE,
            by=by,
            now=now,
            verb="close_rectification",
            data={"action_taken": action_taken.strip()[:200]},
            expected=Rectification.Status.OPEN,
            action_taken=action_taken.strip(),
            done_at=now,
            done_by=by,
        )
        clocks.stop(item, RECTIFICATION_RULE, now=now, by=by)
        timeline.add(
            item.customer, "survey", title=_("整改完成"), body=item.action_taken, at=now, by=by, subject=item.survey
        )
    return item


__all__ = ["UNSATISFIED_MAX", "answer_by_phone", "answer_by_token", "close_rectification", "open_survey"]
