"""What the apps above congress add to its pages, without congress
importing them (the layers go units ← congress ← delegates ← reports).

An app registers a provider in its ``AppConfig.ready``; the conference
page merges what every provider returns into its context. Today the
delegates app adds the composition targets not met yet, shown beside the
conference's next step.
"""

from collections.abc import Callable
from typing import Any

from .models import Conference

ConferencePageContext = Callable[[Conference], dict[str, Any]]

_conference_page: list[ConferencePageContext] = []


def add_to_conference_page(provider: ConferencePageContext) -> ConferencePageContext:
    """Register ``provider(conference) -> context``; returns it, so it may
    be used as a decorator."""
    if provider not in _conference_page:
        _conference_page.append(provider)
    return provider


def conference_page_context(conference: Conference) -> dict[str, Any]:
    """What the apps above add to ``conference``'s page."""
    context: dict[str, Any] = {}
    for provider in _conference_page:
        context.update(provider(conference))
    return context
