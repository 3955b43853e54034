"""Tiers of cycle V on the small hand-built tree (tests/conftest.py)."""

import datetime

import pytest

from tests.factories import TierFactory
from units.models import UnitKind


@pytest.fixture
def tiers(tree):
    """Cycle V's three tiers on the hand-built tree; HCMC is a pilot with a
    cap of 350 at tier 2."""
    grassroots = TierFactory(
        cycle=tree.cycle,
        level=1,
        name="Hội nghị điển hình tiên tiến cấp cơ sở",
        organiser_kinds=[UnitKind.DISTRICT, UnitKind.PROVINCE_DEPARTMENT],
        window_start=datetime.date(2019, 10, 1),
        deadline=datetime.date(2020, 1, 30),
        may_combine_with_year_end_review=True,
        may_combine_with_staff_conference=True,
    )
    upper = TierFactory(
        cycle=tree.cycle,
        level=2,
        name="Hội nghị điển hình tiên tiến cấp trên cơ sở",
        organiser_kinds=[UnitKind.PROVINCE, UnitKind.HQ_BLOC],
        window_start=datetime.date(2019, 10, 1),
        deadline=datetime.date(2020, 4, 30),
        allows_full_day=True,
        cap=300,
    )
    congress = TierFactory(
        cycle=tree.cycle,
        level=3,
        name="Đại hội Thi đua yêu nước ngành BHXH lần thứ V",
        organiser_kinds=[UnitKind.VSS],
        window_start=datetime.date(2020, 7, 1),
        deadline=datetime.date(2020, 9, 30),
        allows_full_day=True,
        cap=500,
        cap_counts_guests=False,
    )
    upper.cap_exceptions.create(unit=tree.hcm, cap=350)
    tree.cycle.pilot_units.add(tree.hcm)
    return {1: grassroots, 2: upper, 3: congress}
