"""REST API of service plans (PLAN-1..PLAN-3): write, then explicit POST actions."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action

from kefu.core.api import WorkflowActionMixin, query_choice
from kefu.core.parsers import WITH_FILES
from kefu.core.serializers import IdField
from kefu.customers.models import Contract, Customer
from kefu.plans import selectors, workflow
from kefu.plans.models import ServicePlan


class ServicePlanSerializer(serializers.ModelSerializer):
    customer = IdField(queryset=Customer.objects.all())
    contract = IdField(queryset=Contract.objects.all(), required=False, allow_null=True)

    class Meta:
        model = ServicePlan
        fields = [
            "id",
            "customer",
            "contract",
            "author",
            "content",
            "period_start",
            "period_end",
            "visit_frequency",
            "visit_channel",
            "requirements",
            "status",
            "submitted_at",
            "decided_by",
            "decided_at",
            "return_reason",
            "signer_name",
            "signed_at",
            "created_at",
        ]
        read_only_fields = [
            "author",
            "status",
            "submitted_at",
            "decided_by",
            "decided_at",
            "return_reason",
            "signer_name",
            "signed_at",
            "created_at",
        ]
        extra_kwargs = {
            "content": {"required": False},
            "period_start": {"required": False},
            "period_end": {"required": False},
        }


class PlanReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class PlanSignSerializer(serializers.Serializer):
    signer_name = serializers.CharField(max_length=50)
    signature = serializers.CharField(required=False, allow_blank=True, help_text="data:image/png;base64,…")
    scan = serializers.FileField(required=False)


class ServicePlanViewSet(
    WorkflowActionMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Service plans. Create from a contract (content and period default to its service terms)."""

    serializer_class = ServicePlanSerializer
    queryset = ServicePlan.objects.none()
    visibility = "internal"  # customers sign on the page
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.request.user.is_external:
            return ServicePlan.objects.none()
        return selectors.plans_for(
            self.request.user, status=query_choice(self.request.query_params, "status", ServicePlan.Status.choices)
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        customer, contract = data.pop("customer"), data.pop("contract", None)
        if not Customer.objects.visible_to(self.request.user).filter(pk=customer.pk).exists():
            raise serializers.ValidationError({"customer": _("无效的客户。")})
        serializer.instance = workflow.create_plan(
            customer, contract=contract, data=data, by=self.request.user, now=timezone.now()
        )

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k not in ("customer", "contract")}
        serializer.instance = workflow.update_plan(serializer.instance, data, by=self.request.user, now=timezone.now())

    @extend_schema(request=None, responses=ServicePlanSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.act(workflow.submit, self.get_object())

    @extend_schema(request=None, responses=ServicePlanSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.act(workflow.approve, self.get_object())

    @extend_schema(request=PlanReasonSerializer, responses=ServicePlanSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_plan(self, request, pk=None):
        return self.act(workflow.return_plan, self.get_object(), input=PlanReasonSerializer)

    @extend_schema(request=PlanSignSerializer, responses=ServicePlanSerializer)
    @action(detail=True, methods=["post"], parser_classes=WITH_FILES)
    def sign(self, request, pk=None):
        return self.act(workflow.sign, self.get_object(), input=PlanSignSerializer)
