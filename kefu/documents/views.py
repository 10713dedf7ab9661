"""Serving attachments (issue 14 §5): only to a user who may see the subject, never by a public URL.

A file whose subject the user may not see is a 404, as for any other row the user may not see
(its existence is not revealed); anonymous users are sent to the login page. Images are shown
inline, everything else is a download; the original (Chinese) name goes in Content-Disposition
as RFC 5987 / RFC 6266 say, with an ASCII fallback for old clients.
"""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from kefu.documents import attachments, thumbnails
from kefu.documents.models import Attachment


def content_disposition(name: str, *, inline: bool) -> str:
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return f"{'inline' if inline else 'attachment'}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _visible(request, pk: int) -> Attachment:
    item = Attachment.objects.select_related("content_type").filter(pk=pk).first()
    if item is None or not attachments.may_see(request.user, item):
        raise Http404
    return item


def _response(stored_file, *, content_type: str, name: str, inline: bool) -> FileResponse:
    try:
        handle = stored_file.open("rb")
    except (OSError, ValueError):  # the row is there but the file is gone (a restore without media)
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_safe
@login_required
def file(request, pk: int):
    item = _visible(request, pk)
    return _response(item.file, content_type=item.mime_type, name=item.name, inline=item.is_image)


@require_safe
@login_required
def thumbnail(request, pk: int):
    """The small JPEG of an image; made now if the job has not run yet, else the original."""
    item = _visible(request, pk)
    if not item.is_image:
        raise Http404
    if not item.thumbnail and thumbnails.make(item.pk):
        item.refresh_from_db(fields=["thumbnail"])
    if item.thumbnail:
        return _response(item.thumbnail, content_type="image/jpeg", name=item.name, inline=True)
    return _response(item.file, content_type=item.mime_type, name=item.name, inline=True)
