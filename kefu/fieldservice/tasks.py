from celery import shared_task

from kefu import jobs
from kefu.fieldservice import documents


@shared_task(name="kefu.fieldservice.tasks.render_sheet_pdf", ignore_result=True)
def render_sheet_pdf(sheet_id: int) -> bool:
    """After a signature commits: the sheet's PDF (OS-4)."""
    return documents.store(sheet_id)


@shared_task(name="kefu.fieldservice.tasks.render_missing_sheet_pdfs", ignore_result=True)
def render_missing_sheet_pdfs() -> int:
    """Every few minutes: sheets signed while the broker was down get their PDF all the same."""
    return sum(documents.store(sheet_id) for sheet_id in documents.missing())


def render_sheet_pdf_later(sheet) -> None:
    jobs.enqueue(render_sheet_pdf, sheet.pk)
