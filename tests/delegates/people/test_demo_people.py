"""Demo staff registers: one per unit, seeded, never duplicated."""

from delegates.demo import fill_demo_people
from delegates.models import CouncilRole, Person, Rank
from units.models import Unit, UnitKind


def test_each_unit_gets_its_headcount_once(national_cycle):
    hcm_units = Unit.objects.filter(hierarchy=national_cycle.hierarchy, branch_code="P79")
    result = fill_demo_people(cycle=national_cycle, branch_codes=["P79"], with_vss=False)
    assert result.people == sum(u.headcount for u in hcm_units) == Person.objects.count()
    assert not Person.objects.exclude(unit__branch_code="P79").exists()
    hcm = hcm_units.get(code="P79")
    assert list(hcm.staff.filter(rank=Rank.HEAD).values_list("position", flat=True)) == ["Giám đốc"]
    names = sorted(Person.objects.values_list("unit__code", "full_name", "birth_year"))
    again = fill_demo_people(cycle=national_cycle, branch_codes=["P79"], with_vss=False)
    assert again.people == 0
    Person.objects.all().delete()
    fill_demo_people(cycle=national_cycle, branch_codes=["P79"], with_vss=False)
    assert sorted(Person.objects.values_list("unit__code", "full_name", "birth_year")) == names


def test_ready_province_gets_its_official_delegates_within_the_cap(
    national_cycle, settings, tmp_path
):
    from congress.demo import fill_demo_cycle
    from congress.models import Conference
    from delegates.demo import fill_demo_official_delegates
    from delegates.models import Category
    from units.services import create_demo_users

    settings.MEDIA_ROOT = tmp_path
    create_demo_users(hierarchy=national_cycle.hierarchy)
    fill_demo_cycle(cycle=national_cycle, share=0.0, ready_branches=("P01",))
    fill_demo_people(cycle=national_cycle, branch_codes=["P01"])
    hanoi = Conference.objects.get(unit__code="P01", tier__level=2)
    admin = hanoi.created_by
    added = fill_demo_official_delegates(conference=hanoi, actor=admin)
    assert 0 < added <= 350 * 2 // 3
    assert hanoi.delegates.filter(category=Category.OFFICIAL).count() == added
    assert hanoi.delegates.filter(person__unit__code="P01", person__rank=Rank.HEAD).exists()
    assert fill_demo_official_delegates(conference=hanoi, actor=admin) == 0


def test_each_province_and_vss_get_a_council(national_cycle):
    fill_demo_people(cycle=national_cycle, branch_codes=["P01"])
    hierarchy = national_cycle.hierarchy
    hanoi = Unit.objects.get(hierarchy=hierarchy, code="P01")
    vss = Unit.objects.get(hierarchy=hierarchy, parent=None)
    # VSS's own branches come with the province: VSS's council exists.
    assert Person.objects.filter(unit__branch_code="KCQ").exists()
    for council in (hanoi, vss):
        seats = list(
            Person.objects.filter(council_unit=council).values_list("council_role", "rank")
        )
        roles = [role for role, _rank in seats]
        assert roles.count(CouncilRole.CHAIR) == 1, council
        assert roles.count(CouncilRole.STANDING) == 1, council
        assert roles.count(CouncilRole.SECRETARY) == 1, council
        assert roles.count(CouncilRole.MEMBER) >= 3, council
        assert (CouncilRole.CHAIR, Rank.HEAD) in seats
    chair = Person.objects.get(council_unit=vss, council_role=CouncilRole.CHAIR)
    assert (chair.unit, chair.position) == (vss, "Tổng Giám đốc")
    secretary = Person.objects.get(council_unit=hanoi, council_role=CouncilRole.SECRETARY)
    assert secretary.handles_emulation and secretary.unit.code == "P01-VP"
    # Every seat is on the council of the person's branch.
    assert not Person.objects.filter(council_unit=hanoi).exclude(unit__branch_code="P01").exists()
    # The heads of VSS's units are heads, some of the press are reporters.
    assert Person.objects.filter(unit__kind=UnitKind.VSS_OFFICE, rank=Rank.HEAD).exists()
    assert Person.objects.filter(unit__code="KCQ-BAO", position="Phóng viên").exists()
    assert Person.objects.exclude(exemplar_reason="").exists()
