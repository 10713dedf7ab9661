from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.forms import ActionForm
from kefu.knowledge.models import Article


class ArticleForm(forms.ModelForm):
    """Input validation only; the workflow writes."""

    class Meta:
        model = Article
        fields = ["title", "symptom", "cause", "solution", "steps", "product", "version", "tags"]
        widgets = {
            "symptom": forms.Textarea(attrs={"rows": 3}),
            "cause": forms.Textarea(attrs={"rows": 2}),
            "solution": forms.Textarea(attrs={"rows": 3}),
            "steps": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"title": _("留空则取现象的第一行")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class SendBackForm(ActionForm):
    """The reason an article goes back to draft (the workflow asks for it when it is empty)."""

    reason = forms.CharField(label=_("退回原因"), required=False)
