"""What the service desk hands to the domains above it (CP-1).

The service desk never imports those domains: a domain above registers its callback here from
its `AppConfig.ready()` (as the service desk does with `fieldservice.handoffs`), and intake calls
`emit()` inside the request's transaction, after its own permission check.

Events and their callbacks:

- COMPLAINT `callback(request, *, by, now)`: a complaint-type request was taken in; the
  complaints domain opens a complaint about it (and tells the quality supervisor).
"""

from collections.abc import Callable
from datetime import datetime

COMPLAINT = "complaint"
EVENTS = (COMPLAINT,)

_callbacks: dict[str, list[Callable]] = {event: [] for event in EVENTS}


def register(event: str, callback: Callable) -> None:
    """Registering the same function twice is a no-op."""
    if event not in _callbacks:
        raise ValueError(f"unknown service-desk hand-off event {event!r}")
    if callback not in _callbacks[event]:
        _callbacks[event].append(callback)


def received(event: str) -> bool:
    """Whether a domain takes this hand-off (else the desk keeps its own fallback)."""
    return bool(_callbacks[event])


def emit(event: str, request, *, by, now: datetime) -> None:
    for callback in _callbacks[event]:
        callback(request, by=by, now=now)
