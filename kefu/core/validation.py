"""Input checks every workflow shares: text is stripped and checked against the column it goes
into, never cut short silently (a 600-character note into a 500-character column is a 400
naming the field and its limit, not a truncated record or a database error)."""

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
