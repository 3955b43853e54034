"""Official delegates suggested by the app.

The lists are data (``delegates.official_lists``): each line's predicate
decides, over facts gathered here in a fixed number of queries; a filter
per line narrows the register in the database first, so the Congress does
not load the whole country's staff."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Prefetch, Q

from congress.models import Conference
from delegates import official_lists
from delegates.models import (
    CouncilRole,
    Delegate,
    EmulationTitle,
    Person,
    Rank,
)
from delegates.selectors.delegates import (
    cached_name_key,
    conference_rules,
    title_years,
    unit_protocol_keys,
)
from delegates.selectors.people import branch_council
from units.models import Unit, UnitKind
from units.params import as_int

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
            cached_name_key(s.person.full_name),
            s.person.pk,
        ),
    )
    return OfficialCandidates(suggestions=suggestions, listed=listed)


def suggest_official_delegates(conference: Conference) -> list[Suggestion]:
    """The people to suggest as official delegates (``official_candidates``)."""
    return official_candidates(conference).suggestions
