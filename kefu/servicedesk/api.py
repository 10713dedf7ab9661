"""REST API of the service desk: reads are scoped, every transition is an explicit POST action."""

import copy

from django.core.exceptions import FieldDoesNotExist
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kefu.core.api import CappedCountPagination, WorkflowActionMixin
from kefu.core.errors import Forbidden, Invalid
from kefu.core.parsers import WITH_FILES
from kefu.core.schema import ErrorSerializer
from kefu.core.serializers import IdField
from kefu.customers.masking import MaskPersonalData
from kefu.customers.models import Customer
from kefu.deadlines.models import WaitingFor
from kefu.org.models import User
from kefu.servicedesk import selectors, workflow
from kefu.servicedesk.models import CallLog, DutyShift, HotlineRecord, RequestStep, ServiceRequest


class FieldsOnce:
    """ModelSerializer rebuilds its fields from the model on every instantiation (~9 ms for the
    27 of a request, most of an API answer); they depend on the class only, so build them once
    per process and hand each serializer its own shallow copy of each (issue 6): binding a
    field to its serializer sets attributes on the copy only, and a deep copy (DRF's way,
    which re-creates every field) cost another 2 ms per answer."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            cls._built_fields = built
        return {name: copy.copy(field) for name, field in built.items()}


class StepSerializer(FieldsOnce, serializers.ModelSerializer):
    by_name = serializers.CharField(source="by.display_name", read_only=True)

    class Meta:
        model = RequestStep
        fields = ["id", "kind", "notes", "at", "by", "by_name", "visible_to_customer"]
        read_only_fields = fields


class RequestSerializer(MaskPersonalData, FieldsOnce, serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = serializers.CharField(source="owner.display_name", read_only=True, default="")

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "channel",
            "type",
            "priority",
            "status",
            "title",
            "product",
            "phenomenon",
            "cause",
            "method",
            "result",
            "prevention",
            "needs_onsite",
            "owner",
            "owner_name",
            "created_at",
            "first_response_at",
            "first_response_due",
            "solved_at",
            "closed_at",
            "confirmed_via",
            "reopened",
            "withdrawal",
            "withdrawal_reason",
        ]
        read_only_fields = fields


class RequestInputSerializer(FieldsOnce, serializers.Serializer):
    # The search columns are never read on intake (the tsvector is the widest value of the row).
    customer = IdField(queryset=Customer.objects.defer("search_tokens", "search_vector"))
    channel = serializers.ChoiceField(ServiceRequest.Channel.choices, default=ServiceRequest.Channel.API)
    type = serializers.ChoiceField(ServiceRequest.Type.choices, default=ServiceRequest.Type.FAULT)
    priority = serializers.ChoiceField(ServiceRequest.Priority.choices, default=ServiceRequest.Priority.MEDIUM)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phenomenon = serializers.CharField()
    product = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    caller = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    caller_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    needs_onsite = serializers.BooleanField(required=False, default=False)


class BatchItemSerializer(RequestInputSerializer):
    # Customers are looked up for the whole batch at once (one query, not one per item).
    customer = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class BatchInputSerializer(serializers.Serializer):
    requests = BatchItemSerializer(many=True)


class BatchOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = RequestSerializer(many=True)


CUSTOMER_NOT_FOUND = _("客户不存在或无权为其提交。")
FIELD_ERROR = _("%(field)s：%(message)s")
BATCH_FORMAT = _('请以 {"requests": [...]} 提交服务请求列表。')


def _field_label(name: str) -> str:
    """The name a user knows a field by (优先级), not the API's (priority)."""
    try:
        return str(ServiceRequest._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _batch_items(data) -> list[dict]:
    """The batch's items validated by one serializer for all; the first error names its item."""
    items = data.get("requests") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise Invalid(BATCH_FORMAT, field="requests")
    if not items:
        raise Invalid(workflow.BATCH_EMPTY, field="requests")
    if len(items) > workflow.MAX_BATCH:
        raise Invalid(workflow.BATCH_TOO_BIG % {"max": workflow.MAX_BATCH}, field="requests")
    s = BatchItemSerializer(data=items, many=True)
    if not s.is_valid():
        # DRF gives {index: errors} of the bad items (a list with {} for good ones in older versions).
        errors = s.errors if isinstance(s.errors, dict) else dict(enumerate(s.errors))
        index, item_errors = min((i, e) for i, e in errors.items() if e)
        if not isinstance(item_errors, dict):  # the item is not an object
            raise Invalid(workflow.ITEM_ERROR % {"n": index + 1, "message": item_errors[0]}, field=f"requests[{index}]")
        field, messages = next(iter(item_errors.items()))
        message = messages[0] if isinstance(messages, list) else messages
        raise Invalid(
            workflow.ITEM_ERROR
            % {"n": index + 1, "message": FIELD_ERROR % {"field": _field_label(field), "message": message}},
            field=f"requests[{index}].{field}",
        )
    return [dict(item) for item in s.validated_data]


class TransferSerializer(serializers.Serializer):
    to = IdField(queryset=User.objects.filter(is_active=True))
    reason = serializers.CharField(max_length=500)


class StepInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(RequestStep.Kind.choices)
    notes = serializers.CharField()
    visible_to_customer = serializers.BooleanField(required=False, default=True, source="visible")


class SheetSerializer(serializers.Serializer):
    phenomenon = serializers.CharField(required=False)
    cause = serializers.CharField(required=False, allow_blank=True)
    method = serializers.CharField(required=False, allow_blank=True)
    result = serializers.CharField(required=False, allow_blank=True)
    prevention = serializers.CharField(required=False, allow_blank=True)
    product = serializers.CharField(required=False, allow_blank=True)


class SolveSerializer(serializers.Serializer):
    result = serializers.CharField()
    cause = serializers.CharField(required=False, allow_blank=True, default="")
    method = serializers.CharField(required=False, allow_blank=True, default="")
    prevention = serializers.CharField(required=False, allow_blank=True, default="")


class ConfirmSerializer(serializers.Serializer):
    via = serializers.ChoiceField(ServiceRequest.Confirmation.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class RequestWaitSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(WaitingFor.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class WithdrawalReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


FILTER_PARAMS = [
    OpenApiParameter(p, str) for p in ("q", "owner", "status", "priority", "type", "channel", "customer", "overdue")
]


COUNT_CAP = 1_000


class RequestPagination(CappedCountPagination):
    def get_cap(self) -> int:
        return COUNT_CAP


def _check_customer_visible(user, customer: Customer) -> None:
    """403 unless `user` may see `customer` (the serializer has already found it alive).

    When visible_to(user) adds no condition (archive staff see every customer) or is empty,
    the answer needs no query; otherwise (a portal user's organisation) it is one EXISTS.
    """
    visible = Customer.objects.visible_to(user)
    if visible.query.is_empty():
        raise Forbidden()
    if visible.query.where == Customer.objects.all().query.where:  # compared as trees, not compiled
        return
    if not visible.filter(pk=customer.pk).exists():
        raise Forbidden()


class RequestViewSet(WorkflowActionMixin, viewsets.ReadOnlyModelViewSet):
    """Service requests (SR). Filters: q, owner (me|none|id), status (open|…), priority, type, channel,
    customer, overdue=1. A portal user sees its organisation's requests only; stations see none."""

    serializer_class = RequestSerializer
    queryset = ServiceRequest.objects.none()
    pagination_class = RequestPagination

    @extend_schema(parameters=FILTER_PARAMS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self, *, for_count: bool = False):
        p = self.request.query_params
        return selectors.requests_for(
            self.request.user,
            **{k: p.get(k, "") for k in ("q", "owner", "status", "priority", "type", "channel", "customer")},
            overdue=p.get("overdue") == "1",
            now=timezone.now(),
            for_count=for_count,
        )

    def count_queryset(self):
        return self.get_queryset(for_count=True)

    def reread(self, result):
        if isinstance(result, ServiceRequest) and self.action != "create":
            result.refresh_from_db()  # the row as stored (an intake's object already is: issue 6)
        return result

    @extend_schema(request=RequestInputSerializer, responses={201: RequestSerializer})
    def create(self, request):
        """Intake through the API (SR-1): the channel defaults to `api`; clocks and audit as any intake."""
        d = self.action_input(RequestInputSerializer)
        customer = d.pop("customer")
        _check_customer_visible(request.user, customer)
        # The workflow's object is the row as stored (number, search tokens and first-response
        # due set on it, customer and owner attached): no re-read, no lookups (issue 6).
        return self.act(workflow.create_request, customer, **d, status=status.HTTP_201_CREATED)

    @extend_schema(request=BatchInputSerializer, responses={201: BatchOutputSerializer})
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """Intake of up to 100 requests in one call (SR-1), for integrations such as a mail
        gateway or a phone system: each gets what a single intake gives it (owner, clocks,
        audit, care column, notifications); one bad item rejects the whole batch with a message
        that names it. `{"requests": [{...}, ...]}` with the fields of POST /api/requests/."""
        items = _batch_items(request.data)
        customers = Customer.objects.visible_to(request.user).defer("search_tokens", "search_vector")
        if customers.query.is_empty():  # sees no customer at all (a station): as a single intake
            raise Forbidden()
        found = customers.in_bulk({item["customer"] for item in items})
        for n, item in enumerate(items, start=1):
            if item["customer"] not in found:
                raise Invalid(
                    workflow.ITEM_ERROR % {"n": n, "message": CUSTOMER_NOT_FOUND}, field=f"requests[{n - 1}].customer"
                )
            item["customer"] = found[item["customer"]]
        reqs = workflow.create_requests(items, by=request.user, now=timezone.now())
        return Response(
            {
                "count": len(reqs),
                "results": RequestSerializer(reqs, many=True, context=self.get_serializer_context()).data,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=StepSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def steps(self, request, pk=None):
        req = self.get_object()
        return Response(
            StepSerializer(selectors.steps_of(req, customer_view=request.user.is_customer_user), many=True).data
        )

    @extend_schema(request=None, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def take(self, request, pk=None):
        return self.act(workflow.take, self.get_object())

    @extend_schema(request=TransferSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """Hand the request to someone else, with a reason (SR-3); 409 if someone acted first."""
        return self.act(workflow.transfer, self.get_object(), input=TransferSerializer)

    @extend_schema(request=StepInputSerializer, responses={201: StepSerializer})
    @action(detail=True, methods=["post"], url_path="add-step")
    def add_step(self, request, pk=None):
        return self.act(
            workflow.add_step, self.get_object(), input=StepInputSerializer, output=StepSerializer, status=201
        )

    @extend_schema(request=SheetSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def sheet(self, request, pk=None):
        return self.act(workflow.update_sheet, self.get_object(), input=SheetSerializer)

    @extend_schema(request=SolveSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def solve(self, request, pk=None):
        return self.act(workflow.solve, self.get_object(), input=SolveSerializer)

    @extend_schema(request=ConfirmSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Close with the customer's confirmation and how it was given (SR-5)."""
        return self.act(workflow.confirm, self.get_object(), input=ConfirmSerializer)

    @extend_schema(request=ReasonSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self.act(workflow.reopen, self.get_object(), input=ReasonSerializer)

    @extend_schema(request=ReasonSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"], url_path="request-onsite")
    def request_onsite(self, request, pk=None):
        return self.act(workflow.request_onsite, self.get_object(), input=ReasonSerializer)

    @extend_schema(request=RequestWaitSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def wait(self, request, pk=None):
        """Waiting for the customer or a part: the request's clocks pause (CAL-4); 409 if already waiting."""
        return self.act(workflow.wait, self.get_object(), input=RequestWaitSerializer)

    @extend_schema(request=None, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """The wait is over: the clocks go on with the time they had left (CAL-4); 409 if not waiting."""
        return self.act(workflow.resume, self.get_object())

    @extend_schema(request=ReasonSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"], url_path="request-withdrawal")
    def request_withdrawal(self, request, pk=None):
        return self.act(workflow.request_withdrawal, self.get_object(), input=ReasonSerializer)

    @extend_schema(request=WithdrawalReviewSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"], url_path="review-withdrawal")
    def review_withdrawal(self, request, pk=None):
        """The call centre approves or rejects a withdrawal (SR-7); the row stays with its reason."""
        return self.act(workflow.review_withdrawal, self.get_object(), input=WithdrawalReviewSerializer)


class HotlineRecordSerializer(MaskPersonalData, FieldsOnce, serializers.ModelSerializer):
    request_number = serializers.CharField(source="request.number", read_only=True)

    class Meta:
        model = HotlineRecord
        fields = [
            "id",
            "request",
            "request_number",
            "customer",
            "engineer",
            "caller",
            "caller_phone",
            "product",
            "phenomenon",
            "answer",
            "steps",
            "outcome",
            "started_at",
            "callback_promised",
            "called_back_at",
            "submitted_to",
            "submitted_at",
            "loop_closed_at",
            "loop_note",
        ]
        read_only_fields = fields


class CallInputSerializer(serializers.Serializer):
    customer = IdField(queryset=Customer.objects.all())
    request = IdField(queryset=ServiceRequest.objects.all(), required=False, allow_null=True)
    phenomenon = serializers.CharField()
    caller = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    caller_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    product = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    answer = serializers.CharField(required=False, allow_blank=True, default="")
    steps = serializers.CharField(required=False, allow_blank=True, default="")
    type = serializers.ChoiceField(ServiceRequest.Type.choices, default=ServiceRequest.Type.FAULT)
    priority = serializers.ChoiceField(ServiceRequest.Priority.choices, default=ServiceRequest.Priority.MEDIUM)
    needs_onsite = serializers.BooleanField(required=False, default=False)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()
    steps = serializers.CharField(required=False, allow_blank=True, default="")


class ShelveSerializer(serializers.Serializer):
    note = serializers.CharField()
    callback = serializers.BooleanField(required=False, default=True)


class CallBackSerializer(serializers.Serializer):
    solved = serializers.BooleanField()
    answer = serializers.CharField()


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500)


class HotlineRecordViewSet(WorkflowActionMixin, viewsets.ReadOnlyModelViewSet):
    """Hotline records (HL-3..HL-7): a call, solved on the phone, shelved, called back, onsite."""

    serializer_class = HotlineRecordSerializer
    queryset = HotlineRecord.objects.none()
    visibility = "internal"  # company staff only

    @extend_schema(parameters=[OpenApiParameter("mine", str), OpenApiParameter("outcome", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        p = self.request.query_params
        return selectors.hotline_records_for(self.request.user, mine=p.get("mine") == "1", outcome=p.get("outcome", ""))

    def reread(self, result):
        if isinstance(result, HotlineRecord):
            result.refresh_from_db()
        return result

    @extend_schema(request=CallInputSerializer, responses={201: HotlineRecordSerializer})
    def create(self, request):
        """Record a call (HL-3); a new request is opened unless `request` continues one."""
        d = self.action_input(CallInputSerializer)
        customer = d.pop("customer")
        _check_customer_visible(request.user, customer)
        return self.act(workflow.record_call, customer, **d, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswerSerializer, responses=HotlineRecordSerializer)
    @action(detail=True, methods=["post"], url_path="solve")
    def solve(self, request, pk=None):
        return self.act(workflow.solve_on_phone, self.get_object(), input=AnswerSerializer)

    @extend_schema(request=ShelveSerializer, responses=HotlineRecordSerializer)
    @action(detail=True, methods=["post"])
    def shelve(self, request, pk=None):
        return self.act(workflow.shelve, self.get_object(), input=ShelveSerializer)

    @extend_schema(request=CallBackSerializer, responses=HotlineRecordSerializer)
    @action(detail=True, methods=["post"], url_path="call-back")
    def call_back(self, request, pk=None):
        return self.act(workflow.call_back, self.get_object(), input=CallBackSerializer)

    @extend_schema(request=NoteSerializer, responses=HotlineRecordSerializer)
    @action(detail=True, methods=["post"], url_path="close-loop")
    def close_loop(self, request, pk=None):
        return self.act(workflow.close_loop, self.get_object(), input=NoteSerializer)

    @extend_schema(request=None, responses=HotlineRecordSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="submit-unsolved", pagination_class=None)
    def submit_unsolved(self, request):
        return self.act(workflow.submit_unsolved)


class DutyShiftSerializer(serializers.ModelSerializer):
    engineer_name = serializers.CharField(source="engineer.display_name", read_only=True)

    class Meta:
        model = DutyShift
        fields = ["id", "engineer", "engineer_name", "starts_at", "ends_at", "ready_at", "taken_over_at"]
        read_only_fields = ["id", "engineer_name", "ready_at", "taken_over_at"]


class HandoverSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)


class CopyWeekSerializer(serializers.Serializer):
    week = serializers.DateField(help_text="any day of the week to fill")


class DutyViewSet(WorkflowActionMixin, viewsets.ReadOnlyModelViewSet):
    """Duty roster (HL-1): `?start=` (ISO datetime, default now) and `?days=` (default 7); `on-duty`
    tells who answers the hotline now; POST plans a shift; `ready` reports ready at the post and
    `take-over` records the handover (HL-2)."""

    serializer_class = DutyShiftSerializer
    queryset = DutyShift.objects.none()
    visibility = "internal"

    def get_queryset(self):
        from django.utils.dateparse import parse_datetime

        p = self.request.query_params
        start = parse_datetime(p.get("start", "") or "") or timezone.now() - timezone.timedelta(days=1)
        days = int(p["days"]) if p.get("days", "").isdigit() else 7
        return selectors.shifts_for(self.request.user, start=start, days=min(days, 62))

    def reread(self, result):
        if isinstance(result, DutyShift):
            result.refresh_from_db()
        return result

    @extend_schema(request=DutyShiftSerializer, responses={201: DutyShiftSerializer})
    def create(self, request):
        return self.act(workflow.plan_shift, input=DutyShiftSerializer, status=status.HTTP_201_CREATED)

    @extend_schema(responses=DutyShiftSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="on-duty", pagination_class=None)
    def on_duty(self, request):
        if not request.user.has_perm("servicedesk.view_duty"):
            raise Forbidden()
        return Response(DutyShiftSerializer(selectors.on_duty_now(timezone.now()), many=True).data)

    @extend_schema(request=CopyWeekSerializer, responses={201: DutyShiftSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="copy-week", pagination_class=None)
    def copy_week(self, request):
        """Copy last week's shifts into the week of `week` (any day of it; HL-1); shifts already
        planned there stay, so copying twice adds nothing."""
        day = self.action_input(CopyWeekSerializer)["week"]
        monday = day - timezone.timedelta(days=day.weekday())
        return self.act(workflow.copy_week, monday, status=status.HTTP_201_CREATED)

    def _shift(self, pk) -> DutyShift:
        return get_object_or_404(DutyShift.objects.visible_to(self.request.user), pk=pk)

    @extend_schema(request=None, responses=DutyShiftSerializer)
    @action(detail=True, methods=["post"])
    def ready(self, request, pk=None):
        """The engineer on duty reports ready at the post, within 10 minutes of the shift start (HL-2)."""
        return self.act(workflow.report_ready, self._shift(pk))

    @extend_schema(request=HandoverSerializer, responses=DutyShiftSerializer)
    @action(detail=True, methods=["post"], url_path="take-over")
    def take_over(self, request, pk=None):
        """The handover of the shift before (HL-2): answered with the shift taken over."""
        shift = self._shift(pk)
        workflow.take_over(shift, **self.action_input(HandoverSerializer), by=request.user, now=timezone.now())
        return self.answer(shift)


class CallLogSerializer(MaskPersonalData, serializers.ModelSerializer):
    engineer_name = serializers.CharField(source="engineer.display_name", read_only=True, default="")

    class Meta:
        model = CallLog
        fields = [
            "id",
            "at",
            "caller_phone",
            "engineer",
            "engineer_name",
            "answered",
            "duration",
            "source",
            "external_id",
        ]
        read_only_fields = ["id", "engineer_name", "source", "external_id"]


class CallImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8): " + ",".join(workflow.CSV_COLUMNS))


class CallImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.CharField())


class CallLogViewSet(WorkflowActionMixin, viewsets.ReadOnlyModelViewSet):
    """Incoming calls (HL-8): POST logs one by hand; `import/` takes a phone system's CSV call log,
    all rows or none (400 with the bad lines); `connection-rate/?from=&to=` the answered share
    per day and engineer against the 90 % target."""

    serializer_class = CallLogSerializer
    queryset = CallLog.objects.none()
    visibility = "internal"

    def get_queryset(self):
        return selectors.calls_for(self.request.user)

    @extend_schema(request=CallLogSerializer, responses={201: CallLogSerializer})
    def create(self, request):
        return self.act(workflow.log_call, input=CallLogSerializer, status=status.HTTP_201_CREATED)

    @extend_schema(request=CallImportSerializer, responses={201: CallImportResultSerializer, 400: ErrorSerializer})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=WITH_FILES)
    def import_log(self, request):
        upload = self.action_input(CallImportSerializer)["file"]
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid(_("文件必须是 UTF-8 编码的 CSV。"), field="file") from None
        created, errors = workflow.import_call_log(text, by=request.user, now=timezone.now())
        if errors:  # all rows or none: the bad lines, in the one error contract
            return Response(
                {"detail": errors[0], "code": "invalid", "field": "file", "errors": errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"created": created, "errors": []}, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: {"type": "object"}})
    @action(detail=False, methods=["get"], url_path="connection-rate")
    def connection_rate(self, request):
        p = request.query_params
        last = parse_date(p.get("to", "") or "") or timezone.localdate()
        first = parse_date(p.get("from", "") or "") or last - timezone.timedelta(days=6)
        if not request.user.has_perm("servicedesk.view_calls"):
            raise Forbidden()
        if (last - first).days > 366:
            raise Invalid(_("统计区间最长一年。"), field="from")
        return Response(selectors.connection_rate(request.user, first=first, last=last))
