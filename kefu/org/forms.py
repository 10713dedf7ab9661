from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.forms import ActionForm

RETIRE_REASON_REQUIRED = _("请填写删除原因。")


class RetireForm(ActionForm):
    reason = forms.CharField(
        label=_("删除原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": RETIRE_REASON_REQUIRED},
    )
