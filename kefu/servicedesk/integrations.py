"""Where the service desk hands work to other domains (RV-1, SR-5, HL-4, RV-7).

Each function is one explicit call into the other domain's workflow (architecture: no signals),
made inside the calling transition's transaction. Return visits are `kefu.visits` ReturnVisits
with their own clock, on the assignee's workbench and, once done, on the customer care column.

The service desk sits above these domains (the layers contract in pyproject.toml), so it
imports them plainly at the top; none of them imports the service desk.
"""

from datetime import datetime

from kefu.knowledge import workflow as knowledge
from kefu.org.models import User
from kefu.surveys import workflow as surveys
from kefu.visits import workflow as visits


def return_visit_after_hotline(request, *, by: User, now: datetime):
    """RV-1: after a hotline handling, a return visit by QQ or email is due within 3 days."""
    return visits.open_for_request(request, kind="hotline", by=by, now=now)


def confirmation_call(request, *, by: User, now: datetime):
    """SR-5: after closing, the customer representative makes a confirmation call."""
    return visits.open_for_request(request, kind="confirmation", by=by, now=now)


def propose_to_library(request, *, by: User, now: datetime):
    """One click: a draft article prefilled from the request's service sheet (HL-4, KB-1)."""
    return knowledge.propose_from_request(
        request,
        symptom=request.phenomenon,
        cause=request.cause,
        solution=request.result or request.method,
        steps=request.method,
        product=request.product,
        title=request.title,
        by=by,
        now=now,
    )


def open_survey(request, *, by: User, now: datetime):
    """RV-7: a satisfaction survey per handled request (kefu.surveys)."""
    if request.owner_id is None:
        return None
    return surveys.open_survey(request, customer=request.customer, served_by=request.owner, by=by, now=now)
