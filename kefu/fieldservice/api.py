"""REST API of onsite service: `/api/work-orders/` with one POST action per transition, `/api/qa/samples/`.

Statuses are read-only; every action calls one workflow function. A lost dispatch race is 409.
"""

from datetime import date

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kefu.core.api import WorkflowActionMixin, query_choice
from kefu.core.errors import NO_PERMISSION, Invalid
from kefu.core.parsers import WITH_FILES
from kefu.core.schema import ErrorSerializer
from kefu.core.serializers import IdField
from kefu.deadlines.models import WaitingFor
from kefu.fieldservice import selectors, workflow
from kefu.fieldservice.models import Consultation, Escalation, QASample, ServiceSheet, WorkOrder
from kefu.org.models import User


class ServiceSheetSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceSheet
        fields = [
            "backup_done",
            "backup_location",
            "phenomenon",
            "cause",
            "method",
            "steps",
            "prevention",
            "parts_used",
            "minutes_spent",
            "outcome",
            "signer_name",
            "signed_at",
            "archived_at",
            "pdf",
        ]
        read_only_fields = fields
        # null until the PDF job has rendered it after the signature's commit (生成中)
        extra_kwargs = {"pdf": {"allow_null": True}}


class WorkOrderSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    engineer_name = serializers.CharField(source="engineer.display_name", read_only=True, default="")

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "request",
            "customer",
            "customer_name",
            "status",
            "reason",
            "return_reason",
            "engineer",
            "engineer_name",
            "created_at",
            "verified_at",
            "dispatched_at",
            "confirmed_at",
            "appointment_start",
            "appointment_end",
            "checked_in_at",
            "completed_at",
            "signed_at",
            "written_off_at",
            "closed_at",
        ]
        read_only_fields = fields


class OrderNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class OrderReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class DispatchSerializer(serializers.Serializer):
    engineer = IdField(queryset=User.objects.filter(is_active=True))


class AppointmentSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    missed_reason = serializers.CharField(required=False, allow_blank=True, default="")


class CompleteSerializer(serializers.Serializer):
    backup_done = serializers.BooleanField()
    backup_location = serializers.CharField(allow_blank=True)
    phenomenon = serializers.CharField(allow_blank=True)
    cause = serializers.CharField(required=False, allow_blank=True, default="")
    method = serializers.CharField(allow_blank=True)
    steps = serializers.CharField(required=False, allow_blank=True, default="")
    prevention = serializers.CharField(required=False, allow_blank=True, default="")
    parts_used = serializers.CharField(required=False, allow_blank=True, default="")
    minutes_spent = serializers.IntegerField(min_value=0, max_value=60 * 24 * 30, required=False, default=0)
    outcome = serializers.ChoiceField(ServiceSheet.Outcome.choices)
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="site photos (multipart), up to 12"
    )


class SignSerializer(serializers.Serializer):
    signer_name = serializers.CharField()
    signature = serializers.CharField(required=False, allow_blank=True, default="", help_text="data:image/png;base64,…")
    paper_photo = serializers.FileField(required=False, allow_null=True, default=None)


class WriteOffSerializer(serializers.Serializer):
    next_step = serializers.ChoiceField(
        [("", "-"), ("redispatch", "redispatch"), ("escalate", "escalate")], required=False, default=""
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    target = serializers.ChoiceField(Escalation.Target.choices, required=False, default=Escalation.Target.VENDOR)
    party = serializers.CharField(required=False, allow_blank=True, default="")


class EscalateSerializer(serializers.Serializer):
    target = serializers.ChoiceField(Escalation.Target.choices)
    note = serializers.CharField()
    party = serializers.CharField(required=False, allow_blank=True, default="")


class OrderWaitSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(WaitingFor.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class EscalationAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()


class ConsultationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consultation
        fields = ["id", "topic", "participants", "organised_at", "result", "result_at"]
        read_only_fields = fields


class OrganiseSerializer(serializers.Serializer):
    topic = serializers.CharField(max_length=300)
    participants = IdField(queryset=User.objects.filter(is_active=True), many=True)


class ResultSerializer(serializers.Serializer):
    consultation = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    result = serializers.CharField()


class WorkOrderViewSet(WorkflowActionMixin, viewsets.ReadOnlyModelViewSet):
    """Work orders (派工单, OS-1..OS-5). `?status=`. Staff only today; a field engineer sees the
    orders dispatched to them. The network variant (RS) will scope station users to their station."""

    serializer_class = WorkOrderSerializer
    queryset = WorkOrder.objects.none()
    visibility = "internal"

    def get_queryset(self):
        return selectors.orders_for(
            self.request.user, status=query_choice(self.request.query_params, "status", WorkOrder.Status.choices)
        )

    def reread(self, result):
        """An order's action answers with the order as stored (a sheet's or an escalation's
        step too); a consultation answers as itself."""
        if isinstance(result, ServiceSheet | Escalation):
            result = result.order
        if isinstance(result, WorkOrder):
            return selectors.order_for(self.request.user, result.pk)
        return result

    @extend_schema(responses={200: ServiceSheetSerializer, 404: ErrorSerializer})
    @action(detail=True, methods=["get"])
    def sheet(self, request, pk=None):
        sheet = ServiceSheet.objects.filter(order=self.get_object()).first()
        if sheet is None:
            return Response({"detail": str(workflow.NO_SHEET), "code": "not_found"}, status=404)
        return Response(ServiceSheetSerializer(sheet, context=self.get_serializer_context()).data)

    @extend_schema(request=OrderNoteSerializer, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self.act(workflow.verify, self.get_object(), input=OrderNoteSerializer)

    @extend_schema(request=OrderReasonSerializer, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        return self.act(workflow.send_back, self.get_object(), input=OrderReasonSerializer)

    @extend_schema(request=DispatchSerializer, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_order(self, request, pk=None):
        # Not named `dispatch`: that is the view's own request entry point.
        return self.act(workflow.dispatch, self.get_object(), input=DispatchSerializer)

    @extend_schema(request=None, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self.act(workflow.confirm, self.get_object())

    @extend_schema(request=AppointmentSerializer, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def appointment(self, request, pk=None):
        """Book the visit; on a booked one, `missed_reason` records the visit not made as agreed
        and the new appointment."""
        d = self.action_input(AppointmentSerializer)
        order, missed = self.get_object(), d.pop("missed_reason")
        if order.status == WorkOrder.Status.SCHEDULED and missed:
            return self.act(workflow.miss_appointment, order, reason=missed, start=d["start"], end=d["end"])
        return self.act(workflow.set_appointment, order, **d)

    @extend_schema(request=None, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        return self.act(workflow.check_in, self.get_object())

    @extend_schema(request=CompleteSerializer, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"], parser_classes=WITH_FILES)
    def complete(self, request, pk=None):
        d = self.action_input(CompleteSerializer)
        d.pop("photos", None)
        return self.act(workflow.complete, self.get_object(), data=d, photos=request.FILES.getlist("photos"))

    @extend_schema(request=SignSerializer, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"], parser_classes=WITH_FILES)
    def sign(self, request, pk=None):
        return self.act(workflow.sign, self.get_object(), input=SignSerializer)

    @extend_schema(request=WriteOffSerializer, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request, pk=None):
        return self.act(workflow.write_off, self.get_object(), input=WriteOffSerializer)

    @extend_schema(request=EscalateSerializer, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        return self.act(workflow.escalate, self.get_object(), input=EscalateSerializer)

    @extend_schema(request=EscalationAnswerSerializer, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"], url_path="resolve-escalation")
    def resolve_escalation(self, request, pk=None):
        """The vendor / headquarters answered and solved it (OS-5): the order closes, the request
        goes to the customer's confirmation."""
        escalation = workflow.open_escalation_of(self.get_object())
        return self.act(workflow.resolve_escalation, escalation, input=EscalationAnswerSerializer)

    @extend_schema(request=OrderWaitSerializer, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def wait(self, request, pk=None):
        """Waiting for the customer or a part: the order's clocks pause (CAL-4); 409 if already waiting."""
        return self.act(workflow.wait, self.get_object(), input=OrderWaitSerializer)

    @extend_schema(request=None, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """The wait is over: the clocks go on with the time they had left (CAL-4)."""
        return self.act(workflow.resume, self.get_object())

    @extend_schema(responses=ConsultationSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def consultations(self, request, pk=None):
        return Response(ConsultationSerializer(self.get_object().consultations.all(), many=True).data)

    @extend_schema(request=OrganiseSerializer, responses={201: ConsultationSerializer})
    @action(detail=True, methods=["post"], url_path="consultations/organise")
    def organise_consultation(self, request, pk=None):
        """The after-sales department assigns the right people to a problem not solved in time (OS-9)."""
        return self.act(
            workflow.organise_consultation,
            self.get_object(),
            input=OrganiseSerializer,
            output=ConsultationSerializer,
            status=201,
        )

    @extend_schema(request=ResultSerializer, responses=ConsultationSerializer)
    @action(detail=True, methods=["post"], url_path="consultations/result")
    def consultation_result(self, request, pk=None):
        """The consultation's result, recorded once (OS-9); 409 the second time."""
        d = self.action_input(ResultSerializer)
        consultation = get_object_or_404(self.get_object().consultations, pk=d["consultation"])
        return self.act(
            workflow.record_consultation_result, consultation, result=d["result"], output=ConsultationSerializer
        )


class QASampleSerializer(serializers.ModelSerializer):
    order = serializers.IntegerField(source="sheet.order_id", read_only=True)
    number = serializers.CharField(source="sheet.order.number", read_only=True)

    class Meta:
        model = QASample
        fields = [
            "id",
            "sheet",
            "order",
            "number",
            "week",
            "proposed",
            "picked_at",
            "verdict",
            "comment",
            "reviewed_at",
            "reviewer",
        ]
        read_only_fields = fields


class PickSerializer(serializers.Serializer):
    week = serializers.DateField()
    sheets = IdField(queryset=ServiceSheet.objects.all(), many=True)


class QAReviewSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(QASample.Verdict.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class QASampleViewSet(WorkflowActionMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """QA library (OS-7, KB-4). GET `proposal/?week=YYYY-MM-DD` the system's ~20 % proposal;
    POST {week, sheets} records the pick; POST `<id>/review/` the reviewer's verdict."""

    serializer_class = QASampleSerializer
    queryset = QASample.objects.none()
    visibility = "internal"

    def get_queryset(self):
        return selectors.samples_for(self.request.user)

    @extend_schema(request=PickSerializer, responses=QASampleSerializer(many=True))
    def create(self, request, *args, **kwargs):
        d = self.action_input(PickSerializer)
        return self.act(workflow.pick_sample, workflow.week_of(d["week"]), d["sheets"], status=201)

    @extend_schema(responses={200: {"type": "object"}})
    @action(detail=False, methods=["get"])
    def proposal(self, request):
        try:
            week = workflow.week_of(date.fromisoformat(request.query_params.get("week", "")))
        except (ValueError, Invalid):
            week = workflow.week_of(timezone.localdate())
        if not request.user.has_perm("fieldservice.qa_sample"):
            return Response({"detail": str(NO_PERMISSION)}, status=403)
        return Response({"week": week.isoformat(), "sheets": [s.pk for s in workflow.propose_sample(week)]})

    @extend_schema(request=QAReviewSerializer, responses=QASampleSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self.act(workflow.review_sample, self.get_object(), input=QAReviewSerializer)
