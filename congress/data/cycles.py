"""Cycle definitions the loader knows, from the official guidance.

Cycle V: VSS guidance of 30/09/2019 (``shared/source/vss-guidance-2019.txt``,
restated in DOMAIN.md). Once loaded, every figure is edited in the admin;
these are only the starting values.
"""

from dataclasses import dataclass, field
from datetime import date

from units.models import UnitKind


@dataclass(frozen=True)
class TierSpec:
    level: int
    name: str
    organiser_kinds: tuple[str, ...]
    window_start: date
    deadline: date
    allows_half_day: bool = True
    allows_full_day: bool = False
    cap: int | None = None
    cap_counts_guests: bool = True
    may_combine_with_year_end_review: bool = False
    may_combine_with_staff_conference: bool = False
    # Unit code → cap, for units allowed a different maximum.
    cap_exceptions: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CycleSpec:
    number: str
    name: str
    congress_name: str
    period_start_year: int
    period_end_year: int
    tiers: tuple[TierSpec, ...]
    pilot_unit_codes: tuple[str, ...]
    # The hierarchy the cycle runs on, a key of ``units.services.HIERARCHIES``.
    hierarchy_key: str = "2019"


# Unit codes as made by units.services.load_vss_hierarchy.
HQ_BLOC = "KCQ"
HCMC = "P79"
HANOI = "P01"

CYCLE_V = CycleSpec(
    number="V",
    name="Chu kỳ thi đua lần thứ V",
    congress_name="Đại hội Thi đua yêu nước ngành BHXH lần thứ V",
    period_start_year=2016,
    period_end_year=2020,
    pilot_unit_codes=(HCMC, HANOI),
    tiers=(
        TierSpec(
            level=1,
            name="Hội nghị điển hình tiên tiến cấp cơ sở",
            organiser_kinds=(
                UnitKind.DISTRICT,
                UnitKind.PROVINCE_DEPARTMENT,
                UnitKind.VSS_OFFICE,
                UnitKind.VSS_SERVICE,
            ),
            # The guidance was issued on 30/09/2019.
            window_start=date(2019, 10, 1),
            deadline=date(2020, 1, 30),
            may_combine_with_year_end_review=True,
            may_combine_with_staff_conference=True,
        ),
        TierSpec(
            level=2,
            name="Hội nghị điển hình tiên tiến cấp trên cơ sở",
            organiser_kinds=(UnitKind.PROVINCE, UnitKind.HQ_BLOC),
            window_start=date(2019, 10, 1),
            deadline=date(2020, 4, 30),
            allows_full_day=True,
            cap=300,
            cap_counts_guests=True,
            cap_exceptions={HQ_BLOC: 350, HCMC: 350, HANOI: 350},
        ),
        TierSpec(
            level=3,
            name="Đại hội Thi đua yêu nước ngành BHXH lần thứ V",
            organiser_kinds=(UnitKind.VSS,),
            window_start=date(2020, 7, 1),
            deadline=date(2020, 9, 30),
            allows_full_day=True,
            cap=500,
            cap_counts_guests=False,
        ),
    ),
)

CYCLES = {CYCLE_V.number: CYCLE_V}
