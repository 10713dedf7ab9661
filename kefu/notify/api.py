from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kefu.notify import inbox
from kefu.notify.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "link", "created_at", "read_at"]


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The current user's in-app notifications, newest first. `?unread=1` for unread only."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()
    visibility = "own"

    def get_queryset(self):
        qs = Notification.objects.visible_to(self.request.user)
        if self.request.query_params.get("unread") in {"1", "true"}:
            qs = qs.unread()
        return qs

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        inbox.mark_read(request.user, [notification.pk], now=timezone.now())
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)
