"""REST API of return visits (RV-8): lists per assignee and overdue; results as a POST action."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action

from kefu.core.api import WorkflowActionMixin
from kefu.core.errors import Forbidden
from kefu.core.serializers import IdField
from kefu.org.models import User
from kefu.visits import selectors, workflow
from kefu.visits.models import ReturnVisit


class ReturnVisitSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    due_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = ReturnVisit
        fields = [
            "id",
            "customer",
            "customer_name",
            "kind",
            "channel",
            "status",
            "plan",
            "source_type",
            "source_id",
            "planned_for",
            "assignee",
            "due_at",
            "opened_at",
            "content",
            "satisfaction",
            "problems",
            "done_at",
            "done_by",
            "cancel_reason",
            "created_at",
        ]
        read_only_fields = fields


class VisitResultSerializer(serializers.Serializer):
    content = serializers.CharField()
    satisfaction = serializers.ChoiceField(ReturnVisit.Satisfaction.choices)
    problems = serializers.CharField(required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(ReturnVisit.Channel.choices, required=False)


class VisitCancelSerializer(serializers.Serializer):
    reason = serializers.CharField()


class VisitAssignSerializer(serializers.Serializer):
    assignee = IdField(queryset=User.objects.filter(is_active=True))


class ReturnVisitViewSet(WorkflowActionMixin, viewsets.ReadOnlyModelViewSet):
    """Return visits. `?scope=mine` (default) | `all` (managers); `?overdue=1` open visits past due
    (managers); `?status=todo|scheduled|open|done`; `?kind=plan|care|inspection|hotline|confirmation|onsite`."""

    serializer_class = ReturnVisitSerializer
    queryset = ReturnVisit.objects.none()
    visibility = "internal"

    @extend_schema(parameters=[OpenApiParameter(n, str) for n in ("scope", "overdue", "status", "kind")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        p = self.request.query_params
        overdue = p.get("overdue") in ("1", "true")
        if overdue and not self.request.user.has_perm("visits.view_overdue"):
            raise Forbidden()
        if self.action != "list":
            return selectors.visits_for(self.request.user, scope="all")
        return selectors.visits_for(
            self.request.user,
            scope="all" if overdue else p.get("scope", "mine"),
            status=p.get("status", ""),
            kind=p.get("kind", ""),
            overdue_at=timezone.now() if overdue else None,
        )

    def reread(self, visit: ReturnVisit) -> ReturnVisit:
        return selectors.visit_for(self.request.user, visit.pk)

    @extend_schema(request=VisitResultSerializer, responses=ReturnVisitSerializer)
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        return self.act(workflow.record_result, self.get_object(), input=VisitResultSerializer)

    @extend_schema(request=VisitAssignSerializer, responses=ReturnVisitSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self.act(workflow.assign, self.get_object(), input=VisitAssignSerializer)

    @extend_schema(request=VisitCancelSerializer, responses=ReturnVisitSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.act(workflow.cancel, self.get_object(), input=VisitCancelSerializer)
