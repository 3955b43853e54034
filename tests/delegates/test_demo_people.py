"""Demo staff registers: one per unit, seeded, never duplicated."""

from delegates.demo import fill_demo_people
from delegates.models import Person, Rank
from units.models import Unit


def test_each_unit_gets_its_headcount_once(national_cycle):
    hcm_units = Unit.objects.filter(hierarchy=national_cycle.hierarchy, branch_code="P79")
    result = fill_demo_people(cycle=national_cycle, branch_codes=["P79"])
    assert result.people == sum(u.headcount for u in hcm_units) == Person.objects.count()
    assert not Person.objects.exclude(unit__branch_code="P79").exists()
    hcm = hcm_units.get(code="P79")
    assert list(hcm.staff.filter(rank=Rank.HEAD).values_list("position", flat=True)) == ["Giám đốc"]
    names = sorted(Person.objects.values_list("unit__code", "full_name", "birth_year"))
    again = fill_demo_people(cycle=national_cycle, branch_codes=["P79"])
    assert again.people == 0
    Person.objects.all().delete()
    fill_demo_people(cycle=national_cycle, branch_codes=["P79"])
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
