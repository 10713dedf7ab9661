"""API glue: one error contract (every error is JSON with a `detail` in the user's language,
`code`, and field errors under `errors`), the router, the JSON parser, pagination."""

import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from kefu.core import words
from kefu.core.errors import KefuError
from kefu.core.paging import CappedPaginator

NOT_FOUND = _("未找到该记录，或您无权查看。")
TOO_BIG = _("请求体过大（最大 %(mb)d MB）。")


class Router(DefaultRouter):
    """The API router: a detail route takes a number unless the viewset says otherwise, so
    `/api/duty/abc/ready/` is a 404, never a database error on a non-integer id."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if not any("lookup_value_regex" in vars(cls) for cls in type.mro(viewset)):
            viewset.lookup_value_regex = "[0-9]+"
        return super().get_lookup_regex(viewset, lookup_prefix)


def too_big_response() -> JsonResponse:
    mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return JsonResponse({"detail": _g(str(TOO_BIG)) % {"mb": mb}, "code": "too_large"}, status=413)


class BodyLimitMiddleware:
    """An API body over the limit is answered 413 with JSON before anything reads it (Django
    itself would answer an HTML 400 at the first read)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            content_type = request.META.get("CONTENT_TYPE", "")
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if content_type.startswith("multipart/"):
                limit += settings.KEFU_MAX_UPLOAD_SIZE
            if length > limit:
                return too_big_response()
        return self.get_response(request)


NOT_A_CHOICE = _("参数 %(name)s 须为以下之一：%(values)s。")


def query_choice(params, name: str, choices, default: str = "") -> str:
    """A list filter's value: one of `choices` (or absent → `default`); anything else, "" included,
    is a 400 naming the parameter and what it takes."""
    values = params.getlist(name)
    if not values:
        return default
    allowed = [str(c[0]) if isinstance(c, tuple | list) else str(c) for c in choices]
    if len(values) > 1 or values[-1] not in allowed:
        raise exceptions.ValidationError({name: [NOT_A_CHOICE % {"name": name, "values": words.join(allowed)}]})
    return values[-1]


@csrf_exempt  # it changes nothing, so any method, with or without a cookie, gets the same 404
def not_found(request, *args, **kwargs) -> JsonResponse:
    """An /api/ URL that names nothing: the same JSON 404 as a record that does not exist."""
    return JsonResponse({"detail": _g(str(NOT_FOUND)), "code": "not_found"}, status=404)


def first_message(errors) -> str:
    """One readable sentence out of DRF's nested errors ({field: [msg]}, [{field: [msg]}], …)."""
    while isinstance(errors, dict | list) and errors:
        if isinstance(errors, dict):
            key, errors = next(iter(errors.items()))
            if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
                continue
        else:
            errors = errors[0]
    return str(errors) if errors not in ({}, []) else ""


def _plain(errors):
    """DRF's ErrorDetail objects as plain strings, dict keys as strings: JSON, never a repr."""
    if isinstance(errors, dict):
        return {str(k): _plain(v) for k, v in errors.items()}
    if isinstance(errors, list):
        return [_plain(v) for v in errors]
    return str(errors)


PAGE_SIZE_INVALID = _("page_size 须为 1–%(max)d 之间的整数。")
PAGE_INVALID = _("page 须为大于 0 的整数。")


class Pagination(PageNumberPagination):
    """Pages of 50 (page_size up to 200). A page_size that is no such number is a 400, not
    quietly the default (a client that sends page_size=null has a bug it should hear about)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        value = raw[-1]
        if len(raw) > 1 or not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [PAGE_SIZE_INVALID % {"max": self.max_page_size}]}
            )
        return int(value)

    def get_page_number(self, request, paginator):
        raw = request.query_params.getlist(self.page_query_param)
        if not raw:
            return 1
        value = raw[-1]
        if len(raw) > 1 or not (value.isascii() and value.isdigit()) or int(value) < 1:
            raise exceptions.ValidationError({self.page_query_param: [PAGE_INVALID]})
        return int(value)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class CappedCountPagination(Pagination):
    """Page numbers as everywhere, but the total is counted up to `cap` rows only
    (kefu.core.paging, the same paginator as the pages).

    Counting a 1,000,000-row table for every page costs more than the page itself (a common
    search word: 130 ms for 10,000 matches, 10 ms for 1,000). When more rows match, `count`
    is cap + 1 and `count_capped` is true ("more than 1,000": narrow the filters); the pages up
    to that point work as usual. A view may offer the same rows in a form cheaper to count
    (`count_queryset()`).
    """

    cap = 1_000

    def get_cap(self) -> int:
        return self.cap

    def paginate_queryset(self, queryset, request, view=None):
        self._count_source = view.count_queryset() if hasattr(view, "count_queryset") else None
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list, per_page):
        return CappedPaginator(object_list, per_page, cap=self.get_cap(), count_source=self._count_source)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count"] = self.page.paginator.exact_count
        response.data["count_capped"] = self.page.paginator.capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {"type": "boolean"}
        return schema


def exception_handler(exc, context):
    """Map KefuError to 400/409/403 and Django's own errors to DRF's, always with `detail`."""
    if isinstance(exc, KefuError):
        data = {"detail": str(exc.message), "code": exc.code}
        if exc.field:
            data["field"] = exc.field
        return Response(data, status=exc.status)
    if isinstance(exc, RequestDataTooBig):
        response = too_big_response()
        return Response({"detail": json.loads(response.content)["detail"], "code": "too_large"}, status=413)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data:
        data = {"detail": str(data["detail"]), "code": getattr(data["detail"], "code", None) or exc_code(exc)}
    else:
        # Field errors: keep them (as plain JSON), and add one readable sentence for simple clients.
        data = {"detail": first_message(data), "code": "invalid", "errors": _plain(data)}
    response.data = data
    return response


def exc_code(exc) -> str:
    return getattr(exc, "default_code", "error")


class WorkflowActionMixin:
    """One idiom for a viewset's explicit actions (`POST …/<id>/<verb>/`, issue 14 §6):

        @action(detail=True, methods=["post"])
        def reopen(self, request, pk=None):
            return self.act(workflow.reopen, self.get_object(), input=ReasonSerializer)

    `act` parses the body with the `input` serializer (a 400 with field errors otherwise),
    calls `fn(*args, **validated, **kwargs, by=request.user, now=timezone.now())` and answers
    with the result serialized (`output`, by default the viewset's serializer, with the
    request in its context) after `reread(result)`, so the answer is the row as stored. A
    KefuError is left to `exception_handler` (400/403/409 JSON); an action that needs the
    input first (to choose what to call) takes it with `self.action_input(Serializer)`.
    """

    def action_input(self, serializer_class, **options) -> dict:
        """The request body validated by `serializer_class` (`options`: partial=True …)."""
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **options)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def act(self, fn, *args, input=None, output=None, status: int = 200, **kwargs) -> Response:
        data = self.action_input(input) if input is not None else {}
        result = fn(*args, **data, **kwargs, by=self.request.user, now=timezone.now())
        return self.answer(result, output=output, status=status)

    def reread(self, result):
        """The result as the answer shows it; a viewset whose workflow leaves the object stale
        (or returns something else) reads it again here."""
        return result

    def answer(self, result, *, output=None, status: int = 200) -> Response:
        serializer_class = output or self.get_serializer_class()
        result = self.reread(result)
        many = isinstance(result, list | tuple | QuerySet)
        data = serializer_class(result, many=many, context=self.get_serializer_context()).data
        return Response(data, status=status)


__all__ = ["Http404", "PermissionDenied", "WorkflowActionMixin", "exception_handler", "status"]
