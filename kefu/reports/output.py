"""A computed report as files: the PDF (WeasyPrint, charts by matplotlib) and the workbook."""

from kefu.documents import pdf
from kefu.reports import charts, excel
from kefu.reports.kit import Computed


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
