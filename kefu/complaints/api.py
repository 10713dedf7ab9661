"""REST API of complaints and crises (CP-1..CP-9): every workflow step is a POST action."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action

from kefu.complaints import selectors, workflow
from kefu.complaints.models import Complaint, CorrectiveAction, MonthlyReport, VendorEscalation
from kefu.core.api import WorkflowActionMixin, query_choice
from kefu.core.serializers import IdField
from kefu.customers.masking import MaskPersonalData
from kefu.customers.models import Customer
from kefu.fieldservice.models import WorkOrder
from kefu.org.models import Department, User
from kefu.servicedesk.models import ServiceRequest


class CorrectiveActionSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)
    complaint_number = serializers.CharField(source="complaint.number", read_only=True)

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "complaint",
            "complaint_number",
            "kind",
            "description",
            "owner",
            "owner_name",
            "status",
            "evidence",
            "done_at",
            "check_note",
            "checked_by",
            "checked_at",
            "created_at",
        ]
        read_only_fields = fields


class VendorEscalationSerializer(serializers.ModelSerializer):
    class Meta:
        model = VendorEscalation
        fields = ["id", "contact", "sent", "sent_at", "sent_by", "answer", "answered_at", "solved"]
        read_only_fields = fields


class ComplaintSerializer(MaskPersonalData, serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    # Blank unless the vendor transferred it: a plain string, since "" is no e-mail address.
    vendor_email = serializers.CharField(read_only=True, help_text="the vendor's e-mail, or empty")
    escalations = VendorEscalationSerializer(many=True, read_only=True)
    actions = CorrectiveActionSerializer(many=True, read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "source",
            "channel",
            "vendor_ref",
            "vendor_contact",
            "vendor_email",
            "customer",
            "customer_name",
            "contact_name",
            "contact_phone",
            "subject_label",
            "station",
            "type",
            "title",
            "content",
            "product",
            "happened_at",
            "served_by",
            "customer_asks",
            "status",
            "valid",
            "explanation",
            "reviewed_by",
            "reviewed_at",
            "department",
            "responsible",
            "cause",
            "measures",
            "remedy",
            "compensation_amount",
            "compensation",
            "contact_record",
            "contacted_at",
            "result",
            "result_at",
            "gm_flag",
            "gm_contact",
            "gm_contacted_at",
            "satisfied",
            "verification",
            "verified_at",
            "vendor_feedback",
            "vendor_fed_back_at",
            "crisis_level",
            "media_exposure",
            "station_report",
            "help_request",
            "hq_solution",
            "crisis_raised_at",
            "crisis_archived_at",
            "received_at",
            "received_by",
            "closed_at",
            "escalations",
            "actions",
        ]
        read_only_fields = fields


class ComplaintCreateSerializer(serializers.Serializer):
    customer = IdField(queryset=Customer.objects.all())
    title = serializers.CharField(max_length=200)
    content = serializers.CharField()
    type = serializers.ChoiceField(Complaint.Type.choices, default=Complaint.Type.OTHER)
    channel = serializers.ChoiceField(Complaint.Channel.choices, default=Complaint.Channel.HOTLINE)
    source = serializers.ChoiceField(Complaint.Source.choices, default=Complaint.Source.CUSTOMER)
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    product = serializers.CharField(max_length=100, required=False, allow_blank=True)
    happened_at = serializers.DateTimeField(required=False, allow_null=True)
    served_by = serializers.CharField(max_length=100, required=False, allow_blank=True)
    customer_asks = serializers.CharField(required=False, allow_blank=True)
    vendor_ref = serializers.CharField(max_length=50, required=False, allow_blank=True)
    vendor_contact = serializers.CharField(max_length=100, required=False, allow_blank=True)
    vendor_email = serializers.EmailField(required=False, allow_blank=True)
    request = IdField(queryset=ServiceRequest.objects.all(), required=False, help_text="the request it is about")
    work_order = IdField(queryset=WorkOrder.objects.all(), required=False, help_text="the work order it is about")


class ComplaintAcceptSerializer(serializers.Serializer):
    department = IdField(queryset=Department.objects.all(), required=False, allow_null=True)
    crisis_level = serializers.ChoiceField(Complaint.Crisis.choices, required=False, default="")
    type = serializers.ChoiceField(Complaint.Type.choices, required=False)
    happened_at = serializers.DateTimeField(required=False, allow_null=True)
    served_by = serializers.CharField(required=False, allow_blank=True)
    customer_asks = serializers.CharField(required=False, allow_blank=True)
    media_exposure = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ComplaintExplanationSerializer(serializers.Serializer):
    explanation = serializers.CharField()


class ComplaintResponsibleSerializer(serializers.Serializer):
    cause = serializers.CharField()
    responsible = IdField(queryset=User.objects.filter(is_active=True))


class ComplaintContactSerializer(serializers.Serializer):
    measures = serializers.CharField()
    remedy = serializers.ChoiceField(Complaint.Remedy.choices)
    contact_record = serializers.CharField()
    compensation_amount = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, default=0)


class ComplaintResultSerializer(serializers.Serializer):
    result = serializers.CharField()


class ComplaintGmContactSerializer(serializers.Serializer):
    contact = serializers.CharField()


class ComplaintVerifySerializer(serializers.Serializer):
    satisfied = serializers.BooleanField()
    opinion = serializers.CharField()
    vendor_contact = serializers.CharField(required=False, allow_blank=True, default="")
    sent = serializers.CharField(required=False, allow_blank=True, default="")


class ComplaintEscalateSerializer(serializers.Serializer):
    contact = serializers.CharField()
    sent = serializers.CharField()


class ComplaintVendorAnswerSerializer(serializers.Serializer):
    escalation = serializers.IntegerField()
    answer = serializers.CharField()
    solved = serializers.BooleanField(default=False)


class ComplaintFeedbackSerializer(serializers.Serializer):
    feedback = serializers.CharField()
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class ComplaintHelpSerializer(serializers.Serializer):
    help = serializers.CharField()
    report = serializers.CharField(required=False, allow_blank=True, default="")


class ComplaintStationResultSerializer(serializers.Serializer):
    report = serializers.CharField(required=False, allow_blank=True, default="")
    result = serializers.CharField()


class ComplaintSolutionSerializer(serializers.Serializer):
    solution = serializers.CharField()
    result = serializers.CharField()


class CapaActionCreateSerializer(serializers.Serializer):
    description = serializers.CharField()
    owner = IdField(queryset=User.objects.filter(is_active=True))
    kind = serializers.ChoiceField(CorrectiveAction.Kind.choices, default=CorrectiveAction.Kind.CORRECTIVE)


class CapaEvidenceSerializer(serializers.Serializer):
    evidence = serializers.CharField()


class CapaCheckSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ComplaintViewSet(WorkflowActionMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Complaints (CP-1..CP-9). `?status=open|<status>`, `?q=` number, title or customer,
    `?crisis=1` crises only. A station sees only its own crises; customers none."""

    serializer_class = ComplaintSerializer
    queryset = Complaint.objects.none()

    @extend_schema(parameters=[OpenApiParameter(n, str) for n in ("status", "q", "crisis")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        p = self.request.query_params
        status = p.get("status", "")
        status = status if status == "open" else query_choice(p, "status", Complaint.Status.choices)
        qs = selectors.complaints_for(
            self.request.user, status=status, q=p.get("q", ""), crisis=p.get("crisis") in ("1", "true")
        )
        return qs.select_related("customer").prefetch_related("escalations", "actions__owner", "actions__complaint")

    def reread(self, result):
        if isinstance(result, Complaint):
            return selectors.complaint_for(self.request.user, result.pk)
        return result

    @extend_schema(request=ComplaintCreateSerializer, responses={201: ComplaintSerializer})
    def create(self, request, *args, **kwargs):
        data = self.action_input(ComplaintCreateSerializer)
        customer = data.pop("customer")
        if not Customer.objects.visible_to(request.user).filter(pk=customer.pk).exists():
            raise serializers.ValidationError({"customer": _("无效的客户。")})
        subject = None
        for key, model in (("request", ServiceRequest), ("work_order", WorkOrder)):
            about = data.pop(key, None)
            if about is not None:
                if (
                    about.customer_id != customer.pk
                    or not model.objects.visible_to(request.user).filter(pk=about.pk).exists()
                ):
                    raise serializers.ValidationError({key: _("所选记录不属于该客户。")})
                subject = about
        complaint = workflow.create_complaint(customer, **data, subject=subject, by=request.user, now=timezone.now())
        return self.answer(complaint, status=201)

    def _step(self, fn, serializer=None):
        return self.act(fn, self.get_object(), input=serializer)

    @extend_schema(request=ComplaintAcceptSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Valid (CP-2): to the responsible department, or with a crisis level to the station (CP-9)."""
        return self._step(workflow.accept, ComplaintAcceptSerializer)

    @extend_schema(request=ComplaintExplanationSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"], url_path="archive-invalid")
    def archive_invalid(self, request, pk=None):
        return self._step(workflow.archive_invalid, ComplaintExplanationSerializer)

    @extend_schema(request=ComplaintResponsibleSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def responsible(self, request, pk=None):
        return self._step(workflow.assign_responsible, ComplaintResponsibleSerializer)

    @extend_schema(request=ComplaintContactSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        return self._step(workflow.record_contact, ComplaintContactSerializer)

    @extend_schema(request=ComplaintResultSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        return self._step(workflow.record_result, ComplaintResultSerializer)

    @extend_schema(request=ComplaintGmContactSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"], url_path="gm-contact")
    def gm_contact(self, request, pk=None):
        return self._step(workflow.gm_contact, ComplaintGmContactSerializer)

    @extend_schema(request=ComplaintVerifySerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._step(workflow.verify, ComplaintVerifySerializer)

    @extend_schema(request=ComplaintEscalateSerializer, responses=VendorEscalationSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        return self.act(
            workflow.escalate_again,
            self.get_object(),
            input=ComplaintEscalateSerializer,
            output=VendorEscalationSerializer,
        )

    @extend_schema(request=ComplaintVendorAnswerSerializer, responses=VendorEscalationSerializer)
    @action(detail=True, methods=["post"], url_path="vendor-answer")
    def vendor_answer(self, request, pk=None):
        complaint = self.get_object()
        data = self.action_input(ComplaintVendorAnswerSerializer)
        escalation = complaint.escalations.filter(pk=data.pop("escalation")).first()
        if escalation is None:
            raise serializers.ValidationError({"escalation": _("无效的升级记录。")})
        result = workflow.vendor_answer(escalation, **data, by=request.user, now=timezone.now())
        return self.answer(result, output=VendorEscalationSerializer)

    @extend_schema(request=ComplaintFeedbackSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"], url_path="vendor-feedback")
    def vendor_feedback(self, request, pk=None):
        return self._step(workflow.vendor_feedback, ComplaintFeedbackSerializer)

    @extend_schema(request=ComplaintHelpSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"], url_path="ask-headquarters")
    def ask_headquarters(self, request, pk=None):
        return self._step(workflow.ask_headquarters, ComplaintHelpSerializer)

    @extend_schema(request=ComplaintStationResultSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"], url_path="station-result")
    def station_result(self, request, pk=None):
        return self._step(workflow.station_result, ComplaintStationResultSerializer)

    @extend_schema(request=ComplaintSolutionSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"], url_path="hq-solution")
    def hq_solution(self, request, pk=None):
        return self._step(workflow.hq_solution, ComplaintSolutionSerializer)

    @extend_schema(request=CapaActionCreateSerializer, responses={201: CorrectiveActionSerializer})
    @action(detail=True, methods=["post"], url_path="actions")
    def add_action(self, request, pk=None):
        return self.act(
            workflow.add_action,
            self.get_object(),
            input=CapaActionCreateSerializer,
            output=CorrectiveActionSerializer,
            status=201,
        )


class CorrectiveActionViewSet(WorkflowActionMixin, viewsets.ReadOnlyModelViewSet):
    """Corrective and preventive actions (CP-6). `?mine=1` the user's own; `?status=`."""

    serializer_class = CorrectiveActionSerializer
    queryset = CorrectiveAction.objects.none()
    visibility = "internal"

    @extend_schema(parameters=[OpenApiParameter(n, str) for n in ("status", "mine")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        p = self.request.query_params
        return selectors.actions_for(
            self.request.user,
            status=query_choice(p, "status", CorrectiveAction.Status.choices),
            mine=p.get("mine") in ("1", "true"),
        )

    @extend_schema(request=CapaEvidenceSerializer, responses=CorrectiveActionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self.act(workflow.complete_action, self.get_object(), input=CapaEvidenceSerializer)

    @extend_schema(request=CapaCheckSerializer, responses=CorrectiveActionSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        return self.act(workflow.check_action, self.get_object(), input=CapaCheckSerializer)


class MonthlyReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonthlyReport
        fields = ["id", "month", "owner", "published_at", "published_by", "summary", "created_at"]
        read_only_fields = fields


class ReportPublishSerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class MonthlyReportViewSet(WorkflowActionMixin, viewsets.ReadOnlyModelViewSet):
    """The monthly complaint analysis reports (CP-8); the figures are the report page's
    (`/reports/complaints/?period=month&on=YYYY-MM-01`, PDF and Excel from the reports kit)."""

    serializer_class = MonthlyReportSerializer
    queryset = MonthlyReport.objects.none()
    visibility = "internal"

    def get_queryset(self):
        if not self.request.user.has_perm("complaints.view_report"):
            return MonthlyReport.objects.none()
        return MonthlyReport.objects.order_by("-month")

    @extend_schema(request=ReportPublishSerializer, responses=MonthlyReportSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self.act(workflow.publish, self.get_object(), input=ReportPublishSerializer)
