"""The composition of a conference's delegates (cơ cấu đại biểu): counts and
shares by category, gender, ethnicity, level, field of work, emulation
titles and exemplar marks, and the cycle's targets (women ≥ 30 %,
ethnic minorities ≥ 5 % in cycle V).

``tally`` is pure (plain facts in, figures out); ``composition`` loads a
conference's delegates in two queries and tallies them. Guests outside the
register are counted by category only; elsewhere they are a row of their
own, "not in the register", so every exclusive table adds up to the total.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Field, Prefetch
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from congress.models import Conference, Cycle, FieldOfWork
from units.models import UnitKind

from .models import Category, Delegate, EmulationTitle, Gender, Person
from .selectors import title_years

NOT_IN_REGISTER = "not_in_register"

# Levels of the sector (DOMAIN.md: "balanced … across levels"), by the kind
# of the unit a delegate works in. The defence and police BHXH sit directly
# under VSS like a province.
DISTRICT_LEVEL, PROVINCE_LEVEL, VSS_LEVEL = "district", "province", "vss"
LEVEL_OF_KIND: dict[str, str] = {
    UnitKind.DISTRICT: DISTRICT_LEVEL,
    UnitKind.PROVINCE_DEPARTMENT: DISTRICT_LEVEL,
    UnitKind.PROVINCE: PROVINCE_LEVEL,
    UnitKind.SECTOR: PROVINCE_LEVEL,
    UnitKind.VSS: VSS_LEVEL,
    UnitKind.HQ_BLOC: VSS_LEVEL,
    UnitKind.VSS_OFFICE: VSS_LEVEL,
    UnitKind.VSS_SERVICE: VSS_LEVEL,
}
EXEMPLAR_MARKS = ("good_person_good_deed", "good_solution", "works_directly")


@dataclass(frozen=True)
class Facts:
    """What the composition needs of one delegate."""

    category: str
    in_register: bool = True
    gender: str = ""
    minority: bool = False
    level: str = ""
    field_of_work: str = ""
    titles: frozenset[str] = frozenset()  # emulation titles held in the cycle's years
    marks: frozenset[str] = frozenset()  # of EXEMPLAR_MARKS


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int
    total: int
    target: int | None = None  # a target share (%) drawn on this row's bar

    @property
    def percent(self) -> float:
        return round(100 * self.count / self.total, 1) if self.total else 0.0


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str
    rows: list[Row]
    # Exclusive rows add up to the total; otherwise a delegate may be in
    # several rows (titles, marks) or in none.
    exclusive: bool = True

    @property
    def total(self) -> int:
        return self.rows[0].total if self.rows else 0


@dataclass(frozen=True)
class Target:
    """A target share of the delegates in the register (their gender and
    ethnicity are known)."""

    key: str
    label: str
    target_percent: int
    count: int
    base: int

    @property
    def percent(self) -> float:
        return round(100 * self.count / self.base, 1) if self.base else 0.0

    @property
    def met(self) -> bool:
        # Exact: count / base ≥ target / 100, in integers. Nothing to
        # measure (no delegate from the register yet) is not a shortfall.
        return self.base == 0 or 100 * self.count >= self.target_percent * self.base


@dataclass(frozen=True)
class Composition:
    total: int
    in_register: int
    dimensions: list[Dimension]
    targets: list[Target] = field(default_factory=list)

    @property
    def shortfalls(self) -> list[Target]:
        return [target for target in self.targets if not target.met]


def targets_of(facts: Sequence[Facts], cycle: Cycle) -> list[Target]:
    """The cycle's targets (``Cycle.women_target_percent``,
    ``minority_target_percent``) against the delegates in the register."""
    known = [fact for fact in facts if fact.in_register]
    return [
        Target(
            key="women",
            label=_("Women"),
            target_percent=cycle.women_target_percent,
            count=sum(1 for fact in known if fact.gender == Gender.FEMALE),
            base=len(known),
        ),
        Target(
            key="minorities",
            label=_("Ethnic minorities"),
            target_percent=cycle.minority_target_percent,
            count=sum(1 for fact in known if fact.minority),
            base=len(known),
        ),
    ]


def _rows(
    facts: Sequence[Facts],
    choices: Iterable[tuple[str, Any]],
    value,
    *,
    outside: bool = True,
    targets: dict[str, int] | None = None,
) -> list[Row]:
    """One row per choice counting the facts whose ``value`` is it; then,
    if any, the guests outside the register."""
    total = len(facts)
    rows = [
        Row(
            key=key,
            label=str(label),
            count=sum(1 for fact in facts if fact.in_register and value(fact) == key),
            total=total,
            target=(targets or {}).get(key),
        )
        for key, label in choices
    ]
    missing = sum(1 for fact in facts if not fact.in_register)
    if outside and missing:
        rows.append(
            Row(key=NOT_IN_REGISTER, label=_("Not in the register"), count=missing, total=total)
        )
    return rows


def _mark_label(mark: str) -> str:
    field = Person._meta.get_field(mark)
    return capfirst(str(field.verbose_name)) if isinstance(field, Field) else mark


def tally(facts: Sequence[Facts], *, cycle: Cycle) -> Composition:
    """Counts and shares of ``facts`` per dimension, with the cycle's targets."""
    total = len(facts)
    targets = targets_of(facts, cycle)
    dimensions = [
        Dimension(
            "category",
            _("Category"),
            [
                Row(
                    key=key,
                    label=str(label),
                    count=sum(1 for fact in facts if fact.category == key),
                    total=total,
                )
                for key, label in Category.choices
            ],
        ),
        Dimension(
            "gender",
            _("Gender"),
            _rows(
                facts,
                Gender.choices,
                lambda fact: fact.gender,
                targets={Gender.FEMALE: cycle.women_target_percent},
            ),
        ),
        Dimension(
            "ethnicity",
            _("Ethnicity"),
            _rows(
                facts,
                [("kinh", _("Kinh")), ("minority", _("Ethnic minorities"))],
                lambda fact: "minority" if fact.minority else "kinh",
                targets={"minority": cycle.minority_target_percent},
            ),
        ),
        Dimension(
            "level",
            _("Level"),
            _rows(
                facts,
                [
                    (DISTRICT_LEVEL, _("District level (districts, departments)")),
                    (PROVINCE_LEVEL, _("Province level")),
                    (VSS_LEVEL, _("VSS level (headquarters, units under VSS)")),
                ],
                lambda fact: fact.level,
            ),
        ),
        Dimension(
            "field_of_work",
            _("Field of work"),
            _rows(facts, FieldOfWork.choices, lambda fact: fact.field_of_work),
        ),
        Dimension(
            "titles",
            _("Emulation titles in the cycle's years"),
            [
                Row(
                    key=key,
                    label=str(label),
                    count=sum(1 for fact in facts if key in fact.titles),
                    total=total,
                )
                for key, label in EmulationTitle.Title.choices
            ],
            exclusive=False,
        ),
        Dimension(
            "marks",
            _("Exemplars"),
            [
                Row(
                    key=mark,
                    label=_mark_label(mark),
                    count=sum(1 for fact in facts if mark in fact.marks),
                    total=total,
                )
                for mark in EXEMPLAR_MARKS
            ],
            exclusive=False,
        ),
    ]
    return Composition(
        total=total,
        in_register=sum(1 for fact in facts if fact.in_register),
        dimensions=dimensions,
        targets=targets,
    )


def facts_of(delegate: Delegate, titles: Iterable[EmulationTitle] = ()) -> Facts:
    """The facts of a loaded delegate (person and person's unit selected);
    ``titles`` are the person's titles of the cycle's years. The level is
    that of the unit the person works in."""
    person = delegate.person
    if person is None:
        return Facts(category=delegate.category, in_register=False)
    return Facts(
        category=delegate.category,
        gender=person.gender,
        minority=person.is_ethnic_minority,
        level=LEVEL_OF_KIND.get(person.unit.kind, ""),
        field_of_work=person.field_of_work,
        titles=frozenset(title.title for title in titles),
        marks=frozenset(mark for mark in EXEMPLAR_MARKS if getattr(person, mark)),
    )


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
    return tally(facts, cycle=cycle)


def shortfalls_of(delegates: Iterable[Delegate], cycle: Cycle) -> list[Target]:
    """The targets not met by already loaded delegates (no query): the
    warning of the delegate list."""
    targets = targets_of([facts_of(delegate) for delegate in delegates], cycle)
    return [target for target in targets if not target.met]


# -- A bar chart per dimension, drawn as inline SVG by the template ----------

CHART_WIDTH = 600
BAR_AREA = 520  # 100 % of the delegates; the rest holds the figure
ROW_HEIGHT = 36


@dataclass(frozen=True)
class Bar:
    label: str
    percent: float
    count: int
    label_y: int
    bar_y: int
    width: int
    target: int | None  # a target share (%), drawn at target_x
    target_x: int | None


@dataclass(frozen=True)
class BarChart:
    key: str
    title: str
    width: int
    height: int
    bars: list[Bar]


def bar_chart(dimension: Dimension) -> BarChart:
    """Geometry of the chart of one dimension: a label above each bar, the
    bar's length its share of all delegates, a target as a tick."""
    bars = []
    for index, row in enumerate(dimension.rows):
        top = index * ROW_HEIGHT
        bars.append(
            Bar(
                label=row.label,
                percent=row.percent,
                count=row.count,
                label_y=top + 13,
                bar_y=top + 18,
                width=round(BAR_AREA * row.count / row.total) if row.total else 0,
                target=row.target,
                target_x=round(BAR_AREA * row.target / 100) if row.target is not None else None,
            )
        )
    return BarChart(
        key=dimension.key,
        title=dimension.title,
        width=CHART_WIDTH,
        height=max(ROW_HEIGHT, len(bars) * ROW_HEIGHT),
        bars=bars,
    )
