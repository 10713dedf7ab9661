"""What onsite service tells the domain that asked for a visit (OS-1, OS-2, OS-5, SR-5).

Onsite service sits below the domains that request visits (the service desk today, the
network and complaints later): they call down into `fieldservice.workflow`, and it never
imports them. A requesting domain registers its callbacks here from its `AppConfig.ready()`;
each transition of a work order calls `emit()` inside its own transaction, after its own
permission check, so the request moves in the same commit as the order.

Events and their keyword arguments (besides `order`, `by` and `now`):

- RETURNED  `reason`: the service manager sent the onsite request back (OS-1);
- CONTACTED `start`, `end`: the engineer agreed an appointment with the customer (OS-2);
- OUTCOME   `outcome` (one of OUTCOMES), `text`: the visit's result came back (OS-4, OS-5).
"""

from collections.abc import Callable
from datetime import datetime

RETURNED = "returned"
CONTACTED = "contacted"
OUTCOME = "outcome"
EVENTS = (RETURNED, CONTACTED, OUTCOME)

# What came of the visit, for the requesting domain.
SOLVED = "solved"  # signed as solved: the customer is asked to confirm (SR-5)
REDISPATCH = "redispatch"  # not (fully) solved: a next visit is requested (OS-5)
ESCALATED = "escalated"  # not (fully) solved: handed to the vendor / headquarters (OS-5, OS-8)
RESOLVED = "resolved"  # the escalation's answer solved it (OS-5)
OUTCOMES = (SOLVED, REDISPATCH, ESCALATED, RESOLVED)

_callbacks: dict[str, list[Callable]] = {event: [] for event in EVENTS}


def register(event: str, callback: Callable) -> None:
    """`callback(order, *, by, now, **data)`; registering the same function twice is a no-op."""
    if event not in _callbacks:
        raise ValueError(f"unknown onsite hand-off event {event!r}")
    if callback not in _callbacks[event]:
        _callbacks[event].append(callback)


def emit(event: str, order, *, by, now: datetime, **data) -> None:
    for callback in _callbacks[event]:
        callback(order, by=by, now=now, **data)
