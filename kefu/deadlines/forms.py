"""Input validation of the calendar and rule pages; the workflow functions do the rest."""

import re
from datetime import time

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import Invalid
from kefu.core.forms import ActionForm, Text
from kefu.deadlines.models import WEEKDAY_LABELS, DeadlineRule, EscalationLevel
from kefu.deadlines.spec import RuleSpec

HOURS_FORMAT = _("请按“09:00-12:00, 13:30-18:00”的格式填写，休息日留空。")
_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*$")


def parse_intervals(text: str) -> list[tuple[time, time]]:
    """ "09:00-12:00, 13:30-18:00" → [(09:00, 12:00), (13:30, 18:00)]; raises ValueError."""
    intervals = []
    for part in re.split(r"[,，;；]", text or ""):
        if not part.strip():
            continue
        match = _INTERVAL.match(part)
        if not match:
            raise ValueError(part)
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        intervals.append((time(h1, m1), time(h2, m2)))
    return intervals


def format_intervals(intervals) -> str:
    return ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in intervals)


class HoursForm(forms.Form):
    """Working intervals per weekday, one text field per day."""

    def __init__(self, *args, weekly=None, **kwargs):
        super().__init__(*args, **kwargs)
        for weekday, label in enumerate(WEEKDAY_LABELS):
            self.fields[f"day_{weekday}"] = forms.CharField(
                label=label,
                required=False,
                initial=format_intervals(weekly[weekday]) if weekly else "",
                widget=forms.TextInput(attrs={"placeholder": "09:00-12:00, 13:30-18:00", "class": "form-control"}),
            )

    def clean(self):
        data = super().clean()
        weekly = []
        for weekday in range(7):
            try:
                weekly.append(parse_intervals(data.get(f"day_{weekday}", "")))
            except (ValueError, TypeError):
                self.add_error(f"day_{weekday}", HOURS_FORMAT)
                weekly.append([])
        data["weekly"] = weekly
        return data

    def arguments(self) -> dict:
        return {"weekly": self.cleaned_data["weekly"]}


class YearForm(ActionForm):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)


class DayForm(ActionForm):
    name = forms.CharField(label=_("名称"), max_length=50, required=False)


class RuleForm(forms.ModelForm):
    class Meta:
        model = DeadlineRule
        fields = [
            "name_zh",
            "name_en",
            "kind",
            "amount",
            "unit",
            "weekday",
            "at",
            "day",
            "cutoff",
            "calendar",
            "calendar_source",
            "manager_role",
            "warn_ratio",
            "enabled",
        ]
        widgets = {
            "at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "cutoff": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form posted without them (an older page) keeps what the rule has.
        self.fields["calendar_source"].required = False

    def clean_calendar_source(self):
        return self.cleaned_data.get("calendar_source") or self.instance.calendar_source

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            RuleSpec.create(
                data.get("kind"),
                amount=data.get("amount"),
                unit=data.get("unit") or "",
                weekday=data.get("weekday"),
                at=data.get("at"),
                day=data.get("day"),
                cutoff=data.get("cutoff"),
            )
        except Invalid as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data

    def arguments(self) -> dict:
        changes = {name: self.cleaned_data[name] for name in self.Meta.fields}
        changes["unit"] = changes["unit"] or ""
        return {"changes": changes}


class EscalationForm(forms.Form):
    offset_minutes = forms.IntegerField(label=_("相对截止时间（分钟）"), min_value=-7 * 24 * 60, max_value=30 * 24 * 60)
    # A blank first choice keeps the untouched extra row of the formset unchanged (and skipped).
    notify = forms.ChoiceField(label=_("通知"), choices=[("", "---------"), *EscalationLevel.Notify.choices])


EscalationFormSet = forms.formset_factory(EscalationForm, extra=1, can_delete=True)


class WaitForm(ActionForm):
    """The shared form that pauses an item's clocks (CAL-4, `deadlines/_wait_form.html`): the
    reason and a note, as `waiting.start` takes them (it says what is wrong)."""

    reason = Text()
    note = Text()
