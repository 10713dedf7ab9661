"""API glue: errors as JSON with a Chinese `detail`, whatever raised them."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kefu.core.errors import KefuError


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def exception_handler(exc, context):
    """Map KefuError to 400/409/403 and Django's own errors to DRF's, always with `detail`."""
    if isinstance(exc, KefuError):
        data = {"detail": str(exc.message), "code": exc.code}
        if exc.field:
            data["field"] = exc.field
        return Response(data, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        # Field errors: keep them, and add one readable sentence for simple clients.
        first = next(iter(response.data.values()), "")
        if isinstance(first, list) and first:
            first = first[0]
        response.data = {"detail": str(first), "errors": response.data}
    elif response is not None and isinstance(response.data, list):
        response.data = {"detail": str(response.data[0]) if response.data else "", "errors": response.data}
    return response


__all__ = ["Http404", "PermissionDenied", "exception_handler", "status"]


class ObtainToken(ObtainAuthToken):
    """POST /api/auth/token/ {"username", "password"} → {"token"}, throttled like the login page.

    django-axes marks a locked-out request on the object given to authenticate(); handing it
    Django's own request (not DRF's wrapper) lets the axes middleware answer 429 in Chinese.
    """

    def get_serializer_context(self):
        return {"request": self.request._request, "format": self.format_kwarg, "view": self}
