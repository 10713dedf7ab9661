"""Demo data: the three calendars, the rule table, and open clocks for the roles whose domain
is not built yet.

Roles with a domain (hotline, field engineer, first visit, customer representative, service
manager) get real clocks from their domain's demo data, made through its workflow. Until the
complaint, manufacturer-network and parts domains exist, their roles' demo clocks run on the
demo departments and stations, started through the engine as a workflow would.
"""

from datetime import timedelta

from django.utils import timezone

from kefu.deadlines import clocks, defaults
from kefu.org.models import Department, Station, User

# (username, subject kind, subject code, rule key, started how long before now)
DEMO_CLOCKS = [
    ("quality", "department", "quality", "complaint.contact", timedelta(minutes=30)),
    ("call_center", "department", "call_center", "returnvisit.network_followup", timedelta(hours=40)),
    ("parts_group", "department", "parts", "parts.return_query", timedelta(hours=2)),
    ("station_master", "station", "sh-pudong", "station.acknowledge", timedelta(minutes=30)),
    ("station_master", "station", "sh-pudong", "parts.weekly_stock_report", timedelta(0)),
    ("station_engineer", "station", "sh-pudong", "station.urban_visit", timedelta(hours=20)),
    ("station_master_b", "station", "hz-xihu", "station.acknowledge", timedelta(minutes=45)),
]


def load() -> int:
    """Idempotent: an open clock of the same subject and rule is kept, not doubled."""
    now = timezone.now()
    created = defaults.sync(now=now)["created"]
    users = {u.username: u for u in User.objects.filter(username__in={row[0] for row in DEMO_CLOCKS})}
    subjects = {
        **{("department", d.code): d for d in Department.objects.all()},
        **{("station", s.code): s for s in Station.objects.all()},
    }
    for username, kind, code, rule_key, ago in DEMO_CLOCKS:
        owner, subject = users.get(username), subjects.get((kind, code))
        if owner is None or subject is None or clocks.open_clock(subject, rule_key) is not None:
            continue
        if clocks.start(subject, rule_key, owner=owner, now=now - ago) is not None:
            created += 1
    return created
