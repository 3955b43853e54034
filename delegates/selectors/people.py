"""Reads of the people register: whom a user sees and may place, the
councils people sit on, the register's list and a person's delegations."""

from django.db.models import Prefetch, QuerySet

from delegates.models import (
    Delegate,
    EmulationTitle,
    Person,
)
from delegates.selectors.delegates import matching_name
from units.models import Unit, UnitKind


def council_units(hierarchy_id: int) -> dict[str, Unit]:
    """The units that hold a council, by path: the root (VSS) and the
    branches directly under it (provinces; the HQ bloc's people sit on
    VSS's). One query."""
    return {
        unit.path: unit
        for unit in Unit.objects.filter(hierarchy_id=hierarchy_id, depth__lte=1).only(
            "pk", "path", "kind", "hierarchy_id", "name", "code"
        )
    }


def branch_council(unit: Unit, councils: dict[str, Unit]) -> Unit | None:
    """The council ``unit``'s people sit on by default: their province's,
    or VSS's for VSS and the HQ bloc (``councils``: ``council_units``)."""
    parts = unit.path.strip("/").split("/")
    root = councils.get(f"/{parts[0]}/")
    if len(parts) == 1:
        return root
    branch = councils.get(f"/{parts[0]}/{parts[1]}/")
    if branch is None or branch.kind == UnitKind.HQ_BLOC:
        return root
    return branch


def visible_people(user) -> QuerySet[Person]:
    """People of the units the user may see (a person's unit decides)."""
    from units.permissions import visible_units

    return Person.objects.filter(unit__in=visible_units(user))


def changeable_units(user) -> QuerySet[Unit]:
    """Units whose staff the user may add or change: the visible units of
    a role with the CHANGE right (an officer's subtree, an administrator's
    cycle), none for the others."""
    from units.permissions import Action, allowed_actions, visible_units

    if Action.CHANGE not in allowed_actions(user):
        return Unit.objects.none()
    return visible_units(user)


def council_unit_choices(user, current: Unit | None = None) -> QuerySet[Unit]:
    """The councils the user may seat people on (units holding one: VSS's
    root, the provinces; not the HQ bloc, whose people sit on VSS's), and
    the person's present one, so that editing keeps it."""
    councils = (
        changeable_units(user).filter(depth__lte=1, is_active=True).exclude(kind=UnitKind.HQ_BLOC)
    )
    if current is not None:
        councils = councils | Unit.objects.filter(pk=current.pk)
    return councils.order_by("depth", "position", "path")


def people_list(
    *,
    user,
    query: str = "",
    area: Unit | None = None,
    rank: int | None = None,
    gender: str = "",
    title: str = "",
    years: range | None = None,
    active: bool | None = True,
) -> QuerySet[Person]:
    """Visible people matching a search and filters, for the paginated list
    and the export, with their unit and titles: two queries whatever the rows.

    The search ignores case and diacritics (``search_name``), every word
    must match; ``area`` is a unit and its subtree; ``title`` keeps people
    holding that emulation title in one of ``years`` (the cycle's).
    """
    from django.db.models import Exists, OuterRef

    people = matching_name(visible_people(user).select_related("unit__parent"), query)
    if area is not None:
        people = people.filter(
            unit__hierarchy_id=area.hierarchy_id, unit__path__startswith=area.path
        )
    if rank is not None:
        people = people.filter(rank=rank)
    if gender:
        people = people.filter(gender=gender)
    if title:
        held = EmulationTitle.objects.filter(person=OuterRef("pk"), title=title)
        if years is not None:
            held = held.filter(year__in=list(years))
        people = people.filter(Exists(held))
    if active is not None:
        people = people.filter(is_active=active)
    return people.prefetch_related(
        Prefetch("titles", queryset=EmulationTitle.objects.order_by("year", "title"))
    ).order_by("unit__path", "rank", "name_key", "pk")


def person_delegations(person: Person) -> QuerySet[Delegate]:
    """The conferences a person attends as a delegate, lowest tier first."""
    return person.delegations.select_related(
        "conference__tier", "conference__unit", "elected_at__unit", "elected_at__tier"
    ).order_by("conference__tier__level", "conference__date")
