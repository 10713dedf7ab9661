"""Demo: the field engineer is senior (RV-6), and the daily job runs once (idempotent)."""

from datetime import datetime

from django.utils import timezone

from kefu.org.models import User
from kefu.visits import workflow
from kefu.visits.models import EngineerGrade


def load(now: datetime | None = None) -> int:
    created = 0
    engineer = User.objects.filter(username="field_engineer").first()
    if engineer is not None:
        created += EngineerGrade.objects.get_or_create(user=engineer, defaults={"grade": "senior"})[1]
    counts = workflow.generate_due(now=now or timezone.now())
    return created + sum(counts.values())
