"""What the apps above congress add to its pages, without congress
importing them (the layers go units ← congress ← delegates ← reports).

An app registers a provider in its ``AppConfig.ready``; the conference
page merges what every provider returns into its context. Today the
delegates app adds the composition targets not met yet, shown beside the
conference's next step; to each role's home (``congress.todo``) the
delegates app adds the allocations and elections waiting, the reports app
the documents not generated yet.
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


# -- The home's to-do list ----------------------------------------------------
# The apps above add the items of their own objects (allocations, elections,
# generated documents) to a role's to-do list: ``provider(user, cycle)``
# returns ``congress.todo.ToDo`` items; the page orders all by ``position``.

HomeItems = Callable[[Any, Any], list[Any]]

_home: dict[str, list[HomeItems]] = {}


def add_to_home(role: str) -> Callable[[HomeItems], HomeItems]:
    """Register a provider of to-do items for ``role``'s home."""

    def register(provider: HomeItems) -> HomeItems:
        providers = _home.setdefault(role, [])
        if provider not in providers:
            providers.append(provider)
        return provider

    return register


def home_providers(role: str) -> list[HomeItems]:
    """The providers registered for ``role``, in the order of registration."""
    return list(_home.get(role, []))
