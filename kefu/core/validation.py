"""Input checks every workflow shares: text is stripped and checked against the column it goes
into, never cut short silently (a 600-character note into a 500-character column is a 400
naming the field and its limit, not a truncated record or a database error)."""

import phonenumbers
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import Invalid

TOO_LONG = _("%(field)s最多 %(max)d 个字，当前 %(n)d 个字。")
REQUIRED = _("请填写%(field)s。")
# Text columns without a database limit still get one: a 100 kB "phenomenon" is a paste gone wrong.
LONG_TEXT = 10_000


def text(model: type[models.Model], name: str, value, *, required: bool = False, field: str | None = None) -> str:
    """`value` stripped, checked against `model.name`'s max_length (TextField: LONG_TEXT)."""
    column = model._meta.get_field(name)
    value = ("" if value is None else str(value)).strip()
    label = column.verbose_name
    if required and not value:
        raise Invalid(REQUIRED % {"field": label}, field=field or name)
    limit = getattr(column, "max_length", None) or LONG_TEXT
    if len(value) > limit:
        raise Invalid(TOO_LONG % {"field": label, "max": limit, "n": len(value)}, field=field or name)
    return value


PHONE_INVALID = _("%(field)s不是有效的电话号码：手机号、带区号的固定电话（如 021-58880001）或 400/800 号码。")


def phone(value, *, label, field: str) -> str:
    """A Chinese phone number as typed (stripped), or "": a mobile, a landline with its area code,
    or a 400/800 number, by the phonenumbers library; Invalid naming the field otherwise."""
    value = ("" if value is None else str(value)).strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number) or len(value) > 40:
        raise Invalid(PHONE_INVALID % {"field": label}, field=field)
    return value
