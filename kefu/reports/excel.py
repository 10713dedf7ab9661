"""A report as an Excel workbook (openpyxl): the figures, one sheet per table, the trends and a
sheet of definitions. Numbers are written as numbers (a rate as 95.2, its unit in its column)."""

import io
import re

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from kefu.reports.kit import Computed

_BAD = re.compile(r"[\[\]:*?/\\]")


def _title(text: str, used: set) -> str:
    base = _BAD.sub(" ", str(text))[:28] or "Sheet"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:26]}{n}", n + 1
    used.add(name)
    return name


def _header(ws, cells):
    ws.append([str(c) for c in cells])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)


def workbook(computed: Computed) -> bytes:
    wb = Workbook()
    used: set[str] = set()
    ws = wb.active
    ws.title = _title(_("指标"), used)
    ctx = computed.ctx
    ws.append([str(computed.report.title), ctx.period.label])
    ws.append([_("数据截至"), computed.as_of.astimezone(ctx.period.tz).strftime("%Y-%m-%d %H:%M")])
    _header(ws, [_("指标"), _("数值"), _("单位"), _("目标"), _("样本数"), _("达标")])
    for f in computed.figures:
        met = "" if f.met is None else (_("是") if f.met else _("否"))
        ws.append([str(f.figure.label), f.value.value, f.unit_label, f.figure.target, f.value.base, met])
    ws.column_dimensions["A"].width = 36
    for t in computed.tables:
        sheet = wb.create_sheet(_title(t.table.title, used))
        _header(sheet, t.table.columns)
        for row in t.rows:
            sheet.append([c if isinstance(c, int | float) or c is None else str(c) for c in row])
        sheet.column_dimensions["A"].width = 24
    for c in computed.charts:
        sheet = wb.create_sheet(_title(c.chart.title, used))
        _header(sheet, [_("周期"), *[name for name, _v in c.series]])
        for i, category in enumerate(c.categories):
            sheet.append([category, *[values[i] for _n, values in c.series]])
    defs = wb.create_sheet(_title(_("指标定义"), used))
    _header(defs, [_("指标"), _("单位"), _("目标"), _("定义")])
    for f in computed.figures:
        defs.append([str(f.figure.label), f.unit_label, f.figure.target, str(f.figure.definition)])
    defs.column_dimensions["A"].width = 36
    defs.column_dimensions["D"].width = 100
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
