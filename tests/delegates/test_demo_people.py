"""Demo staff registers: one per unit, seeded, never duplicated."""

from delegates.demo import fill_demo_people
from delegates.models import Person, Rank
from units.models import Unit


def test_each_unit_gets_its_headcount_once(national_cycle):
    hcm_units = Unit.objects.filter(cycle=national_cycle, branch_code="P79")
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
