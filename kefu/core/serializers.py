"""Serializer fields every API shares."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

NOT_AN_ID = _("请提供整数编号，而不是“%(value)s”。")


class IdField(serializers.PrimaryKeyRelatedField):
    """A reference by id that is an id: `1.5`, `true` or `"1e3"` are a 400, not record 1 (DRF's
    own field hands the value to the database, which casts 1.5 to 1)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not (
            isinstance(data, int) or (isinstance(data, str) and data.strip().isdigit() and data.strip().isascii())
        ):
            raise serializers.ValidationError(NOT_AN_ID % {"value": data}, code="incorrect_type")
        if not 0 < int(data) < 2**63:  # beyond any id: the database would overflow, not say "not found"
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(int(data))


NOT_TEXT = _("请提供文本，而不是数字或布尔值。")


def strict_text(to_internal_value):
    """Wrap CharField.to_internal_value: a number or a boolean where text belongs is refused."""

    def checked(self, data):
        if isinstance(data, bool | int | float) and not isinstance(self, serializers.ChoiceField):
            raise serializers.ValidationError(NOT_TEXT, code="invalid")
        return to_internal_value(self, data)

    checked.kefu_strict = True
    return checked if not getattr(to_internal_value, "kefu_strict", False) else to_internal_value
