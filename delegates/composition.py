"""The composition of a conference's delegates (cơ cấu đại biểu): counts and
shares by category, gender, ethnicity, level, field of work, emulation
titles and exemplar marks, and the cycle's targets (women ≥ 30 %,
ethnic minorities ≥ 5 % in cycle V); at the Congress, the balance of the
elected delegates across levels and fields of work.

Pure: plain facts in, figures out (``tally``), and the bar charts the
pages draw; ``delegates.selectors.delegates.composition`` loads a
conference's delegates in two queries and tallies them here. Guests
outside the register are counted by category only; elsewhere they are a
row of their own, "not in the register", so every exclusive table adds up
to the total.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import Field
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from congress.models import Cycle, FieldOfWork
from delegates.models import Category, Delegate, EmulationTitle, Gender, Person
from units.models import UnitKind

NOT_IN_REGISTER = "not_in_register"

# Levels of the sector (DOMAIN.md: "balanced … across levels"), by the kind
# of the unit a delegate works in (``level_of``):
# - district level: districts, a province's departments, and since 2025 the
#   grassroots offices (BHXH cơ sở) that took the districts over;
# - province level: the provinces' own offices, and the defence and police
#   BHXH, which sit directly under VSS like a province;
# - VSS level: VSS itself, the headquarters bloc and the units under VSS.
# A kind not listed falls back on the unit's depth in the tree (0: VSS,
# 1: province, deeper: district).
DISTRICT_LEVEL, PROVINCE_LEVEL, VSS_LEVEL = "district", "province", "vss"
LEVELS = (DISTRICT_LEVEL, PROVINCE_LEVEL, VSS_LEVEL)
LEVEL_OF_KIND: dict[str, str] = {
    UnitKind.DISTRICT: DISTRICT_LEVEL,
    UnitKind.PROVINCE_DEPARTMENT: DISTRICT_LEVEL,
    UnitKind.GRASSROOTS_OFFICE: DISTRICT_LEVEL,
    UnitKind.PROVINCE: PROVINCE_LEVEL,
    UnitKind.SECTOR: PROVINCE_LEVEL,
    UnitKind.VSS: VSS_LEVEL,
    UnitKind.HQ_BLOC: VSS_LEVEL,
    UnitKind.VSS_OFFICE: VSS_LEVEL,
    UnitKind.VSS_SERVICE: VSS_LEVEL,
}
LEVEL_BY_DEPTH = (VSS_LEVEL, PROVINCE_LEVEL)


def level_of(kind: str, depth: int) -> str:
    """The level of a unit of ``kind`` at ``depth`` (see ``LEVEL_OF_KIND``)."""
    level = LEVEL_OF_KIND.get(kind)
    if level is not None:
        return level
    return LEVEL_BY_DEPTH[depth] if depth < len(LEVEL_BY_DEPTH) else DISTRICT_LEVEL


def level_choices() -> list[tuple[str, str]]:
    return [
        (DISTRICT_LEVEL, _("District level (districts, departments)")),
        (PROVINCE_LEVEL, _("Province level")),
        (VSS_LEVEL, _("VSS level (headquarters, units under VSS)")),
    ]


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


# -- Balance of the elected delegates at the Congress --------------------------
# DOMAIN.md, "Delegates of the Congress": the elected are "balanced in number
# and structure across levels and fields of work". Each level's and each
# field's share of the elected delegates is compared with its target, from
# ``Cycle.balance_targets`` ({"levels": {...}, "fields": {...}}, in %) or,
# for a level or field left out, with its share of the sector's staff: the
# headcounts of the cycle's hierarchy by level, the register's active
# people by field. Beyond ±``Cycle.balance_tolerance_points`` points it is
# warned of, as the women and minority targets are.

LEVELS_KEY, FIELDS_KEY = "levels", "fields"


@dataclass(frozen=True)
class StaffShares:
    """The sector's staff by level (headcounts) and by field (register)."""

    levels: dict[str, int]
    fields: dict[str, int]


@dataclass(frozen=True)
class BalanceLine:
    dimension: str  # LEVELS_KEY or FIELDS_KEY
    key: str
    label: str
    count: int
    base: int  # the elected delegates
    target: Fraction  # percent
    configured: bool  # the cycle's target, not the staff's share
    tolerance: int  # percentage points

    @property
    def percent(self) -> float:
        return round(100 * self.count / self.base, 1) if self.base else 0.0

    @property
    def target_percent(self) -> float:
        return round(float(self.target), 1)

    @property
    def difference(self) -> float:
        """Points above (+) or below (−) the target."""
        return round(self.percent - float(self.target), 1)

    @property
    def within(self) -> bool:
        # Exact: |100·count/base − target| ≤ tolerance. Nothing to measure
        # (no elected delegate yet) is not a warning.
        if not self.base:
            return True
        return abs(100 * self.count - self.target * self.base) <= self.tolerance * self.base


@dataclass(frozen=True)
class Balance:
    base: int
    tolerance: int
    lines: list[BalanceLine]

    def of(self, dimension: str) -> list[BalanceLine]:
        return [line for line in self.lines if line.dimension == dimension]

    @property
    def levels(self) -> list[BalanceLine]:
        return self.of(LEVELS_KEY)

    @property
    def fields(self) -> list[BalanceLine]:
        return self.of(FIELDS_KEY)

    @property
    def warnings(self) -> list[BalanceLine]:
        return [line for line in self.lines if not line.within]


def _percent_value(value: object) -> Fraction | None:
    """A target from the cycle's JSON: a number from 0 to 100 (a string of
    one too); anything else is ignored."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        share = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        return None
    return share if 0 <= share <= 100 else None


def configured_targets(cycle: Cycle) -> dict[str, dict[str, Fraction]]:
    """``Cycle.balance_targets`` read safely: known levels and fields with a
    share from 0 to 100 (others ignored)."""
    raw = cycle.balance_targets if isinstance(cycle.balance_targets, dict) else {}
    known = {LEVELS_KEY: set(LEVELS), FIELDS_KEY: set(FieldOfWork.values)}
    result: dict[str, dict[str, Fraction]] = {LEVELS_KEY: {}, FIELDS_KEY: {}}
    for dimension, keys in known.items():
        entries = raw.get(dimension)
        if not isinstance(entries, dict):
            continue
        for key, value in entries.items():
            share = _percent_value(value)
            if key in keys and share is not None:
                result[dimension][key] = share
    return result


def needs_staff_shares(cycle: Cycle) -> bool:
    """Whether some level or field has no target of its own."""
    targets = configured_targets(cycle)
    return len(targets[LEVELS_KEY]) < len(LEVELS) or len(targets[FIELDS_KEY]) < len(
        FieldOfWork.values
    )


def balance_of(facts: Sequence[Facts], cycle: Cycle, staff: StaffShares | None) -> Balance:
    """The balance of the elected delegates among ``facts`` (pure): one line
    per level and per field, against the cycle's target or the staff's
    share (``staff``: needed when some target is left out)."""
    elected = [fact for fact in facts if fact.category == Category.ELECTED and fact.in_register]
    base = len(elected)
    tolerance = cycle.balance_tolerance_points
    targets = configured_targets(cycle)
    staff = staff or StaffShares(levels={}, fields={})
    lines: list[BalanceLine] = []
    dimensions = (
        (LEVELS_KEY, level_choices(), staff.levels, lambda fact: fact.level),
        (FIELDS_KEY, FieldOfWork.choices, staff.fields, lambda fact: fact.field_of_work),
    )
    for dimension, choices, reference, value in dimensions:
        reference_total = sum(reference.values())
        for key, label in choices:
            configured = targets[dimension].get(key)
            if configured is not None:
                target = configured
            elif reference_total:
                target = Fraction(100 * reference.get(key, 0), reference_total)
            else:
                target = Fraction(0)
            lines.append(
                BalanceLine(
                    dimension=dimension,
                    key=key,
                    label=str(label),
                    count=sum(1 for fact in elected if value(fact) == key),
                    base=base,
                    target=target,
                    configured=configured is not None,
                    tolerance=tolerance,
                )
            )
    return Balance(base=base, tolerance=tolerance, lines=lines)


@dataclass(frozen=True)
class Composition:
    total: int
    in_register: int
    dimensions: list[Dimension]
    targets: list[Target] = field(default_factory=list)
    # At the Congress only: the balance of the elected delegates.
    balance: Balance | None = None

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


def mark_label(mark: str) -> str:
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
            _rows(facts, level_choices(), lambda fact: fact.level),
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
                    label=mark_label(mark),
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
    return person_facts(person, category=delegate.category, titles=titles)


def person_facts(person: Person, *, category: str, titles: Iterable[EmulationTitle] = ()) -> Facts:
    """The facts of a person of the register (unit selected) counted as
    ``category``: a delegate's, or a candidate's as the delegate they would
    become; ``titles`` as for ``facts_of``."""
    return Facts(
        category=category,
        gender=person.gender,
        minority=person.is_ethnic_minority,
        level=level_of(person.unit.kind, person.unit.depth),
        field_of_work=person.field_of_work,
        titles=frozenset(title.title for title in titles),
        marks=frozenset(mark for mark in EXEMPLAR_MARKS if getattr(person, mark)),
    )


# The priorities among the elected (DOMAIN.md, "Delegates of a tier-2
# conference"): "Người tốt - Việc tốt" exemplars, a good solution or new
# model, working directly on the task, women, ethnic minorities. They give
# no seat; they are what the officer looks for when choosing candidates.
WOMEN, MINORITY = "women", "minority"
PRIORITY_GROUPS = (*EXEMPLAR_MARKS, WOMEN, MINORITY)


def priority_choices() -> list[tuple[str, str]]:
    """Each priority group with its short label, in the guidance's order."""
    return [
        ("good_person_good_deed", _("Good person, good deed")),
        ("good_solution", _("Good solution or new model")),
        ("works_directly", _("Works directly on the task")),
        (WOMEN, _("Woman")),
        (MINORITY, _("Ethnic minority")),
    ]


def priorities_of(facts: Facts) -> tuple[str, ...]:
    """The priority groups ``facts`` belongs to, in the guidance's order."""
    held = set(facts.marks)
    if facts.in_register and facts.gender == Gender.FEMALE:
        held.add(WOMEN)
    if facts.in_register and facts.minority:
        held.add(MINORITY)
    return tuple(group for group in PRIORITY_GROUPS if group in held)


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
