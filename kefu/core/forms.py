"""Page forms (issue 14 §6): every page that takes input parses it with a Django form, then
`kefu.core.actions.act()` hands `form.arguments()` to the workflow.

A page form parses and types what was sent; the rules stay in the workflow, which the API
calls too, so most fields are lenient and let the workflow say what is wrong in its own
words (`Text`: the value as sent, or the field's default when it was not sent at all; `Flag`:
a checkbox; `Pick`: a row by its id, or None). Where a form does refuse a value, its message
is Chinese and names what to fix.
"""

from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models

from kefu.core.errors import Invalid


class ActionForm(forms.Form):
    """A page's input. `arguments()` is what the workflow function gets as keywords (by
    default the cleaned data)."""

    def arguments(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


def arguments(form: forms.BaseForm) -> dict[str, Any]:
    method = getattr(form, "arguments", None)
    return method() if method is not None else dict(form.cleaned_data)


def form_error(form: forms.BaseForm) -> Invalid:
    """The first error of an invalid form as an `Invalid` naming its field (None: the whole form)."""
    for name, errors in form.errors.items():
        if errors:
            return Invalid(errors[0], field=None if name == forms.forms.NON_FIELD_ERRORS else name)
    return Invalid()


class Text(forms.Field):
    """Text as sent (the workflow strips and checks it), `default` when the field was not sent."""

    default_validators = [ProhibitNullCharactersValidator()]

    def __init__(self, *, default: str = "", **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.default = default

    def to_python(self, value) -> str:
        if value is None:
            return self.default
        return str(value)


class Flag(forms.Field):
    """A checkbox or a yes/no button: "1" (or on, true) is yes; `missing` when it was not sent."""

    def __init__(self, *, missing: bool = False, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.missing = missing

    def to_python(self, value) -> bool:
        if value is None:
            return self.missing
        return str(value).strip().lower() in ("1", "on", "true")


class Pick(forms.Field):
    """A row of `queryset` by its id; None for no id, or an id that names nothing there (the
    workflow then says what is missing: "请选择接收人" …), unless the field is required."""

    def __init__(self, queryset: models.QuerySet, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.queryset = queryset

    def to_python(self, value):
        value = "" if value is None else str(value).strip()
        if not (value.isascii() and value.isdigit()) or len(value) > 18:
            return None
        return self.queryset.filter(pk=int(value)).first()


class Picks(forms.Field):
    """Several rows of `queryset` by their ids (a multiple select); ids that name nothing are left out."""

    widget = forms.SelectMultiple

    def __init__(self, queryset: models.QuerySet, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.queryset = queryset

    def to_python(self, value) -> list:
        ids = [int(v) for v in (value or []) if str(v).isascii() and str(v).isdigit() and len(str(v)) <= 18]
        return list(self.queryset.filter(pk__in=ids)) if ids else []
