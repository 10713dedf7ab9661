"""Demo: the field engineer's profile on the dispatch board. The work orders themselves are
made by the service desk's demo (`kefu.servicedesk.demo_onsite`): an onsite visit always
follows a service request, and the desk is the domain above that asks for it."""

from datetime import datetime

from kefu.fieldservice.models import EngineerProfile
from kefu.org.models import User


def load(now: datetime | None = None) -> int:
    engineer = User.objects.filter(username="field_engineer").first()
    if engineer is None:
        return 0
    _profile, created = EngineerProfile.objects.get_or_create(
        user=engineer, defaults={"skills": "财务软件、打印机、网络"}
    )
    return int(created)
