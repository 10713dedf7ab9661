"""FB-1: feedback from surveys and return visits is collected once, categorised from its text
by the rule table, set by staff on the list (audited, 409 when changed meanwhile) and analysed
by period (RPT-4: the analysis exports). Expected numbers are counted by hand from the rows."""

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from openpyxl import load_workbook

from kefu.audit.models import Event
from kefu.customers.tests.factories import CustomerFactory
from kefu.feedback import defaults, suggest, workflow
from kefu.feedback.models import Category, Feedback
from kefu.surveys.models import Survey
from kefu.visits.models import ReturnVisit

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
T = datetime(2025, 11, 10, 9, tzinfo=SH)
NOV = "period=month&on=2025-11-01"
_n = iter(range(1, 10_000))


def survey(comment, *, at=T, served_by, rating=3):
    customer = CustomerFactory()
    return Survey.objects.create(
        content_type=ContentType.objects.get_for_model(customer),
        object_id=str(customer.pk),
        subject_label="服务请求 SR-1",
        customer=customer,
        served_by=served_by,
        status="answered",
        rating=rating,
        comment=comment,
        answered_at=at,
        created_at=at - timedelta(days=1),
        expires_at=at + timedelta(days=7),
    )


def visit(problems, *, at=T, by, content="", satisfaction="satisfied"):
    return ReturnVisit.objects.create(
        customer=CustomerFactory(),
        kind="hotline",
        status="done",
        generation_key=f"fb-test-{next(_n)}",
        assignee=by,
        content=content,
        problems=problems,
        satisfaction=satisfaction,
        done_at=at,
        done_by=by,
        created_at=at - timedelta(days=1),
    )


@pytest.fixture(autouse=True)
def _categories(db):
    """The migration's rule table, again: a transactional test run before this one flushed it."""
    defaults.install(Category)


def cat(key) -> Category:
    return Category.objects.get(key=key)


@pytest.fixture
def world(make_user):
    """November: 3 speed (2 surveys, 1 visit), 1 attitude, 1 other; October: 1 speed."""
    rep = make_user("customer_rep", name="周客代")
    survey("工程师态度很好，但响应太慢，等了两天", served_by=rep)  # 态度 1, 太慢 1 + 等了 1 → speed
    survey("希望尽快处理", served_by=rep, at=T + timedelta(days=1))  # speed
    visit("上门迟到一小时", by=rep, at=T + timedelta(days=2))  # speed
    survey("接线员态度不耐烦", served_by=rep, rating=2, at=T + timedelta(days=3))  # attitude
    visit("", content="客户表示已无问题", by=rep, at=T + timedelta(days=4))  # no keyword → other
    survey("回复速度还可以", served_by=rep, at=T - timedelta(days=20))  # October: speed
    survey("", served_by=rep)  # no comment: no feedback
    workflow.collect(now=T + timedelta(days=30))
    return rep


def test_fb1_suggestion_counts_keyword_hits_from_the_rule_table():
    table = suggest.rule_table()
    assert [c.name for c in table] == ["服务态度", "响应速度", "技术能力", "产品质量", "价格费用", "其他"]
    assert suggest.suggest("工程师态度很好，但响应太慢，等了两天", table).key == "speed"  # 2 hits against 1
    assert suggest.suggest("收费太贵了", table).key == "price"
    assert suggest.suggest("系统ＢＵＧ很多", table).key == "quality"  # full-width, upper case
    assert suggest.suggest("谢谢", table).key == "other"
    speed = cat("speed")
    speed.keywords = "谢谢"  # the table is data: editing it changes the suggestion
    speed.save()
    assert suggest.suggest("谢谢", suggest.rule_table()).key == "speed"


def test_fb1_collect_makes_one_feedback_per_comment_once(world):
    assert Feedback.objects.count() == 6
    assert workflow.collect(now=T + timedelta(days=31)) == 0
    assert Feedback.objects.count() == 6
    fb = Feedback.objects.get(source="visit", text="上门迟到一小时")
    assert fb.category == fb.suggested == cat("speed") and not fb.confirmed and fb.rating == "满意"


def test_fb1_staff_set_the_category_on_the_list_audited_and_409_when_stale(client, make_user, world):
    manager = make_user("service_manager")
    client.force_login(manager)
    fb = Feedback.objects.get(text="希望尽快处理")
    post = {
        "row": fb.pk,
        f"category-{fb.pk}": cat("attitude").pk,
        f"was-{fb.pk}": cat("speed").pk,
        "next": "/feedback/",
    }
    done = client.post("/feedback/category/", post)
    assert done.status_code == 302
    fb.refresh_from_db()
    assert fb.category == cat("attitude") and fb.categorised_by == manager and fb.confirmed
    event = Event.objects.get(verb="fb_categorise")
    assert (event.before, event.after) == ("响应速度", "服务态度")
    stale = client.post("/feedback/category/", {**post, f"category-{fb.pk}": cat("skill").pk}, follow=True)
    assert stale.redirect_chain[-1][1] == 302 and "已被他人修改" in stale.content.decode()
    fb.refresh_from_db()
    assert fb.category == cat("attitude")
    assert workflow.CHANGED_MEANWHILE


def test_fb1_list_filters_by_category_source_and_period(client, make_user, world, django_assert_max_num_queries):
    client.force_login(make_user("service_manager"))
    speed = cat("speed").pk

    def rows(query):
        html = client.get(f"/feedback/?{query}").content.decode()
        return re.findall(r'data-object="feedback.feedback:(\d+)"', html)

    assert len(rows(f"category={speed}")) == 4
    assert len(rows(f"category={speed}&from=2025-11-01&to=2025-11-30")) == 3
    assert len(rows(f"category={speed}&source=visit&from=2025-11-01&to=2025-11-30")) == 1
    with django_assert_max_num_queries(14):
        client.get("/feedback/")


def test_fb1_analysis_counts_categories_by_period_with_trend_and_comments(client, make_user, world):
    client.force_login(make_user("service_manager"))
    html = client.get(f"/reports/feedback/?{NOV}").content.decode()
    assert 'data-testid="drill-feedback" data-value="5"' in html
    assert 'data-value="0.0%"' in html  # none confirmed by staff yet
    table = html.split('data-testid="table-by_category"')[1].split("</table>")[0]
    rows = {
        re.sub("<[^>]+>", "", cells[0]): cells[1:]
        for cells in (re.findall(r"<td>(.*?)</td>", r, re.S) for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:])
    }
    # speed: 3 of 5 in November (60.0 %), 1 in October: +2; attitude 1 (20.0 %), other 1.
    assert rows["响应速度"] == ["3", "60.0", "1", "+2"]
    assert rows["服务态度"] == ["1", "20.0", "0", "+1"]
    assert rows["其他"] == ["1", "20.0", "0", "+1"]
    assert f"/feedback/?from=2025-11-01&amp;to=2025-11-30&amp;category={cat('speed').pk}" in table
    assert "接线员态度不耐烦" in html  # the comments behind each category
    wb = load_workbook(io.BytesIO(client.get(f"/reports/feedback/report.xlsx?{NOV}").content))
    sheet = {r[0]: r[1:] for r in wb["意见分类"].iter_rows(min_row=2, values_only=True)}
    assert sheet["响应速度"] == (3, 60.0, 1, "+2")
    trend = list(wb["意见分类趋势（近 12 个周期）"].iter_rows(values_only=True))
    assert trend[0][2] == "响应速度" and trend[-1][2] == 3 and trend[-2][2] == 1
    assert client.get(f"/reports/feedback/report.pdf?{NOV}")["Content-Type"] == "application/pdf"


def test_fb1_scoping_stations_customers_and_other_staff(client, make_user, world, station_a):
    for user in (make_user("station_master", station=station_a), make_user("customer")):
        client.force_login(user)
        assert client.get("/feedback/").status_code == 403
        assert client.get(f"/reports/feedback/?{NOV}").status_code == 403
    other = make_user("customer_rep")
    assert Feedback.objects.visible_to(other).count() == 0  # only what was said of their own service
    assert Feedback.objects.visible_to(world).count() == 6
    client.force_login(other)
    assert client.get(f"/reports/feedback/?{NOV}").status_code == 403  # the analysis is the managers'
    fb = Feedback.objects.first()
    post = {"row": fb.pk, f"category-{fb.pk}": cat("skill").pk, f"was-{fb.pk}": fb.category_id}
    assert client.post("/feedback/category/", post).status_code == 404
