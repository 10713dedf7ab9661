"""A computed report as files: the PDF (WeasyPrint, charts by matplotlib) and the workbook."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kefu.core import words
from kefu.documents import pdf
from kefu.reports import charts, excel
from kefu.reports.kit import Computed, Link, Links, TableResult


def _cell(cell) -> SafeString:
    if cell is None:
        return format_html("{}", "—")
    if isinstance(cell, Links):
        return format_html_join(str(words.LIST_SEPARATOR), "{}", ((_cell(link),) for link in cell.items))
    if isinstance(cell, Link):
        return format_html('<a href="{}">{}</a>', cell.url, cell.text) if cell.url else format_html("{}", cell.text)
    return format_html("{}", cell)


def rows_html(table: TableResult) -> SafeString:
    """A table's body rows, escaped, built here rather than cell by cell in the template (a
    year's table by day is thousands of cells: the template's lookups took most of the page)."""
    if not table.rows:
        return format_html(
            '<tr><td colspan="{}" class="text-secondary">{}</td></tr>', len(table.table.columns), _("本周期无数据")
        )
    return format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((_cell(c),) for c in row)),) for row in table.rows),
    )


def groups(computed: Computed) -> list[dict]:
    by_group: dict[str, list] = {}
    for f in computed.figures:
        by_group.setdefault(f.figure.group, []).append(f)
    return [{"title": computed.report.groups.get(g, g), "figures": figs} for g, figs in by_group.items()]


def pdf_bytes(computed: Computed) -> bytes:
    return pdf.render(
        "reports/report_pdf.html",
        {
            "computed": computed,
            "groups": groups(computed),
            "period": computed.ctx.period,
            "trend_svgs": [charts.trend_svg(c) for c in computed.charts],
            "table_svgs": {t.table.key: charts.table_svg(t) for t in computed.tables if t.table.chart},
        },
    )


def xlsx_bytes(computed: Computed) -> bytes:
    return excel.workbook(computed)


def file_name(computed: Computed, ext: str) -> str:
    return f"{computed.report.key}-{computed.ctx.period.label}.{ext}"
