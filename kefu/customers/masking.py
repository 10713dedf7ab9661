"""Personal data masking (QS-6): phones, mobiles and addresses for roles that don't need them.

Who may see them is the rules permission `customers.view_personal_data`; pages, the API and
exports all call `personal()` so no output path shows a raw value to the wrong role. The
masking itself lives in kefu/core/masking.py (the list kit uses it too).
"""

from kefu.core.masking import mask_address, mask_phone, personal

__all__ = ["mask_address", "mask_phone", "personal"]

# --- personal fields, declared once (QS-6) --------------------------------------------------
# "app.model" → {field: "phone" | "address"}. Every API serializer of such a model masks these
# fields (MaskPersonalData), every page shows them through the `phone` / `address` filters,
# every export through personal(); the guard test (tests.helpers.guards.assert_no_personal_data)
# walks every list, detail and export as a role without the permission.
PERSONAL_FIELDS: dict[str, dict[str, str]] = {}


def declare(model_label: str, **fields: str) -> None:
    """declare("customers.contact", mobile="phone", phone="phone") from an AppConfig.ready()."""
    PERSONAL_FIELDS.setdefault(model_label, {}).update(fields)


def personal_fields(model) -> dict[str, str]:
    return PERSONAL_FIELDS.get(model._meta.label_lower, {})


def customer_of(instance):
    """The customer a record's personal data belongs to (itself, or its `customer`), if any."""
    if instance._meta.label_lower == "customers.customer":
        return instance
    return getattr(instance, "customer", None)


def allowed_in(context: dict, instance) -> bool:
    """Whether this request's user sees the personal data of `instance`; once per request and
    customer (a portal user's permission is per customer; staff's is per role)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    cache = context.setdefault("_personal", {})
    customer = customer_of(instance)
    key = getattr(customer, "pk", None) if user.is_customer_user else None
    if key not in cache:
        cache[key] = user.has_perm("customers.view_personal_data", customer)
    return cache[key]


class MaskPersonalData:
    """Serializer mixin: the declared personal fields of the model, masked for a user without
    the permission (QS-6). Put it first in the bases: `class X(MaskPersonalData, ModelSerializer)`."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        fields = personal_fields(type(instance))
        if fields and not allowed_in(self.context, instance):
            for name, kind in fields.items():
                if data.get(name):
                    data[name] = personal(data[name], allowed=False, kind=kind)
        return data
