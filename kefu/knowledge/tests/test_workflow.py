"""KB-1: draft → reviewed → published, each step audited; who may do what; HL-4 / KB-4 proposals."""

import pytest

from kefu.audit.models import Event
from kefu.core.errors import Conflict, Forbidden, Invalid
from kefu.customers.models import TimelineEntry
from kefu.customers.tests.factories import CustomerFactory
from kefu.knowledge import workflow
from kefu.knowledge.models import Article
from kefu.notify.models import Outbox

pytestmark = pytest.mark.django_db

FIELDS = {
    "symptom": "凭证无法打印，提示打印机脱机",
    "cause": "默认打印机为网络打印机",
    "solution": "设本地打印机为默认",
    "steps": "1. 设为默认",
    "product": "财务管理软件",
    "version": "V8.2",
    "tags": "凭证,打印",
}


def events(article):
    return list(
        Event.objects.filter(object_id=str(article.pk), verb__startswith="kb_")
        .order_by("id")
        .values_list("verb", "actor__username", "before", "after")
    )


def test_kb1_draft_reviewed_published_each_step_audited(hotline, quality, manager, now):
    article = workflow.create_article(by=hotline, now=now, **FIELDS)
    assert article.status == Article.Status.DRAFT
    assert article.title == "凭证无法打印，提示打印机脱机"  # from the symptom when left empty
    assert article.search_tokens  # indexed on save
    workflow.review(article, by=quality, now=now)
    workflow.publish(article, by=manager, now=now)
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert (article.reviewed_by, article.published_by) == (quality, manager)
    assert events(article) == [
        ("kb_create", "hotline_kb", "", "草稿"),
        ("kb_review", "quality_kb", "草稿", "已审核"),
        ("kb_publish", "manager_kb", "已审核", "已发布"),
    ]
    # The reviewers hear of the draft, the author of the review and the publication.
    assert set(Outbox.objects.values_list("event", "recipient__username")) == {
        ("kb.draft_created", "quality_kb"),
        ("kb.draft_created", "manager_kb"),
        ("kb.reviewed", "hotline_kb"),
        ("kb.published", "hotline_kb"),
    }


def test_kb1_nobody_reviews_their_own_article(quality, now):
    article = workflow.create_article(by=quality, now=now, **FIELDS)
    with pytest.raises(Forbidden) as exc:
        workflow.review(article, by=quality, now=now)
    assert exc.value.message == workflow.OWN_ARTICLE
    assert Article.objects.get().status == Article.Status.DRAFT


@pytest.mark.parametrize("role", ["hotline", "field_engineer", "customer", "station_master", "finance"])
def test_kb1_only_reviewers_review(make_user, hotline, role, now):
    article = workflow.create_article(by=hotline, now=now, **FIELDS)
    with pytest.raises(Forbidden):
        workflow.review(article, by=make_user(role), now=now)
    assert not Event.objects.filter(verb="kb_review").exists()


def test_kb1_only_publishers_publish_and_only_reviewed_articles(hotline, quality, manager, now):
    article = workflow.create_article(by=hotline, now=now, **FIELDS)
    with pytest.raises(Invalid):  # a draft can't skip review
        workflow.publish(article, by=manager, now=now)
    workflow.review(article, by=quality, now=now)
    with pytest.raises(Forbidden):  # quality reviews but doesn't publish
        workflow.publish(article, by=quality, now=now)
    with pytest.raises(Forbidden):
        workflow.publish(article, by=hotline, now=now)
    assert Article.objects.get().status == Article.Status.REVIEWED


@pytest.mark.parametrize("role", ["customer", "station_engineer", "finance", "sales"])
def test_kb1_outsiders_and_unrelated_roles_cannot_write(make_user, role, now):
    with pytest.raises(Forbidden):
        workflow.create_article(by=make_user(role), now=now, **FIELDS)
    assert not Article.objects.exists()


def test_kb1_symptom_and_solution_required(hotline, now):
    with pytest.raises(Invalid) as exc:
        workflow.create_article(by=hotline, now=now, symptom=" ", solution="x")
    assert exc.value.message == workflow.SYMPTOM_REQUIRED
    with pytest.raises(Invalid) as exc:
        workflow.create_article(by=hotline, now=now, symptom="打印失败", solution="")
    assert exc.value.message == workflow.SOLUTION_REQUIRED
    assert not Article.objects.exists()


def test_kb1_send_back_with_reason_then_edit_reindexes(hotline, quality, manager, now):
    article = workflow.create_article(by=hotline, now=now, **FIELDS)
    workflow.review(article, by=quality, now=now)
    with pytest.raises(Conflict):  # only drafts are editable
        workflow.update_article(article, by=hotline, now=now, solution="新方法")
    with pytest.raises(Invalid):
        workflow.send_back(article, reason="", by=manager, now=now)
    workflow.send_back(article, reason="步骤不完整", by=manager, now=now)
    event = Event.objects.get(verb="kb_send_back")
    assert (event.before, event.after, event.data["reason"]) == ("已审核", "草稿", "步骤不完整")
    workflow.update_article(article, by=hotline, now=now, solution="重新安装加密锁驱动")
    article.refresh_from_db()
    assert "加密" in article.search_tokens
    assert Event.objects.get(verb="kb_update").data == {"fields": ["solution"]}


def test_kb1_conditional_update_one_reviewer_wins(hotline, quality, manager, now):
    article = workflow.create_article(by=hotline, now=now, **FIELDS)
    stale = Article.objects.get(pk=article.pk)
    workflow.review(article, by=quality, now=now)
    with pytest.raises(Conflict):  # the second reviewer lost the race: 409, told it changed
        workflow.review(stale, by=manager, now=now)
    assert Event.objects.filter(verb="kb_review").count() == 1


def test_hl4_propose_from_request_prefills_a_draft_linked_to_its_source(hotline, now):
    # The link is generic: any row stands in for the servicedesk's ServiceRequest here.
    customer = CustomerFactory()
    article = workflow.propose_from_request(customer, by=hotline, now=now, **FIELDS)
    assert article.status == Article.Status.DRAFT
    assert article.source == customer and article.source_label == str(customer)
    assert Event.objects.filter(verb="kb_propose", object_id=str(article.pk)).exists()


def test_kb1_article_from_a_customer_case_appears_on_the_timeline(hotline, now):
    from kefu.customers.models import Contract
    from kefu.customers.tests.factories import ContractFactory

    contract = ContractFactory()
    article = workflow.propose_from_sheet(contract, by=hotline, now=now, **FIELDS)
    assert isinstance(contract, Contract) and article.customer == contract.customer
    entry = TimelineEntry.objects.get(customer=contract.customer, kind="knowledge")
    assert entry.title.startswith("问题库草稿") and entry.object_id == str(article.pk)
