"""RV-7: a survey per handled subject; a link without an account answered once; phone entry; an
unsatisfied answer opens a rectification for whoever served, on the RV-7 clock."""

from datetime import timedelta

import pytest
from django.urls import reverse

from kefu.audit.models import Event
from kefu.core.errors import Conflict, Forbidden, Invalid
from kefu.customers.models import TimelineEntry
from kefu.customers.tests.factories import ContractFactory
from kefu.deadlines.models import Clock
from kefu.notify.models import Outbox
from kefu.surveys import workflow
from kefu.surveys.models import Rectification, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_user):
    return make_user("service_desk", username="desk_sv")


@pytest.fixture
def engineer(make_user):
    return make_user("field_engineer", username="engineer_sv")


@pytest.fixture
def survey(desk, engineer, now):
    contract = ContractFactory()  # stands in for a handled request: the subject is generic
    return workflow.open_survey(contract, customer=contract.customer, served_by=engineer, by=desk, now=now)


@pytest.fixture
def live_survey(desk, engineer):
    """Opened at the real time: the views read the real clock, and links expire after 30 days."""
    from django.utils import timezone

    contract = ContractFactory()
    return workflow.open_survey(contract, customer=contract.customer, served_by=engineer, by=desk, now=timezone.now())


def test_rv7_open_survey_once_per_subject_on_the_timeline(survey, desk, engineer, now):
    again = workflow.open_survey(survey.subject, customer=survey.customer, served_by=engineer, by=desk, now=now)
    assert again.pk == survey.pk and Survey.objects.count() == 1
    assert Event.objects.filter(verb="open_survey", object_id=str(survey.pk)).count() == 1
    assert TimelineEntry.objects.filter(customer=survey.customer, kind="survey").count() == 1


def test_rv7_link_without_account_answers_once_second_use_refused(client, live_survey, now):
    survey = live_survey
    token = workflow.token_for(survey)
    url = reverse("surveys:answer", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and "提交评价" in page.content.decode()
    response = client.post(url, {"rating": "5", "comment": "很满意"})
    assert "感谢您的评价" in response.content.decode()
    survey.refresh_from_db()
    assert (survey.status, survey.rating, survey.channel, survey.entered_by) == ("answered", 5, "link", None)
    second = client.post(url, {"rating": "1", "comment": "改主意了"})
    assert second.status_code == 409 and str(workflow.ALREADY_ANSWERED) in second.content.decode()
    with pytest.raises(Conflict) as exc:
        workflow.answer_by_token(token, rating=1, now=now)
    assert exc.value.message == workflow.ALREADY_ANSWERED
    survey.refresh_from_db()
    assert survey.rating == 5 and not Rectification.objects.exists()


def test_rv7_api_token_answer_without_auth_then_409(api_client, live_survey):
    survey = live_survey
    token = workflow.token_for(survey)
    first = api_client.post("/api/surveys/answer/", {"token": token, "rating": 4}, format="json")
    assert first.status_code == 200 and first.json()["status"] == "answered"
    second = api_client.post("/api/surveys/answer/", {"token": token, "rating": 4}, format="json")
    assert second.status_code == 409 and second.json()["detail"] == str(workflow.ALREADY_ANSWERED)


def test_rv7_forged_or_expired_token_refused(client, survey, now):
    token = workflow.token_for(survey)
    with pytest.raises(Invalid) as exc:
        workflow.answer_by_token(token[:-2] + "xx", rating=5, now=now)
    assert exc.value.message == workflow.BAD_LINK
    with pytest.raises(Invalid) as exc:
        workflow.answer_by_token(token, rating=5, now=now + workflow.LINK_VALID_FOR + timedelta(minutes=1))
    assert exc.value.message == workflow.LINK_EXPIRED
    assert client.get(reverse("surveys:answer", args=["nonsense"])).status_code == 400


def test_rv7_rating_must_be_1_to_5(survey, now):
    for bad in (0, 6, "x", None):
        with pytest.raises(Invalid):
            workflow.answer_by_token(workflow.token_for(survey), rating=bad, now=now)
    assert Survey.objects.get().status == "open"


@pytest.mark.parametrize(
    ("rating", "problem", "opens"),
    [(1, False, True), (2, False, True), (3, False, False), (5, True, True), (4, False, False)],
)
def test_rv7_unsatisfied_answer_opens_a_rectification_for_whoever_served(survey, engineer, now, rating, problem, opens):
    workflow.answer_by_token(workflow.token_for(survey), rating=rating, comment="上门迟到", problem=problem, now=now)
    assert Rectification.objects.exists() == opens
    if opens:
        item = Rectification.objects.get()
        assert item.owner == engineer and item.reason == "上门迟到"
        clock = Clock.objects.get(object_id=str(item.pk), rule__key=workflow.RECTIFICATION_RULE)
        assert clock.owner == engineer and clock.due_at > now  # 3 working days on the office calendar
        assert Event.objects.filter(verb="open_rectification", object_id=str(item.pk)).exists()
        assert Outbox.objects.filter(event="survey.rectification_opened", recipient=engineer).exists()


def test_rv7_phone_entry_by_staff_and_negative(survey, desk, make_user, now):
    with pytest.raises(Forbidden):
        workflow.answer_by_phone(survey, rating=5, by=make_user("finance"), now=now)
    with pytest.raises(Forbidden):
        workflow.answer_by_phone(survey, rating=5, by=make_user("customer"), now=now)
    workflow.answer_by_phone(survey, rating=2, comment="等太久", by=desk, now=now)
    survey.refresh_from_db()
    assert (survey.channel, survey.entered_by) == ("phone", desk)
    event = Event.objects.get(verb="answer_survey")
    assert (event.actor, event.before, event.after) == (desk, "待评价", "已评价")
    assert TimelineEntry.objects.filter(customer=survey.customer, title__startswith="满意度评价：2 分").exists()


def test_rv7_close_rectification_stops_the_clock(survey, engineer, make_user, now):
    workflow.answer_by_phone(survey, rating=1, comment="没解决", by=make_user("service_desk"), now=now)
    item = Rectification.objects.get()
    with pytest.raises(Forbidden):
        workflow.close_rectification(item, action_taken="x", by=make_user("field_engineer"), now=now)
    with pytest.raises(Invalid):
        workflow.close_rectification(item, action_taken=" ", by=engineer, now=now)
    workflow.close_rectification(item, action_taken="再次上门并致歉", by=engineer, now=now + timedelta(hours=2))
    item.refresh_from_db()
    assert item.status == "done"
    assert Clock.objects.get(object_id=str(item.pk), rule__key=workflow.RECTIFICATION_RULE).state == "met"
    with pytest.raises(Conflict):
        workflow.close_rectification(item, action_taken="again", by=engineer, now=now)


def test_rv7_lists_bounded_and_scoped(client, api_as, desk, engineer, make_user, now, django_assert_max_num_queries):
    for _i in range(5):
        contract = ContractFactory()
        s = workflow.open_survey(contract, customer=contract.customer, served_by=engineer, by=desk, now=now)
        workflow.answer_by_phone(s, rating=1, by=desk, now=now)
    client.force_login(desk)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("surveys:list")).content.decode()
    assert html.count('data-object="surveys.survey:') == 5
    with django_assert_max_num_queries(8):
        assert api_as(desk).get("/api/surveys/").json()["count"] == 5
    with django_assert_max_num_queries(8):
        assert api_as(engineer).get("/api/surveys/rectifications/").json()["count"] == 5
    # Someone else's rectifications are not mine; outsiders see nothing.
    assert api_as(make_user("field_engineer")).get("/api/surveys/rectifications/").json()["count"] == 0
    for role in ("customer", "station_master"):
        outsider = make_user(role)
        assert api_as(outsider).get("/api/surveys/").json()["count"] == 0
        client.force_login(outsider)
        assert client.get(reverse("surveys:list")).status_code == 403


def test_rv7_api_phone_entry_and_close(api_as, survey, desk, engineer):
    response = api_as(desk).post(f"/api/surveys/{survey.pk}/phone/", {"rating": 2, "comment": "慢"}, format="json")
    assert response.status_code == 200 and response.json()["channel"] == "phone"
    assert api_as(desk).post(f"/api/surveys/{survey.pk}/phone/", {"rating": 5}, format="json").status_code == 409
    item = Rectification.objects.get()
    closed = api_as(engineer).post(
        f"/api/surveys/rectifications/{item.pk}/close/", {"action_taken": "回访致歉"}, format="json"
    )
    assert closed.status_code == 200 and closed.json()["status"] == "done"


def test_rv7_detail_page_shows_the_link_and_phone_form(client, survey, desk):
    client.force_login(desk)
    html = client.get(survey.get_absolute_url()).content.decode()
    assert workflow.link_for(survey) in html and 'data-testid="phone-entry"' in html
