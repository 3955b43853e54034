"""Reads of delegates and quotas."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from django.db import models
from django.db.models import Prefetch, Q, QuerySet

from congress.models import Conference, Cycle, Tier
from congress.selectors import cap_for
from delegates import official_lists
from delegates.models import (
    Allocation,
    AllocationLine,
    Category,
    CompositionRules,
    CouncilRole,
    Delegate,
    EmulationTitle,
    Person,
    Rank,
)
from delegates.names import name_sort_key
from units.models import Unit, UnitKind
from units.params import as_int
from units.text import fold


@dataclass(frozen=True)
class ConferenceRules:
    """What a conference's delegates are made of: the categories allowed,
    the official-list lines that give a seat, the cap and whether guests
    count. A conference's own ``CompositionRules`` (the HQ bloc's, set by
    VSS) override the tier's, field by field; without them, the tier's."""

    level: int
    categories: tuple[str, ...]
    line_keys: tuple[str, ...]
    cap: int | None
    cap_counts_guests: bool
    own: CompositionRules | None = None

    def allows(self, category: str) -> bool:
        return category in self.categories

    @property
    def lines(self) -> tuple[official_lists.Line, ...]:
        """The official-list lines that give a seat (none if the rules
        leave official delegates out)."""
        if not self.line_keys or not self.allows(Category.OFFICIAL):
            return ()
        return official_lists.lines_for(self.level, self.line_keys)


def own_rules(conference: Conference) -> CompositionRules | None:
    """The conference's own composition, if VSS set one: only the HQ bloc's
    conferences have one (``services.has_own_composition``), so the others
    cost no query; one query then cached on the conference (a missing row
    too)."""
    if conference.unit.kind != UnitKind.HQ_BLOC:
        return None
    return getattr(conference, "composition_rules", None)


def conference_rules(conference: Conference) -> ConferenceRules:
    """The rules in force for ``conference`` (see ``ConferenceRules``): at
    most two queries (its own rules, the unit's cap exception)."""
    own = own_rules(conference)
    tier = conference.tier
    categories = tuple(
        c for c in Category.values if not (own and own.categories) or c in own.categories
    )
    if own is not None and own.official_lines:
        keys = tuple(line.key for line in official_lists.lines_for(tier.level, own.official_lines))
    else:
        keys = tuple(line.key for line in official_lists.lines_for(tier.level))
    cap = own.cap if own is not None and own.cap is not None else None
    if cap is None:
        cap = cap_for(tier=tier, unit=conference.unit)
    counts_guests = tier.cap_counts_guests
    if own is not None and own.cap_counts_guests is not None:
        counts_guests = own.cap_counts_guests
    return ConferenceRules(
        level=tier.level,
        categories=categories,
        line_keys=keys,
        cap=cap,
        cap_counts_guests=counts_guests,
        own=own,
    )


def delegate_cap(conference: Conference) -> int | None:
    """The conference's maximum attendance: its own composition's if VSS
    set one, else the tier's with the unit's exception (300; 350 for the HQ
    bloc, HCMC and Hà Nội; 500 at the Congress); ``None`` where all staff
    attend (tier 1)."""
    return conference_rules(conference).cap


def counted_delegates(conference: Conference) -> QuerySet[Delegate]:
    """The delegates that count towards the cap: guests are left out where
    the rules say so (the Congress: "500, guests not counted")."""
    delegates = Delegate.objects.filter(conference=conference)
    if not conference_rules(conference).cap_counts_guests:
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
            "person", "person__unit", "unit", "elected_at__unit", "elected_at__tier"
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
    rules = conference_rules(conference)
    counts_guests = rules.cap_counts_guests
    return Seats(
        categories=[
            CategoryCount(
                category=category,
                label=str(label),
                count=per_category.get(category, 0),
                counted=category != Category.GUEST or counts_guests,
            )
            for category, label in Category.choices
            # A category the rules leave out is shown only if it has delegates.
            if rules.allows(category) or per_category.get(category)
        ],
        cap=rules.cap,
        cap_counts_guests=counts_guests,
    )


def seats(conference: Conference) -> Seats:
    """The seats of a conference, taken and left (guests counted or not
    as the rules say): at most four queries."""
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
    category against the cap (guests counted or not as the rules say).
    At most five queries whatever the number of delegates."""
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
        .order_by("unit__path", "rank", "name_key", "pk")[:limit]
    )


# -- Official delegates suggested by the app -----------------------------------
# The lists are data (``delegates.official_lists``): each line's predicate
# decides, over facts gathered here in a fixed number of queries; a filter
# per line narrows the register in the database first, so the Congress does
# not load the whole country's staff.

LEADER_RANKS = official_lists.LEADER_RANKS


@dataclass(frozen=True)
class Reason:
    """A line of the official list a person meets, with its detail (the
    council role, the years of the title)."""

    key: str
    label: str
    detail: str = ""

    @property
    def years(self) -> tuple[int, ...]:
        years = (as_int(part) for part in self.detail.split(", "))
        return tuple(year for year in years if year is not None)


@dataclass(frozen=True)
class Suggestion:
    person: Person
    reasons: list[Reason]


def title_years(cycle: Cycle) -> range:
    """The years whose emulation titles count for a cycle: those before
    each year of its period (cycle V, 2016–2020: titles of 2015–2019)."""
    return range(cycle.period_start_year - 1, cycle.period_end_year)


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


def _line_filters(context: official_lists.Context, years: list[int]) -> dict[str, Q]:
    """Per line, a database filter holding at least everyone the line's
    predicate accepts (the predicate then decides)."""
    district_kinds = list(official_lists.DISTRICT_KINDS)

    def titled(title: str) -> Q:
        return Q(
            pk__in=EmulationTitle.objects.filter(year__in=years, title=title).values("person_id")
        )

    return {
        "leaders": Q(unit_id=context.unit_id, rank__in=LEADER_RANKS),
        "council": Q(council_unit_id=context.council_unit_id),
        "district_leaders": Q(
            unit__parent_id=context.unit_id, unit__kind__in=district_kinds, rank=Rank.HEAD
        ),
        "department_leaders": Q(
            unit__parent_id=context.unit_id, rank__in=official_lists.DEPARTMENT_LEADER_RANKS
        )
        & ~Q(unit__kind__in=district_kinds),
        **{key: titled(title) for key, title in official_lists.SOLDIER_TITLES.items()},
        "emulation_staff": Q(handles_emulation=True),
        "exemplars": ~Q(exemplar_reason=""),
        "vss_unit_heads": Q(unit__kind__in=official_lists.VSS_UNIT_KINDS, rank=Rank.HEAD),
        "press_reporters": Q(unit_id__in=list(context.press_unit_ids)),
        "province_council_chairs": Q(
            council_role=CouncilRole.CHAIR, council_unit__kind=UnitKind.PROVINCE
        ),
        "province_council_standing": Q(
            council_role__in=[CouncilRole.STANDING, CouncilRole.SECRETARY],
            council_unit__kind=UnitKind.PROVINCE,
        ),
        "defence_police_leaders": Q(unit__kind=UnitKind.SECTOR, rank=Rank.HEAD),
    }


def official_context(
    conference: Conference, lines: Iterable[official_lists.Line]
) -> tuple[official_lists.Context, dict[str, Unit]]:
    """What the lines read of the conference, and the councils by path:
    two queries at most (the councils and press units; the councils that
    have a standing member, when a line asks)."""
    keys = {line.key for line in lines}
    unit = conference.unit
    found = list(
        Unit.objects.filter(hierarchy_id=unit.hierarchy_id)
        .filter(Q(depth__lte=1) | Q(code__in=official_lists.PRESS_UNIT_CODES))
        .only("pk", "path", "kind", "hierarchy_id", "name", "code", "depth")
    )
    councils = {u.path: u for u in found if u.depth <= 1}
    press = frozenset(u.pk for u in found if u.code in official_lists.PRESS_UNIT_CODES)
    own_council = branch_council(unit, councils)
    with_standing: frozenset[int] = frozenset()
    if "province_council_standing" in keys:
        with_standing = frozenset(
            Person.objects.filter(
                council_role=CouncilRole.STANDING,
                council_unit__hierarchy_id=unit.hierarchy_id,
                is_active=True,
            ).values_list("council_unit_id", flat=True)
        )
    context = official_lists.Context(
        unit_id=unit.pk,
        council_unit_id=own_council.pk if own_council is not None else None,
        title_years=title_years(conference.tier.cycle),
        press_unit_ids=press,
        councils_with_standing=with_standing,
    )
    return context, councils


def person_facts(
    person: Person, councils: dict[str, Unit], titles: Iterable[EmulationTitle] = ()
) -> official_lists.PersonFacts:
    """A person as the official lines see them (unit and council unit
    selected, ``titles`` prefetched: no query)."""
    council = branch_council(person.unit, councils)
    return official_lists.PersonFacts(
        unit_id=person.unit_id,
        unit_kind=person.unit.kind,
        unit_parent_id=person.unit.parent_id,
        rank=person.rank,
        branch_council_id=council.pk if council is not None else None,
        position=person.position,
        council_role=person.council_role,
        council_unit_id=person.council_unit_id,
        council_unit_kind=person.council_unit.kind if person.council_unit is not None else "",
        handles_emulation=person.handles_emulation,
        exemplar=person.is_exemplar,
        titles=frozenset((t.title, t.year) for t in titles),
    )


@dataclass(frozen=True)
class OfficialCandidates:
    """Who the lines name: those to suggest, and per line how many it names
    who are on the list already."""

    suggestions: list[Suggestion]
    listed: dict[str, int]


def official_candidates(conference: Conference) -> OfficialCandidates:
    """People of the conference unit's subtree who attend by right, line by
    line as the official list of its tier says (DOMAIN.md; or the lines its
    own composition chose), each with the lines they meet; those already
    delegates are counted per line, not suggested. The priorities among the
    elected (good deeds, good solutions, direct work, women, minorities) are
    no ground. Listed by the first line they meet, then in protocol order.
    Seven queries at most whatever the size of the register."""
    lines = [line for line in conference_rules(conference).lines if line.in_register]
    if not lines:
        return OfficialCandidates(suggestions=[], listed={})
    context, councils = official_context(conference, lines)
    years = list(context.title_years)
    filters = _line_filters(context, years)
    grounds = Q(pk__in=[])
    for line in lines:
        grounds |= filters[line.key]
    people = list(
        Person.objects.filter(
            unit__hierarchy_id=conference.unit.hierarchy_id,
            unit__path__startswith=conference.unit.path,
            is_active=True,
        )
        .filter(grounds)
        # Those on the list already are few (at most the cap): counted.
        .annotate(
            listed=models.Exists(
                Delegate.objects.filter(conference=conference, person=models.OuterRef("pk"))
            )
        )
        .select_related("unit", "council_unit")
        .prefetch_related(
            Prefetch(
                "titles",
                queryset=EmulationTitle.objects.filter(year__in=years),
                to_attr="cycle_titles",
            )
        )
    )
    order = {line.key: index for index, line in enumerate(lines)}
    suggestions = []
    listed: dict[str, int] = {}
    for person in people:
        facts = person_facts(person, councils, person.cycle_titles)
        met = official_lists.lines_met(facts, context, lines)
        if not met:
            continue
        if person.listed:
            for line, _detail in met:
                listed[line.key] = listed.get(line.key, 0) + 1
            continue
        reasons = [
            Reason(key=line.key, label=line.label(context.title_years), detail=detail)
            for line, detail in met
        ]
        suggestions.append(Suggestion(person=person, reasons=reasons))
    keys = unit_protocol_keys(s.person.unit for s in suggestions)
    suggestions.sort(
        key=lambda s: (
            order[s.reasons[0].key],
            keys.get(s.person.unit_id, ()),
            s.person.rank,
            _name_key(s.person.full_name),
            s.person.pk,
        ),
    )
    return OfficialCandidates(suggestions=suggestions, listed=listed)


def suggest_official_delegates(conference: Conference) -> list[Suggestion]:
    """The people to suggest as official delegates (``official_candidates``)."""
    return official_candidates(conference).suggestions


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
