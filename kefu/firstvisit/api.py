"""REST API of the first visit (FV-1..FV-6): each step is an explicit POST action."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action

from kefu.core.api import WorkflowActionMixin, query_choice
from kefu.core.errors import Forbidden
from kefu.core.serializers import IdField
from kefu.customers.api import ContractSerializer, NewContactSerializer, duplicate_response
from kefu.customers.models import Customer
from kefu.customers.workflow import DuplicateSuspected
from kefu.firstvisit import selectors, workflow
from kefu.firstvisit.models import FirstVisit, Need
from kefu.org.models import Department, Region


class NeedSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Need
        fields = [
            "id",
            "first_visit",
            "customer",
            "department",
            "department_name",
            "content",
            "status",
            "recorded_at",
            "submitted_to",
            "submitted_at",
        ]
        read_only_fields = fields


class FirstVisitSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    contract_number = serializers.CharField(source="contract.number", read_only=True)

    class Meta:
        model = FirstVisit
        fields = [
            "id",
            "customer",
            "customer_name",
            "contract",
            "contract_number",
            "specialist",
            "handed_over_by",
            "handed_over_at",
            "status",
            "verified_fields",
            "process_explained_at",
            "process_email_sent_at",
            "attempts",
            "not_completed_reason",
            "next_attempt_at",
            "summary",
            "completed_at",
        ]
        read_only_fields = fields


class NewCustomerSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    short_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    level = serializers.ChoiceField(Customer.Level.choices, required=False)
    province = IdField(queryset=Region.objects.all(), required=False, allow_null=True)
    city = IdField(queryset=Region.objects.all(), required=False, allow_null=True)
    district = IdField(queryset=Region.objects.all(), required=False, allow_null=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    website = serializers.CharField(max_length=200, required=False, allow_blank=True)


class HandOverContractSerializer(ContractSerializer):
    class Meta(ContractSerializer.Meta):
        fields = [f for f in ContractSerializer.Meta.fields if f != "customer"]


class HandOverSerializer(serializers.Serializer):
    customer = IdField(queryset=Customer.objects.all(), required=False, allow_null=True)
    new_customer = NewCustomerSerializer(required=False)
    contact = NewContactSerializer(required=False)
    contract = HandOverContractSerializer()
    confirm_duplicate = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if not attrs.get("customer") and not attrs.get("new_customer"):
            raise serializers.ValidationError({"customer": _("请选择已有客户，或提供 new_customer。")})
        return attrs


class FirstVisitVerifySerializer(serializers.Serializer):
    verified = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    corrections = serializers.DictField(required=False, default=dict)
    expected = serializers.DictField(required=False, default=dict)


class NeedInputSerializer(serializers.Serializer):
    department = IdField(queryset=Department.objects.all())
    content = serializers.CharField()


class FirstVisitCompleteSerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class FirstVisitNotCompletedSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    next_attempt_at = serializers.DateTimeField()


class FirstVisitViewSet(WorkflowActionMixin, viewsets.ReadOnlyModelViewSet):
    """First visits (FV). `?q=` searches customer, contract, record and needs; `?status=open|…`; `?mine=1`."""

    serializer_class = FirstVisitSerializer
    queryset = FirstVisit.objects.none()
    visibility = "internal"  # company staff only

    def get_queryset(self):
        p = self.request.query_params
        return selectors.first_visits_for(
            self.request.user,
            q=p.get("q", ""),
            status=query_choice(p, "status", FirstVisit.Status.choices),
            mine=p.get("mine") == "1",
        )

    def reread(self, result):
        if isinstance(result, FirstVisit):
            result.refresh_from_db()
        return result

    @extend_schema(request=HandOverSerializer, responses={201: FirstVisitSerializer})
    @action(detail=False, methods=["post"], url_path="hand-over")
    def hand_over(self, request):
        """Sales hands over a signed contract (FV-1): customer (existing or new), contract → first-visit task."""
        if not request.user.has_perm("firstvisit.hand_over"):
            raise Forbidden()
        d = self.action_input(HandOverSerializer)
        customer = d.get("customer")
        if customer is not None and not Customer.objects.visible_to(request.user).filter(pk=customer.pk).exists():
            raise Forbidden()
        try:
            return self.act(
                workflow.hand_over_new,
                customer=customer,
                new_customer=d.get("new_customer"),
                contact=d.get("contact"),
                contract=dict(d["contract"]),
                confirm_duplicate=d["confirm_duplicate"],
                status=status.HTTP_201_CREATED,
            )
        except DuplicateSuspected as exc:
            return duplicate_response(exc)

    @extend_schema(request=FirstVisitVerifySerializer, responses=FirstVisitSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Verify archive fields and correct wrong ones (FV-3); keys like `customer.address`, `contact.mobile`."""
        return self.act(workflow.verify, self.get_object(), input=FirstVisitVerifySerializer)

    @extend_schema(request=None, responses=FirstVisitSerializer)
    @action(detail=True, methods=["post"], url_path="explain-process")
    def explain_process(self, request, pk=None):
        return self.act(workflow.explain_process, self.get_object())

    @extend_schema(request=None, responses=FirstVisitSerializer)
    @action(detail=True, methods=["post"], url_path="send-process-email")
    def send_process_email(self, request, pk=None):
        return self.act(workflow.send_process_email, self.get_object())

    @extend_schema(request=NeedInputSerializer, responses={201: NeedSerializer})
    @action(detail=True, methods=["post"])
    def needs(self, request, pk=None):
        return self.act(
            workflow.record_need,
            self.get_object(),
            input=NeedInputSerializer,
            output=NeedSerializer,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=NeedSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="submit-needs", pagination_class=None)  # a plain list
    def submit_needs(self, request, pk=None):
        return self.act(workflow.submit_needs, self.get_object(), output=NeedSerializer)

    @extend_schema(request=FirstVisitCompleteSerializer, responses=FirstVisitSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self.act(workflow.complete, self.get_object(), input=FirstVisitCompleteSerializer)

    @extend_schema(request=FirstVisitNotCompletedSerializer, responses=FirstVisitSerializer)
    @action(detail=True, methods=["post"], url_path="not-completed")
    def not_completed(self, request, pk=None):
        return self.act(workflow.not_completed, self.get_object(), input=FirstVisitNotCompletedSerializer)


class NeedViewSet(viewsets.ReadOnlyModelViewSet):
    """Needs recorded on first visits (FV-5); a department head sees those submitted to their departments."""

    serializer_class = NeedSerializer
    queryset = Need.objects.none()
    visibility = "internal"

    @extend_schema(parameters=[OpenApiParameter("status", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.needs_for(
            self.request.user, status=query_choice(self.request.query_params, "status", Need.Status.choices)
        )
