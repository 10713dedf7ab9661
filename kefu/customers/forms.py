"""Input validation only: the workflow functions decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import REASON_REQUIRED
from kefu.core.forms import ActionForm, Flag
from kefu.customers import workflow
from kefu.customers.models import Contact, Contract, Customer, Device
from kefu.org.models import Region, User


class DataForm:
    """A form whose workflow takes the cleaned values as one dict (`data=`)."""

    def arguments(self) -> dict:
        return {"data": self.cleaned_data}


class RegionFields(forms.Form):
    province = forms.ModelChoiceField(Region.objects.filter(level=Region.Level.PROVINCE), label=_("省"), required=False)
    city = forms.ModelChoiceField(Region.objects.filter(level=Region.Level.CITY), label=_("市"), required=False)
    district = forms.ModelChoiceField(
        Region.objects.filter(level=Region.Level.DISTRICT), label=_("区/县"), required=False
    )

    def clean(self):
        data = super().clean()
        # A district implies its city and province: fill what the user left out.
        district, city = data.get("district"), data.get("city")
        if district and not city:
            data["city"] = city = district.parent
        if city and not data.get("province"):
            data["province"] = city.parent
        return data


class CustomerForm(DataForm, RegionFields, forms.ModelForm):
    owner = forms.ModelChoiceField(
        User.objects.filter(is_active=True, groups__name="customer_rep"), label=_("客户代表"), required=False
    )

    class Meta:
        model = Customer
        fields = ["name", "short_name", "level", "owner", "industry", "website", "address", "business", "note"]
        widgets = {"business": forms.Textarea(attrs={"rows": 2}), "note": forms.Textarea(attrs={"rows": 2})}

    field_order = ["name", "short_name", "level", "owner", "province", "city", "district", "address"]


class NewCustomerForm(CustomerForm):
    """A new customer: also whether the user confirmed it is not one of the likely duplicates."""

    confirm_duplicate = Flag()

    def arguments(self) -> dict:
        data = dict(self.cleaned_data)
        return {"data": data, "confirm_duplicate": data.pop("confirm_duplicate")}


class MainContactForm(forms.Form):
    contact_name = forms.CharField(label=_("主要联系人"), max_length=50, required=False)
    contact_title = forms.CharField(label=_("职务"), max_length=50, required=False)
    contact_mobile = forms.CharField(label=_("手机"), max_length=20, required=False)
    contact_phone = forms.CharField(label=_("电话"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("邮箱"), required=False)

    def contact(self) -> dict | None:
        d = self.cleaned_data
        if not d.get("contact_name"):
            return None
        return {
            "name": d["contact_name"],
            "title": d.get("contact_title", ""),
            "mobile": d.get("contact_mobile", ""),
            "phone": d.get("contact_phone", ""),
            "email": d.get("contact_email", ""),
            "is_main": True,
        }


class ContactForm(DataForm, forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "name",
            "title",
            "mobile",
            "phone",
            "email",
            "qq",
            "wechat",
            "is_main",
            "in_marketing_qq",
            "in_wechat_service",
        ]


class ContractForm(DataForm, forms.ModelForm):
    class Meta:
        model = Contract
        fields = [
            "number",
            "signed_on",
            "products",
            "software_version",
            "modules",
            "dongle_no",
            "service_start",
            "service_end",
            "service_terms",
            "amount",
        ]
        widgets = {
            "signed_on": forms.DateInput(attrs={"type": "date"}),
            "service_start": forms.DateInput(attrs={"type": "date"}),
            "service_end": forms.DateInput(attrs={"type": "date"}),
            "products": forms.Textarea(attrs={"rows": 2}),
            "service_terms": forms.Textarea(attrs={"rows": 3}),
        }


class DeviceForm(DataForm, forms.ModelForm):
    class Meta:
        model = Device
        fields = ["model", "serial_barcode", "purchase_date", "invoice_no", "warranty_card_no", "factory_date"]
        widgets = {
            "purchase_date": forms.DateInput(attrs={"type": "date"}),
            "factory_date": forms.DateInput(attrs={"type": "date"}),
        }


class NoteForm(ActionForm):
    text = forms.CharField(
        label=_("备注"), widget=forms.Textarea(attrs={"rows": 2}), error_messages={"required": workflow.NOTE_REQUIRED}
    )


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("原因"), max_length=500, error_messages={"required": REASON_REQUIRED})


class ImportForm(ActionForm):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))

    def arguments(self) -> dict:
        return {"upload": self.cleaned_data["file"]}
