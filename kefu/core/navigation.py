"""The navigation: each item says which permission shows it, so each role sees what it may use.

Domains add their items with `register()` from their AppConfig.ready().
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    perm: str | None = None  # None: every logged-in user
    order: int = 100
    count: Callable | None = None  # (user) → a number shown beside the item (待我审批 3)


NAV_ITEMS: list[NavItem] = [
    NavItem("workbench", pgettext_lazy("nav", "工作台"), "workbench", order=0),
    NavItem("notifications", pgettext_lazy("nav", "通知"), "notify:list", order=90),
    NavItem("stations", pgettext_lazy("nav", "维修站"), "org:station_list", "org.view_station_list", order=80),
    NavItem("users", pgettext_lazy("nav", "人员"), "org:user_list", "org.view_user_list", order=85),
    NavItem("api_docs", pgettext_lazy("nav", "API 文档"), "swagger-ui", "core.view_api_docs", order=95),
    NavItem("admin", pgettext_lazy("nav", "系统管理"), "admin:index", "core.admin_site", order=99),
]


def register(item: NavItem) -> None:
    if all(i.key != item.key for i in NAV_ITEMS):
        NAV_ITEMS.append(item)


def items_for(user) -> list[dict]:
    items = []
    for item in sorted(NAV_ITEMS, key=lambda i: i.order):
        if item.perm and not user.has_perm(item.perm):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"key": item.key, "label": item.label, "url": url, "count": item.count(user) if item.count else 0})
    return items
