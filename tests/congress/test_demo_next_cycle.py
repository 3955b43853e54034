"""The demo cycle VII on VSS's structure since 01/07/2025, beside cycle V."""

import pytest
from django.core import serializers
from django.core.exceptions import ImproperlyConfigured

from congress.demo import fill_demo_next_cycle
from congress.models import Cycle, Tier, TierCapException
from units.models import Cluster, Unit, UnitKind
from units.services import create_demo_users


@pytest.fixture
def cycle_v(national_cycle):
    create_demo_users(hierarchy=national_cycle.hierarchy)
    return national_cycle


def rows_of(cycle) -> str:
    tiers = Tier.objects.filter(cycle=cycle)
    return "".join(
        serializers.serialize("json", rows.order_by("pk"))
        for rows in (
            Cycle.objects.filter(pk=cycle.pk),
            tiers,
            TierCapException.objects.filter(tier__in=tiers),
            Unit.objects.filter(hierarchy=cycle.hierarchy),
        )
    )


def test_the_next_cycle_runs_on_todays_structure(cycle_v):
    before = rows_of(cycle_v)
    cycle = fill_demo_next_cycle(source=cycle_v)

    assert (cycle.number, cycle.is_demo, cycle.is_current) == ("VII", True, False)
    hierarchy = cycle.hierarchy
    assert hierarchy.predecessor == cycle_v.hierarchy
    provinces = Unit.objects.filter(hierarchy=hierarchy, kind=UnitKind.PROVINCE)
    assert provinces.count() == 34
    assert not Unit.objects.filter(hierarchy=hierarchy, kind=UnitKind.DISTRICT).exists()
    hcm = provinces.get(code="P79")
    assert set(hcm.predecessors.values_list("name", flat=True)) == {
        "BHXH TP. Hồ Chí Minh",
        "BHXH tỉnh Bình Dương",
        "BHXH tỉnh Bà Rịa - Vũng Tàu",
    }
    thu_duc = Unit.objects.get(hierarchy=hierarchy, code="P79-CS02")
    assert thu_duc.kind == UnitKind.GRASSROOTS_OFFICE
    assert thu_duc.headcount_is_demo and thu_duc.headcount > 0
    assert set(thu_duc.predecessors.values_list("name", flat=True)) == {
        "BHXH Quận 2",
        "BHXH Quận 9",
        "BHXH quận Thủ Đức",
    }

    tiers = {tier.level: tier for tier in cycle.tiers.all()}
    assert UnitKind.GRASSROOTS_OFFICE in tiers[1].organiser_kinds
    assert UnitKind.DISTRICT not in tiers[1].organiser_kinds
    assert (tiers[1].deadline.year, tiers[3].deadline.year) == (2030, 2030)
    assert {e.unit for e in tiers[2].cap_exceptions.all()} <= set(
        Unit.objects.filter(hierarchy=hierarchy)
    )
    assert set(cycle.pilot_units.values_list("code", flat=True)) == {"P79", "P01"}
    assert Cluster.objects.filter(hierarchy=hierarchy).count() == 2
    assert rows_of(cycle_v) == before


def test_loading_it_again_changes_nothing(cycle_v):
    first = fill_demo_next_cycle(source=cycle_v)
    units = Unit.objects.count()
    again = fill_demo_next_cycle(source=cycle_v)
    assert again == first
    assert Unit.objects.count() == units


def test_never_without_demo_data(cycle_v, settings):
    settings.ALLOW_DEMO_DATA = False
    with pytest.raises(ImproperlyConfigured):
        fill_demo_next_cycle(source=cycle_v)
    assert not Cycle.objects.filter(number="VII").exists()
