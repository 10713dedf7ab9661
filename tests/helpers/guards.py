"""Guards shared by every domain's tests (moved here from kefu.core, which stays below the API
router it walks).

`assert_station_isolation` is the guard of QS-6/RS: a user of station A must get 0 rows of
station B from every list, page or API, registered now or later. A viewset declares
`visibility = "public"` (reference data, skipped) or `"internal"` (staff only: an external
user must get no rows at all); every other list must be covered by the station world. It walks every list endpoint
of the API router and every HTML list page registered in `kefu.core.lists`; rows are recognised by their primary
keys (API) or by the `data-object="app.model:pk"` attribute every list row carries (HTML).
"""

import re
from collections.abc import Iterable

from django.db import models
from django.urls import reverse

from kefu.api import router
from kefu.core import lists
from kefu.core.lists import html_lists

_ROW = re.compile(r'data-object="([a-z0-9_]+\.[a-z0-9_]+):([^"]+)"')
_COUNT = re.compile(r'data-count="(\d+)"')


def _export_rows(response) -> int:
    import io

    from openpyxl import load_workbook

    # A write-only workbook records no dimension (max_row is None when read back): count the rows.
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return sum(1 for _row in sheet.iter_rows(values_only=True)) - 1


def world_index(objects: Iterable[models.Model]) -> dict[str, set[str]]:
    """{"app.model": {pk, ...}} of the rows that belong to the other station."""
    index: dict[str, set[str]] = {}
    for obj in objects:
        index.setdefault(obj._meta.label_lower, set()).add(str(obj.pk))
    return index


def api_list_endpoints() -> list[tuple[str, type]]:
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
        response = api_client.get(reverse(url_name), {"page_size": 200})
        assert response.status_code in (200, 403), f"{url_name}: {response.status_code}"
        if response.status_code == 200:
            data = response.json()
            rows = data["results"] if isinstance(data, dict) and "results" in data else data
            seen = {str(row.get(_pk_field(viewset), row.get("id"))) for row in rows}
            leaked = seen & index.get(label, set())
            assert not leaked, f"{url_name} shows rows of another station: {sorted(leaked)}"
        checked.append(f"api:{url_name}")
    for url_name in html_lists():
        response = client.get(reverse(url_name))
        assert response.status_code in (200, 403), f"{url_name}: {response.status_code}"
        if response.status_code == 200:
            html = response.content.decode()
            seen = {(label, pk) for label, pk in _ROW.findall(html)}
            leaked = {(label, pk) for label, pk in seen if pk in index.get(label, set())}
            assert not leaked, f"{url_name} shows rows of another station: {sorted(leaked)}"
            # Its export reads the same scoped rows (kefu.core.tables): as many as the page counts.
            count = _COUNT.search(html)
            table = lists.TABLES.get(url_name)
            if table is not None and count and 'data-capped="1"' not in html:
                export = client.get(reverse("exports:start", args=[url_name]))
                if export.status_code == 200:
                    assert _export_rows(export) == int(count.group(1)), f"{url_name}: export rows != page rows"
                    checked.append(f"export:{url_name}")
        checked.append(f"html:{url_name}")
    return checked


# --- QS-6: personal data masked for roles without the permission ---------------------------


def _text_of(response) -> str:
    """A response's text: HTML/JSON as is, a PDF through pdftotext, an xlsx through openpyxl."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if content_type.startswith("application/pdf"):
        import subprocess
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
            fh.write(body)
            fh.flush()
            return subprocess.run(  # noqa: S603 -- our own PDF, the fixed poppler path
                ["/usr/bin/pdftotext", fh.name, "-"], capture_output=True, text=True, check=True
            ).stdout
    if "spreadsheetml" in content_type:
        import io

        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            " ".join(str(v) for v in row if v is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return body.decode("utf-8", "replace")


def assert_no_personal_data(client, api_client, secrets: Iterable[str], *, pages: Iterable[str] = ()) -> list[str]:
    """Assert that no full mobile number or address in `secrets` reaches this user: every API list
    of the router and the detail of its first row, every HTML list page in `kefu.core.lists`, and the
    `pages` given (detail pages, exports, PDFs). Returns what was checked."""
    secrets = [s for s in secrets if s]
    checked = []

    def check(what: str, response) -> None:
        if response.status_code != 200:
            return
        text = _text_of(response)
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{what} shows personal data: {leaked}"
        checked.append(what)

    for url_name, viewset in api_list_endpoints():
        response = api_client.get(reverse(url_name), {"page_size": 200})
        check(f"api:{url_name}", response)
        if response.status_code != 200:
            continue
        data = response.json()
        rows = data["results"] if isinstance(data, dict) and "results" in data else data
        first = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else None
        lookup = getattr(viewset, "lookup_field", "pk")
        key = first.get("id", first.get(lookup)) if first else None
        if key is not None:
            try:
                url = reverse(url_name.replace("-list", "-detail"), args=[key])
            except Exception:  # noqa: S112 -- a list without a detail route
                continue
            check(f"api:{url_name}:detail", api_client.get(url))
    for url_name in html_lists():
        check(f"html:{url_name}", client.get(reverse(url_name)))
    for table in lists.tables():
        check(f"export:{table.name}", client.get(reverse("exports:start", args=[table.name])))
    for url in pages:
        check(f"page:{url}", client.get(url))
    return checked
