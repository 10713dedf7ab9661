"""REST API of satisfaction surveys (RV-7): /api/surveys/ (staff), /api/surveys/<id>/phone/ (phone entry),
/api/surveys/answer/ (the customer's token, no account), /api/surveys/rectifications/."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action, api_view, permission_classes, throttle_classes
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from kefu.core.api import WorkflowActionMixin
from kefu.surveys import selectors, workflow
from kefu.surveys.models import Rectification, Survey


class SurveySerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    served_by_name = serializers.CharField(source="served_by.display_name", read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "subject_label",
            "customer",
            "customer_name",
            "served_by",
            "served_by_name",
            "status",
            "rating",
            "comment",
            "problem",
            "channel",
            "answered_at",
            "created_at",
            "expires_at",
        ]
        read_only_fields = fields


class SurveyAnswerSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    problem = serializers.BooleanField(required=False, default=False)


class TokenAnswerSerializer(SurveyAnswerSerializer):
    token = serializers.CharField()


class RectificationSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = Rectification
        fields = [
            "id",
            "survey",
            "customer",
            "customer_name",
            "owner",
            "reason",
            "status",
            "action_taken",
            "created_at",
            "done_at",
            "done_by",
        ]
        read_only_fields = fields


class CloseSerializer(serializers.Serializer):
    action_taken = serializers.CharField()


class SurveyViewSet(WorkflowActionMixin, viewsets.ReadOnlyModelViewSet):
    """Surveys the user may see. `?status=open|answered`, `?unsatisfied=1`."""

    serializer_class = SurveySerializer
    queryset = Survey.objects.none()
    visibility = "internal"
    lookup_value_regex = "[0-9]+"  # /api/surveys/rectifications/ and /answer/ live beside it

    def get_queryset(self):
        p = self.request.query_params
        return selectors.surveys_for(
            self.request.user, status=p.get("status", ""), unsatisfied=p.get("unsatisfied") in ("1", "true")
        )

    @extend_schema(request=SurveyAnswerSerializer, responses=SurveySerializer)
    @action(detail=True, methods=["post"])
    def phone(self, request, pk=None):
        return self.act(workflow.answer_by_phone, self.get_object(), input=SurveyAnswerSerializer)

    def reread(self, survey: Survey) -> Survey:
        return selectors.survey_for(self.request.user, survey.pk)


class RectificationViewSet(WorkflowActionMixin, viewsets.ReadOnlyModelViewSet):
    """Rectifications (整改): mine, or all for managers. `?status=open|done`, `?mine=1`."""

    serializer_class = RectificationSerializer
    queryset = Rectification.objects.none()
    visibility = "internal"

    def get_queryset(self):
        p = self.request.query_params
        return selectors.rectifications_for(
            self.request.user, status=p.get("status", ""), mine=p.get("mine") in ("1", "true")
        )

    @extend_schema(request=CloseSerializer, responses=RectificationSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self.act(workflow.close_rectification, self.get_object(), input=CloseSerializer)

    def reread(self, item: Rectification) -> Rectification:
        return selectors.rectification_for(self.request.user, item.pk)


@extend_schema(request=TokenAnswerSerializer, responses={200: None})
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
@throttle_classes([AnonRateThrottle])
def answer_by_token(request):
    """The customer's answer through the signed link, without an account; a second use gets 409."""
    s = TokenAnswerSerializer(data=request.data)
    s.is_valid(raise_exception=True)
    data = dict(s.validated_data)
    survey = workflow.answer_by_token(data.pop("token"), **data, now=timezone.now())
    return Response({"id": survey.pk, "status": survey.status, "detail": _("感谢您的评价！")})
