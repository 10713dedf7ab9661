"""Workbench panels contributed by domains (RPT-1). Each provider returns a dict or None.

A provider: `def panel(request) -> dict | None` with keys `title`, `template`, and its context.
"""

from collections.abc import Callable

PROVIDERS: list[Callable] = []


def register(provider: Callable) -> Callable:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


def panels_for(request) -> list[dict]:
    panels = []
    for provider in PROVIDERS:
        panel = provider(request)
        if panel:
            panels.append(panel)
    return panels
