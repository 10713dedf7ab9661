"""REST API of approvals: `/api/approvals/` the steps waiting for me (`?scope=submitted` the
approvals I submitted), one approval with its history, `POST <id>/decide/`, `POST <id>/resubmit/`."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action

from kefu.approvals import selectors, workflow
from kefu.approvals.models import Approval, ApprovalStep
from kefu.core.api import WorkflowActionMixin, query_choice


class ApprovalStepSerializer(serializers.ModelSerializer):
    decided_by_name = serializers.SerializerMethodField()
    deciders = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalStep
        fields = [
            "id",
            "round",
            "order",
            "label",
            "status",
            "deciders",
            "started_at",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "reason",
        ]
        read_only_fields = fields

    def get_decided_by_name(self, obj) -> str:
        return obj.decided_by.display_name if obj.decided_by_id else ""

    def get_deciders(self, obj) -> list[str]:
        return [u.display_name for u in obj.deciders.all()]


class ApprovalSerializer(serializers.ModelSerializer):
    steps = serializers.SerializerMethodField()
    subject_type = serializers.CharField(source="content_type.model", read_only=True)

    class Meta:
        model = Approval
        fields = [
            "id",
            "chain",
            "subject_type",
            "object_id",
            "subject_label",
            "status",
            "round",
            "note",
            "submitted_by",
            "submitted_at",
            "decided_at",
            "steps",
        ]
        read_only_fields = fields

    def get_steps(self, obj) -> list[dict]:
        return ApprovalStepSerializer(obj.steps.all(), many=True).data  # prefetched in order


class DecisionSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField([workflow.APPROVE, workflow.RETURN, workflow.REJECT])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)


class ResubmitSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)


class ApprovalViewSet(WorkflowActionMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ApprovalSerializer
    queryset = Approval.objects.none()
    visibility = "internal"

    @extend_schema(parameters=[OpenApiParameter("scope", str, enum=["pending", "submitted"])])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        user = self.request.user
        if self.action != "list":
            return selectors.approvals_for(user)
        scope = query_choice(self.request.query_params, "scope", ["pending", "submitted"], default="pending")
        if scope == "submitted":
            return selectors.approvals_for(user).filter(submitted_by=user)
        return (
            selectors.approvals_for(user)
            .filter(steps__status=ApprovalStep.Status.PENDING, steps__deciders=user)
            .distinct()
        )

    @extend_schema(request=DecisionSerializer, responses=ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Approve, return for changes or reject the current step (a reason for the last two);
        403 for someone who may not decide it, 409 when someone decided first."""
        return self.act(workflow.decide, self.get_object(), input=DecisionSerializer)

    @extend_schema(request=ResubmitSerializer, responses=ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        return self.act(workflow.resubmit, self.get_object(), input=ResubmitSerializer)

    def reread(self, approval: Approval) -> Approval:
        """The approval as it is now, its steps read again (the prefetched ones are from before)."""
        return selectors.approvals_for(self.request.user).get(pk=approval.pk)
