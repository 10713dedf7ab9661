"""The product's list pages, by URL name: every page that shows rows of a model.

Domains register theirs from their AppConfig.ready(): a list-kit declaration
(`lists.register(CustomerTable())`, kefu.core.tables), which also gives the page its
"导出 Excel". The station-isolation and personal-data guards and the list-kit test walk every
page registered here (QS-6, RPT-4), so a new list is checked from its first day.
"""

from datetime import date
from typing import Any

TABLES: dict[str, Any] = {}


def register(table: Any) -> Any:
    """Declare a list page (a kefu.core.tables.Table whose `name` is a URL name without
    arguments). Registering the same name twice is a mistake and raises."""
    if isinstance(table, str):  # a page not yet on the kit: the guards walk it, nothing exports it
        TABLES.setdefault(table, None)
        return table
    if TABLES.get(table.name) is not None and type(TABLES[table.name]) is not type(table):
        raise ValueError(f"list {table.name} registered twice")
    TABLES[table.name] = table
    return table


def table(name: str) -> Any:
    """The declaration of a registered list page; KeyError if there is none."""
    if TABLES[name] is None:
        raise KeyError(name)
    return TABLES[name]


def tables() -> list[Any]:
    return [t for t in TABLES.values() if t is not None]


def html_lists() -> list[str]:
    """The registered list pages' URL names, in registration order."""
    return list(TABLES)


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


def people(params) -> tuple[str, int] | None:
    """The `engineer` (a user id) or `department` (a department id) GET filter a report's
    drill-down sends (issue 15): ("engineer" | "department", id), read leniently like the dates."""
    for key in ("engineer", "department"):
        value = (params.get(key) or "").strip()
        if value.isdigit():
            return key, int(value)
    return None


def filter_people(qs, field: str, params):
    """Rows whose `field` (a user) is the drill-down's engineer, or a member of its department.
    It only narrows rows the user already sees, so an id from the URL reveals nothing."""
    chosen = people(params)
    if chosen is None:
        return qs
    key, pk = chosen
    return qs.filter(**{field: pk} if key == "engineer" else {f"{field}__department_id": pk})
