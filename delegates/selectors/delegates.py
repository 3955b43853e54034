"""Reads of a conference's delegates: the composition rules and cap that
apply, the seats, the delegate list in protocol or name order with its
filters, the register search when adding one."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache

from django.db import models
from django.db.models import Count, Prefetch, QuerySet, Sum

from congress.models import Conference, Cycle, Tier
from congress.selectors import cap_for
from delegates import official_lists
from delegates.composition import (
    Balance,
    Composition,
    StaffShares,
    balance_of,
    facts_of,
    level_of,
    needs_staff_shares,
    tally,
)
from delegates.models import (
    Category,
    CompositionRules,
    Delegate,
    EmulationTitle,
    Person,
)
from delegates.names import name_sort_key
from units.models import Unit, UnitKind, User
from units.permissions import Action, has_permission
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


def title_years(cycle: Cycle) -> range:
    """The years whose emulation titles count for a cycle: those before
    each year of its period (cycle V, 2016–2020: titles of 2015–2019)."""
    return range(cycle.period_start_year - 1, cycle.period_end_year)


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


# -- The delegate list of a conference ----------------------------------------
# A conference has at most 500 delegates (the Congress): the list is loaded
# whole in one query and ordered and filtered in Python, so that the
# Vietnamese name order (delegates.names) is exact and the count of queries
# does not grow with the rows.
CATEGORY_ORDER = {category: index for index, category in enumerate(Category.values)}

# The Vietnamese name key costs some 60 µs a name (a third of a 500-row
# list's time); the same names are listed again and again, so keys are
# kept per process (a few MB at most).
cached_name_key = lru_cache(maxsize=16384)(name_sort_key)


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
        cached_name_key(delegate.name),
        delegate.pk,
    )


def name_order_key(delegate: Delegate) -> tuple:
    """Within each category, Vietnamese name order (given name first)."""
    return (
        CATEGORY_ORDER.get(delegate.category, len(CATEGORY_ORDER)),
        cached_name_key(delegate.name),
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


def has_own_composition(conference: Conference) -> bool:
    """The guidance lets VSS set the HQ bloc's composition apart ("riêng
    Khối cơ quan BHXH Việt Nam sẽ có kế hoạch cụ thể sau")."""
    return conference.unit.kind == UnitKind.HQ_BLOC


def may_set_composition(user: User, conference: Conference) -> bool:
    """Whoever may change the VSS root of the conference's hierarchy (the
    VSS officer, an administrator) sets the HQ bloc's composition."""
    root = Unit.objects.filter(hierarchy_id=conference.unit.hierarchy_id, parent=None).first()
    return root is not None and has_permission(user, Action.CHANGE, root)


def staff_shares(cycle: Cycle) -> StaffShares:
    """The sector's staff of ``cycle``'s hierarchy: headcounts of its active
    units summed by level, and its register's active people by field. Two
    queries (aggregates)."""
    from units.models import Unit

    levels: dict[str, int] = {}
    for kind, depth, headcount in (
        Unit.objects.filter(hierarchy_id=cycle.hierarchy_id, is_active=True)
        .values("kind", "depth")
        .annotate(staff=Sum("headcount"))
        .values_list("kind", "depth", "staff")
    ):
        level = level_of(kind, depth)
        levels[level] = levels.get(level, 0) + (headcount or 0)
    fields = dict(
        Person.objects.filter(unit__hierarchy_id=cycle.hierarchy_id, is_active=True)
        .values("field_of_work")
        .annotate(people=Count("pk"))
        .values_list("field_of_work", "people")
    )
    return StaffShares(levels=levels, fields=fields)


def composition(conference: Conference) -> Composition:
    """The composition of ``conference``'s delegates against its cycle's
    targets (the Congress's is that of the tier-3 conference). Two queries
    whatever the number of delegates; ``conference.tier.cycle`` should be
    selected."""
    cycle = conference.tier.cycle
    years = list(title_years(cycle))
    delegates = Delegate.objects.filter(conference=conference).select_related(
        "person", "person__unit"
    )
    delegates = delegates.prefetch_related(
        Prefetch(
            "person__titles",
            queryset=EmulationTitle.objects.filter(year__in=years),
            to_attr="cycle_titles",
        )
    )
    facts = [
        facts_of(delegate, getattr(delegate.person, "cycle_titles", ())) for delegate in delegates
    ]
    figures = tally(facts, cycle=cycle)
    if conference.tier.level == Tier.Level.CONGRESS:
        staff = staff_shares(cycle) if needs_staff_shares(cycle) else None
        figures = replace(figures, balance=balance_of(facts, cycle, staff))
    return figures


def congress_balance(conference: Conference) -> Balance:
    """The balance of the Congress's elected delegates (the warnings of its
    allocation page): one query for them, two more for the staff's shares
    when some target is left out; ``conference.tier.cycle`` should be
    selected."""
    cycle = conference.tier.cycle
    delegates = Delegate.objects.filter(
        conference=conference, category=Category.ELECTED
    ).select_related("person__unit")
    facts = [facts_of(delegate) for delegate in delegates]
    staff = staff_shares(cycle) if needs_staff_shares(cycle) else None
    return balance_of(facts, cycle, staff)
