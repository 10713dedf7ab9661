"""Punctuation that belongs to the language (issue 12 §7, QS-7).

Chinese lists are joined with "、", English ones with ", ": the separator is a translatable
string, so English output never carries full-width punctuation glued on by code. Labels
followed by a colon or wrapped in brackets make the punctuation part of their own
translatable string ("原因：%(reason)s"), never `f"{label}：{value}"`.
"""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

LIST_SEPARATOR = _("、")


def join(items: Iterable) -> str:
    """ "甲、乙、丙" in Chinese, "a, b, c" in English."""
    return str(LIST_SEPARATOR).join(str(item) for item in items)
