"""The product's list pages, by URL name: every page that shows rows of a model.

Domains register theirs from their AppConfig.ready() (`lists.register("customers:list")`), as
they do their navigation items and workbench panels. The station-isolation and personal-data
guards walk every page registered here (QS-6), so a new list is checked from its first day.
"""

from datetime import date

# org and notify declare theirs here: they sit below the rest and have no list kit of their own.
HTML_LISTS: list[str] = ["org:station_list", "org:user_list", "notify:list"]


def register(url_name: str) -> str:
    """Declare a list page (a URL name that takes no arguments). Registering twice is harmless."""
    if url_name not in HTML_LISTS:
        HTML_LISTS.append(url_name)
    return url_name


def html_lists() -> list[str]:
    """The registered list pages, in registration order."""
    return list(HTML_LISTS)


def date_range(params) -> tuple:
    """The `from` / `to` GET filters of a list (a report's drill-down sends them): two dates
    (either may be None), read leniently: a malformed date is ignored, never an error."""

    def read(key):
        try:
            return date.fromisoformat((params.get(key) or "").strip())
        except ValueError:
            return None

    return read("from"), read("to")


def filter_dates(qs, field: str, first, last):
    """Rows whose `field` (a datetime) falls on the local dates first..last (inclusive)."""
    if first is not None:
        qs = qs.filter(**{f"{field}__date__gte": first})
    if last is not None:
        qs = qs.filter(**{f"{field}__date__lte": last})
    return qs
