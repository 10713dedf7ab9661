"""Demo data: the three calendars, the rule table, and open clocks for the demo users.

No request domain exists yet, so the demo clocks run on the demo departments and the
demo station; each is started through the engine, as a domain's workflow would. The
hotline user gets one overdue clock, one due within the hour and two due later, whatever
the time of day the demo is loaded (the first two use wall-clock rules).
"""

from datetime import timedelta

from django.utils import timezone

from kefu.deadlines import clocks, defaults
from kefu.org.models import Department, Station, User

# (username, subject kind, subject code, rule key, started how long before now)
DEMO_CLOCKS = [
    ("hotline", "department", "service", "hotline.duty_ready", timedelta(minutes=70)),
    ("hotline", "department", "service", "hotline.handover", timedelta(minutes=5)),
    ("hotline", "department", "service", "hotline.shelved_reply", timedelta(0)),
    ("hotline", "department", "service", "request.first_response.low", timedelta(0)),
    ("field_engineer", "department", "service", "fieldservice.write_off", timedelta(hours=1)),
    ("first_visit", "department", "customer_relations", "firstvisit.call", timedelta(days=6)),
    ("customer_rep", "department", "customer_relations", "returnvisit.hotline", timedelta(days=2)),
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
