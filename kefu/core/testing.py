"""Test helpers shared by every domain's tests.

`assert_station_isolation` is the guard of QS-6/RS: a user of station A must get 0 rows of
station B from every list, page or API, registered now or later. A viewset declares
`visibility = "public"` (reference data, skipped) or `"internal"` (staff only: an external
user must get no rows at all); every other list must be covered by the station world. It walks every list endpoint
of the API router and every HTML list in `HTML_LISTS`; rows are recognised by their primary
keys (API) or by the `data-object="app.model:pk"` attribute every list row carries (HTML).
"""

import re
from collections.abc import Iterable

from django.db import models
from django.urls import reverse

# HTML list pages to check, by URL name. Domains append theirs.
HTML_LISTS: list[str] = ["org:station_list", "org:user_list", "notify:list"]

_ROW = re.compile(r'data-object="([a-z0-9_]+\.[a-z0-9_]+):([^"]+)"')


def world_index(objects: Iterable[models.Model]) -> dict[str, set[str]]:
    """{"app.model": {pk, ...}} of the rows that belong to the other station."""
    index: dict[str, set[str]] = {}
    for obj in objects:
        index.setdefault(obj._meta.label_lower, set()).add(str(obj.pk))
    return index


def api_list_endpoints() -> list[tuple[str, type]]:
    from kefu.api import router

    return [(f"{basename}-list", viewset) for _prefix, viewset, basename in router.registry]


def _pk_field(viewset) -> str:
    model = viewset.queryset.model if viewset.queryset is not None else None
    return model._meta.pk.attname if model is not None else "id"


def assert_station_isolation(client, api_client, foreign: Iterable[models.Model]) -> list[str]:
    """Assert no row of `foreign` (the other station's world) reaches this user anywhere.

    `client` is a logged-in Django test client, `api_client` a DRF client with the same user.
    Returns the endpoints checked, so a test can assert the list is not empty.
    """
    index = world_index(foreign)
    checked = []
    for url_name, viewset in api_list_endpoints():
        if getattr(viewset, "visibility", None) == "public":
            continue
        model = viewset.queryset.model
        label = model._meta.label_lower
        if getattr(viewset, "visibility", None) == "internal":
            response = api_client.get(reverse(url_name))
            assert response.status_code == 403 or response.json()["count"] == 0, f"{url_name} shows internal rows"
            checked.append(f"api:{url_name}")
            continue
        # Without rows of the other station for this endpoint the check would prove nothing.
        assert label in index, f"{url_name}: the station world has no {label} rows; add them to the world builder"
        response = api_client.get(reverse(url_name), {"page_size": 1000})
        assert response.status_code in (200, 403), f"{url_name}: {response.status_code}"
        if response.status_code == 200:
            data = response.json()
            rows = data["results"] if isinstance(data, dict) and "results" in data else data
            seen = {str(row.get(_pk_field(viewset), row.get("id"))) for row in rows}
            leaked = seen & index.get(label, set())
            assert not leaked, f"{url_name} shows rows of another station: {sorted(leaked)}"
        checked.append(f"api:{url_name}")
    for url_name in HTML_LISTS:
        response = client.get(reverse(url_name))
        assert response.status_code in (200, 403), f"{url_name}: {response.status_code}"
        if response.status_code == 200:
            html = response.content.decode()
            seen = {(label, pk) for label, pk in _ROW.findall(html)}
            leaked = {(label, pk) for label, pk in seen if pk in index.get(label, set())}
            assert not leaked, f"{url_name} shows rows of another station: {sorted(leaked)}"
        checked.append(f"html:{url_name}")
    return checked
