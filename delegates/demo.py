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

from .models import CouncilRole, EmulationTitle, Gender, Person, Rank
from .names import sortable_name
from .official_lists import PRESS_UNIT_CODES

MINORITIES = ["Tày", "Thái", "Mường", "Khmer", "Nùng", "H'Mông", "Dao", "Hoa"]
POSITIONS = {
    Rank.HEAD: "Giám đốc",
    Rank.DEPUTY_HEAD: "Phó Giám đốc",
    Rank.DEPARTMENT_HEAD: "Trưởng phòng",
    Rank.DEPUTY_DEPARTMENT_HEAD: "Phó Trưởng phòng",
    Rank.STAFF: "Chuyên viên",
}
# The head's title in VSS's own units, by the first word of the unit's name.
HEAD_TITLES = {
    "Ban": "Trưởng Ban",
    "Vụ": "Vụ trưởng",
    "Văn phòng": "Chánh Văn phòng",
    "Trung tâm": "Giám đốc",
    "Viện": "Viện trưởng",
    "Trường": "Hiệu trưởng",
    "Báo": "Tổng Biên tập",
    "Tạp chí": "Tổng Biên tập",
}
# Leaders of a unit by its kind: (heads, deputies).
LEADERS = {
    UnitKind.PROVINCE: (1, 3),
    UnitKind.DISTRICT: (1, 2),
    UnitKind.GRASSROOTS_OFFICE: (1, 2),
    UnitKind.PROVINCE_DEPARTMENT: (0, 0),
    UnitKind.VSS: (1, 4),
    UnitKind.VSS_OFFICE: (1, 2),
    UnitKind.VSS_SERVICE: (1, 2),
    UnitKind.SECTOR: (1, 2),
}
EXEMPLAR_REASONS = [
    "Dẫn đầu phong trào thi đua giảm nợ đóng BHXH, BHYT của đơn vị",
    "Sáng kiến cải cách thủ tục hành chính được áp dụng toàn tỉnh",
    "Hoàn thành xuất sắc nhiệm vụ phát triển người tham gia BHXH tự nguyện",
    "Phát hiện và ngăn chặn kịp thời trục lợi quỹ BHYT",
]
EMULATION_POSITION = "Chuyên viên phụ trách thi đua - khen thưởng"


@dataclass(frozen=True)
class DemoPeople:
    people: int
    titles: int
    units: int


def _ranks(unit: Unit, count: int) -> list[int]:
    heads, deputies = LEADERS.get(unit.kind, (0, 0))
    if unit.kind == UnitKind.PROVINCE_DEPARTMENT:
        ranks = [Rank.DEPARTMENT_HEAD, Rank.DEPUTY_DEPARTMENT_HEAD]
    else:
        ranks = [Rank.HEAD] * heads + [Rank.DEPUTY_HEAD] * deputies
    return (ranks + [Rank.STAFF] * count)[:count]


def _position(unit: Unit, rank: int, rng: random.Random) -> str:
    if unit.kind == UnitKind.VSS and rank in (Rank.HEAD, Rank.DEPUTY_HEAD):
        return "Tổng Giám đốc" if rank == Rank.HEAD else "Phó Tổng Giám đốc"
    if unit.kind in (UnitKind.VSS_OFFICE, UnitKind.VSS_SERVICE) and rank in (
        Rank.HEAD,
        Rank.DEPUTY_HEAD,
    ):
        title = next(
            (t for word, t in HEAD_TITLES.items() if unit.name.startswith(word)), "Thủ trưởng"
        )
        return title if rank == Rank.HEAD else f"Phó {title[0].lower()}{title[1:]}"
    if unit.code in PRESS_UNIT_CODES and rank == Rank.STAFF and rng.random() < 0.2:
        return "Phóng viên"
    return POSITIONS[Rank(rank)]


def _seat_councils(units: list[Unit], staff: dict[int, list[Person]]) -> None:
    """Each province's council and VSS's, as offices form them: the head
    chairs, a deputy is the standing member (Phó Chủ tịch Thường trực), the
    other deputies and the heads of the units below are members, and the
    staff member in charge of emulation of the Văn phòng (VSS: of the Vụ Thi
    đua - Khen thưởng) is the secretary."""
    children: dict[int, list[Unit]] = {}
    for unit in units:
        if unit.parent_id is not None:
            children.setdefault(unit.parent_id, []).append(unit)
    for council in units:
        if council.kind not in (UnitKind.PROVINCE, UnitKind.VSS) or not staff.get(council.pk):
            continue
        below = children.get(council.pk, [])
        if council.kind == UnitKind.VSS:
            bloc = next((u for u in below if u.kind == UnitKind.HQ_BLOC), None)
            below = children.get(bloc.pk, []) if bloc is not None else []
            secretary_units = [u for u in below if u.code.endswith("-TDKT")]
        else:
            below = [u for u in below if u.kind == UnitKind.PROVINCE_DEPARTMENT]
            secretary_units = [u for u in below if u.code.endswith("-VP")]
        own = staff[council.pk]
        leaders = [p for p in own if p.rank in (Rank.HEAD, Rank.DEPUTY_HEAD)]
        roles: list[tuple[Person, str]] = []
        if leaders:
            roles.append((leaders[0], CouncilRole.CHAIR))
        if len(leaders) > 1:
            roles.append((leaders[1], CouncilRole.STANDING))
        roles.extend((p, CouncilRole.MEMBER) for p in leaders[2:])
        for unit in below:
            heads = [
                p for p in staff.get(unit.pk, []) if p.rank in (Rank.HEAD, Rank.DEPARTMENT_HEAD)
            ]
            roles.extend((p, CouncilRole.MEMBER) for p in heads[:1])
        for unit in [*secretary_units, council]:
            clerks = [p for p in staff.get(unit.pk, []) if p.rank == Rank.STAFF]
            if clerks:
                clerks[0].handles_emulation = True
                clerks[0].position = EMULATION_POSITION
                roles.append((clerks[0], CouncilRole.SECRETARY))
                break
        for person, role in roles:
            person.council_role = role
            person.council_unit = council


def vss_branch_codes(cycle: Cycle) -> list[str]:
    """VSS's own branches: its root and the HQ bloc (VSS's council sits there)."""
    return list(
        Unit.objects.filter(hierarchy_id=cycle.hierarchy_id, depth__lte=1)
        .filter(kind__in=[UnitKind.VSS, UnitKind.HQ_BLOC])
        .values_list("branch_code", flat=True)
    )


@transaction.atomic
def fill_demo_people(
    *,
    cycle: Cycle,
    branch_codes: list[str] | None = None,
    seed: int = 2020,
    with_vss: bool = True,
) -> DemoPeople:
    """Give each active unit (of the listed branches, or all) a register of
    ``headcount`` people; units that have staff already are left alone.
    With listed branches, VSS's own (its root and the HQ bloc) come too
    unless ``with_vss`` is false, so that VSS's council exists. Councils
    are seated as ``_seat_councils`` says."""
    if not getattr(settings, "ALLOW_DEMO_DATA", False):
        raise ImproperlyConfigured("Demo data is not allowed with these settings.")
    units = Unit.objects.filter(hierarchy_id=cycle.hierarchy_id, is_active=True).exclude(
        staff__isnull=False
    )
    if branch_codes is not None:
        codes = [*branch_codes, *(vss_branch_codes(cycle) if with_vss else [])]
        units = units.filter(branch_code__in=codes)
    title_years = range(cycle.period_start_year - 1, cycle.period_end_year)
    people: list[Person] = []
    titles: list[tuple[int, int, str]] = []
    staff: dict[int, list[Person]] = {}
    units = list(units.order_by("path"))
    for unit in units:
        rng = random.Random(f"{seed}:{unit.code}")  # noqa: S311 - demo data
        for rank in _ranks(unit, unit.headcount):
            gender = Gender.FEMALE if rng.random() < 0.55 else Gender.MALE
            middle = "Thị" if gender == Gender.FEMALE and rng.random() < 0.6 else rng.choice(MIDDLE)
            if middle == "Thị" and gender == Gender.MALE:
                middle = "Văn"  # "Thị" names a woman
            name = f"{rng.choice(FAMILY)} {middle} {rng.choice(GIVEN)}"
            leader = rank != Rank.STAFF
            person = Person(
                unit=unit,
                full_name=name,
                search_name=fold(name),
                name_key=sortable_name(name),
                gender=gender,
                birth_year=rng.randint(1962, 1998) if not leader else rng.randint(1962, 1980),
                ethnicity=rng.choice(MINORITIES) if rng.random() < 0.07 else "Kinh",
                position=_position(unit, rank, rng),
                rank=rank,
                field_of_work=rng.choice(FieldOfWork.values),
                handles_emulation=not leader and rng.random() < 0.03,
                good_person_good_deed=rng.random() < 0.04,
                good_solution=rng.random() < 0.05,
                works_directly=not leader and rng.random() < 0.5,
                exemplar_reason=rng.choice(EXEMPLAR_REASONS) if rng.random() < 0.01 else "",
            )
            people.append(person)
            staff.setdefault(unit.pk, []).append(person)
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
    _seat_councils(units, staff)
    Person.objects.bulk_create(people, batch_size=1000)
    EmulationTitle.objects.bulk_create(
        (
            EmulationTitle(person=people[index], year=year, title=title)
            for index, year, title in titles
        ),
        batch_size=1000,
    )
    return DemoPeople(people=len(people), titles=len(titles), units=len(units))


# Lines that make a demo official delegate: every line of the lists but the
# grassroots soldiers, who are many (an officer would choose among them).
DEMO_OFFICIAL_LINES = {
    "leaders",
    "council",
    "district_leaders",
    "department_leaders",
    "national_soldiers",
    "sector_soldiers",
    "emulation_staff",
    "exemplars",
    "vss_unit_heads",
    "press_reporters",
    "province_council_chairs",
    "province_council_standing",
    "defence_police_leaders",
}


@transaction.atomic
def fill_demo_official_delegates(*, conference, actor) -> int:
    """Confirm, as an officer would, the suggested official delegates of
    ``conference`` on the lines of ``DEMO_OFFICIAL_LINES``, within its cap.
    A conference that has delegates already is left alone. Returns how many
    were added."""
    from delegates.selectors.delegates import delegate_cap
    from delegates.selectors.suggestions import suggest_official_delegates

    from .models import Category, Delegate

    if not getattr(settings, "ALLOW_DEMO_DATA", False):
        raise ImproperlyConfigured("Demo data is not allowed with these settings.")
    if conference.delegates.exists():
        return 0
    chosen = [
        suggestion.person
        for suggestion in suggest_official_delegates(conference)
        if {reason.key for reason in suggestion.reasons} & DEMO_OFFICIAL_LINES
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
