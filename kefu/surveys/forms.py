"""Page forms of the surveys (issue 14 §6): the answer (the customer's, through the link, or
one taken on the phone) and the close of a rectification."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.forms import ActionForm, Text
from kefu.surveys import workflow

RATINGS = [
    (5, _("5 分 非常满意")),
    (4, _("4 分 满意")),
    (3, _("3 分 一般")),
    (2, _("2 分 不满意")),
    (1, _("1 分 非常不满意")),
]


class AnswerForm(ActionForm):
    rating = forms.TypedChoiceField(
        label=_("评分"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": workflow.RATING_REQUIRED, "invalid_choice": workflow.RATING_REQUIRED},
    )
    comment = forms.CharField(label=_("意见和建议"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    problem = forms.BooleanField(label=_("问题仍未解决或服务中有问题"), required=False)


class CloseForm(ActionForm):
    """What was done about the rectification (the workflow asks for it when it is empty)."""

    action_taken = Text()
