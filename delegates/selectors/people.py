"""Reads of the people register: whom a user sees and may place, the
councils people sit on, the register's list and a person's delegations."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from congress.models import Cycle
from delegates.models import (
    TITLE_SHORT_LABELS,
    Delegate,
    EmulationTitle,
    Person,
)
from delegates.people_import import (
    name_key,
    same_birth,
    title_years,
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


def years_of(cycle: Cycle | None) -> range:
    """The title years of a cycle (cycle V: 2015–2019); see ``title_years``."""
    if cycle is None:
        return range(0)
    return title_years(cycle.period_start_year, cycle.period_end_year)


def council_of(unit: Unit) -> Unit | None:
    """The council a unit's people sit on by default: their province's, or
    VSS's (the root) for VSS and the HQ bloc. One query."""
    parts = unit.path.strip("/").split("/")
    paths = [f"/{parts[0]}/", *([f"/{parts[0]}/{parts[1]}/"] if len(parts) > 1 else [])]
    councils = {
        u.path: u for u in Unit.objects.filter(hierarchy_id=unit.hierarchy_id, path__in=paths)
    }
    return branch_council(unit, councils)


def council_choices(unit: Unit) -> list[Unit]:
    """The councils a person of ``unit`` may sit on: their branch's and
    VSS's (the same one for VSS and the HQ bloc). One query."""
    branch = council_of(unit)
    if branch is None:
        return []
    if branch.parent_id is None:
        return [branch]
    root = Unit.objects.filter(hierarchy_id=unit.hierarchy_id, parent=None).first()
    return [branch, *([root] if root is not None else [])]


def find_same_person(
    *,
    unit: Unit,
    full_name: str,
    birth_year: int,
    birth_date: datetime.date | None,
    exclude_pk: int | None = None,
) -> Person | None:
    """The unit's record of the same person (same name and birth), if any."""
    key = name_key(full_name)
    candidates = Person.objects.filter(unit=unit, birth_year=birth_year)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    for other in candidates:
        if name_key(other.full_name) == key and same_birth(
            birth_date, birth_year, other.birth_date, other.birth_year
        ):
            return other
    return None


@dataclass(frozen=True)
class TitleHeld:
    """A title kind a person holds, with its years: "CSTĐ cơ sở 2015, 2016"."""

    key: str
    label: str
    years: tuple[int, ...]

    def __str__(self) -> str:
        return f"{self.label} {', '.join(str(year) for year in self.years)}"


def titles_held(titles: Iterable[EmulationTitle]) -> list[TitleHeld]:
    """Already loaded titles (those of the years wanted), one entry per
    kind held, highest first, each with its years in order (no query)."""
    given = list(titles)
    return [
        TitleHeld(
            key=kind,
            label=str(label),
            years=tuple(sorted({t.year for t in given if t.title == kind})),
        )
        for kind, label in TITLE_SHORT_LABELS.items()
        if any(t.title == kind for t in given)
    ]
