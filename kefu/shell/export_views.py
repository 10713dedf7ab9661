"""The pages of the list exports (RPT-4): start one, follow a big one, fetch its file."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kefu.core import exports, lists
from kefu.core.models import ExportJob


@require_GET
@login_required
def start(request, name: str):
    """GET /exports/<list>/?<the page's filters>: the file, or a job for a big list."""
    try:
        table = lists.table(name)
    except KeyError:
        raise Http404 from None
    return exports.respond(request, table)


def _own_job(request, pk: int) -> ExportJob:
    # Someone else's export is not there at all: its rows are scoped to its owner.
    return get_object_or_404(ExportJob, pk=pk, user=request.user)


@require_GET
@login_required
def job(request, pk: int):
    """The progress of a big export; htmx asks again every second until it is done."""
    job = _own_job(request, pk)
    template = "exports/_progress.html" if request.headers.get("HX-Request") else "exports/job.html"
    return render(request, template, {"job": job})


@require_GET
@login_required
def download(request, pk: int):
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    response = FileResponse(job.file.open("rb"), content_type=exports.XLSX)
    return exports.attachment(response, f"{job.title}-{timezone.localtime(job.created_at):%Y%m%d}.xlsx")
