"""The candidate picker of the election page: the register of the electing
unit listed at once, filtered, by pages, each person with the priority
groups of the guidance they belong to (DOMAIN.md, "Delegates of a tier-2
conference": "Người tốt - Việc tốt" exemplars, a good solution or new
model, working directly on the task, women, ethnic minorities) and the
titles they hold; and the composition the current candidates would give,
against the cycle's targets.

Only people of the electing unit's subtree ever appear
(``elections.candidates_register``); the filters only narrow it. A page of
the picker costs a fixed number of queries, whatever the register's size:
the units offered, the count, the page's rows, and their titles (with the
candidates') in one query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from congress.models import Cycle
from delegates.composition import (
    EXEMPLAR_MARKS,
    Composition,
    Row,
    Target,
    person_facts,
    priorities_of,
    priority_choices,
    tally,
)
from delegates.models import (
    ETHNIC_MINORITY,
    EXEMPLAR,
    Candidate,
    Category,
    Election,
    EmulationTitle,
    Person,
)
from units.models import Unit

from .delegates import matching_name, title_years
from .elections import candidates_register
from .people import TitleHeld, titles_held

PAGE_SIZE = 25
# The marks one may filter on: the exemplar marks of the composition, and
# the "outstanding exemplar" line of the official lists (a reason given).
OUTSTANDING = "exemplar"
PICKER_MARKS = (*EXEMPLAR_MARKS, OUTSTANDING)
ANY_TITLE = "any"


@dataclass(frozen=True)
class PickerFilters:
    """What the officer narrows the register to; the defaults narrow
    nothing. ``minority``: ``None`` either, ``True`` ethnic minorities
    only, ``False`` Kinh only; ``marks``: every one required; ``title``:
    ``ANY_TITLE`` or a title kind, held in one of the cycle's title years;
    ``unit``: a unit of the register's subtree, with its own subtree."""

    query: str = ""
    gender: str = ""
    minority: bool | None = None
    marks: tuple[str, ...] = ()
    title: str = ""
    unit: Unit | None = None


def register_units(election: Election) -> list[Unit]:
    """The units of the electing unit's subtree, in tree order: the
    choices of the picker's unit filter. One query."""
    unit = election.conference.unit
    return list(
        Unit.objects.filter(hierarchy_id=unit.hierarchy_id, path__startswith=unit.path).order_by(
            "path"
        )
    )


def picker_people(election: Election, filters: PickerFilters, years: range) -> QuerySet[Person]:
    """People of the register who are not candidates yet and match every
    filter, by unit (tree order), rank and Vietnamese name order."""
    people = matching_name(
        candidates_register(election).exclude(candidacies__election=election), filters.query
    )
    if filters.gender:
        people = people.filter(gender=filters.gender)
    if filters.minority is not None:
        people = people.filter(ETHNIC_MINORITY if filters.minority else ~ETHNIC_MINORITY)
    for mark in filters.marks:
        people = people.filter(EXEMPLAR if mark == OUTSTANDING else Q(**{mark: True}))
    if filters.title:
        held = EmulationTitle.objects.filter(person=OuterRef("pk"), year__in=list(years))
        if filters.title != ANY_TITLE:
            held = held.filter(title=filters.title)
        people = people.filter(Exists(held))
    if filters.unit is not None:
        people = people.filter(unit__path__startswith=filters.unit.path)
    return people.select_related("unit").order_by("unit__path", "rank", "name_key", "pk")


@dataclass(frozen=True)
class Badge:
    key: str
    label: str


@dataclass(frozen=True)
class PickerRow:
    person: Person
    priorities: list[Badge]  # the priority groups, in the guidance's order
    outstanding: bool  # marked an exemplar with outstanding achievements
    titles: list[TitleHeld]


@dataclass(frozen=True)
class PageLink:
    """A link of the pagination: a page number, or ``None`` for a gap."""

    number: int | None
    current: bool = False


@dataclass(frozen=True)
class Picker:
    page: Page
    rows: list[PickerRow]
    links: list[PageLink]
    years: range

    @property
    def total(self) -> int:
        return self.page.paginator.count


@dataclass(frozen=True)
class Preview:
    """What the current candidates give: the cycle's targets (women,
    ethnic minorities) met or not, the share of each exemplar mark and
    title among them, and each candidate's groups and titles (by person
    id) for the candidates' list."""

    composition: Composition
    targets: list[Target]
    marks: list[Row]  # labelled as the badges
    titles: list[Row]
    years: range
    candidates: dict[int, PickerRow]

    @property
    def total(self) -> int:
        return self.composition.total


@dataclass(frozen=True)
class PickerPage:
    """The picker and the preview, as the election page shows them."""

    picker: Picker
    preview: Preview
    filtered: bool  # some filter narrows the register


def _titles_by_person(person_ids: Iterable[int], years: range) -> dict[int, list[EmulationTitle]]:
    """The titles of the cycle's years of these people, by person (one
    query, none without people)."""
    ids = list(dict.fromkeys(person_ids))
    found: dict[int, list[EmulationTitle]] = {pk: [] for pk in ids}
    if not ids:
        return found
    for title in EmulationTitle.objects.filter(person_id__in=ids, year__in=list(years)).order_by(
        "year", "title"
    ):
        found[title.person_id].append(title)
    return found


def _row(person: Person, titles: Sequence[EmulationTitle], labels: dict[str, str]) -> PickerRow:
    facts = person_facts(person, category=Category.ELECTED, titles=titles)
    return PickerRow(
        person=person,
        priorities=[Badge(key, labels[key]) for key in priorities_of(facts)],
        outstanding=person.is_exemplar,
        titles=titles_held(titles),
    )


def _links(page: Page) -> list[PageLink]:
    paginator = page.paginator
    if paginator.num_pages <= 1:
        return []
    numbers = paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return [
        PageLink(number, number == page.number) if isinstance(number, int) else PageLink(None)
        for number in numbers
    ]


def preview_of(
    candidates: Sequence[Candidate],
    titles: dict[int, list[EmulationTitle]],
    cycle: Cycle,
    labels: dict[str, str],
) -> Preview:
    """The composition of ``candidates`` (person and unit selected) as the
    elected delegates they would be, by ``composition.tally``: no query.
    ``labels``: the badges' words (``priority_choices``)."""
    people = [c.person for c in candidates]
    facts = [
        person_facts(p, category=Category.ELECTED, titles=titles.get(p.pk, ())) for p in people
    ]
    composition = tally(facts, cycle=cycle)
    dimensions = {dimension.key: dimension for dimension in composition.dimensions}
    marks = [replace(row, label=labels.get(row.key, row.label)) for row in dimensions["marks"].rows]
    outstanding = Row(
        key=OUTSTANDING,
        label=labels[OUTSTANDING],
        count=sum(1 for p in people if p.is_exemplar),
        total=composition.total,
    )
    return Preview(
        composition=composition,
        targets=composition.targets,
        marks=[*marks, outstanding],
        titles=dimensions["titles"].rows,
        years=title_years(cycle),
        candidates={p.pk: _row(p, titles.get(p.pk, ()), labels) for p in people},
    )


def badge_labels() -> dict[str, str]:
    """The words of each badge: the priority groups', the outstanding
    exemplars'."""
    return {**dict(priority_choices()), OUTSTANDING: _("Outstanding exemplar")}


def is_filtered(filters: PickerFilters) -> bool:
    return filters != PickerFilters()


def candidate_picker(
    election: Election,
    candidates: Sequence[Candidate],
    filters: PickerFilters,
    *,
    page_number: int | None = None,
) -> PickerPage:
    """The page ``page_number`` of the register as ``filters`` narrow it
    (the last page beyond the last, the first for none), and the preview
    of ``candidates`` (``election_candidates``). Three queries whatever
    the register's size; the election's conference should be loaded with
    its unit and ``tier.cycle``."""
    cycle = election.conference.tier.cycle
    years = title_years(cycle)
    paginator = Paginator(picker_people(election, filters, years), PAGE_SIZE)
    page = paginator.get_page(page_number or 1)
    people = list(page.object_list)
    titles = _titles_by_person([*(p.pk for p in people), *(c.person_id for c in candidates)], years)
    labels = badge_labels()
    return PickerPage(
        picker=Picker(
            page=page,
            rows=[_row(person, titles[person.pk], labels) for person in people],
            links=_links(page),
            years=years,
        ),
        preview=preview_of(candidates, titles, cycle, labels),
        filtered=is_filtered(filters),
    )
