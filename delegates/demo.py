"""Demonstration staff registers: for each chosen unit, as many people as
its headcount, with plausible ranks, titles and marks. Seeded per unit, so
the same unit always gets the same people. Never in production
(``ALLOW_DEMO_DATA``)."""

import random
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from congress.demo import FAMILY, GIVEN, MIDDLE
from congress.models import Cycle, FieldOfWork
from units.models import Unit, UnitKind
from units.text import fold

from .models import EmulationTitle, Gender, Person, Rank

MINORITIES = ["Tày", "Thái", "Mường", "Khmer", "Nùng", "H'Mông", "Dao", "Hoa"]
POSITIONS = {
    Rank.HEAD: "Giám đốc",
    Rank.DEPUTY_HEAD: "Phó Giám đốc",
    Rank.DEPARTMENT_HEAD: "Trưởng phòng",
    Rank.DEPUTY_DEPARTMENT_HEAD: "Phó Trưởng phòng",
    Rank.STAFF: "Chuyên viên",
}
# Leaders of a unit by its kind: (heads, deputies).
LEADERS = {
    UnitKind.PROVINCE: (1, 3),
    UnitKind.DISTRICT: (1, 2),
    UnitKind.PROVINCE_DEPARTMENT: (0, 0),
    UnitKind.VSS: (1, 4),
}


@dataclass(frozen=True)
class DemoPeople:
    people: int
    titles: int
    units: int


def _ranks(unit: Unit, count: int) -> list[int]:
    heads, deputies = LEADERS.get(unit.kind, (0, 0))
    if unit.kind in (UnitKind.PROVINCE_DEPARTMENT, UnitKind.VSS_OFFICE, UnitKind.VSS_SERVICE):
        ranks = [Rank.DEPARTMENT_HEAD, Rank.DEPUTY_DEPARTMENT_HEAD]
    else:
        ranks = [Rank.HEAD] * heads + [Rank.DEPUTY_HEAD] * deputies
    return (ranks + [Rank.STAFF] * count)[:count]


@transaction.atomic
def fill_demo_people(
    *, cycle: Cycle, branch_codes: list[str] | None = None, seed: int = 2020
) -> DemoPeople:
    """Give each active unit (of the listed branches, or all) a register of
    ``headcount`` people; units that have staff already are left alone."""
    if not getattr(settings, "ALLOW_DEMO_DATA", False):
        raise ImproperlyConfigured("Demo data is not allowed with these settings.")
    units = Unit.objects.filter(hierarchy_id=cycle.hierarchy_id, is_active=True).exclude(
        staff__isnull=False
    )
    if branch_codes is not None:
        units = units.filter(branch_code__in=branch_codes)
    title_years = range(cycle.period_start_year - 1, cycle.period_end_year)
    people: list[Person] = []
    titles: list[tuple[int, int, str]] = []
    units = list(units.order_by("path"))
    for unit in units:
        rng = random.Random(f"{seed}:{unit.code}")  # noqa: S311 - demo data
        for rank in _ranks(unit, unit.headcount):
            gender = Gender.FEMALE if rng.random() < 0.55 else Gender.MALE
            middle = "Thị" if gender == Gender.FEMALE and rng.random() < 0.6 else rng.choice(MIDDLE)
            name = f"{rng.choice(FAMILY)} {middle} {rng.choice(GIVEN)}"
            leader = rank != Rank.STAFF
            people.append(
                Person(
                    unit=unit,
                    full_name=name,
                    search_name=fold(name),
                    gender=gender,
                    birth_year=rng.randint(1962, 1998) if not leader else rng.randint(1962, 1980),
                    ethnicity=rng.choice(MINORITIES) if rng.random() < 0.07 else "Kinh",
                    position=POSITIONS[Rank(rank)],
                    rank=rank,
                    field_of_work=rng.choice(FieldOfWork.values),
                    is_council_member=leader and rng.random() < 0.6,
                    handles_emulation=not leader and rng.random() < 0.03,
                    good_person_good_deed=rng.random() < 0.04,
                    good_solution=rng.random() < 0.05,
                    works_directly=not leader and rng.random() < 0.5,
                )
            )
            drawn = []
            for year in title_years:
                roll = rng.random()
                if roll < 0.002:
                    drawn.append((year, EmulationTitle.Title.NATIONAL))
                elif roll < 0.02:
                    drawn.append((year, EmulationTitle.Title.SECTOR))
                elif roll < 0.12:
                    drawn.append((year, EmulationTitle.Title.GRASSROOTS))
            titles.extend((len(people) - 1, year, title) for year, title in drawn)
    Person.objects.bulk_create(people, batch_size=1000)
    EmulationTitle.objects.bulk_create(
        (
            EmulationTitle(person=people[index], year=year, title=title)
            for index, year, title in titles
        ),
        batch_size=1000,
    )
    return DemoPeople(people=len(people), titles=len(titles), units=len(units))


# Reasons that make a demo official delegate: those an officer would confirm
# first (leaders, heads of the units below, council, sector/national soldiers).
DEMO_OFFICIAL_REASONS = {"leader", "unit_head", "council", "national_soldier", "sector_soldier"}


@transaction.atomic
def fill_demo_official_delegates(*, conference, actor) -> int:
    """Confirm, as an officer would, the suggested official delegates of
    ``conference`` with a leading reason, within its cap. A conference that
    has delegates already is left alone. Returns how many were added."""
    from .models import Category, Delegate
    from .selectors import delegate_cap, suggest_official_delegates

    if not getattr(settings, "ALLOW_DEMO_DATA", False):
        raise ImproperlyConfigured("Demo data is not allowed with these settings.")
    if conference.delegates.exists():
        return 0
    chosen = [
        suggestion.person
        for suggestion in suggest_official_delegates(conference)
        if {str(reason.kind) for reason in suggestion.reasons} & DEMO_OFFICIAL_REASONS
    ]
    cap = delegate_cap(conference)
    # Leave at least one elected seat per unit below (about a third of the cap).
    limit = len(chosen) if cap is None else min(len(chosen), (cap * 2) // 3)
    Delegate.objects.bulk_create(
        Delegate(
            conference=conference,
            category=Category.OFFICIAL,
            person=person,
            unit=person.unit,
            added_by=actor,
        )
        for person in chosen[:limit]
    )
    return limit
