"""Quota allocation services: the seats to share, the units below, the
computation, adjustments, optimistic locking and the council's review."""

import datetime
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from congress.models import Conference, ConferenceTransition, TierExemption
from delegates import quota_terms
from delegates.models import Allocation, Category
from delegates.selectors import quotas as quota_selectors
from delegates.selectors.quotas import approved_quota, units_below
from delegates.services import quotas as quota_services
from tests.factories import ConferenceFactory, DelegateFactory, UnitFactory
from units.locking import StaleEditError
from units.models import UnitKind

pytestmark = pytest.mark.django_db


def hold(tier, unit, attendance):
    """A tier's conference of ``unit``, held with ``attendance``."""
    return ConferenceFactory(
        tier=tier,
        unit=unit,
        status=Conference.Status.HELD,
        held_on=tier.window_start + datetime.timedelta(days=40),
        actual_attendance=attendance,
    )


def set_cap(tiers, unit, cap):
    tiers[2].cap_exceptions.update_or_create(unit=unit, defaults={"cap": cap})


@pytest.fixture
def province(tree, tiers, hcm_upper):
    """HCMC's tier-2 conference with four units below, all held:
    Quận 1 13, Văn phòng 82, two more districts 26 and 49; 20 elected seats."""
    extra = [
        UnitFactory(parent=tree.hcm, code="D761", name="BHXH Quận 3", position=3),
        UnitFactory(parent=tree.hcm, code="D762", name="BHXH Quận 5", position=4),
    ]
    tree.hcm_district.position = 1
    tree.hcm_district.save()
    tree.hcm_department.position = 2
    tree.hcm_department.save()
    units = [tree.hcm_district, tree.hcm_department, *extra]
    for unit, attendance in zip(units, [13, 82, 26, 49], strict=True):
        hold(tiers[1], unit, attendance)
    set_cap(tiers, tree.hcm, 20)
    return {"conference": hcm_upper, "units": units}


def compute(users, conference, **kwargs):
    return quota_services.compute_allocation(
        actor=kwargs.pop("actor", users["officer_hcm"]), conference=conference, **kwargs
    )


def seats_of(allocation):
    return {line.unit_id: line.seats for line in allocation.lines.all()}


# -- The seats to share ---------------------------------------------------------


def test_elected_seats_are_the_cap_minus_official_and_counted_guests(users, hcm_upper):
    DelegateFactory.create_batch(5, conference=hcm_upper, category=Category.OFFICIAL)
    for n in range(3):
        DelegateFactory(
            conference=hcm_upper, category=Category.GUEST, person=None, guest_name=f"Khách {n}"
        )
    # Elected delegates already added fill the elected seats: not subtracted.
    DelegateFactory(conference=hcm_upper, category=Category.ELECTED, elected_at=hcm_upper)

    # HCMC's cap is 350 by exception; tier 2 counts guests: 350 − 5 − 3.
    assert quota_selectors.elected_seats(hcm_upper) == 342


def test_elected_seats_of_the_congress_do_not_subtract_guests(tree, tiers, users):
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    DelegateFactory.create_batch(10, conference=congress, category=Category.OFFICIAL)
    for n in range(4):
        DelegateFactory(
            conference=congress, category=Category.GUEST, person=None, guest_name=f"Khách {n}"
        )

    # 500 at the Congress, guests not counted: 500 − 10.
    assert quota_selectors.elected_seats(congress) == 490


def test_elected_seats_refused_when_fewer_than_the_units_below(tiers, tree, hcm_upper):
    set_cap(tiers, tree.hcm, 3)
    DelegateFactory.create_batch(2, conference=hcm_upper, category=Category.OFFICIAL)

    with pytest.raises(ValidationError, match="1"):
        quota_selectors.elected_seats(hcm_upper, units=2)
    set_cap(tiers, tree.hcm, 2)
    with pytest.raises(ValidationError):
        quota_selectors.elected_seats(hcm_upper)


# -- The units below --------------------------------------------------------------


def test_units_below_a_province_are_its_grassroots_organisers_with_held_attendance(
    tree, tiers, hcm_upper
):
    hold(tiers[1], tree.hcm_district, 45)
    ConferenceFactory(tier=tiers[1], unit=tree.hcm_department)  # registered, not held
    UnitFactory(parent=tree.hcm, code="D799", name="BHXH huyện đã giải thể", is_active=False)
    hold(tiers[1], tree.hanoi_district, 60)  # another province's

    below = units_below(hcm_upper)

    assert [(entry.unit, entry.is_held, entry.attendance) for entry in below] == [
        (tree.hcm_district, True, 45),
        (tree.hcm_department, False, None),
    ]


def test_units_below_the_congress_are_the_tier_two_organisers(tree, tiers):
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    hold(tiers[2], tree.hcm, 340)
    closed = hold(tiers[2], tree.hanoi, 290)
    closed.status = Conference.Status.CLOSED
    closed.save()

    below = units_below(congress)

    assert {entry.unit: entry.attendance for entry in below} == {tree.hcm: 340, tree.hanoi: 290}


def test_compute_refused_while_a_unit_below_has_not_held_its_conference(
    tree, tiers, users, hcm_upper
):
    hold(tiers[1], tree.hcm_district, 45)

    with pytest.raises(ValidationError) as error:
        compute(users, hcm_upper)

    assert tree.hcm_department.name in error.value.messages[0]
    assert not Allocation.objects.exists()


# -- Computing ----------------------------------------------------------------------


def test_webster_on_a_hand_built_province(users, province):
    allocation = compute(users, province["conference"])
    district1, office, district3, district5 = province["units"]

    # Attendance 13, 82, 26, 49 (sum 170); 20 seats. Exact shares 20·a/170:
    # 26/17 ≈ 1.53, 164/17 ≈ 9.65, 52/17 ≈ 3.06, 98/17 ≈ 5.76.
    # Webster: divisor 95/11 ≈ 8.64, a/d = 1.505, 9.495, 3.01, 5.67 → 2, 9, 3, 6.
    # Any divisor from 164/19 (= 82/9.5, Văn phòng's 10th seat, not given)
    # to 26/3 (= 13/1.5, Quận 1's 2nd seat, the last given) gives the same.
    assert seats_of(allocation) == {district1.pk: 2, office.pk: 9, district3.pk: 3, district5.pk: 6}
    assert allocation.version == 1
    assert allocation.status == Allocation.Status.DRAFT
    assert allocation.total_seats == 20
    lines = {line.unit_id: line for line in allocation.lines.all()}
    assert Fraction(lines[office.pk].quota_numerator, lines[office.pk].quota_denominator) == (
        Fraction(164, 17)
    )
    assert lines[office.pk].attendance == 82
    assert lines[office.pk].computed_seats == 9
    computation = allocation.computation
    assert computation["divisor"] == "95/11"
    assert computation["divisor_range"] == ["164/19", "26/3"]
    assert computation["tie"] is None
    # 16 seats after the minimum of one each, every one a step.
    assert len(computation["steps"]) == 16
    assert computation["steps"][-1] == {
        "number": 16,
        "unit": district1.pk,
        "priority": "26/3",
        "seats": 2,
        "by_tie_break": False,
    }


def test_hamilton_is_offered_and_labelled(users, province):
    allocation = compute(users, province["conference"], method=Allocation.Method.HAMILTON)
    district1, office, district3, district5 = province["units"]

    # Whole parts 1, 9, 3, 5 (18); the two seats left go to the largest
    # remainders .76 (Quận 5) and .65 (Văn phòng): 1, 10, 3, 6.
    assert seats_of(allocation) == {
        district1.pk: 1,
        office.pk: 10,
        district3.pk: 3,
        district5.pk: 6,
    }
    assert allocation.method == Allocation.Method.HAMILTON
    assert allocation.computation["method_label"] == "Hamilton (largest remainder)"


def test_a_tie_is_recorded_with_the_rule_that_decided_it(tree, tiers, users, hcm_upper):
    hold(tiers[1], tree.hcm_district, 10)
    hold(tiers[1], tree.hcm_department, 10)
    set_cap(tiers, tree.hcm, 3)

    # Equal attendance, 3 seats: one each, then 10/1.5 = 10/1.5 for the third.
    allocation = compute(users, hcm_upper, tie_break=quota_terms.TieRule.ORDER)

    tie = allocation.computation["tie"]
    assert tie["units"] == [tree.hcm_district.pk, tree.hcm_department.pk]
    assert tie["winners"] == [tree.hcm_district.pk]
    assert tie["rule"] == "order"
    assert tie["priority"] == "20/3"
    assert seats_of(allocation) == {tree.hcm_district.pk: 2, tree.hcm_department.pk: 1}
    assert allocation.computation["steps"][-1]["by_tie_break"] is True


def test_a_lot_needs_a_seed_and_records_it(tree, tiers, users, hcm_upper):
    hold(tiers[1], tree.hcm_district, 10)
    hold(tiers[1], tree.hcm_department, 10)
    set_cap(tiers, tree.hcm, 3)

    with pytest.raises(ValidationError):
        compute(users, hcm_upper, tie_break=quota_terms.TieRule.LOT)
    allocation = compute(users, hcm_upper, tie_break=quota_terms.TieRule.LOT, seed=2020)

    assert allocation.seed == 2020
    assert allocation.computation["tie"]["seed"] == 2020
    assert len(allocation.computation["tie"]["tickets"]) == 2


def test_a_maximum_per_unit_bounds_the_seats(users, province):
    allocation = compute(users, province["conference"], upper=7)

    seats = seats_of(allocation)
    assert max(seats.values()) == 7
    assert sum(seats.values()) == 20
    bounds = {entry["unit"]: entry["bound"] for entry in allocation.computation["units"]}
    assert bounds[province["units"][1].pk] == "upper"


def test_computing_again_keeps_the_versions(users, province):
    first = compute(users, province["conference"])
    second = compute(users, province["conference"], method=Allocation.Method.HAMILTON)

    assert (first.version, second.version) == (1, 2)
    assert Allocation.objects.count() == 2
    # Only the newest version is worked on.
    with pytest.raises(ValidationError, match="2"):
        quota_services.submit_allocation(actor=users["officer_hcm"], allocation=first)


def test_only_who_may_change_the_unit_computes(users, province):
    for name in ("officer_hanoi", "council", "printer_hcm", "printer"):
        with pytest.raises(PermissionDenied):
            compute(users, province["conference"], actor=users[name])
    assert not Allocation.objects.exists()


# -- Adjusting --------------------------------------------------------------------


def adjust(users, allocation, seats, reasons=None, *, lock=None, actor="officer_hcm"):
    return quota_services.adjust_seats(
        actor=users[actor],
        allocation=allocation,
        seats=seats,
        reasons=reasons or {},
        expected_lock_version=allocation.lock_version if lock is None else lock,
    )


def test_adjusting_moves_seats_with_reasons_and_keeps_the_total(users, province):
    allocation = compute(users, province["conference"])
    district1, office, *_rest = province["units"]

    adjust(
        users,
        allocation,
        {district1.pk: 1, office.pk: 10},
        {district1.pk: "Đơn vị nhỏ", office.pk: "Khối văn phòng đông"},
    )

    allocation.refresh_from_db()
    lines = {line.unit_id: line for line in allocation.lines.all()}
    assert (lines[district1.pk].seats, lines[office.pk].seats) == (1, 10)
    assert lines[office.pk].adjustment_reason == "Khối văn phòng đông"
    assert lines[office.pk].computed_seats == 9
    assert allocation.lock_version == 2


def test_an_adjustment_that_changes_the_total_is_refused(users, province):
    allocation = compute(users, province["conference"])
    office = province["units"][1]

    with pytest.raises(ValidationError) as error:
        adjust(users, allocation, {office.pk: 12}, {office.pk: "Thêm"})

    message = error.value.message_dict["__all__"][0]
    assert "20" in message and "23" in message
    assert seats_of(allocation)[office.pk] == 9


def test_each_changed_line_needs_a_reason(users, province):
    allocation = compute(users, province["conference"])
    district1, office, *_rest = province["units"]

    with pytest.raises(ValidationError) as error:
        adjust(users, allocation, {district1.pk: 1, office.pk: 10}, {office.pk: "Lý do"})

    assert set(error.value.message_dict) == {f"reason_{district1.pk}"}


def test_a_unit_keeps_at_least_one_seat(users, province):
    allocation = compute(users, province["conference"])
    district1, office, *_rest = province["units"]

    with pytest.raises(ValidationError) as error:
        adjust(users, allocation, {district1.pk: 0, office.pk: 11}, {office.pk: "x"})

    assert f"seats_{district1.pk}" in error.value.message_dict
    assert allocation.lines.get(unit=district1).seats == 2


def test_back_to_the_computed_seats_clears_the_reason(users, province):
    allocation = compute(users, province["conference"])
    district1, office, *_rest = province["units"]
    adjust(users, allocation, {district1.pk: 1, office.pk: 10}, {district1.pk: "a", office.pk: "b"})
    allocation.refresh_from_db()

    adjust(users, allocation, {district1.pk: 2, office.pk: 9})

    assert set(allocation.lines.values_list("adjustment_reason", flat=True)) == {""}


def test_a_stale_page_is_refused_and_nothing_is_overwritten(users, province, make_user, tree):
    allocation = compute(users, province["conference"])
    district1, office, district3, _ = province["units"]
    colleague = make_user("officer", tree.hcm, username="officer-hcm-2")
    # Both load the page at lock version 1.
    first = Allocation.objects.get(pk=allocation.pk)
    second = Allocation.objects.get(pk=allocation.pk)
    quota_services.adjust_seats(
        actor=users["officer_hcm"],
        allocation=first,
        seats={district1.pk: 1, office.pk: 10},
        reasons={district1.pk: "a", office.pk: "b"},
        expected_lock_version=1,
    )

    with pytest.raises(StaleEditError):
        quota_services.adjust_seats(
            actor=colleague,
            allocation=second,
            seats={district3.pk: 4, office.pk: 8},
            reasons={district3.pk: "c", office.pk: "d"},
            expected_lock_version=1,
        )

    assert seats_of(allocation)[office.pk] == 10
    assert allocation.lines.get(unit=office).adjustment_reason == "b"
    allocation.refresh_from_db()
    assert allocation.lock_version == 2


# -- Submitting and reviewing ---------------------------------------------------------


def submit(users, allocation):
    return quota_services.submit_allocation(actor=users["officer_hcm"], allocation=allocation)


def review(users, allocation, decision, reason="", actor="council"):
    return quota_services.review_allocation(
        actor=users[actor], allocation=allocation, decision=decision, reason=reason
    )


def test_an_approved_allocation_is_frozen_and_binds(users, province):
    allocation = compute(users, province["conference"])
    office = province["units"][1]
    submit(users, allocation)
    allocation = review(users, allocation, "approve")

    assert allocation.status == Allocation.Status.APPROVED
    assert allocation.reviewed_by == users["council"]
    assert approved_quota(target=province["conference"], unit=office) == 9
    with pytest.raises(ValidationError):
        adjust(users, allocation, {office.pk: 9})
    with pytest.raises(ValidationError):
        submit(users, allocation)
    with pytest.raises(ValidationError):
        review(users, allocation, "return", "Sai")


def test_a_submitted_allocation_cannot_change_nor_be_recomputed(users, province):
    allocation = compute(users, province["conference"])
    submit(users, allocation)
    allocation.refresh_from_db()

    with pytest.raises(ValidationError):
        adjust(users, allocation, {})
    with pytest.raises(ValidationError, match="1"):
        compute(users, province["conference"])


def test_returning_needs_a_reason_then_the_officer_corrects_and_resubmits(users, province):
    allocation = compute(users, province["conference"])
    district1, office, *_rest = province["units"]
    submit(users, allocation)

    with pytest.raises(ValidationError) as error:
        review(users, allocation, "return", "  ")
    assert "reason" in error.value.message_dict
    allocation = review(users, allocation, "return", "Văn phòng cần thêm một đại biểu")
    assert allocation.status == Allocation.Status.RETURNED

    adjust(users, allocation, {district1.pk: 1, office.pk: 10}, {district1.pk: "a", office.pk: "b"})
    allocation.refresh_from_db()
    submit(users, allocation)
    allocation = review(users, allocation, "approve")
    assert approved_quota(target=province["conference"], unit=office) == 10


def test_only_the_council_reviews(users, province):
    allocation = compute(users, province["conference"])
    submit(users, allocation)

    for name in ("officer_hcm", "officer_hanoi", "printer", "printer_hcm"):
        with pytest.raises(PermissionDenied):
            review(users, allocation, "approve", actor=name)
    review(users, allocation, "approve", actor="admin")


def test_approving_a_new_version_supersedes_the_approved_one(users, province):
    first = compute(users, province["conference"])
    submit(users, first)
    review(users, first, "approve")
    office = province["units"][1]

    second = compute(users, province["conference"], method=Allocation.Method.HAMILTON)
    submit(users, second)
    # Until the council approves it, the first version binds.
    assert approved_quota(target=province["conference"], unit=office) == 9
    review(users, second, "approve")

    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == Allocation.Status.APPROVED
    assert first.status == Allocation.Status.RETURNED
    assert first.review_reason == _("Superseded by version %(version)s.") % {"version": 2}
    assert approved_quota(target=province["conference"], unit=office) == 10


def test_a_tier_one_conference_has_no_allocation(tree, tiers, users):
    district = hold(tiers[1], tree.hcm_district, 30)

    with pytest.raises(ValidationError):
        compute(users, district)
    assert units_below(district) == []


def test_the_congress_allocation_shares_among_the_tier_two_organisers(tree, tiers, users):
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    hold(tiers[2], tree.hcm, 300)
    hold(tiers[2], tree.hanoi, 200)
    bloc = UnitFactory(parent=tree.vss, kind=UnitKind.HQ_BLOC, code="HQ", name="Khối cơ quan")
    tiers[2].organiser_kinds = [UnitKind.PROVINCE, UnitKind.HQ_BLOC]
    tiers[2].save()
    hold(tiers[2], bloc, 100)
    DelegateFactory.create_batch(2, conference=congress, category=Category.OFFICIAL)

    allocation = compute(users, congress, actor=users["admin"])

    # 500 − 2 = 498 seats for attendance 300 : 200 : 100 → 249, 166, 83.
    assert seats_of(allocation) == {tree.hcm.pk: 249, tree.hanoi.pk: 166, bloc.pk: 83}


# -- Only once the units below have held (issue 10) -------------------------------

NOT_HELD_SINGULAR = (
    "The allocation is computed from the attendance of the conferences below; "
    "this unit has not held its conference yet: %(units)s."
)
NOT_HELD_PLURAL = (
    "The allocation is computed from the attendance of the conferences below; "
    "these %(count)s units have not held their conference yet: %(units)s."
)


def test_computing_is_refused_listing_every_unit_yet_to_hold(tree, tiers, users, hcm_upper):
    # Quận 1 registered and accepted, not held; Văn phòng not even registered.
    ConferenceFactory(tier=tiers[1], unit=tree.hcm_district, status=Conference.Status.ACCEPTED)

    with pytest.raises(ValidationError) as error:
        compute(users, hcm_upper)

    names = f"{tree.hcm_district.name}, {tree.hcm_department.name}"
    assert error.value.messages == [
        ngettext(NOT_HELD_SINGULAR, NOT_HELD_PLURAL, 2) % {"count": 2, "units": names}
    ]
    assert not Allocation.objects.exists()


def test_the_congress_waits_for_every_tier_two_conference(tree, tiers, users):
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    hold(tiers[2], tree.hcm, 300)

    with pytest.raises(ValidationError) as error:
        compute(users, congress, actor=users["admin"])

    assert error.value.messages == [
        ngettext(NOT_HELD_SINGULAR, NOT_HELD_PLURAL, 1) % {"count": 1, "units": tree.hanoi.name}
    ]


def test_an_exempted_unit_elects_no_one_and_the_others_share(tree, tiers, users, hcm_upper):
    hold(tiers[1], tree.hcm_district, 45)
    TierExemption.objects.create(
        tier=tiers[1], unit=tree.hcm_department, reason="Sáp nhập", recorded_by=users["council"]
    )
    set_cap(tiers, tree.hcm, 10)

    allocation = compute(users, hcm_upper)

    assert seats_of(allocation) == {tree.hcm_district.pk: 10}


def test_computing_before_the_official_delegates_are_listed_warns(users, province):
    conference = province["conference"]
    warning = _(
        "No official delegate of this conference is listed yet: the elected seats will "
        "shrink when they are, and the allocation will need a new version."
    )

    assert quota_terms.official_warning(quota_selectors.seat_budget(conference).official) == warning
    allocation = compute(users, conference)  # warned, not refused
    assert allocation.computation["budget"]["official"] == 0
    DelegateFactory(conference=conference, category=Category.OFFICIAL)
    assert quota_terms.official_warning(quota_selectors.seat_budget(conference).official) == ""


# -- Out of date after a correction ---------------------------------------------------


def correct(conference, attendance, actor, reason="Nhập nhầm số người dự"):
    """A correction of a held conference's attendance, as the congress
    service records it (the figure, and who, when and why)."""
    old = conference.actual_attendance
    Conference.objects.filter(pk=conference.pk).update(actual_attendance=attendance)
    ConferenceTransition.objects.create(
        conference=conference,
        from_status=conference.status,
        to_status=conference.status,
        action=ConferenceTransition.Action.CORRECT,
        actor=actor,
        reason=reason,
        changes={"actual_attendance": [old, attendance]},
    )


def loaded(allocation):
    return Allocation.objects.select_related("conference__tier").get(pk=allocation.pk)


def approved_version(users, conference, **kwargs):
    allocation = compute(users, conference, **kwargs)
    submit(users, allocation)
    return review(users, loaded(allocation), "approve")


def test_a_corrected_attendance_puts_the_allocation_out_of_date(users, tiers, province):
    conference = province["conference"]
    district1 = province["units"][0]
    allocation = approved_version(users, conference)
    assert quota_selectors.attendance_changes([loaded(allocation)]) == {}

    lower = Conference.objects.get(tier=tiers[1], unit=district1)
    correct(lower, 30, users["officer_hcm"])
    changes = quota_selectors.attendance_changes([loaded(allocation)], corrections=True)

    assert [(c.unit, c.old, c.new) for c in changes[allocation.pk]] == [(district1, 13, 30)]
    assert changes[allocation.pk][0].correction.reason == "Nhập nhầm số người dự"
    # Still binding until a newer version is approved.
    assert approved_quota(target=conference, unit=district1) == 2


def test_a_new_version_from_the_corrected_figure_is_up_to_date(users, tiers, province):
    conference = province["conference"]
    district1 = province["units"][0]
    first = approved_version(users, conference)
    correct(Conference.objects.get(tier=tiers[1], unit=district1), 30, users["officer_hcm"])

    second = approved_version(users, conference)

    assert second.lines.get(unit=district1).attendance == 30
    changes = quota_selectors.attendance_changes([loaded(first), loaded(second)])
    assert list(changes) == [first.pk]


def test_changes_are_read_in_two_queries_for_any_number_of_versions(
    users, tiers, province, django_assert_num_queries
):
    conference = province["conference"]
    versions = [compute(users, conference, upper=upper) for upper in (None, 8, 9, 10)]
    for unit, attendance in zip(province["units"], [14, 83, 27, 50], strict=True):
        correct(Conference.objects.get(tier=tiers[1], unit=unit), attendance, users["admin"])
    versions = [loaded(version) for version in versions]

    with django_assert_num_queries(2):
        changes = quota_selectors.attendance_changes(versions)

    assert {pk: len(found) for pk, found in changes.items()} == {v.pk: 4 for v in versions}
