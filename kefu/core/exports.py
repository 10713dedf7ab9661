"""Excel exports of every list (RPT-4), through the list kit's declarations (kefu.core.tables).

"导出 Excel" on a list page comes here with the page's filters. Up to INLINE_MAX rows the file
is built during the request; above it an ExportJob is queued, its page shows the progress
and offers the file to its owner when done. Either way rows are read and written CHUNK at a
time with openpyxl's write-only workbook (cells go to a temporary file, not to memory), so a
100,000-row export keeps memory flat. The sheet has the Chinese headers in bold, frozen, with
an auto filter; dates are dates and numbers are numbers.
"""

import logging
import tempfile
from urllib.parse import quote

from celery import shared_task
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kefu.core import lists, states
from kefu.core.errors import Conflict
from kefu.core.models import ExportJob
from kefu.core.paging import count_upto
from kefu.core.tables import EXCEL_FORMATS, Table
from kefu.jobs import enqueue

log = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INLINE_MAX = 5_000  # above this many rows the export runs as a job
BAD_SHEET_CHARS = str.maketrans(dict.fromkeys("[]:*?/\\", " "))

J = ExportJob.Status
EXPORT_JOB = states.Machine(
    ExportJob,
    moves={J.QUEUED: {J.RUNNING}, J.RUNNING: {J.DONE, J.FAILED}},
    colours={J.QUEUED: "secondary", J.RUNNING: "blue", J.DONE: "green", J.FAILED: "red"},
)


def write(table: Table, user, params: QueryDict, out, *, progress=None) -> int:
    """Write the user's rows of `table` under `params` to `out` as .xlsx; the number of rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(table.sheet or table.title).translate(BAD_SHEET_CHARS)[:31] or "Sheet1")
    columns = [c for c in table.columns if c.export]
    ws.freeze_panes = "A2"
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=str(column.label))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    formats = [EXCEL_FORMATS.get(c.kind) for c in columns]
    written = 0
    for chunk in table.export_chunks(user, params):
        for values in chunk:
            row = []
            for value, fmt in zip(values, formats, strict=True):
                if fmt and value is not None:
                    value = WriteOnlyCell(ws, value=value)
                    value.number_format = fmt
                row.append(value)
            ws.append(row)
        written += len(chunk)
        if progress is not None:
            progress(written)
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{written + 1}"
    wb.save(out)
    return written


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    # RFC 5987: Chinese file names survive every browser.
    response["Content-Disposition"] = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response


def run(job_id: int, *, now_of=timezone.now) -> ExportJob:
    """Build a queued export's file (the job's body): once, whoever else picks the job up."""
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        states.move(job, J.RUNNING, by=None, now=now_of())
    except Conflict:  # another worker has it, or it is done
        return job
    table = lists.table(job.list_name)
    params = QueryDict(job.query)
    try:
        total = count_upto(table.rows(job.user, params))
        ExportJob.objects.filter(pk=job.pk).update(total=total)

        def progress(n: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(written=n, updated_at=now_of())

        with tempfile.TemporaryFile() as out:
            written = write(table, job.user, params, out, progress=progress)
            out.seek(0)
            job.file.save(table.filename(), File(out), save=False)
        states.move(job, J.DONE, by=None, now=now_of(), file=job.file.name, written=written, finished_at=now_of())
    except Exception as exc:  # the page must say it failed rather than spin for ever
        log.exception("export %s failed", job.pk)
        states.move(job, J.FAILED, by=None, now=now_of(), error=str(exc)[:500], finished_at=now_of())
    return job


@shared_task(name="kefu.core.tasks.run_export", ignore_result=True)
def run_export(job_id: int) -> None:
    """Build a big Excel export (RPT-4) in the background."""
    run(job_id)


def respond(request, table: Table):
    """The answer to "导出 Excel" on `table`'s page: the file itself for a list of up to
    INLINE_MAX rows, else a queued job and a redirect to its progress page."""
    if not table.may_export(request.user):
        raise PermissionDenied
    params = request.GET.copy()
    params.pop("page", None)
    rows = table.rows(request.user, params)
    if count_upto(rows, INLINE_MAX + 1) <= INLINE_MAX:
        response = HttpResponse(content_type=XLSX)
        write(table, request.user, params, response)
        return attachment(response, table.filename())
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=request.user, list_name=table.name, title=str(table.title), query=params.urlencode()
        )
        enqueue(run_export, job.pk)  # after commit
    return redirect("exports:job", job.pk)
