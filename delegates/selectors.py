"""Reads of delegates and quotas."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from django.db import models
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from congress.models import Conference, Cycle, Tier
from congress.selectors import cap_for
from units.models import Unit, UnitKind
from units.text import fold

from .models import (
    Allocation,
    AllocationLine,
    Category,
    Delegate,
    EmulationTitle,
    Person,
    Rank,
)
from .names import name_sort_key


def delegate_cap(conference: Conference) -> int | None:
    """The conference's maximum attendance, its unit's exception included
    (300; 350 for the HQ bloc, HCMC and Hà Nội; 500 at the Congress);
    ``None`` where all staff attend (tier 1)."""
    return cap_for(tier=conference.tier, unit=conference.unit)


def counted_delegates(conference: Conference) -> QuerySet[Delegate]:
    """The delegates that count towards the cap: guests are left out where
    the tier says so (the Congress: "500, guests not counted")."""
    delegates = Delegate.objects.filter(conference=conference)
    if not conference.tier.cap_counts_guests:
        delegates = delegates.exclude(category=Category.GUEST)
    return delegates


def approved_allocation(conference: Conference) -> Allocation | None:
    """The allocation that binds the elections to ``conference``."""
    return conference.allocations.filter(status=Allocation.Status.APPROVED).first()


def approved_quota(*, target: Conference, unit) -> int | None:
    """How many delegates ``unit`` elects to ``target``, by the approved
    allocation; ``None`` while no allocation is approved."""
    return (
        AllocationLine.objects.filter(
            allocation__conference=target,
            allocation__status=Allocation.Status.APPROVED,
            unit=unit,
        )
        .values_list("seats", flat=True)
        .first()
    )


# -- The delegate list of a conference ----------------------------------------
# A conference has at most 500 delegates (the Congress): the list is loaded
# whole in one query and ordered and filtered in Python, so that the
# Vietnamese name order (delegates.names) is exact and the count of queries
# does not grow with the rows.

CATEGORY_ORDER = {category: index for index, category in enumerate(Category.values)}

# The Vietnamese name key costs some 60 µs a name (a third of a 500-row
# list's time); the same names are listed again and again, so keys are
# kept per process (a few MB at most).
_name_key = lru_cache(maxsize=16384)(name_sort_key)


class DelegateOrder(StrEnum):
    PROTOCOL = "protocol"  # category, unit (tree order), rank, name
    NAME = "name"  # category, Vietnamese name order (given name first)


def conference_delegates(conference: Conference) -> list[Delegate]:
    """Every delegate of ``conference`` with what lists and exports show:
    the person, their unit, the unit they come from and the conference that
    elected them. One query."""
    return list(
        Delegate.objects.filter(conference=conference).select_related(
            "person", "person__unit", "unit", "elected_at__unit"
        )
    )


UnitKey = tuple[tuple[int, str], ...]


def unit_protocol_keys(units: Iterable[Unit]) -> dict[int, UnitKey]:
    """A sort key per unit in protocol order: the (position, code) of each
    of its ancestors from the root down, then its own, so that a unit comes
    right after its parent and sister units follow their ``position``. One
    query for all the ancestors, none when there is no unit."""
    by_pk = {unit.pk: unit for unit in units}
    paths = {path for unit in by_pk.values() for path in (*unit.ancestor_paths, unit.path)}
    if not paths:
        return {}
    hierarchies = {unit.hierarchy_id for unit in by_pk.values()}
    places = {
        path: (position, code)
        for path, position, code in Unit.objects.filter(
            hierarchy_id__in=hierarchies, path__in=paths
        ).values_list("path", "position", "code")
    }
    return {
        pk: tuple(places.get(path, (0, path)) for path in (*unit.ancestor_paths, unit.path))
        for pk, unit in by_pk.items()
    }


def delegate_unit(delegate: Delegate) -> Unit | None:
    """The unit a delegate is listed under: the unit they come from (for an
    elected delegate, the unit whose conference elected them)."""
    if delegate.unit_id is not None:
        return delegate.unit
    person = delegate.person  # no query: selected, or None
    return person.unit if person is not None else None


def protocol_sort_key(delegate: Delegate, unit_keys: dict[int, UnitKey]) -> tuple:
    """Protocol order (DOMAIN.md, "leaders first"): category, then unit in
    tree order, then rank, then Vietnamese name order. Guests outside the
    register have no unit or rank: they keep the order they were entered
    in, which is the officer's protocol order for them."""
    unit = delegate_unit(delegate)
    person = delegate.person
    return (
        CATEGORY_ORDER.get(delegate.category, len(CATEGORY_ORDER)),
        unit_keys.get(unit.pk, ()) if unit is not None else (),
        person.rank if person is not None else 0,
        0 if person is not None else delegate.pk,
        _name_key(delegate.name),
        delegate.pk,
    )


def name_order_key(delegate: Delegate) -> tuple:
    """Within each category, Vietnamese name order (given name first)."""
    return (
        CATEGORY_ORDER.get(delegate.category, len(CATEGORY_ORDER)),
        _name_key(delegate.name),
        delegate.pk,
    )


def delegate_search_text(delegate: Delegate) -> str:
    """What the list's search box looks in, folded (no diacritics)."""
    person = delegate.person
    unit = delegate_unit(delegate)
    parts = [
        delegate.name,
        delegate.guest_title,
        delegate.guest_organisation,
        person.position if person is not None else "",
        unit.name if unit is not None else "",
    ]
    return fold(" ".join(parts))


@dataclass(frozen=True)
class DelegateFilters:
    category: str = ""
    unit: Unit | None = None  # the unit and the units under it
    gender: str = ""
    query: str = ""

    @property
    def active(self) -> bool:
        return bool(self.category or self.unit or self.gender or self.query.strip())

    def match(self, delegate: Delegate) -> bool:
        if self.category and delegate.category != self.category:
            return False
        if self.unit is not None:
            unit = delegate_unit(delegate)
            if unit is None or not unit.is_within(self.unit):
                return False
        person = delegate.person
        if self.gender and (person is None or person.gender != self.gender):
            return False
        words = fold(self.query).split()
        if words:
            text = delegate_search_text(delegate)
            return all(word in text for word in words)
        return True


@dataclass(frozen=True)
class CategoryCount:
    category: str
    label: str
    count: int
    counted: bool  # towards the cap


@dataclass(frozen=True)
class UnitGroup:
    unit: Unit | None  # None: guests outside the register, or the name order
    rows: list[tuple[int, Delegate]]  # (number in the list, delegate)


@dataclass(frozen=True)
class CategoryGroup:
    category: str
    label: str
    groups: list[UnitGroup]

    @property
    def size(self) -> int:
        return sum(len(group.rows) for group in self.groups)


@dataclass(frozen=True)
class Seats:
    """The delegates per category against the cap."""

    categories: list[CategoryCount]
    cap: int | None
    cap_counts_guests: bool

    @property
    def counted(self) -> int:
        return sum(entry.count for entry in self.categories if entry.counted)

    @property
    def total(self) -> int:
        return sum(entry.count for entry in self.categories)

    @property
    def left(self) -> int | None:
        return None if self.cap is None else max(0, self.cap - self.counted)

    @property
    def is_full(self) -> bool:
        return self.cap is not None and self.counted >= self.cap


def _seats(conference: Conference, per_category: dict[str, int]) -> Seats:
    counts_guests = conference.tier.cap_counts_guests
    return Seats(
        categories=[
            CategoryCount(
                category=category,
                label=str(label),
                count=per_category.get(category, 0),
                counted=category != Category.GUEST or counts_guests,
            )
            for category, label in Category.choices
        ],
        cap=delegate_cap(conference),
        cap_counts_guests=counts_guests,
    )


def seats(conference: Conference) -> Seats:
    """The seats of a conference, taken and left (guests counted or not
    as the tier says): two queries."""
    per_category = dict(
        Delegate.objects.filter(conference=conference)
        .values("category")
        .annotate(count=models.Count("pk"))
        .values_list("category", "count")
    )
    return _seats(conference, per_category)


@dataclass(frozen=True)
class DelegateList:
    delegates: list[Delegate]  # every delegate, ordered
    shown: list[Delegate]  # those the filters keep, in the same order
    seats: Seats
    units: list[Unit]  # the units delegates come from, in protocol order
    order: str

    def grouped(self) -> list[CategoryGroup]:
        """The shown delegates by category, then (in protocol order) by
        unit, numbered continuously as printed lists are."""
        labels = dict(Category.choices)
        result: list[CategoryGroup] = []
        for number, delegate in enumerate(self.shown, start=1):
            if not result or result[-1].category != delegate.category:
                result.append(
                    CategoryGroup(
                        category=delegate.category,
                        label=str(labels.get(delegate.category, delegate.category)),
                        groups=[],
                    )
                )
            unit = delegate_unit(delegate) if self.order == DelegateOrder.PROTOCOL else None
            groups = result[-1].groups
            if not groups or groups[-1].unit != unit:
                groups.append(UnitGroup(unit=unit, rows=[]))
            groups[-1].rows.append((number, delegate))
        return result


def delegate_list(
    conference: Conference,
    *,
    order: str = DelegateOrder.PROTOCOL,
    filters: DelegateFilters | None = None,
) -> DelegateList:
    """The delegate list of a conference: ordered, filtered, counted per
    category against the cap (guests counted or not as the tier says).
    Three queries whatever the number of delegates."""
    filters = filters or DelegateFilters()
    order = DelegateOrder.NAME if order == DelegateOrder.NAME else DelegateOrder.PROTOCOL
    delegates = conference_delegates(conference)
    units = {unit.pk: unit for unit in map(delegate_unit, delegates) if unit is not None}
    keys = unit_protocol_keys(units.values())
    if order == DelegateOrder.NAME:
        ordered = sorted(delegates, key=name_order_key)
    else:
        ordered = sorted(delegates, key=lambda delegate: protocol_sort_key(delegate, keys))
    per_category: dict[str, int] = {}
    for delegate in delegates:
        per_category[delegate.category] = per_category.get(delegate.category, 0) + 1
    return DelegateList(
        delegates=ordered,
        shown=[delegate for delegate in ordered if filters.match(delegate)],
        seats=_seats(conference, per_category),
        units=sorted(units.values(), key=lambda unit: keys.get(unit.pk, ())),
        order=order,
    )


def _delegate_people(conference: Conference) -> QuerySet:
    """The people already delegates of ``conference``, as a subquery (no
    NULL in it: ``NOT IN`` a set holding NULL would keep nobody)."""
    return Delegate.objects.filter(conference=conference, person__isnull=False).values("person_id")


def matching_name(people: QuerySet[Person], query: str) -> QuerySet[Person]:
    """``people`` whose name holds every word of ``query``, ignoring case
    and diacritics (``Person.search_name``, kept folded by every write)."""
    for word in fold(query).split():
        people = people.filter(search_name__contains=word)
    return people


def register_search(conference: Conference, query: str, *, limit: int = 30) -> list[Person]:
    """Active people of the conference unit's subtree whose name matches
    every word of ``query`` (with or without diacritics) and who are not
    delegates of it yet, by unit, rank and name; at most ``limit``. Two
    queries."""
    if not fold(query).split():
        return []
    people = Person.objects.filter(
        unit__hierarchy_id=conference.unit.hierarchy_id,
        unit__path__startswith=conference.unit.path,
        is_active=True,
    ).exclude(pk__in=_delegate_people(conference))
    return list(
        matching_name(people, query)
        .select_related("unit")
        .order_by("unit__path", "rank", "full_name")[:limit]
    )


# -- Official delegates suggested by the app -----------------------------------


class SuggestionReason(models.TextChoices):
    """Why a person is proposed as an official delegate (DOMAIN.md), in
    the order the suggestions are listed."""

    LEADER = "leader", _("Leader of the unit")
    UNIT_HEAD = "unit_head", _("Head of a unit below")
    COUNCIL = "council", _("Member of the Emulation & Reward Council")
    NATIONAL_SOLDIER = "national_soldier", _("National emulation soldier")
    SECTOR_SOLDIER = "sector_soldier", _("Sector emulation soldier")
    GRASSROOTS_SOLDIER = "grassroots_soldier", _("Grassroots emulation soldier")
    EMULATION_STAFF = "emulation_staff", _("In charge of emulation and reward work")
    GOOD_DEED = "good_deed", _("“Good person, good deed” exemplar")
    GOOD_SOLUTION = "good_solution", _("Good work solution or new model")


REASON_ORDER = {reason: index for index, reason in enumerate(SuggestionReason.values)}
SOLDIER_REASONS = {
    EmulationTitle.Title.NATIONAL: SuggestionReason.NATIONAL_SOLDIER,
    EmulationTitle.Title.SECTOR: SuggestionReason.SECTOR_SOLDIER,
    EmulationTitle.Title.GRASSROOTS: SuggestionReason.GRASSROOTS_SOLDIER,
}
LEADER_RANKS = (Rank.HEAD, Rank.DEPUTY_HEAD)


@dataclass(frozen=True)
class Reason:
    kind: SuggestionReason
    years: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        return str(self.kind.label)


@dataclass(frozen=True)
class Suggestion:
    person: Person
    reasons: list[Reason]


def title_years(cycle: Cycle) -> range:
    """The years whose emulation titles count for a cycle: those before
    each year of its period (cycle V, 2016–2020: titles of 2015–2019)."""
    return range(cycle.period_start_year - 1, cycle.period_end_year)


def soldier_titles(conference: Conference) -> list[str]:
    """Titles that make an official delegate: at the Congress national and
    sector soldiers; at a tier-2 conference grassroots ones as well."""
    if conference.tier.level >= Tier.Level.CONGRESS:
        return [EmulationTitle.Title.NATIONAL, EmulationTitle.Title.SECTOR]
    return list(EmulationTitle.Title.values)


def _heads_below(conference: Conference) -> Q:
    """Heads of the units of the conference's tier below (tier 2: districts'
    and departments' leaders; the Congress: heads of provinces, of the HQ
    bloc and of the units under VSS)."""
    unit = conference.unit
    if conference.tier.level < Tier.Level.UPPER_GRASSROOTS:
        return Q(pk__in=[])
    heads = Q(unit__parent_id=unit.pk, rank=Rank.HEAD) | Q(
        unit__parent_id=unit.pk,
        unit__kind=UnitKind.PROVINCE_DEPARTMENT,
        rank=Rank.DEPARTMENT_HEAD,
    )
    if conference.tier.level >= Tier.Level.CONGRESS:
        heads |= Q(unit__kind__in=[UnitKind.VSS_OFFICE, UnitKind.VSS_SERVICE], rank=Rank.HEAD)
    return heads


def _is_head_below(person: Person, conference: Conference) -> bool:
    unit = person.unit
    if conference.tier.level < Tier.Level.UPPER_GRASSROOTS:
        return False
    if unit.parent_id == conference.unit_id:
        if person.rank == Rank.HEAD:
            return True
        return unit.kind == UnitKind.PROVINCE_DEPARTMENT and person.rank == Rank.DEPARTMENT_HEAD
    return (
        conference.tier.level >= Tier.Level.CONGRESS
        and unit.kind in (UnitKind.VSS_OFFICE, UnitKind.VSS_SERVICE)
        and person.rank == Rank.HEAD
    )


def suggestion_reasons(
    person: Person, *, conference: Conference, titles: Iterable[EmulationTitle]
) -> list[Reason]:
    """Every ground on which ``person`` may attend ``conference`` ex
    officio; ``titles`` are their titles of the cycle's years."""
    reasons: list[Reason] = []
    if person.unit_id == conference.unit_id and person.rank in LEADER_RANKS:
        reasons.append(Reason(SuggestionReason.LEADER))
    if _is_head_below(person, conference):
        reasons.append(Reason(SuggestionReason.UNIT_HEAD))
    if person.is_council_member:
        reasons.append(Reason(SuggestionReason.COUNCIL))
    wanted = soldier_titles(conference)
    for title, kind in SOLDIER_REASONS.items():
        years = sorted({t.year for t in titles if t.title == title})
        if years and title in wanted:
            reasons.append(Reason(kind, tuple(years)))
    if person.handles_emulation:
        reasons.append(Reason(SuggestionReason.EMULATION_STAFF))
    if person.good_person_good_deed:
        reasons.append(Reason(SuggestionReason.GOOD_DEED))
    if person.good_solution:
        reasons.append(Reason(SuggestionReason.GOOD_SOLUTION))
    return sorted(reasons, key=lambda reason: REASON_ORDER[reason.kind])


def suggest_official_delegates(conference: Conference) -> list[Suggestion]:
    """People of the conference unit's subtree who qualify as official
    delegates (DOMAIN.md: leaders, heads of the units below, council
    members, emulation soldiers of the cycle's years, staff in charge of
    emulation, exemplars), each with their reasons, leaving out those who
    are already delegates. Listed by their first reason (national soldiers
    before sector ones…), then in protocol order. Three queries whatever
    the number of people."""
    cycle = conference.tier.cycle
    years = title_years(cycle)
    wanted = soldier_titles(conference)
    titled = EmulationTitle.objects.filter(year__in=list(years), title__in=wanted).values(
        "person_id"
    )
    grounds = (
        Q(unit_id=conference.unit_id, rank__in=LEADER_RANKS)
        | _heads_below(conference)
        | Q(is_council_member=True)
        | Q(handles_emulation=True)
        | Q(good_person_good_deed=True)
        | Q(good_solution=True)
        | Q(pk__in=titled)
    )
    people = list(
        Person.objects.filter(
            unit__hierarchy_id=conference.unit.hierarchy_id,
            unit__path__startswith=conference.unit.path,
            is_active=True,
        )
        .filter(grounds)
        .exclude(pk__in=_delegate_people(conference))
        .select_related("unit")
        .prefetch_related(
            Prefetch(
                "titles",
                queryset=EmulationTitle.objects.filter(year__in=list(years), title__in=wanted),
                to_attr="cycle_titles",
            )
        )
    )
    keys = unit_protocol_keys(person.unit for person in people)
    suggestions = [
        Suggestion(
            person=person,
            reasons=suggestion_reasons(person, conference=conference, titles=person.cycle_titles),
        )
        for person in people
    ]
    suggestions = [suggestion for suggestion in suggestions if suggestion.reasons]
    return sorted(
        suggestions,
        key=lambda s: (
            REASON_ORDER[s.reasons[0].kind],
            keys.get(s.person.unit_id, ()),
            s.person.rank,
            _name_key(s.person.full_name),
            s.person.pk,
        ),
    )


# -- The people register ---------------------------------------------------------


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
    ).order_by("unit__path", "rank", "full_name", "pk")


def person_delegations(person: Person) -> QuerySet[Delegate]:
    """The conferences a person attends as a delegate, lowest tier first."""
    return person.delegations.select_related(
        "conference__tier", "conference__unit", "elected_at__unit"
    ).order_by("conference__tier__level", "conference__date")


# -- Quota allocation: the units below a conference -----------------------------


@dataclass(frozen=True)
class UnitBelow:
    """A unit that elects delegates to a conference, with its own
    conference of the tier below (any status, or none registered)."""

    unit: Unit
    conference: Conference | None

    @property
    def is_held(self) -> bool:
        return self.conference is not None and self.conference.is_held

    @property
    def attendance(self) -> int | None:
        """The attendance quotas are computed from: that of the held
        conference (DOMAIN.md, "Quotas"); ``None`` until it is held."""
        return self.conference.actual_attendance if self.is_held and self.conference else None


def units_below(conference: Conference) -> list[UnitBelow]:
    """The units sharing the elected seats of ``conference``, in protocol
    order, each with its conference of the tier below.

    For a tier-2 conference: the active tier-1 organisers of its unit's
    subtree (districts and departments of a province; the units under the
    HQ bloc). For the Congress: every active tier-2 organiser of the cycle
    (provinces and the HQ bloc). Their attendance counts once their
    conference is held (held or closed). Four queries whatever the number
    of units; empty for a tier-1 conference (nobody elects to it).
    """
    level = conference.tier.level
    if level <= Tier.Level.GRASSROOTS:
        return []
    lower_tier = Tier.objects.filter(cycle_id=conference.tier.cycle_id, level=level - 1).first()
    if lower_tier is None:
        return []
    units = list(
        Unit.objects.subtree_of(conference.unit)
        .active()
        .filter(kind__in=lower_tier.organiser_kinds)
        .exclude(pk=conference.unit_id)
    )
    conferences = {
        held.unit_id: held
        for held in Conference.objects.filter(tier=lower_tier, unit__in=units).select_related(
            "tier"
        )
    }
    keys = unit_protocol_keys(units)
    units.sort(key=lambda unit: (keys.get(unit.pk, ()), unit.pk))
    return [UnitBelow(unit=unit, conference=conferences.get(unit.pk)) for unit in units]
