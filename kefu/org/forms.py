from django import forms
from django.utils.translation import gettext_lazy as _


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("删除原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
