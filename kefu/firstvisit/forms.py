from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import REASON_REQUIRED
from kefu.core.forms import ActionForm, Flag
from kefu.customers.forms import RegionFields
from kefu.customers.models import Customer
from kefu.firstvisit import workflow
from kefu.firstvisit.models import EmailTemplate, FirstVisit
from kefu.org.models import Department

DEPARTMENT_REQUIRED = _("请选择负责部门。")


class HandOverForm(RegionFields, forms.Form):
    """Sales hands over a signed contract (FV-1): an existing customer, or a new one."""

    customer = forms.ModelChoiceField(Customer.objects.none(), label=_("已有客户"), required=False)
    name = forms.CharField(label=_("客户全称（新客户）"), max_length=200, required=False)
    short_name = forms.CharField(label=_("简称"), max_length=60, required=False)
    level = forms.ChoiceField(label=_("客户级别"), choices=Customer.Level.choices, initial=Customer.Level.NORMAL)
    address = forms.CharField(label=_("详细地址"), max_length=300, required=False)
    website = forms.CharField(label=_("公司网站"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("主要联系人"), max_length=50, required=False)
    contact_mobile = forms.CharField(label=_("手机"), max_length=20, required=False)
    contact_email = forms.EmailField(label=_("邮箱"), required=False)
    number = forms.CharField(label=_("合同编号"), max_length=50)
    signed_on = forms.DateField(label=_("签约日期"), widget=forms.DateInput(attrs={"type": "date"}))
    products = forms.CharField(label=_("产品与服务"), widget=forms.Textarea(attrs={"rows": 2}))
    software_version = forms.CharField(label=_("软件版本"), max_length=50, required=False)
    modules = forms.CharField(label=_("软件模块"), max_length=300, required=False)
    dongle_no = forms.CharField(label=_("加密锁号"), max_length=50, required=False)
    service_start = forms.DateField(label=_("服务开始"), widget=forms.DateInput(attrs={"type": "date"}))
    service_end = forms.DateField(label=_("服务结束"), widget=forms.DateInput(attrs={"type": "date"}))
    service_terms = forms.CharField(label=_("服务条款"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    confirm_duplicate = Flag()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            field = self.fields["customer"]
            field.queryset = Customer.objects.visible_to(user)
            # 100,000 customers are not rendered as options: only the chosen one; the page's
            # tom-select loads matches from /api/customers/?q= as the user types.
            chosen = self.data.get("customer") or self.initial.get("customer") or ""
            options = list(field.queryset.filter(pk=chosen).values_list("pk", "name")) if str(chosen).isdigit() else []
            field.widget.choices = [("", "---------"), *options]
            field.widget.attrs["data-remote"] = "/api/customers/"

    def clean(self):
        data = super().clean()
        if not data.get("customer") and not data.get("name"):
            self.add_error("name", _("请选择已有客户，或填写新客户的全称。"))
        return data

    def parts(self) -> dict:
        d = self.cleaned_data
        contract = {
            k: d.get(k)
            for k in (
                "number",
                "signed_on",
                "products",
                "software_version",
                "modules",
                "dongle_no",
                "service_start",
                "service_end",
                "service_terms",
            )
        }
        new_customer = {
            k: d.get(k) for k in ("name", "short_name", "level", "address", "website", "province", "city", "district")
        }
        contact = None
        if d.get("contact_name"):
            contact = {
                "name": d["contact_name"],
                "mobile": d.get("contact_mobile", ""),
                "email": d.get("contact_email", ""),
                "is_main": True,
            }
        return {"customer": d.get("customer"), "new_customer": new_customer, "contact": contact, "contract": contract}

    def arguments(self) -> dict:
        return {**self.parts(), "confirm_duplicate": self.cleaned_data["confirm_duplicate"]}


class VerifyForm(ActionForm):
    """The archive check (FV-3): the fields ticked as verified, each correction typed in
    (`fix:<key>`, with the value seen when the page was shown, `was:<key>`) and the two flags
    (`flag:<key>`), compared with the archive as it is now."""

    def __init__(self, *args, visit: FirstVisit, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit = visit

    def arguments(self) -> dict:
        post = self.data
        corrections, expected = {}, {}
        for key in workflow.CHECKS:
            new = post.get(f"fix:{key}", "").strip()
            if new:
                corrections[key] = new
                expected[key] = post.get(f"was:{key}", "")
        current = workflow.current_values(self.visit)
        for flag in workflow.FLAGS:
            wanted = post.get(f"flag:{flag}") == "1"
            if wanted != bool(current[flag]):
                corrections[flag] = wanted
        return {"verified": post.getlist("verified"), "corrections": corrections, "expected": expected}


class NeedForm(ActionForm):
    department = forms.ModelChoiceField(
        Department.objects.all(),
        label=_("负责部门"),
        error_messages={"required": DEPARTMENT_REQUIRED, "invalid_choice": DEPARTMENT_REQUIRED},
    )
    content = forms.CharField(
        label=_("需求内容"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": workflow.NEED_CONTENT_REQUIRED},
    )


class CompleteForm(ActionForm):
    summary = forms.CharField(label=_("首访记录"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class NotCompletedForm(ActionForm):
    reason = forms.CharField(label=_("未完成原因"), max_length=500, error_messages={"required": REASON_REQUIRED})
    next_attempt_at = forms.DateTimeField(
        label=_("下次联系时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": workflow.NEXT_ATTEMPT_REQUIRED, "invalid": workflow.NEXT_ATTEMPT_REQUIRED},
    )


class TemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = ["subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}
