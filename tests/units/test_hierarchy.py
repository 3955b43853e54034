"""Loading cycle V's real hierarchy from the administrative divisions."""

import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from congress.data.cycles import CYCLE_V
from congress.models import Cycle, Tier
from congress.services import load_cycle
from units.divisions import district_unit_name, province_unit_name
from units.models import Unit, UnitKind


def test_national_hierarchy_has_every_province_and_district(national_cycle):
    units = Unit.objects.filter(hierarchy=national_cycle.hierarchy)
    assert units.filter(kind=UnitKind.PROVINCE).count() == 63
    assert units.filter(kind=UnitKind.DISTRICT).count() >= 690
    assert units.filter(kind=UnitKind.HQ_BLOC).count() == 1
    assert units.filter(kind__in=[UnitKind.VSS_OFFICE, UnitKind.VSS_SERVICE]).count() > 15
    assert set(units.filter(kind=UnitKind.SECTOR).values_list("name", flat=True)) == {
        "BHXH Bộ Quốc phòng",
        "BHXH Công an nhân dân",
    }
    assert units.filter(parent__isnull=True).get().name == "Bảo hiểm xã hội Việt Nam"


def test_every_province_has_its_departments(national_cycle):
    provinces = Unit.objects.filter(hierarchy=national_cycle.hierarchy, kind=UnitKind.PROVINCE)
    for province in provinces:
        assert province.children.filter(
            kind=UnitKind.PROVINCE_DEPARTMENT, name="Văn phòng"
        ).exists()


def test_hcmc_subtree_holds_its_districts_of_2019_2020(national_cycle):
    hcm = Unit.objects.get(hierarchy=national_cycle.hierarchy, code="P79")
    districts = hcm.children.filter(kind=UnitKind.DISTRICT)
    names = set(districts.values_list("name", flat=True))
    assert hcm.name == "BHXH TP. Hồ Chí Minh"
    assert districts.count() == 24
    # Quận 2, Quận 9 and Quận Thủ Đức held their own conferences in January
    # 2020; they were merged into thành phố Thủ Đức only in 2021.
    assert {"BHXH Quận 1", "BHXH Quận 2", "BHXH Quận 9", "BHXH quận Thủ Đức"} <= names
    assert "BHXH huyện Củ Chi" in names
    assert not any("thành phố Thủ Đức" in name for name in names)
    assert "BHXH quận Ba Đình" not in names


def test_hue_is_the_province_of_thua_thien_hue(national_cycle):
    hue = Unit.objects.get(hierarchy=national_cycle.hierarchy, code="P46")
    assert hue.name == "BHXH tỉnh Thừa Thiên Huế"


def test_subtree_is_one_query(national_cycle):
    hanoi = Unit.objects.get(hierarchy=national_cycle.hierarchy, code="P01")
    with CaptureQueriesContext(connection) as queries:
        units = list(Unit.objects.subtree_of(hanoi))
    assert len(queries) == 1
    assert len(units) == 1 + 30 + 11  # the province, its districts, its departments


def test_names_are_nfc_and_headcounts_labelled_demo(national_cycle):
    units = Unit.objects.filter(hierarchy=national_cycle.hierarchy)
    for name in units.values_list("name", flat=True):
        assert unicodedata.is_normalized("NFC", name), name
    assert not units.filter(headcount_is_demo=False).exists()
    districts = units.filter(kind=UnitKind.DISTRICT).values_list("headcount", flat=True)
    assert all(10 <= n <= 80 for n in districts)


def test_loading_twice_keeps_edits_and_duplicates_nothing(national_cycle):
    unit = Unit.objects.get(hierarchy=national_cycle.hierarchy, code="D760")
    unit.headcount = 77
    unit.headcount_is_demo = False
    unit.save()
    before = Unit.objects.count()
    _, result = load_cycle(spec=CYCLE_V)
    assert result.created == 0
    assert Unit.objects.count() == before
    assert Cycle.objects.count() == 1
    assert Tier.objects.count() == 3
    unit.refresh_from_db()
    assert (unit.headcount, unit.headcount_is_demo) == (77, False)


def test_cycle_v_holds_domain_figures(national_cycle):
    tiers = {t.level: t for t in national_cycle.tiers.all()}
    assert tiers[1].deadline.isoformat() == "2020-01-30"
    assert tiers[1].cap is None and tiers[1].allowed_lengths == ["half_day"]
    assert tiers[1].may_combine_with_year_end_review and tiers[1].may_combine_with_staff_conference
    assert tiers[2].deadline.isoformat() == "2020-04-30"
    assert tiers[2].cap == 300 and tiers[2].cap_counts_guests
    exceptions = {e.unit.code: e.cap for e in tiers[2].cap_exceptions.select_related("unit")}
    assert exceptions == {"KCQ": 350, "P79": 350, "P01": 350}
    assert tiers[3].cap == 500 and not tiers[3].cap_counts_guests
    assert (tiers[3].window_start.isoformat(), tiers[3].deadline.isoformat()) == (
        "2020-07-01",
        "2020-09-30",
    )
    assert set(national_cycle.pilot_units.values_list("code", flat=True)) == {"P79", "P01"}
    assert national_cycle.is_current


def test_second_cycle_on_the_same_hierarchy_shares_its_units_not_its_tiers(national_cycle):
    from dataclasses import replace

    spec = replace(
        CYCLE_V, number="VI", name="Chu kỳ VI", period_start_year=2021, period_end_year=2025
    )
    before = Unit.objects.count()
    cycle_vi, result = load_cycle(spec=spec)
    assert (result.created, Unit.objects.count()) == (0, before)
    assert cycle_vi.hierarchy_id == national_cycle.hierarchy_id
    assert not cycle_vi.is_current
    tier = cycle_vi.tiers.get(level=2)
    tier.cap = 250
    tier.save()
    assert national_cycle.tiers.get(level=2).cap == 300


@pytest.mark.parametrize(
    ("place", "name"),
    [("Tỉnh Hà Giang", "BHXH tỉnh Hà Giang"), ("Thành phố Hà Nội", "BHXH TP. Hà Nội")],
)
def test_province_unit_name(place, name):
    assert province_unit_name(place) == name


@pytest.mark.parametrize(
    ("place", "name"),
    [
        ("Quận 1", "BHXH Quận 1"),
        ("Quận Ba Đình", "BHXH quận Ba Đình"),
        ("Huyện Củ Chi", "BHXH huyện Củ Chi"),
        ("Thị xã Sơn Tây", "BHXH thị xã Sơn Tây"),
        ("Thành phố Thủ Đức", "BHXH thành phố Thủ Đức"),
    ],
)
def test_district_unit_name(place, name):
    assert district_unit_name(place) == name
