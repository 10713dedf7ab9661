"""Page forms of the service desk (issue 14 §6): what each page sends, typed for its workflow
call. The workflow checks the rules and says what is wrong beside the field; these forms only
read the POST (kefu.core.forms)."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from kefu.core.forms import ActionForm, Flag, Pick, Text
from kefu.customers.models import Customer
from kefu.org.models import User
from kefu.servicedesk.workflow import SHEET_FIELDS

CUSTOMER_REQUIRED = _("请选择客户。")
SHIFT_REQUIRED = _("请填写值班人员和起止时间。")
NOT_UTF8 = _("文件必须是 UTF-8 编码的 CSV。")


class _CustomerForm(ActionForm):
    """A form that starts with the customer, one the user may see (the typed id of another is
    no customer)."""

    customer = Pick(Customer.objects.none(), required=True, error_messages={"required": CUSTOMER_REQUIRED})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user)


class IntakeForm(_CustomerForm):
    """A request taken in by staff (SR-1): the customer, how it came, what is wrong, attachments."""

    channel = Text()
    title = Text()
    phenomenon = Text()
    type = Text(default="fault")
    priority = Text(default="medium")
    product = Text()
    caller = Text()
    caller_phone = Text()
    needs_onsite = Flag()

    def arguments(self) -> dict:
        return {**self.cleaned_data, "files": self.files.getlist("files") if self.files else []}


class HotlineCallForm(_CustomerForm):
    """A call taken on the hotline desk (HL-3)."""

    phenomenon = Text()
    caller = Text()
    caller_phone = Text()
    product = Text()
    answer = Text()
    steps = Text()
    type = Text(default="fault")
    priority = Text(default="medium")
    needs_onsite = Flag()


class PortalRequestForm(ActionForm):
    """A problem the customer reports in the portal (SR-2); the customer is the user's own."""

    title = Text()
    phenomenon = Text()
    product = Text()
    type = Text(default="fault")
    priority = Text(default="medium")

    def arguments(self) -> dict:
        return {**self.cleaned_data, "files": self.files.getlist("files") if self.files else []}


# --- a request's steps ---------------------------------------------------------------------


class TransferForm(ActionForm):
    to = Pick(User.objects.all())
    reason = Text()


class StepForm(ActionForm):
    kind = Text()
    notes = Text()
    internal = Flag()

    def arguments(self) -> dict:
        d = self.cleaned_data
        return {"kind": d["kind"], "notes": d["notes"], "visible": not d["internal"]}


class SheetForm(ActionForm):
    """The service sheet (SR-6): only the fields sent are changed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SHEET_FIELDS:
            self.fields[name] = Text(default=None)

    def arguments(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v is not None}


class SolveForm(ActionForm):
    result = Text()
    cause = Text()
    method = Text()
    prevention = Text()


class ConfirmForm(ActionForm):
    via = Text()
    note = Text()


class ReasonForm(ActionForm):
    reason = Text()


class ReviewForm(ActionForm):
    approve = Flag()
    note = Text()


class NoteForm(ActionForm):
    note = Text()


# --- hotline records ----------------------------------------------------------------------


class AnswerForm(ActionForm):
    answer = Text()
    steps = Text()


class ShelveForm(ActionForm):
    note = Text()
    callback = Flag(missing=True)


class CallBackForm(ActionForm):
    solved = Flag()
    answer = Text()


# --- duty roster and calls ------------------------------------------------------------------


class ShiftForm(ActionForm):
    """A shift planned on the roster (HL-1)."""

    engineer = Pick(User.objects.all(), required=True, error_messages={"required": SHIFT_REQUIRED})
    starts_at = forms.DateTimeField(error_messages={"required": SHIFT_REQUIRED, "invalid": SHIFT_REQUIRED})
    ends_at = forms.DateTimeField(error_messages={"required": SHIFT_REQUIRED, "invalid": SHIFT_REQUIRED})


def _day(value: str):
    try:
        return parse_date(value or "")
    except ValueError:
        return None


class CopyWeekForm(ActionForm):
    """Copy last week's shifts into the week shown (its Monday, by default this week's day)."""

    week = Text()

    def arguments(self) -> dict:
        return {"week_start": _day(self.cleaned_data["week"]) or timezone.localdate()}


class CallLogForm(ActionForm):
    """A call logged by hand (HL-8): now, unless the time is given."""

    at = Text()
    answered = Flag()
    caller_phone = Text()

    def clean_at(self) -> datetime:
        try:
            at = parse_datetime(self.cleaned_data["at"]) or timezone.now()
        except ValueError:  # a date-like text that is no date (2025-13-01 10:00)
            at = timezone.now()
        return timezone.make_aware(at) if timezone.is_naive(at) else at


class CallImportForm(ActionForm):
    """A phone system's call log (CSV, UTF-8)."""

    file = forms.FileField(label=_("话单文件"))

    def clean_file(self) -> str:
        try:
            return self.cleaned_data["file"].read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(NOT_UTF8) from None

    def arguments(self) -> dict:
        return {"text": self.cleaned_data["file"]}
