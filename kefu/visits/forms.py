"""Page forms of the return visits (issue 14 §6): the result, the reassignment and the cancel."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.forms import ActionForm, Pick, Text
from kefu.org.models import User
from kefu.visits import workflow
from kefu.visits.models import ReturnVisit


class ResultForm(ActionForm):
    channel = forms.ChoiceField(label=_("方式"), choices=ReturnVisit.Channel.choices)
    satisfaction = forms.ChoiceField(
        label=_("满意度"),
        choices=ReturnVisit.Satisfaction.choices,
        error_messages={"required": workflow.SATISFACTION_REQUIRED, "invalid_choice": workflow.SATISFACTION_REQUIRED},
    )
    content = forms.CharField(
        label=_("回访内容"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": workflow.CONTENT_REQUIRED},
    )
    problems = forms.CharField(label=_("发现的问题"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AssignForm(ActionForm):
    assignee = Pick(User.objects.all(), required=True, error_messages={"required": workflow.NOT_A_VISITOR})


class CancelForm(ActionForm):
    reason = Text()
