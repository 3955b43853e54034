"""Carrying a staff register into a newer hierarchy through the units'
predecessors: copied, the old records exactly as they were."""

import pytest
from django.core import serializers
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from delegates.models import EmulationTitle, Person
from delegates.services.people import carry_register
from tests.factories import PersonFactory


@pytest.fixture
def old_staff(tree, reform):
    """Staff of the old HCMC, its Quận 1, its Văn phòng (taken over by
    nobody) and of Bình Dương (merged into the new HCMC)."""
    people = {
        "province": PersonFactory(unit=tree.hcm, full_name="Trần Văn An"),
        "district": PersonFactory(unit=tree.hcm_district, full_name="Lê Thị Bình"),
        "department": PersonFactory(unit=tree.hcm_department, full_name="Phạm Văn Cường"),
        "binh_duong": PersonFactory(unit=reform.old_binh_duong, full_name="Đỗ Thị Dung"),
        "left": PersonFactory(unit=tree.hcm, full_name="Võ Văn Em", is_active=False),
    }
    EmulationTitle.objects.create(person=people["district"], year=2018, title="grassroots")
    return people


def dump(queryset) -> str:
    return serializers.serialize("json", queryset.order_by("pk"))


def test_staff_are_copied_into_the_units_that_took_theirs_over(tree, reform, users, old_staff):
    before = dump(Person.objects.all()) + dump(EmulationTitle.objects.all())
    result = carry_register(actor=users["officer_hcm"], unit=reform.hcm)

    assert (result.copied, result.already, result.units) == (3, 0, 2)
    new = {p.full_name: p for p in Person.objects.filter(unit__hierarchy=reform.hierarchy)}
    assert new["Trần Văn An"].unit == reform.hcm
    assert new["Đỗ Thị Dung"].unit == reform.hcm
    assert new["Lê Thị Bình"].unit == reform.hcm_office
    assert new["Lê Thị Bình"].carried_from == old_staff["district"]
    assert [(t.year, t.title) for t in new["Lê Thị Bình"].titles.all()] == [(2018, "grassroots")]
    # Nothing took the department over; who left is not carried.
    assert "Phạm Văn Cường" not in new and "Võ Văn Em" not in new
    old = Person.objects.exclude(unit__hierarchy=reform.hierarchy)
    old_titles = EmulationTitle.objects.filter(person__in=old)
    assert dump(old) + dump(old_titles) == before


def test_carrying_again_adds_nothing(tree, reform, users, old_staff):
    carry_register(actor=users["officer_hcm"], unit=reform.hcm)
    again = carry_register(actor=users["officer_hcm"], unit=reform.hcm)
    assert (again.copied, again.already) == (0, 3)
    assert Person.objects.filter(unit__hierarchy=reform.hierarchy).count() == 3


def test_only_who_may_change_the_unit_carries(tree, reform, users, old_staff):
    for role in ("officer_hanoi", "printer_hcm", "council"):
        with pytest.raises(PermissionDenied):
            carry_register(actor=users[role], unit=reform.hcm)
    assert not Person.objects.filter(unit__hierarchy=reform.hierarchy).exists()


def test_the_people_page_offers_it_in_the_newer_cycle_only(client, tree, reform, users, old_staff):
    client.force_login(users["officer_hcm"])
    assert 'data-testid="carry-register"' not in client.get(reverse("people:person_list")).text
    assert client.post(reverse("people:register_carry")).status_code == 403

    client.post(reverse("cycle_choose"), {"cycle": reform.cycle.pk})
    page = client.get(reverse("people:person_list"))
    assert 'data-testid="carry-register"' in page.text
    response = client.post(reverse("people:register_carry"), follow=True)
    assert response.status_code == 200
    assert "Lê Thị Bình" in response.text
    assert Person.objects.filter(unit__hierarchy=reform.hierarchy).count() == 3


@pytest.mark.parametrize("role", ["printer_hcm", "council"])
def test_roles_that_do_not_change_get_no_offer(client, tree, reform, users, old_staff, role):
    client.force_login(users[role])
    client.post(reverse("cycle_choose"), {"cycle": reform.cycle.pk})
    assert 'data-testid="carry-register"' not in client.get(reverse("people:person_list")).text
    assert client.post(reverse("people:register_carry")).status_code == 403
