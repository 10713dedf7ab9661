"""GET /healthz: is the database reachable, are the background jobs running."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone

from kefu.core.models import Heartbeat

HEARTBEAT_MAX_AGE = timedelta(minutes=3)


def healthz(request):
    body = {"status": "ok", "database": "ok", "jobs": "ok", "version": settings.VERSION}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        body.update(status="error", database="error", jobs="degraded")
        return JsonResponse(body, status=503)
    beat = Heartbeat.objects.filter(name="worker").values_list("beat_at", flat=True).first()
    if beat is None or timezone.now() - beat > HEARTBEAT_MAX_AGE:
        body["jobs"] = "degraded"
    return JsonResponse(body)
