"""Who attends by right: the official (ex-officio) delegates of each tier,
line by line as the 2019 guidance lists them (``vss-guidance-2019.txt``;
DOMAIN.md, "Delegates of a tier-2 conference", "Delegates of the Congress").

Each line is a key, its Vietnamese text as in the guidance, and a predicate
over a person's facts and the conference's context. No database here: the
selector (``delegates.selectors.suggestions.suggest_official_delegates``)
gathers the facts in a few queries and narrows the register with a filter
per line.

The priorities among the *elected* ("Người tốt - Việc tốt", a good work
solution or new model, carrying out the work directly, women, ethnic
minorities) are no line of any list: they never give an official seat.

The texts keep the guidance's words; only its spacing around the dash
("Thi đua- Khen thưởng") and a doubled word ("cơ cơ sở") are tidied, and the
years are the cycle's (``{first}``, ``{last}``: 2015 and 2019 in cycle V).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from congress.models import Tier
from units.models import UnitKind
from units.text import fold

from .models import CouncilRole, EmulationTitle, Rank

# The council roles as the format and the lists write them.
COUNCIL_ROLE_WORDS: dict[str, str] = {
    CouncilRole.CHAIR: "Chủ tịch",
    CouncilRole.STANDING: "Thường trực",
    CouncilRole.SECRETARY: "Thư ký",
    CouncilRole.MEMBER: "Ủy viên",
}

# The sector's newspaper (Báo BHXH), magazine (Tạp chí BHXH) and the unit
# running its web portal (Cổng TTĐT: Trung tâm Truyền thông), by their codes
# in the hierarchies (units/data/vss_units.csv, vss_central_units_2025.csv).
PRESS_UNIT_CODES = ("KCQ-BAO", "KCQ-TAPCHI", "KCQ-TRUYENTHONG")
REPORTER = "phong vien"  # a reporter's position, folded ("Phóng viên")

DISTRICT_KINDS = (UnitKind.DISTRICT, UnitKind.GRASSROOTS_OFFICE)
VSS_UNIT_KINDS = (UnitKind.VSS_OFFICE, UnitKind.VSS_SERVICE)
LEADER_RANKS = (Rank.HEAD, Rank.DEPUTY_HEAD)
DEPARTMENT_LEADER_RANKS = (Rank.HEAD, Rank.DEPARTMENT_HEAD)


@dataclass(frozen=True)
class PersonFacts:
    """What the lines look at in a person of the register."""

    unit_id: int
    unit_kind: str
    unit_parent_id: int | None
    rank: int
    # The council their branch's people sit on: their province's, or VSS's
    # for VSS and the HQ bloc.
    branch_council_id: int | None = None
    position: str = ""
    council_role: str = ""
    council_unit_id: int | None = None
    council_unit_kind: str = ""
    handles_emulation: bool = False
    exemplar: bool = False
    titles: frozenset[tuple[str, int]] = frozenset()  # (title, year)


@dataclass(frozen=True)
class Context:
    """The conference the lines are read for."""

    unit_id: int  # the organising unit: a province, the HQ bloc, VSS
    council_unit_id: int | None  # its council: the province's; VSS's for VSS and the HQ bloc
    title_years: range
    press_unit_ids: frozenset[int] = frozenset()
    # Province councils that have a standing member: their secretary then
    # does not come to the Congress ("Thường trực … hoặc Thư ký").
    councils_with_standing: frozenset[int] = frozenset()


Predicate = Callable[[PersonFacts, Context], bool]
Detail = Callable[[PersonFacts, Context], str]


def _no_detail(person: PersonFacts, context: Context) -> str:
    return ""


@dataclass(frozen=True)
class Line:
    key: str
    text: str  # Vietnamese, as in the guidance; {first}/{last}: the title years
    # ``None``: not people of the register (the press agencies), added by name.
    applies: Predicate | None
    detail: Detail = _no_detail

    def label(self, years: range) -> str:
        if not years:
            return self.text.format(first="", last="")
        return self.text.format(first=years[0], last=years[-1])

    @property
    def in_register(self) -> bool:
        return self.applies is not None


# -- The predicates --------------------------------------------------------------


def leaders(person: PersonFacts, context: Context) -> bool:
    """Leaders of the organising unit itself (director and deputies)."""
    return person.unit_id == context.unit_id and person.rank in LEADER_RANKS


def council(person: PersonFacts, context: Context) -> bool:
    """Anyone with a role on the conference's own council."""
    return bool(person.council_role) and person.council_unit_id == context.council_unit_id


def council_role(person: PersonFacts, context: Context) -> str:
    return COUNCIL_ROLE_WORDS.get(person.council_role, "")


def district_leaders(person: PersonFacts, context: Context) -> bool:
    """The head of each district (grassroots office) below: the district's
    representative."""
    return (
        person.unit_parent_id == context.unit_id
        and person.unit_kind in DISTRICT_KINDS
        and person.rank == Rank.HEAD
    )


def department_leaders(person: PersonFacts, context: Context) -> bool:
    """The head of each other unit directly below (departments, Văn phòng)."""
    return (
        person.unit_parent_id == context.unit_id
        and person.unit_kind not in DISTRICT_KINDS
        and person.rank in DEPARTMENT_LEADER_RANKS
    )


def _holds(title: str) -> Predicate:
    def holds(person: PersonFacts, context: Context) -> bool:
        return any(t == title and year in context.title_years for t, year in person.titles)

    holds.__name__ = f"holds_{title}"
    return holds


def _years_of(title: str) -> Detail:
    def years(person: PersonFacts, context: Context) -> str:
        held = sorted({y for t, y in person.titles if t == title and y in context.title_years})
        return ", ".join(str(year) for year in held)

    return years


def emulation_staff(person: PersonFacts, context: Context) -> bool:
    """Staff in charge of emulation and reward in the units of the
    conference's branch (at the Congress: VSS's own units, the provinces
    coming through their councils)."""
    return person.handles_emulation and person.branch_council_id == context.council_unit_id


def exemplars(person: PersonFacts, context: Context) -> bool:
    return person.exemplar


def vss_unit_heads(person: PersonFacts, context: Context) -> bool:
    """Heads of the units directly under VSS (Ban, Vụ, Văn phòng, Trung tâm,
    Viện, Trường, Báo, Tạp chí)."""
    return person.unit_kind in VSS_UNIT_KINDS and person.rank == Rank.HEAD


def press_reporters(person: PersonFacts, context: Context) -> bool:
    return person.unit_id in context.press_unit_ids and REPORTER in fold(person.position)


def _province_council(person: PersonFacts) -> bool:
    return person.council_unit_kind == UnitKind.PROVINCE


def province_council_chairs(person: PersonFacts, context: Context) -> bool:
    return _province_council(person) and person.council_role == CouncilRole.CHAIR


def province_council_standing(person: PersonFacts, context: Context) -> bool:
    """The standing member of each province's council, or its secretary
    where it has no standing member."""
    if not _province_council(person):
        return False
    if person.council_role == CouncilRole.STANDING:
        return True
    return (
        person.council_role == CouncilRole.SECRETARY
        and person.council_unit_id not in context.councils_with_standing
    )


def defence_police_leaders(person: PersonFacts, context: Context) -> bool:
    """The heads of BHXH Bộ Quốc phòng and BHXH Công an nhân dân."""
    return person.unit_kind == UnitKind.SECTOR and person.rank == Rank.HEAD


NATIONAL, SECTOR, GRASSROOTS = (
    EmulationTitle.Title.NATIONAL,
    EmulationTitle.Title.SECTOR,
    EmulationTitle.Title.GRASSROOTS,
)
# The title each soldier line looks for (the selector's filter uses it too).
SOLDIER_TITLES = {
    "national_soldiers": NATIONAL,
    "sector_soldiers": SECTOR,
    "grassroots_soldiers": GRASSROOTS,
}
holds_national, holds_sector, holds_grassroots = (
    _holds(NATIONAL),
    _holds(SECTOR),
    _holds(GRASSROOTS),
)

# -- The lists ----------------------------------------------------------------------

COUNCIL_TIER_2 = "Hội đồng Thi đua - Khen thưởng BHXH tỉnh"
EMULATION_STAFF = "Cán bộ phụ trách công tác thi đua - khen thưởng tại các đơn vị"
EXEMPLARS = (
    "Các gương điển hình tiên tiến có thành tích xuất sắc trong thực hiện nhiệm vụ được giao"
)

# A province's tier-2 conference ("Đại biểu chính thức mời gồm …").
TIER_2: tuple[Line, ...] = (
    Line("leaders", "Lãnh đạo BHXH tỉnh", leaders),
    Line("council", COUNCIL_TIER_2, council, council_role),
    Line("district_leaders", "Đại diện lãnh đạo BHXH huyện", district_leaders),
    Line(
        "department_leaders",
        "Đại diện lãnh đạo các đơn vị trực thuộc BHXH tỉnh",
        department_leaders,
    ),
    Line(
        "national_soldiers",
        "Chiến sĩ thi đua toàn quốc (nếu có)",
        holds_national,
        _years_of(NATIONAL),
    ),
    Line(
        "sector_soldiers",
        "Chiến sĩ thi đua ngành BHXH các năm (từ năm {first} đến năm {last})",
        holds_sector,
        _years_of(SECTOR),
    ),
    Line(
        "grassroots_soldiers",
        "Chiến sĩ thi đua cơ sở các năm (từ năm {first} đến năm {last})",
        holds_grassroots,
        _years_of(GRASSROOTS),
    ),
    Line("emulation_staff", EMULATION_STAFF, emulation_staff),
    Line("exemplars", EXEMPLARS, exemplars),
)

# The Congress ("Đại biểu chính thức gồm …", then "Với BHXH tỉnh gồm …").
CONGRESS: tuple[Line, ...] = (
    Line("leaders", "Lãnh đạo BHXH Việt Nam", leaders),
    Line("vss_unit_heads", "Thủ trưởng các đơn vị trực thuộc BHXH Việt Nam", vss_unit_heads),
    Line("emulation_staff", EMULATION_STAFF, emulation_staff),
    Line(
        "council",
        "Thành viên Hội đồng Thi đua - Khen thưởng BHXH Việt Nam",
        council,
        council_role,
    ),
    Line(
        "press_reporters",
        "Phóng viên Báo BHXH, Tạp chí BHXH và Cổng TTĐT của Ngành",
        press_reporters,
    ),
    Line(
        "province_council_chairs",
        "BHXH tỉnh: Chủ tịch Hội đồng Thi đua - Khen thưởng",
        province_council_chairs,
    ),
    Line(
        "province_council_standing",
        "BHXH tỉnh: Thường trực Hội đồng Thi đua - Khen thưởng hoặc Thư ký Hội đồng "
        "Thi đua - Khen thưởng",
        province_council_standing,
        council_role,
    ),
    Line(
        "defence_police_leaders",
        "Đại diện lãnh đạo BHXH Bộ Quốc phòng, BHXH Công an nhân dân",
        defence_police_leaders,
    ),
    Line(
        "national_soldiers",
        "Chiến sĩ thi đua toàn quốc (giai đoạn {first}-{last})",
        holds_national,
        _years_of(NATIONAL),
    ),
    Line(
        "sector_soldiers",
        "Chiến sĩ thi đua ngành BHXH (giai đoạn {first}-{last})",
        holds_sector,
        _years_of(SECTOR),
    ),
    Line("exemplars", EXEMPLARS, exemplars),
    Line("press_agencies", "Các cơ quan báo chí Trung ương và địa phương", None),
)

LISTS: dict[int, tuple[Line, ...]] = {
    Tier.Level.UPPER_GRASSROOTS: TIER_2,
    Tier.Level.CONGRESS: CONGRESS,
}


def all_lines(level: int | None = None) -> tuple[Line, ...]:
    """Every line once by key: those of ``level``'s list first (with its
    texts), then the other tiers' (what a conference's own composition may
    choose from)."""
    ordered = [*LISTS.get(level or 0, ()), *(line for lst in LISTS.values() for line in lst)]
    seen: dict[str, Line] = {}
    for line in ordered:
        seen.setdefault(line.key, line)
    return tuple(seen.values())


LINE_KEYS = frozenset(line.key for lst in LISTS.values() for line in lst)


def lines_for(level: int, keys: Iterable[str] = ()) -> tuple[Line, ...]:
    """The lines that give a seat at a conference of ``level``: its tier's
    list, or the chosen ``keys`` (a conference's own composition), in the
    order of the tier's list first. No list below tier 2: all staff attend."""
    chosen = set(keys)
    if not chosen:
        return LISTS.get(level, ())
    return tuple(line for line in all_lines(level) if line.key in chosen)


def lines_met(
    person: PersonFacts, context: Context, lines: Iterable[Line]
) -> list[tuple[Line, str]]:
    """The lines ``person`` meets, in the list's order, each with its detail
    (the council role, the years of the title)."""
    return [
        (line, line.detail(person, context))
        for line in lines
        if line.applies is not None and line.applies(person, context)
    ]
