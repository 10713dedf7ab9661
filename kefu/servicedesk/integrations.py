"""Where the service desk hands work to other domains (RV-1, SR-5, HL-4, RV-7).

Each function is one explicit call into the other domain's workflow (architecture: no signals).
INTEGRATION POINT: kefu.visits (return visits), kefu.knowledge (problem library, surveys) are
built at the same time as this app. Until their functions exist, the obligation is still kept
by the deadline engine: the return visit's 3-day clock runs on the request itself and the
customer representative is told, so nothing is lost; once the function exists it is called.
"""

from datetime import datetime

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from kefu.deadlines import clocks
from kefu.notify import outbox


def _domain_function(app: str, module: str, name: str):
    if not apps.is_installed(app):
        return None
    from importlib import import_module

    return getattr(import_module(f"{app}.{module}"), name, None)


def return_visit_after_hotline(request, *, by, now: datetime) -> None:
    """RV-1: after a hotline handling, a return visit by QQ or email is due within 3 days."""
    open_visit = _domain_function("kefu.visits", "workflow", "open_for_request")
    if open_visit is not None:
        open_visit(request, kind="hotline", by=by, now=now)
        return
    rep = request.customer.owner if request.customer.owner_id else request.owner
    clocks.start(request, "returnvisit.hotline", owner=rep, now=now, by=by)
    outbox.enqueue(
        "request.return_visit_due",
        request,
        to=[rep],
        subject=str(
            _("热线回访（3 天内，QQ 或邮件）：%(n)s %(c)s") % {"n": request.number, "c": request.customer.name}
        ),
        link=request.get_absolute_url(),
        now=now,
    )


def confirmation_call(request, *, by, now: datetime) -> None:
    """SR-5: after closing, the customer representative makes a confirmation call."""
    open_visit = _domain_function("kefu.visits", "workflow", "open_for_request")
    if open_visit is not None:
        open_visit(request, kind="confirmation", by=by, now=now)
        return
    rep = request.customer.owner
    if rep is None:
        return
    outbox.enqueue(
        "request.confirmation_call",
        request,
        to=[rep],
        subject=str(
            _("请对已关闭的服务请求做确认回访：%(n)s %(c)s") % {"n": request.number, "c": request.customer.name}
        ),
        link=request.get_absolute_url(),
        now=now,
    )


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
