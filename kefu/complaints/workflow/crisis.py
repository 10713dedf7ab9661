"""Customer crises in the station network (CP-9): the station of the customer's region handles
the complaint or asks headquarters for help; headquarters coordinates and records the solution;
the result goes back to the call centre; a crisis not fixed in time rises to serious by rule;
an archived crisis gets a return visit."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kefu.audit.service import record
from kefu.complaints.models import HEADQUARTERS_ROLES, Complaint
from kefu.complaints.workflow._common import (
    CRISIS_FIX,
    HELP_REQUIRED,
    RESULT_REQUIRED,
    SOLUTION_REQUIRED,
    S,
    notify,
    result_back,
)
from kefu.core import states
from kefu.core.errors import Invalid
from kefu.core.permissions import require
from kefu.core.validation import text
from kefu.deadlines import clocks
from kefu.org import roles
from kefu.org.models import User
from kefu.org.selectors import active_with_role
from kefu.visits import workflow as visits
from kefu.visits.models import ReturnVisit


def _headquarters() -> list[User]:
    return list(dict.fromkeys(u for role in sorted(HEADQUARTERS_ROLES) for u in active_with_role(role)))


def ask_headquarters(complaint: Complaint, *, help: str, report: str = "", by: User, now: datetime) -> Complaint:
    """The station cannot fix it alone and asks headquarters for help (CP-9)."""
    require(by, "complaints.station_handle", complaint)
    help = text(Complaint, "help_request", help)
    if not help:
        raise Invalid(HELP_REQUIRED, field="help")
    with transaction.atomic():
        states.move(
            complaint,
            S.HQ_HELP,
            by=by,
            now=now,
            verb="ask_headquarters",
            help_request=help,
            station_report=text(Complaint, "station_report", report) or complaint.station_report,
        )
        notify(
            "complaint.hq_help",
            complaint,
            _headquarters(),
            _("维修站请求总部协助处理客户危机：%(n)s") % {"n": complaint.number},
            body=help,
            now=now,
        )
    return complaint


def _back_to_call_centre(complaint: Complaint, *, now: datetime) -> None:
    """The crisis's result goes back to the call centre (CP-9)."""
    notify(
        "complaint.crisis_result",
        complaint,
        active_with_role(roles.CALL_CENTER),
        _("客户危机处理结果已反馈：%(n)s %(c)s") % {"n": complaint.number, "c": complaint.customer.name},
        now=now,
    )


def station_result(complaint: Complaint, *, report: str, result: str, by: User, now: datetime) -> Complaint:
    """The station fixed it itself: what it did and the result, back to the call centre (CP-9)."""
    require(by, "complaints.station_handle", complaint)
    report, result = text(Complaint, "station_report", report), text(Complaint, "result", result)
    if not result:
        raise Invalid(RESULT_REQUIRED, field="result")
    with transaction.atomic():
        states.move(
            complaint,
            S.RESULT,
            by=by,
            now=now,
            verb="station_report",
            station_report=report,
            result=result,
            result_at=now,
        )
        clocks.stop(complaint, CRISIS_FIX, now=now, by=by)
        result_back(complaint, by=by, now=now)
        _back_to_call_centre(complaint, now=now)
    return complaint


def hq_solution(complaint: Complaint, *, solution: str, result: str, by: User, now: datetime) -> Complaint:
    """Headquarters coordinates and records the solution; the result goes back (CP-9)."""
    require(by, "complaints.coordinate", complaint)
    solution, result = text(Complaint, "hq_solution", solution), text(Complaint, "result", result)
    if not solution:
        raise Invalid(SOLUTION_REQUIRED, field="solution")
    if not result:
        raise Invalid(RESULT_REQUIRED, field="result")
    with transaction.atomic():
        states.move(
            complaint,
            S.RESULT,
            by=by,
            now=now,
            verb="hq_solution",
            hq_solution=solution,
            result=result,
            result_at=now,
        )
        clocks.stop(complaint, CRISIS_FIX, now=now, by=by)
        result_back(complaint, by=by, now=now)
        _back_to_call_centre(complaint, now=now)
    return complaint


def raise_to_serious(complaint: Complaint, *, clock, now: datetime) -> None:
    """The crisis clock's breach handler (kefu.deadlines.scan.on_breach): a crisis not fixed in
    time rises to serious, and the customer-service manager is told (CP-9). Runs in the scan's
    transaction; acting is the system."""
    if complaint.status not in (S.AT_STATION, S.HQ_HELP) or complaint.crisis_level == Complaint.Crisis.SERIOUS:
        return
    before = complaint.get_crisis_level_display()
    if not Complaint.objects.filter(pk=complaint.pk, status__in=(S.AT_STATION, S.HQ_HELP)).update(
        crisis_level=Complaint.Crisis.SERIOUS, crisis_raised_at=now, updated_at=now
    ):
        return
    complaint.refresh_from_db()
    record(
        complaint,
        "crisis_serious",
        by=None,
        at=now,
        before=before,
        after=complaint.get_crisis_level_display(),
        data={"clock": clock.pk},
    )
    notify(
        "complaint.crisis_serious",
        complaint,
        [*active_with_role(roles.SERVICE_MANAGER), *active_with_role(roles.QUALITY)],
        _("客户危机未及时解决，已升级为严重危机：%(n)s %(c)s") % {"n": complaint.number, "c": complaint.customer.name},
        now=now,
        key=f"complaint.crisis_serious:{complaint.pk}",
    )


def archive(complaint: Complaint, *, by: User | None, now: datetime) -> ReturnVisit:
    """The crisis is archived with the complaint's closing and the customer is visited again: a
    return visit generated by rule (CP-9, kefu.visits)."""
    Complaint.objects.filter(pk=complaint.pk).update(crisis_archived_at=now)
    complaint.crisis_archived_at = now
    record(complaint, "archive_crisis", by=by, at=now)
    assignee = complaint.reviewed_by or next(iter(active_with_role(roles.QUALITY)), None)
    return visits.open_for_complaint(complaint, assignee=assignee, by=by, now=now)
