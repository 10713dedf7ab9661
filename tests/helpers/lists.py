"""What the domains' list-kit tests read (RPT-4): a page's row count and keys, an export's rows."""

import io
import re

from django.urls import reverse
from openpyxl import load_workbook

_COUNT = re.compile(r'data-count="(\d+)"')
_ROW = re.compile(r'data-object="([a-z0-9_]+\.[a-z0-9_]+:[^"]+)"')


def page_count(html: str) -> int:
    """The count the list table says it has (`data-count`)."""
    return int(_COUNT.search(html).group(1))


def page_keys(html: str) -> list[str]:
    return _ROW.findall(html)


def export(client, url_name: str, params: dict | None = None) -> list[list]:
    """The export of a list page with these filters, as rows of cells (the header first)."""
    response = client.get(reverse("exports:start", args=[url_name]), params or {})
    assert response.status_code == 200, response.status_code
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    return [list(row) for row in sheet.iter_rows(values_only=True)]
