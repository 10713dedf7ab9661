"""Page forms of complaints: they parse what was sent; the rules and messages stay in the workflow."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.complaints.models import Complaint, CorrectiveAction
from kefu.core.forms import ActionForm, Flag, Pick, Text
from kefu.customers.models import Customer
from kefu.org.models import Department, User

STAFF = User.objects.filter(is_active=True).exclude(groups__name__in=["customer", "station_master", "station_engineer"])


class DateTimeText(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("input_formats", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
        super().__init__(**kwargs)


class IntakeForm(ActionForm):
    """《用户投诉登记表》 (CP-1)."""

    customer = Pick(Customer.objects.all(), label=_("客户"))
    source = forms.ChoiceField(
        label=_("来源"), choices=Complaint.Source.choices, initial=Complaint.Source.CUSTOMER, required=False
    )
    channel = forms.ChoiceField(
        label=_("渠道"), choices=Complaint.Channel.choices, initial=Complaint.Channel.HOTLINE, required=False
    )
    type = forms.ChoiceField(
        label=_("投诉类型"), choices=Complaint.Type.choices, initial=Complaint.Type.OTHER, required=False
    )
    title = Text(label=_("投诉事项"), widget=forms.TextInput(attrs={"maxlength": 200}))
    content = Text(label=_("投诉内容"), widget=forms.Textarea(attrs={"rows": 4}))
    contact_name = Text(label=_("投诉人"))
    contact_phone = Text(label=_("联系电话"))
    product = Text(label=_("产品"))
    happened_at = DateTimeText(label=_("发生时间"))
    served_by = Text(label=_("服务人员"))
    customer_asks = Text(label=_("客户要求"), widget=forms.Textarea(attrs={"rows": 2}))
    vendor_ref = Text(label=_("厂商编号"))
    vendor_contact = Text(label=_("厂商联系人"))
    vendor_email = Text(label=_("厂商邮箱"))

    def arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("customer")
        data["source"] = data.get("source") or Complaint.Source.CUSTOMER
        data["channel"] = data.get("channel") or Complaint.Channel.HOTLINE
        data["type"] = data.get("type") or Complaint.Type.OTHER
        return data


class AcceptForm(ActionForm):
    department = Pick(Department.objects.all(), label=_("责任部门"))
    crisis_level = forms.ChoiceField(label=_("危机级别（维修网络）"), choices=Complaint.Crisis.choices, required=False)
    type = forms.ChoiceField(label=_("投诉类型"), choices=Complaint.Type.choices, required=False)
    served_by = Text(label=_("服务人员"), default=None)
    customer_asks = Text(label=_("客户要求"), default=None, widget=forms.Textarea(attrs={"rows": 2}))
    media_exposure = Flag(label=_("媒体曝光"))
    note = Text(label=_("审核意见"))

    def arguments(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("type"):
            data.pop("type", None)
        for key in ("served_by", "customer_asks"):
            if data.get(key) is None:
                data.pop(key, None)
        return data


class InvalidForm(ActionForm):
    explanation = Text(label=_("向客户的解释"), widget=forms.Textarea(attrs={"rows": 3}))


class ResponsibleForm(ActionForm):
    cause = Text(label=_("原因分析"), widget=forms.Textarea(attrs={"rows": 3}))
    responsible = Pick(STAFF, label=_("责任人"))


class ContactForm(ActionForm):
    measures = Text(label=_("处理措施"), widget=forms.Textarea(attrs={"rows": 3}))
    remedy = Text(label=_("处理方式"))
    contact_record = Text(label=_("联系客户记录"), widget=forms.Textarea(attrs={"rows": 2}))
    compensation_amount = Text(label=_("补偿金额"), default="0")


class ResultForm(ActionForm):
    result = Text(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 3}))


class GmContactForm(ActionForm):
    contact = Text(label=_("总经理联系记录"), widget=forms.Textarea(attrs={"rows": 2}))


class VerifyForm(ActionForm):
    satisfied = Flag(label=_("客户满意"))
    opinion = Text(label=_("客户意见"), widget=forms.Textarea(attrs={"rows": 2}))
    vendor_contact = Text(label=_("厂商联系人"))
    sent = Text(label=_("发送内容"), widget=forms.Textarea(attrs={"rows": 2}))


class EscalateForm(ActionForm):
    contact = Text(label=_("厂商联系人"))
    sent = Text(label=_("发送内容"), widget=forms.Textarea(attrs={"rows": 2}))


class VendorAnswerForm(ActionForm):
    escalation = forms.IntegerField(widget=forms.HiddenInput, required=False)
    answer = Text(label=_("厂商答复"), widget=forms.Textarea(attrs={"rows": 2}))
    solved = Flag(label=_("客户问题已解决"))


class FeedbackForm(ActionForm):
    feedback = Text(label=_("反馈厂商内容"), widget=forms.Textarea(attrs={"rows": 3}))
    email = Text(label=_("厂商邮箱"))


class HelpForm(ActionForm):
    help = Text(label=_("请求总部协助"), widget=forms.Textarea(attrs={"rows": 2}))
    report = Text(label=_("维修站处理情况"), widget=forms.Textarea(attrs={"rows": 2}))


class StationResultForm(ActionForm):
    report = Text(label=_("维修站处理情况"), widget=forms.Textarea(attrs={"rows": 2}))
    result = Text(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 2}))


class SolutionForm(ActionForm):
    solution = Text(label=_("总部解决方案"), widget=forms.Textarea(attrs={"rows": 2}))
    result = Text(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 2}))


class CapaForm(ActionForm):
    kind = forms.ChoiceField(label=_("类别"), choices=CorrectiveAction.Kind.choices, required=False)
    description = Text(label=_("措施内容"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = Pick(STAFF, label=_("负责人"))

    def arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["kind"] = data.get("kind") or CorrectiveAction.Kind.CORRECTIVE
        return data


class EvidenceForm(ActionForm):
    capa = forms.IntegerField(widget=forms.HiddenInput, required=False)
    evidence = Text(label=_("完成证据"), widget=forms.Textarea(attrs={"rows": 2}))


class CheckForm(ActionForm):
    capa = forms.IntegerField(widget=forms.HiddenInput, required=False)
    passed = Flag(label=_("通过检查"))
    note = Text(label=_("检查意见"))


class PublishForm(ActionForm):
    summary = Text(label=_("分析结论"), widget=forms.Textarea(attrs={"rows": 4}))
