"""Problem-library transitions (KB-1): write a draft, review it, publish it; propose from a case (HL-4, KB-4).

Every function: permission → state machine (MACHINE, kefu.core.states) → conditional UPDATE → search index → audit →
outbox, in one transaction.
"""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from kefu.audit import verbs
from kefu.audit.service import record
from kefu.core import states
from kefu.core.errors import Conflict, Forbidden, Invalid
from kefu.core.permissions import require
from kefu.customers import timeline
from kefu.knowledge.models import REVIEWER_ROLES, Article
from kefu.notify import outbox
from kefu.org.models import User
from kefu.search import index

Status = Article.Status

SYMPTOM_REQUIRED = _("请填写现象。")
SOLUTION_REQUIRED = _("请填写解决方法。")
MOVE_NOT_ALLOWED = _("问题库条目不能从“%(before)s”变为“%(after)s”。")
ONLY_DRAFT_EDITABLE = _("只有草稿可以修改；已审核的条目请先退回草稿。")
OWN_ARTICLE = _("不能审核自己撰写的条目。")

verbs.register(
    "knowledge",
    kb_create=_("撰写问题库草稿"),
    kb_propose=_("提交到问题库"),
    kb_update=_("修改问题库条目"),
    kb_review=_("审核问题库条目"),
    kb_publish=_("发布问题库条目"),
    kb_send_back=_("退回问题库条目"),
)

MACHINE = states.Machine(
    Article,
    moves={
        Status.DRAFT: {Status.REVIEWED},
        Status.REVIEWED: {Status.PUBLISHED, Status.DRAFT},
        Status.PUBLISHED: {Status.DRAFT},
    },
    colours={Status.DRAFT: "yellow", Status.REVIEWED: "blue", Status.PUBLISHED: "green"},
    not_allowed=MOVE_NOT_ALLOWED,
)
EDITABLE = ("title", "symptom", "cause", "solution", "steps", "product", "version", "tags")


def _clean(fields: dict) -> dict:
    data = {k: (fields.get(k) or "").strip() for k in EDITABLE if k in fields}
    if "symptom" in data and not data["symptom"]:
        raise Invalid(SYMPTOM_REQUIRED, field="symptom")
    if "solution" in data and not data["solution"]:
        raise Invalid(SOLUTION_REQUIRED, field="solution")
    if "title" in data and not data["title"] and data.get("symptom"):
        data["title"] = data["symptom"].splitlines()[0][:60]
    return data


def _reviewers() -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name__in=REVIEWER_ROLES).distinct())


def create_article(*, by: User, now: datetime, source: models.Model | None = None, **fields) -> Article:
    """A new draft (KB-1); `source` links the case it came from (a request, a sheet …)."""
    require(by, "knowledge.add_article")
    data = _clean({"title": "", **fields})
    for name in ("symptom", "solution"):
        data.setdefault(name, "")
        if not data[name]:
            raise Invalid(SYMPTOM_REQUIRED if name == "symptom" else SOLUTION_REQUIRED, field=name)
    article = Article(**data, author=by, created_at=now, updated_at=now, status=Status.DRAFT)
    if source is not None:
        article.source_type = ContentType.objects.get_for_model(source, for_concrete_model=False)
        article.source_id = str(source.pk)
        article.source_label = str(source)[:200]
        article.customer = getattr(source, "customer", None)
    article.fill_search_tokens()
    with transaction.atomic():
        article.save()
        record(
            article,
            "kb_propose" if source is not None else "kb_create",
            by=by,
            at=now,
            after=article.get_status_display(),
            data={"source": f"{article.source_type.natural_key()}:{article.source_id}"} if source else None,
        )
        if article.customer_id:
            timeline.add(
                article.customer,
                "knowledge",
                title=_("问题库草稿：%(t)s") % {"t": article.title},
                body=article.symptom[:200],
                at=now,
                by=by,
                subject=article,
            )
        outbox.enqueue(
            "kb.draft_created",
            article,
            to=[u for u in _reviewers() if u.pk != by.pk],
            subject=str(_("新的问题库草稿待审核：%(t)s") % {"t": article.title}),
            link=article.get_absolute_url(),
            now=now,
        )
    return article


def propose(
    source: models.Model,
    *,
    symptom: str,
    cause: str = "",
    solution: str,
    steps: str = "",
    product: str = "",
    by: User,
    now: datetime,
    version: str = "",
    tags: str = "",
    title: str = "",
) -> Article:
    """A solved problem becomes a prefilled draft in one click, linked to its source (KB-1):
    a request or hotline record solved on the phone (HL-4) or a sampled onsite service sheet
    (OS-7, KB-4). The source's customer (if any) gets a line on the care column."""
    return create_article(
        by=by,
        now=now,
        source=source,
        symptom=symptom,
        cause=cause,
        solution=solution,
        steps=steps,
        product=product,
        version=version,
        tags=tags,
        title=title,
    )


# The names the service desk (HL-4) and field service (OS-7) call.
propose_from_request = propose_from_sheet = propose


def update_article(article: Article, *, by: User, now: datetime, **fields) -> Article:
    """Edit a draft; the search index follows in the same transaction."""
    require(by, "knowledge.change_article", article)
    data = _clean(fields)
    with transaction.atomic():
        current = Article.objects.select_for_update().get(pk=article.pk)
        if current.status != Status.DRAFT:
            raise Conflict(ONLY_DRAFT_EDITABLE)
        changed = {k: v for k, v in data.items() if getattr(current, k) != v}
        if changed:
            Article.objects.filter(pk=article.pk).update(**changed, updated_at=now)
            current.refresh_from_db()
            index(current)
            record(current, "kb_update", by=by, at=now, data={"fields": sorted(changed)})
    return current


def review(article: Article, *, by: User, now: datetime) -> Article:
    """A reviewer (not the author) checks the draft: draft → reviewed (KB-1)."""
    if by is not None and by.is_authenticated and article.author_id == by.pk:
        raise Forbidden(OWN_ARTICLE)
    require(by, "knowledge.review_article", article)
    with transaction.atomic():
        states.move(article, Status.REVIEWED, by=by, now=now, verb="kb_review", reviewed_by=by, reviewed_at=now)
        outbox.enqueue(
            "kb.reviewed",
            article,
            to=[article.author],
            subject=str(_("问题库条目已审核：%(t)s") % {"t": article.title}),
            link=article.get_absolute_url(),
            now=now,
        )
    return article


def publish(article: Article, *, by: User, now: datetime) -> Article:
    """Reviewed → published: from now on it is found by search and suggested while typing (KB-1..3)."""
    require(by, "knowledge.publish_article", article)
    with transaction.atomic():
        states.move(article, Status.PUBLISHED, by=by, now=now, verb="kb_publish", published_by=by, published_at=now)
        outbox.enqueue(
            "kb.published",
            article,
            to=[article.author],
            subject=str(_("问题库条目已发布：%(t)s") % {"t": article.title}),
            link=article.get_absolute_url(),
            now=now,
        )
    return article


def send_back(article: Article, *, reason: str, by: User, now: datetime) -> Article:
    """A reviewed or published article goes back to draft for rework, with the reason (KB-1)."""
    require(by, "knowledge.send_back_article", article)
    if not (reason or "").strip():
        raise Invalid(_("请填写退回原因。"), field="reason")
    with transaction.atomic():
        states.move(
            article,
            Status.DRAFT,
            by=by,
            now=now,
            verb="kb_send_back",
            data={"reason": reason.strip()},
            reviewed_by=None,
            reviewed_at=None,
            published_by=None,
            published_at=None,
        )
        outbox.enqueue(
            "kb.sent_back",
            article,
            to=[article.author],
            subject=str(_("问题库条目被退回：%(t)s") % {"t": article.title}),
            body=reason.strip(),
            link=article.get_absolute_url(),
            key=f"kb.sent_back:{article.pk}:{now.isoformat()}",
            now=now,
        )
    return article
