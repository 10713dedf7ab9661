"""The decision and resubmission forms of an approval's page: what was typed, as the workflow
takes it (the verdict, the reason and the note are checked by `workflow.decide` / `resubmit`,
whose messages the page shows beside the field)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.forms import ActionForm


class DecisionForm(ActionForm):
    verdict = forms.CharField(label=_("审批意见"), required=False)
    reason = forms.CharField(label=_("意见说明"), required=False)


class ResubmitForm(ActionForm):
    note = forms.CharField(label=_("修改说明"), required=False)
