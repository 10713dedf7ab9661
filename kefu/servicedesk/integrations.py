"""Where the service desk hands work to other domains (RV-1, SR-5, HL-4, RV-7).

Each function is one explicit call into the other domain's workflow (architecture: no signals),
made inside the calling transition's transaction. Return visits are `kefu.visits` ReturnVisits
with their own clock, on the assignee's workbench and, once done, on the customer care column.
"""

from datetime import datetime

from django.apps import apps


def _domain_function(app: str, module: str, name: str):
    if not apps.is_installed(app):
        return None
    from importlib import import_module

    return getattr(import_module(f"{app}.{module}"), name, None)


def return_visit_after_hotline(request, *, by, now: datetime):
    """RV-1: after a hotline handling, a return visit by QQ or email is due within 3 days."""
    from kefu.visits import workflow as visits

    return visits.open_for_request(request, kind="hotline", by=by, now=now)


def confirmation_call(request, *, by, now: datetime):
    """SR-5: after closing, the customer representative makes a confirmation call."""
    from kefu.visits import workflow as visits

    return visits.open_for_request(request, kind="confirmation", by=by, now=now)


def library_proposal_function():
    """HL-4: kefu.knowledge.workflow.propose_from_request(source, *, symptom, solution, …) → draft."""
    return _domain_function("kefu.knowledge", "workflow", "propose_from_request")


def propose_to_library(request, *, by, now: datetime):
    """One click: a draft article prefilled from the request's service sheet (HL-4, KB-1)."""
    propose = library_proposal_function()
    if propose is None:
        return None
    return propose(
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


def open_survey(request, *, by, now: datetime):
    """RV-7: a satisfaction survey per handled request (kefu.surveys)."""
    fn = _domain_function("kefu.surveys", "workflow", "open_survey")
    if fn is None or request.owner_id is None:
        return None
    return fn(request, customer=request.customer, served_by=request.owner, by=by, now=now)
