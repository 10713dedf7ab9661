"""Issue 14 §6: one action idiom. Pages call the workflow through `kefu.core.actions.act()`
(parse the form, call, say what happened, go on; a KefuError shown in the user's language), API
actions through `kefu.core.api.WorkflowActionMixin`; every page that takes input parses it with a
Django form."""

import ast
from datetime import datetime
from pathlib import Path

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.test import APIRequestFactory, force_authenticate

import kefu
from kefu.core.actions import act, shown_again
from kefu.core.api import WorkflowActionMixin
from kefu.core.errors import Conflict, Invalid, KefuError
from kefu.core.forms import ActionForm, Flag, Pick, Text

ROOT = Path(kefu.__file__).parent
NEED_REASON = "请填写原因。"


class Thing:
    """What a workflow function acts on: a plain object with a URL (no database)."""

    def __init__(self, pk=7):
        self.pk = pk
        self.calls = []

    def get_absolute_url(self):
        return f"/things/{self.pk}/"


def close(thing, *, reason: str, by, now: datetime):
    """A workflow function: permission, rules, change; `by` and `now` from the caller."""
    thing.calls.append((reason, by, now))
    if not reason.strip():
        raise Invalid(NEED_REASON, field="reason")
    if reason == "stale":
        raise Conflict()
    return thing


class ReasonForm(ActionForm):
    reason = Text()


class StrictForm(ActionForm):
    reason = forms.CharField(error_messages={"required": NEED_REASON})


def post(data=None, user=None):
    request = RequestFactory().post("/things/7/close/", data or {})
    request.user = user or AnonymousUser()
    request._messages = CookieStorage(request)
    return request


def said(request) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def test_issue14_act_calls_the_workflow_says_what_happened_and_goes_on():
    request, thing = post({"reason": "客户已停用"}), Thing()
    response = act(request, close, thing, form=ReasonForm(request.POST), done="已关闭。", back="/list/")
    assert response.status_code == 302 and response["Location"] == "/things/7/"  # `then` defaults to the result
    assert said(request) == [("success", "已关闭。")]
    reason, by, now = thing.calls[0]
    assert reason == "客户已停用" and by is request.user and now.tzinfo is not None
    # `done` and `then` may read the result.
    request = post({"reason": "x"})
    response = act(
        request, close, thing, form=ReasonForm(request.POST), done=lambda t: f"{t.pk} 已关闭。", then="/list/"
    )
    assert response["Location"] == "/list/" and said(request) == [("success", "7 已关闭。")]


def test_issue14_act_without_again_shows_the_error_and_goes_back():
    request, thing = post({"reason": " "}), Thing()
    response = act(request, close, thing, form=ReasonForm(request.POST), done="已关闭。", then=thing)
    assert response.status_code == 302 and response["Location"] == "/things/7/"
    assert said(request) == [("error", NEED_REASON)]
    request = post({"reason": "stale"})
    response = act(request, close, thing, form=ReasonForm(request.POST), then="/list/", back="/things/7/")
    assert response["Location"] == "/things/7/"
    assert said(request) == [("error", "该记录已被他人修改或状态已变更，请刷新后重试。")]


def test_issue14_act_with_again_shows_the_page_again_with_the_error_beside_its_field():
    request, thing = post({"reason": "stale"}), Thing()
    form = StrictForm(request.POST)
    seen = []

    def again(exc: KefuError) -> HttpResponse:
        seen.append(exc)
        return HttpResponse(status=exc.status)

    response = act(request, close, thing, form=form, done="已关闭。", again=again)
    assert response.status_code == 409 and said(request) == []  # the page shows the error itself
    assert isinstance(seen[0], Conflict) and form.non_field_errors() == [str(seen[0].message)]
    assert thing.calls[0][0] == "stale"


def test_issue14_an_invalid_form_never_reaches_the_workflow():
    request, thing = post({"reason": ""}), Thing()
    seen = []
    response = act(
        request, close, thing, form=StrictForm(request.POST), again=lambda exc: seen.append(exc) or HttpResponse()
    )
    assert response.status_code == 200 and thing.calls == []
    assert seen[0].field == "reason" and str(seen[0].message) == NEED_REASON and seen[0].status == 400


def test_issue14_a_confirmation_asked_for_is_a_warning_not_a_form_error():
    class Duplicate(Conflict):
        asks_confirmation = True

    def create(*, reason, by, now):
        raise Duplicate("可能重复。", field="reason")

    request = post({"reason": "x"})
    form = ReasonForm(request.POST)
    act(request, create, form=form, again=lambda exc: HttpResponse())
    assert said(request) == [("warning", "可能重复。")] and not form.errors


def test_issue14_act_refuses_a_failure_with_nowhere_to_go():
    with pytest.raises(TypeError):
        act(post(), close, Thing(), then=lambda t: "/x/")


def test_issue14_shown_again_keeps_what_was_typed_under_its_form():
    from django.test.signals import template_rendered

    request = post({"reason": "打错了"})
    exc = Invalid(NEED_REASON, field="reason")
    contexts = []

    def seen(sender, context, **kwargs):
        contexts.append(context)

    template_rendered.connect(seen)
    try:
        response = shown_again(request, "approvals/_history.html", {"history": []}, exc, key="close")
    finally:
        template_rendered.disconnect(seen)
    assert response.status_code == 400
    context = contexts[0]
    assert context["sent"]["close"]["reason"] == "打错了" and context["errors"] == {"close": exc}
    assert context["error"] is exc and context["history"] == []


def test_issue14_page_form_fields_read_what_was_sent():
    class F(ActionForm):
        note = Text()
        kind = Text(default="fault")
        urgent = Flag()
        callback = Flag(missing=True)

    form = F({"note": " 原样 ", "urgent": "1"})
    assert form.is_valid()
    assert form.arguments() == {"note": " 原样 ", "kind": "fault", "urgent": True, "callback": True}
    form = F({"kind": "", "urgent": "0", "callback": "0"})
    assert form.is_valid() and form.arguments() == {"note": "", "kind": "", "urgent": False, "callback": False}
    form = F({"note": "a\x00b"})
    assert not form.is_valid() and "note" in form.errors  # PostgreSQL refuses NUL: a message, not a 500


@pytest.mark.django_db
def test_issue14_pick_finds_a_row_or_none(make_user):
    from kefu.org.models import User

    user = make_user("hotline")

    class F(ActionForm):
        who = Pick(User.objects.all())

    for sent, found in ((str(user.pk), user), ("", None), ("abc", None), ("9" * 30, None), ("999999", None)):
        form = F({"who": sent})
        assert form.is_valid() and form.cleaned_data["who"] == found, sent


# --- the API mixin ----------------------------------------------------------------------------


class ThingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    who = serializers.SerializerMethodField()

    def get_who(self, obj) -> str:
        return self.context["request"].user.username  # the answer has the request in its context


class CloseSerializer(serializers.Serializer):
    reason = serializers.CharField()


THINGS = {7: Thing()}


class ThingViewSet(WorkflowActionMixin, viewsets.GenericViewSet):
    serializer_class = ThingSerializer

    def get_object(self):
        return THINGS[int(self.kwargs["pk"])]

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self.act(close, self.get_object(), input=CloseSerializer)


@pytest.mark.django_db
def test_issue14_api_action_parses_calls_and_answers_or_maps_the_error(make_user):
    user = make_user("hotline", username="zhao")
    view = ThingViewSet.as_view({"post": "close"})
    factory = APIRequestFactory()

    def call(data):
        request = factory.post("/api/things/7/close/", data, format="json")
        force_authenticate(request, user=user)
        return view(request, pk=7)

    response = call({"reason": "客户已停用"})
    assert response.status_code == 200 and response.data == {"id": 7, "who": "zhao"}
    assert THINGS[7].calls[-1][1] == user
    response = call({})
    assert response.status_code == 400 and response.data["errors"] == {"reason": ["该字段是必填项。"]}
    response = call({"reason": "stale"})
    assert response.status_code == 409 and response.data["code"] == "conflict"


# --- the house: every page action goes this way -----------------------------------------------


def _page_modules():
    for path in [*sorted(ROOT.glob("*/views.py")), ROOT / "servicedesk" / "portal.py"]:
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_issue14_pages_catch_no_kefu_error_of_their_own():
    """A page does not catch a KefuError itself: `act()` does, one way for all. The survey link
    is the one exception: reading the link is no action, a bad link is its page's answer."""
    found = []
    for path, tree in _page_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ExceptHandler) and "KefuError" in ast.unparse(node.type or ast.Constant(None)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert len(found) == 1 and found[0].startswith("surveys/views.py:")


def test_issue14_pages_read_no_workflow_input_from_post_by_hand():
    """What a page hands to the workflow comes from a form (kefu/<app>/forms.py). Reading
    `request.POST` is left for where to go (`next`, the month shown) and what to show again."""
    allowed = {
        ("servicedesk/views.py", "_customer_choice"),  # the customer shown again beside the typed form
        ("fieldservice/views.py", "_safe_next"),  # where the page came from
        ("fieldservice/views.py", "qa"),  # the QA sample the verdict is for (404 if none)
        ("deadlines/views.py", "_month"),  # the month shown
        ("deadlines/views.py", "calendar_hours"),  # the month to go back to
        ("feedback/views.py", "_back"),  # where the page came from
        ("feedback/views.py", "set_category"),  # the feedback row the category is for (404 if none)
    }
    found = set()
    for path, tree in _page_modules():
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            for node in ast.walk(fn):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr in ("get", "getlist")
                    and isinstance(node.value, ast.Attribute)
                    and node.value.attr == "POST"
                ):
                    found.add((str(path.relative_to(ROOT)), fn.name))
    assert found - allowed == set()


def test_issue14_knowledge_page_actions_are_not_called_transitions():
    from kefu.knowledge import views

    assert not hasattr(views, "TRANSITIONS")  # the state machines' word (kefu.core.states)
    assert set(views.PAGE_ACTIONS) == {"review", "publish", "send_back"}


# --- pages that parsed POST by hand, through their forms --------------------------------------


@pytest.mark.django_db
def test_issue14_portal_form_keeps_type_and_priority_and_says_what_is_wrong(client, make_user, now):
    from kefu.customers.tests.factories import new_customer, portal_user_of

    customer = new_customer(now=now)
    client.force_login(portal_user_of(customer, make_user))
    response = client.post(
        reverse("portal:new"), {"title": "无法登录", "phenomenon": " ", "type": "consultation", "priority": "high"}
    )
    html = response.content.decode()
    assert response.status_code == 400 and 'data-testid="form-error"' in html
    assert 'value="consultation" selected' in html and 'value="high" selected' in html and 'value="无法登录"' in html


@pytest.mark.django_db
def test_issue14_duty_copy_with_a_date_that_is_no_date_is_a_message_not_a_500(client, make_user):
    manager = make_user("service_manager")
    client.force_login(manager)
    response = client.post(reverse("servicedesk:duty_action", args=["copy"]), {"week": "2025-13-45"}, follow=True)
    assert response.status_code == 200


@pytest.mark.django_db
def test_issue14_a_nul_character_is_refused_with_a_message(client, make_user, now):
    from kefu.servicedesk.tests.factories import new_request

    owner = make_user("hotline")
    req = new_request(by=owner, now=now)
    client.force_login(owner)
    response = client.post(reverse("servicedesk:action", args=[req.pk, "step"]), {"kind": "note", "notes": "a\x00b"})
    assert response.status_code == 400 and 'data-testid="form-error"' in response.content.decode()
    assert not req.steps.filter(notes__contains="a").exists()


def test_issue14_public_workflow_functions_type_by_as_a_user():
    """`by` is the acting user (kefu.org.models.User) on every public function of a domain's
    workflow module; None only where a job may act (a clock started by the system)."""
    untyped = []
    for path in sorted([*ROOT.glob("*/workflow.py"), *ROOT.glob("*/workflow/*.py")]):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            for arg in node.args.posonlyargs + node.args.args + node.args.kwonlyargs:
                if arg.arg == "by" and ast.unparse(arg.annotation or ast.Constant(None)) not in ("User", "User | None"):
                    untyped.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert untyped == []
