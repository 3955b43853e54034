"""Data of the days when units belonged to a cycle moves, without loss, into
a hierarchy that the cycle now points to."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("units", "0001_initial"),
    ("congress", "0002_initial"),
    ("delegates", "0003_check_in"),
    ("reports", "0001_initial"),
]


@pytest.mark.django_db(transaction=True)
def test_each_cycles_units_move_into_a_hierarchy_of_their_own():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Cycle, Unit = old.get_model("congress", "Cycle"), old.get_model("units", "Unit")
    cycles = {}
    for number, start in (("V", 2016), ("VI", 2021)):
        cycle = Cycle.objects.create(
            number=number,
            name=f"Chu kỳ {number}",
            congress_name=f"Đại hội {number}",
            period_start_year=start,
            period_end_year=start + 4,
        )
        root = Unit.objects.create(
            cycle=cycle, kind="vss", code="VSS", name="BHXH Việt Nam", path="/VSS/", depth=0
        )
        Unit.objects.create(
            cycle=cycle, parent=root, kind="province", code="P79", name="BHXH TP.HCM",
            path="/VSS/P79/", depth=1, branch_code="P79",
        )  # fmt: skip
        cycles[number] = cycle.pk
    empty = Cycle.objects.create(
        number="VII", name="Chu kỳ VII", congress_name="Đại hội VII",
        period_start_year=2026, period_end_year=2030,
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from congress.models import Cycle as NewCycle
    from units.models import Unit as NewUnit

    v, vi = NewCycle.objects.get(pk=cycles["V"]), NewCycle.objects.get(pk=cycles["VI"])
    assert v.hierarchy.name == "BHXH Việt Nam, 2019–2020"
    assert v.hierarchy != vi.hierarchy
    for cycle in (v, vi):
        units = NewUnit.objects.filter(hierarchy=cycle.hierarchy)
        assert sorted(units.values_list("code", "path")) == [("P79", "/VSS/P79/"), ("VSS", "/VSS/")]
    assert NewCycle.objects.get(pk=empty.pk).hierarchy.units.count() == 0
