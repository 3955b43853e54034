"""Adding delegates within the cap, once per person."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from congress.models import Conference
from delegates.models import Category, Delegate
from delegates.services.delegates import add_delegate
from tests.factories import ConferenceFactory, DelegateFactory, PersonFactory


def fill(conference, count, category=Category.OFFICIAL):
    DelegateFactory.create_batch(count, conference=conference, category=category)


def test_officer_adds_an_official_delegate(users, tree, hcm_upper):
    person = PersonFactory(unit=tree.hcm_district)
    delegate = add_delegate(
        actor=users["officer_hcm"], conference=hcm_upper, category=Category.OFFICIAL, person=person
    )
    assert (delegate.unit, delegate.name) == (tree.hcm_district, person.full_name)


def test_guest_outside_the_register(users, hcm_upper):
    delegate = add_delegate(
        actor=users["officer_hcm"],
        conference=hcm_upper,
        category=Category.GUEST,
        guest_name="  Nguyễn Văn Khách ",
        guest_title="Phó Chủ tịch UBND Thành phố",
        guest_organisation="UBND TP. Hồ Chí Minh",
    )
    assert delegate.name == "Nguyễn Văn Khách" and delegate.person is None


@pytest.mark.parametrize("role", ["officer_hanoi", "council", "printer"])
def test_others_may_not_add(users, tree, hcm_upper, role):
    with pytest.raises(PermissionDenied):
        add_delegate(
            actor=users[role], conference=hcm_upper, category=Category.GUEST, guest_name="Khách"
        )


def test_person_of_another_province_is_refused(users, tree, hcm_upper):
    with pytest.raises(ValidationError, match="không thuộc"):
        add_delegate(
            actor=users["admin"],
            conference=hcm_upper,
            category=Category.OFFICIAL,
            person=PersonFactory(unit=tree.hanoi_district),
        )


def test_a_person_attends_once(users, tree, hcm_upper):
    person = PersonFactory(unit=tree.hcm_district)
    add_delegate(
        actor=users["admin"], conference=hcm_upper, category=Category.OFFICIAL, person=person
    )
    with pytest.raises(ValidationError, match="đã là đại biểu"):
        add_delegate(
            actor=users["admin"], conference=hcm_upper, category=Category.GUEST, person=person
        )
    assert Delegate.objects.count() == 1


def test_cap_with_the_350_exception_counts_guests_at_tier_two(users, tree, hcm_upper, hanoi_upper):
    fill(hcm_upper, 340)
    fill(hcm_upper, 9, Category.GUEST)
    add_delegate(
        actor=users["admin"], conference=hcm_upper, category=Category.GUEST, guest_name="Khách 350"
    )
    with pytest.raises(ValidationError, match="tối đa 350"):
        add_delegate(
            actor=users["admin"],
            conference=hcm_upper,
            category=Category.GUEST,
            guest_name="Khách 351",
        )
    fill(hanoi_upper, 300)
    with pytest.raises(ValidationError, match="tối đa 300"):
        add_delegate(
            actor=users["admin"],
            conference=hanoi_upper,
            category=Category.OFFICIAL,
            person=PersonFactory(unit=tree.hanoi_district),
        )


def test_congress_cap_leaves_guests_out(users, tree, tiers):
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    fill(congress, 500)
    add_delegate(
        actor=users["admin"], conference=congress, category=Category.GUEST, guest_name="Khách mời"
    )
    with pytest.raises(ValidationError, match="không tính đại biểu khách mời"):
        add_delegate(
            actor=users["admin"],
            conference=congress,
            category=Category.OFFICIAL,
            person=PersonFactory(unit=tree.hcm),
        )


def test_closed_conference_is_frozen(users, tree, tiers):
    closed = ConferenceFactory(
        tier=tiers[2],
        unit=tree.hcm,
        status=Conference.Status.CLOSED,
        held_on=tiers[2].deadline,
        actual_attendance=200,
    )
    with pytest.raises(ValidationError, match="kết thúc"):
        add_delegate(
            actor=users["admin"], conference=closed, category=Category.GUEST, guest_name="Khách"
        )


@pytest.mark.django_db(transaction=True)
def test_two_officers_adding_the_last_seat_cannot_both_succeed(users, tree, hanoi_upper):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions (PostgreSQL)")
    fill(hanoi_upper, 299)
    people = [PersonFactory(unit=tree.hanoi_district) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def add(person):
        try:
            barrier.wait()
            add_delegate(
                actor=users["officer_hanoi"],
                conference=hanoi_upper,
                category=Category.OFFICIAL,
                person=person,
            )
            outcomes.append("added")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["added", "refused"]
    assert Delegate.objects.filter(conference=hanoi_upper).count() == 300
