"""Survey pages: the public answer page (no account), the staff list, a survey with phone entry."""

import segno
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.core.actions import act
from kefu.core.errors import KefuError
from kefu.notify import outbox
from kefu.surveys import selectors, tables, workflow
from kefu.surveys.forms import AnswerForm, CloseForm
from kefu.surveys.models import Survey


def _by_link(token: str):
    """The answer through the signed link: the customer has no account, so no `by`."""
    return lambda *, by, now, **answer: workflow.answer_by_token(token, now=now, **answer)


def answer(request, token):
    """The link the customer opens without an account (RV-7); one answer only."""
    form = AnswerForm(request.POST or None)
    try:
        survey = workflow.survey_for_token(token, now=timezone.now())
    except KefuError as exc:
        return render(request, "surveys/answer.html", {"error": exc.message}, status=400)
    if survey.status != Survey.Status.OPEN:
        return render(
            request, "surveys/answer.html", {"error": workflow.ALREADY_ANSWERED, "survey": survey}, status=409
        )
    if request.method != "POST":
        return render(request, "surveys/answer.html", {"form": form, "survey": survey})

    def again(exc):
        if form.errors:  # what was chosen, again, with the error beside it
            return render(request, "surveys/answer.html", {"form": form, "survey": survey})
        return render(request, "surveys/answer.html", {"error": exc.message, "survey": survey}, status=exc.status)

    return act(
        request,
        _by_link(token),
        form=form,
        then=lambda answered: render(request, "surveys/answer.html", {"thanks": True, "survey": survey}),
        again=again,
    )


@login_required
@permission_required("surveys.view_list", raise_exception=True)
def survey_list(request):
    return render(
        request,
        "surveys/survey_list.html",
        {
            "listing": tables.SURVEYS.listing(request),
            **tables.filters_of(request.GET),
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
    return act(
        request,
        workflow.answer_by_phone,
        survey,
        form=AnswerForm(request.POST),
        done=_("电话评价已录入。"),
        then=survey,
    )


@login_required
@require_POST
def rectification_close(request, pk):
    item = selectors.rectification_for(request.user, pk)
    return act(
        request, workflow.close_rectification, item, form=CloseForm(request.POST), done=_("整改已完成。"), then=item
    )
