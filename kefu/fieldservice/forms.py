"""Page forms of onsite service (issue 14 §6): what each button of the order, phone and QA
pages sends, typed for its workflow call (kefu.core.forms). The workflow checks the rules and
says what is wrong beside the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.forms import ActionForm, Flag, Pick, Picks, Text
from kefu.fieldservice.models import Consultation, Escalation, ServiceSheet
from kefu.fieldservice.workflow import SHEET_TEXT
from kefu.org.models import User

TIME_INVALID = _("请填写正确的时间。")
CONSULTATION_REQUIRED = _("请选择会诊。")


def When() -> forms.DateTimeField:
    """A time typed in a datetime-local input, in the user's time zone."""
    return forms.DateTimeField(error_messages={"required": TIME_INVALID, "invalid": TIME_INVALID})


class NoteForm(ActionForm):
    note = Text()


class ReasonForm(ActionForm):
    reason = Text()


class DispatchForm(ActionForm):
    engineer = Pick(User.objects.all())


class AppointmentForm(ActionForm):
    start = When()
    end = When()
    note = Text()


class MissedForm(ActionForm):
    """A visit not made as agreed: why, and the new appointment."""

    reason = Text()
    start = When()
    end = When()


class CompleteForm(ActionForm):
    """The service sheet the engineer fills in on site (OS-4), with its photos."""

    backup_done = Flag()
    backup_location = Text()
    outcome = Text()
    minutes_spent = Text()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SHEET_TEXT:
            self.fields[name] = Text()

    def arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["minutes_spent"] = data["minutes_spent"] or 0
        return {"data": data, "photos": self.files.getlist("photos") if self.files else []}


class SignForm(ActionForm):
    """The customer's signature: drawn on the screen, or a photo of the signed paper sheet."""

    signer_name = Text()
    signature = Text()

    def arguments(self) -> dict:
        return {**self.cleaned_data, "paper_photo": self.files.get("paper_photo") if self.files else None}


class WriteOffForm(ActionForm):
    next_step = Text()
    note = Text()
    target = Text(default=Escalation.Target.VENDOR)
    party = Text()


class AnswerForm(ActionForm):
    answer = Text()


class ConsultationForm(ActionForm):
    topic = Text()
    participants = Picks(User.objects.all())


class ConsultationResultForm(ActionForm):
    """The result of one of the order's consultations."""

    consultation = Pick(Consultation.objects.none(), required=True, error_messages={"required": CONSULTATION_REQUIRED})
    result = Text()

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultation"].queryset = order.consultations.all()


class PickSampleForm(ActionForm):
    """The week's QA sample as the manager accepted or changed the proposal (OS-7)."""

    sheets = Picks(ServiceSheet.objects.all())


class ReviewSampleForm(ActionForm):
    verdict = Text()
    comment = Text()
