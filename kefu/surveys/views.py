"""Survey pages: the public answer page (no account), the staff list, a survey with phone entry."""

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.core import lists
from kefu.core.errors import KefuError
from kefu.notify import outbox
from kefu.surveys import selectors, workflow
from kefu.surveys.models import Survey

RATINGS = [
    (5, _("5 分 非常满意")),
    (4, _("4 分 满意")),
    (3, _("3 分 一般")),
    (2, _("2 分 不满意")),
    (1, _("1 分 非常不满意")),
]


class AnswerForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("评分"), choices=RATINGS, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("意见和建议"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    problem = forms.BooleanField(label=_("问题仍未解决或服务中有问题"), required=False)


def answer(request, token):
    """The link the customer opens without an account (RV-7); one answer only."""
    now = timezone.now()
    form = AnswerForm(request.POST or None)
    try:
        survey = workflow.survey_for_token(token, now=now)
    except KefuError as exc:
        return render(request, "surveys/answer.html", {"error": exc.message}, status=400)
    if survey.status != Survey.Status.OPEN:
        return render(
            request, "surveys/answer.html", {"error": workflow.ALREADY_ANSWERED, "survey": survey}, status=409
        )
    if request.method == "POST" and form.is_valid():
        try:
            workflow.answer_by_token(token, **form.cleaned_data, now=now)
        except KefuError as exc:
            return render(request, "surveys/answer.html", {"error": exc.message, "survey": survey}, status=exc.status)
        return render(request, "surveys/answer.html", {"thanks": True, "survey": survey})
    return render(request, "surveys/answer.html", {"form": form, "survey": survey})


@login_required
@permission_required("surveys.view_list", raise_exception=True)
def survey_list(request):
    status = request.GET.get("status", "")
    unsatisfied = request.GET.get("unsatisfied") == "1"
    qs = selectors.surveys_for(request.user, status=status, unsatisfied=unsatisfied)
    qs = lists.filter_dates(qs, "answered_at", *lists.date_range(request.GET))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/survey_list.html",
        {
            "page": page,
            "status": status,
            "unsatisfied": unsatisfied,
            "statuses": Survey.Status.choices,
            "rectifications": selectors.rectifications_for(request.user, status="open", mine=True)[:10],
        },
    )


@login_required
def survey_detail(request, pk):
    survey = selectors.survey_for(request.user, pk)
    rect = getattr(survey, "rectification", None)
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "rect": rect,
            **_invitation(survey),
            "can_enter": survey.status == "open" and request.user.has_perm("surveys.enter_answer", survey),
            "can_close": rect is not None
            and rect.status == "open"
            and request.user.has_perm("surveys.close_rectification", rect),
            "form": AnswerForm(),
        },
    )


def _invitation(survey: Survey) -> dict:
    """The link as the customer gets it (RV-7): to copy, as an SMS-ready text, and as a QR code
    to show on a phone or print on the sheet (drawn here, no outside service)."""
    if survey.status != Survey.Status.OPEN:
        return {"link": ""}
    link = workflow.absolute_link(survey)
    return {
        "link": link,
        "sms": workflow.invitation_text(survey),
        "qr": mark_safe(segno.make(link, error="m").svg_inline(scale=4, dark="#1f2937")),  # noqa: S308 -- our own SVG
        "sent": [
            row for row in outbox.sent_for("survey.invitation", survey) if row.channel != "inapp" or row.recipient
        ],
    }


@login_required
@require_POST
def survey_phone(request, pk):
    survey = selectors.survey_for(request.user, pk)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise KefuError(workflow.RATING_REQUIRED)
        workflow.answer_by_phone(survey, **form.cleaned_data, by=request.user, now=timezone.now())
    except KefuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("电话评价已录入。"))
    return redirect(survey)


@login_required
@require_POST
def rectification_close(request, pk):
    item = selectors.rectification_for(request.user, pk)
    try:
        workflow.close_rectification(
            item, action_taken=request.POST.get("action_taken", ""), by=request.user, now=timezone.now()
        )
    except KefuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("整改已完成。"))
    return redirect(item)
