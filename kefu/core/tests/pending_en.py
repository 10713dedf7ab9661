"""English for the strings issue 12 §7 added, until the lead's `make messages` puts them in
kefu/locale/en (engineers do not edit the catalogue, so that it is regenerated once).

`english()` switches to English and adds to the loaded catalogue only the entries it does not
have yet: once the catalogue has them, the tests read the catalogue's own translation. The
same table is the list of translations asked for.
"""

from contextlib import contextmanager

from django.utils import translation
from django.utils.translation import trans_real

# msgid → msgstr; a plural entry is (msgid, form) → msgstr, forms 0 (one) and 1 (other).
PENDING: dict = {
    # countdowns (kefu/deadlines/templatetags/deadlines_tags.py, countdown.js)
    ("%(n)s 天", 0): "%(n)s day",
    ("%(n)s 天", 1): "%(n)s days",
    "%(n)s 小时": "%(n)s h",
    "%(n)s 分钟": "%(n)s min",
    # punctuation made part of the translatable string
    "、": ", ",
    "%(reason)s：%(note)s": "%(reason)s: %(note)s",
    "（%(reason)s，自 %(at)s）": " (%(reason)s, since %(at)s)",
}


def _add_missing() -> list:
    catalog = trans_real.translation("en")._catalog
    added = [key for key in PENDING if key not in catalog]
    for key in added:
        catalog[key] = PENDING[key]
    return added


def _remove(added: list) -> None:
    first = trans_real.translation("en")._catalog._catalogs[0]
    for key in added:
        first.pop(key, None)


@contextmanager
def catalogue():
    """The English catalogue with the pending entries, whatever language is active (a live
    server thread reads it too)."""
    added = _add_missing()
    try:
        yield
    finally:
        _remove(added)


@contextmanager
def english():
    """English active, with the pending entries."""
    with catalogue(), translation.override("en"):
        yield
