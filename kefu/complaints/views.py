"""Pages of complaints (thin: every change through the workflow via the action idiom)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


complaint_list = complaint_create = action_list = monthly = monthly_publish = _todo
complaint_detail = registration_pdf = complaint_action = _todo
