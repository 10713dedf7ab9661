from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import REASON_REQUIRED
from kefu.core.forms import ActionForm
from kefu.plans import workflow
from kefu.plans.models import ServicePlan
from kefu.visits.models import ReturnVisit


class PlanForm(forms.ModelForm):
    visit_channel = forms.ChoiceField(label=_("回访方式"), choices=ReturnVisit.Channel.choices)

    class Meta:
        model = ServicePlan
        fields = ["content", "period_start", "period_end", "visit_frequency", "visit_channel", "requirements"]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 4}),
            "requirements": forms.Textarea(attrs={"rows": 3}),
            "period_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "period_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def arguments(self) -> dict:
        return {"data": self.cleaned_data}


class ReturnForm(ActionForm):
    reason = forms.CharField(label=_("退回原因"), max_length=500, error_messages={"required": REASON_REQUIRED})


class SignForm(ActionForm):
    signer_name = forms.CharField(
        label=_("签字人"), max_length=50, error_messages={"required": workflow.SIGNER_REQUIRED}
    )
    signature = forms.CharField(widget=forms.HiddenInput, required=False)
    scan = forms.FileField(label=_("或上传签字扫描件（PDF/JPG/PNG）"), required=False)
