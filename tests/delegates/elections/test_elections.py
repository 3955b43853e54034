"""Elections of delegates to the conference above: target, quota, count,
confirmation into the conference above."""

import datetime
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from congress.models import Conference
from delegates.models import (
    Allocation,
    AllocationLine,
    Category,
    Delegate,
    Election,
    ElectionRound,
    RoundCandidate,
)
from delegates.selectors import elections as election_selectors
from delegates.selectors.elections import target_conference
from delegates.services.elections import (
    Minutes,
    confirm_election,
    open_election,
    open_runoff,
    record_votes,
    set_candidates,
)
from tests.factories import ConferenceFactory, DelegateFactory, PersonFactory, UnitFactory
from units.locking import StaleEditError
from units.models import UnitKind


def held(tier, unit, attendance=40):
    return ConferenceFactory(
        tier=tier,
        unit=unit,
        status=Conference.Status.HELD,
        held_on=tier.window_start + datetime.timedelta(days=30),
        actual_attendance=attendance,
    )


def approve(target, seats_by_unit, actor):
    """An approved allocation of ``target``'s elected seats, made directly."""
    allocation = Allocation.objects.create(
        conference=target,
        version=1,
        status=Allocation.Status.APPROVED,
        tie_break="lot",
        total_seats=sum(seats_by_unit.values()),
        created_by=actor,
        reviewed_by=actor,
    )
    for position, (unit, seats) in enumerate(seats_by_unit.items()):
        AllocationLine.objects.create(
            allocation=allocation,
            unit=unit,
            position=position,
            attendance=40,
            quota_numerator=seats,
            quota_denominator=1,
            computed_seats=seats,
            seats=seats,
        )
    return allocation


@pytest.fixture
def district_conf(tree, tiers):
    return held(tiers[1], tree.hcm_district)


@pytest.fixture
def hq(tree, tiers):
    """The VSS headquarters bloc, a unit directly under VSS, and the bloc's
    tier-2 conference."""
    bloc = UnitFactory(parent=tree.vss, kind=UnitKind.HQ_BLOC, code="KCQ", name="Khối cơ quan")
    office = UnitFactory(parent=bloc, kind=UnitKind.VSS_OFFICE, code="KCQ-VP", name="Văn phòng")
    return {"bloc": bloc, "office": office, "upper": ConferenceFactory(tier=tiers[2], unit=bloc)}


@pytest.fixture
def election(users, district_conf, hcm_upper):
    return open_election(actor=users["officer_hcm"], conference=district_conf)


def stand(election, actor, count):
    people = PersonFactory.create_batch(count, unit=election.conference.unit)
    set_candidates(actor=actor, election=election, persons=people)
    election.refresh_from_db()
    return people


def votes_of(election, number=1):
    """Person id → votes in round ``number``."""
    return dict(
        RoundCandidate.objects.filter(round__election=election, round__number=number).values_list(
            "candidate__person_id", "votes"
        )
    )


def vote(election, actor, valid, votes_by_person, threshold=Fraction(1, 2)):
    election.refresh_from_db()
    return record_votes(
        actor=actor,
        election=election,
        valid_ballots=valid,
        votes={p.pk: v for p, v in votes_by_person.items()},
        threshold=threshold,
        expected_lock_version=election.lock_version,
    )


# -- The conference above -------------------------------------------------------


def test_district_elects_to_its_province(district_conf, hcm_upper):
    assert target_conference(district_conf) == hcm_upper


def test_department_elects_to_its_province(tree, tiers, hcm_upper):
    assert target_conference(held(tiers[1], tree.hcm_department)) == hcm_upper


def test_unit_under_vss_elects_to_the_hq_bloc(tiers, hq):
    assert target_conference(held(tiers[1], hq["office"])) == hq["upper"]


def test_province_elects_to_the_congress(tree, tiers):
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    assert target_conference(held(tiers[2], tree.hcm)) == congress


def test_unregistered_conference_above_is_named(users, district_conf):
    with pytest.raises(ValidationError, match="chưa được đăng ký") as caught:
        open_election(actor=users["officer_hcm"], conference=district_conf)
    assert "BHXH TP. Hồ Chí Minh" in caught.value.messages[0]
    assert not Election.objects.exists()


def test_congress_not_registered_is_refused(users, tree, tiers):
    with pytest.raises(ValidationError, match="Đại hội"):
        open_election(actor=users["officer_hcm"], conference=held(tiers[2], tree.hcm))


def test_conference_not_held_is_refused(users, tree, tiers, hcm_upper):
    accepted = ConferenceFactory(
        tier=tiers[1], unit=tree.hcm_district, status=Conference.Status.ACCEPTED
    )
    with pytest.raises(ValidationError, match="đã tổ chức"):
        open_election(actor=users["officer_hcm"], conference=accepted)


def test_closed_conference_may_elect(users, tree, tiers, hcm_upper):
    closed = held(tiers[1], tree.hcm_district)
    Conference.objects.filter(pk=closed.pk).update(status=Conference.Status.CLOSED)
    closed.refresh_from_db()
    assert open_election(actor=users["officer_hcm"], conference=closed).target == hcm_upper


def test_opening_twice_gives_the_same_election(users, district_conf, election):
    assert open_election(actor=users["officer_hcm"], conference=district_conf) == election


@pytest.mark.parametrize("role", ["officer_hanoi", "council", "printer_hcm", "printer"])
def test_others_may_not_open(users, district_conf, hcm_upper, role):
    with pytest.raises(PermissionDenied):
        open_election(actor=users[role], conference=district_conf)


# -- Candidates and votes ---------------------------------------------------------


def test_candidates_come_from_the_electing_units_register(users, tree, election):
    officer = users["officer_hcm"]
    stranger = PersonFactory(unit=tree.hcm_department)
    with pytest.raises(ValidationError, match=stranger.full_name):
        set_candidates(actor=officer, election=election, persons=[stranger])
    assert not election.candidates.exists()


def test_candidates_kept_keep_their_votes(users, election):
    officer = users["officer_hcm"]
    an, binh = stand(election, officer, 2)
    vote(election, officer, 10, {an: 7, binh: 3})
    election.refresh_from_db()
    chi = PersonFactory(unit=election.conference.unit)
    set_candidates(actor=officer, election=election, persons=[an, chi])
    assert votes_of(election) == {an.pk: 7, chi.pk: 0}


def test_votes_above_valid_ballots_are_refused_on_the_field(users, election):
    officer = users["officer_hcm"]
    an, binh = stand(election, officer, 2)
    with pytest.raises(ValidationError) as caught:
        vote(election, officer, 10, {an: 11, binh: 3})
    assert f"votes_{an.pk}" in caught.value.message_dict
    assert set(votes_of(election).values()) == {0}


@pytest.mark.parametrize("valid", [0, -1])
def test_valid_ballots_must_be_positive(users, election, valid):
    officer = users["officer_hcm"]
    (an,) = stand(election, officer, 1)
    with pytest.raises(ValidationError) as caught:
        vote(election, officer, valid, {an: 0})
    assert "valid_ballots" in caught.value.message_dict


def test_threshold_must_be_below_one(users, election):
    officer = users["officer_hcm"]
    (an,) = stand(election, officer, 1)
    with pytest.raises(ValidationError) as caught:
        vote(election, officer, 10, {an: 6}, threshold=Fraction(1))
    assert "threshold" in caught.value.message_dict


def test_stale_lock_version_is_refused(users, election):
    officer = users["officer_hcm"]
    (an,) = stand(election, officer, 1)
    stale = election.lock_version
    vote(election, officer, 10, {an: 6})
    with pytest.raises(StaleEditError):
        record_votes(
            actor=officer,
            election=election,
            valid_ballots=10,
            votes={an.pk: 2},
            expected_lock_version=stale,
        )
    assert votes_of(election) == {an.pk: 6}


def test_changing_candidates_makes_an_open_votes_form_stale(users, election):
    officer = users["officer_hcm"]
    (an,) = stand(election, officer, 1)
    loaded = election.lock_version
    set_candidates(actor=officer, election=election, persons=[an, PersonFactory(unit=an.unit)])
    with pytest.raises(StaleEditError):
        record_votes(
            actor=officer,
            election=election,
            valid_ballots=10,
            votes={an.pk: 2},
            expected_lock_version=loaded,
        )


# -- Confirmation ------------------------------------------------------------------------


def test_confirm_needs_the_approved_quota(users, hcm_upper, election):
    officer = users["officer_hcm"]
    (an,) = stand(election, officer, 1)
    vote(election, officer, 10, {an: 6})
    with pytest.raises(ValidationError, match="chưa được phê duyệt"):
        confirm_election(actor=officer, election=election)
    # A draft or submitted allocation does not count.
    allocation = approve(hcm_upper, {election.conference.unit: 1}, users["admin"])
    Allocation.objects.filter(pk=allocation.pk).update(status=Allocation.Status.SUBMITTED)
    with pytest.raises(ValidationError, match="chưa được phê duyệt"):
        confirm_election(actor=officer, election=election)
    assert not Delegate.objects.exists()


def test_confirm_adds_the_elected_with_where_they_came_from(users, tree, hcm_upper, election):
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 2, tree.hcm_department: 1}, users["admin"])
    an, binh, chi = stand(election, officer, 3)
    vote(election, officer, 100, {an: 80, binh: 51, chi: 50})
    result = confirm_election(actor=officer, election=election)
    delegates = Delegate.objects.filter(conference=hcm_upper)
    assert {d.person for d in delegates} == {an, binh}
    assert {(d.category, d.elected_at, d.unit) for d in delegates} == {
        (Category.ELECTED, election.conference, tree.hcm_district)
    }
    assert [d.person for d in result.added] == [an, binh]
    assert result.already_delegates == []
    election.refresh_from_db()
    assert election.status == Election.Status.CONFIRMED
    assert election.confirmed_by == officer and election.confirmed_at is not None


def test_threshold_is_strict_at_confirmation(users, tree, hcm_upper, election):
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 3}, users["admin"])
    an, binh = stand(election, officer, 2)
    vote(election, officer, 100, {an: 50, binh: 51})
    confirm_election(actor=officer, election=election)
    assert list(Delegate.objects.values_list("person", flat=True)) == [binh.pk]


def test_configured_threshold_applies(users, tree, hcm_upper, election):
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 3}, users["admin"])
    an, binh = stand(election, officer, 2)
    vote(election, officer, 90, {an: 60, binh: 61}, threshold=Fraction(2, 3))
    confirm_election(actor=officer, election=election)
    assert list(Delegate.objects.values_list("person", flat=True)) == [binh.pk]


def test_quota_caps_the_elected(users, tree, hcm_upper, election):
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 2}, users["admin"])
    people = stand(election, officer, 4)
    vote(election, officer, 100, dict(zip(people, [90, 80, 70, 60], strict=True)))
    confirm_election(actor=officer, election=election)
    assert set(Delegate.objects.values_list("person", flat=True)) == {people[0].pk, people[1].pk}


def test_tie_at_the_cut_blocks_confirmation_until_decided(users, tree, hcm_upper, election):
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 2}, users["admin"])
    an, binh, chi = stand(election, officer, 3)
    vote(election, officer, 100, {an: 90, binh: 70, chi: 70})
    election.refresh_from_db()
    with pytest.raises(ValidationError):
        confirm_election(actor=officer, election=election)
    assert not Delegate.objects.exists()


def test_a_runoff_keeps_round_one_and_elects_from_round_two(users, tree, hcm_upper, election):
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 2}, users["admin"])
    an, binh, chi, dung = stand(election, officer, 4)
    vote(election, officer, 100, {an: 90, binh: 70, chi: 70, dung: 20})
    election.refresh_from_db()
    second = open_runoff(
        actor=officer, election=election, expected_lock_version=election.lock_version
    )
    assert second.number == 2
    # Round 2 stands the tied only, for the one seat left.
    assert votes_of(election, 2) == {binh.pk: 0, chi.pk: 0}
    vote(election, officer, 98, {binh: 40, chi: 58})
    election.refresh_from_db()
    # Round 1 is kept as it was counted.
    assert votes_of(election, 1) == {an.pk: 90, binh.pk: 70, chi.pk: 70, dung.pk: 20}
    assert ElectionRound.objects.get(election=election, number=1).valid_ballots == 100
    result = election_selectors.count_of(
        election, election_selectors.election_candidates(election), 2
    )
    assert result.elected_in == {an.pk: 1, chi.pk: 2}
    confirm_election(actor=officer, election=election)
    assert set(Delegate.objects.values_list("person", flat=True)) == {an.pk, chi.pk}


def test_a_runoff_needs_a_tie_and_freezes_the_candidates(users, tree, hcm_upper, election):
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 2}, users["admin"])
    an, binh, chi = stand(election, officer, 3)
    vote(election, officer, 100, {an: 90, binh: 80, chi: 70})
    with pytest.raises(ValidationError):
        open_runoff(actor=officer, election=election)
    vote(election, officer, 100, {an: 90, binh: 70, chi: 70})
    open_runoff(actor=officer, election=election)
    election.refresh_from_db()
    with pytest.raises(ValidationError):
        set_candidates(actor=officer, election=election, persons=[an])
    assert set(votes_of(election)) == {an.pk, binh.pk, chi.pk}
    # A run-off keeps the threshold of round 1.
    with pytest.raises(ValidationError) as caught:
        vote(election, officer, 90, {binh: 50, chi: 40}, threshold=Fraction(2, 3))
    assert "threshold" in caught.value.message_dict


def test_a_tie_again_leads_to_a_third_round(users, tree, hcm_upper, election):
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 1}, users["admin"])
    an, binh = stand(election, officer, 2)
    vote(election, officer, 100, {an: 60, binh: 60})
    open_runoff(actor=officer, election=election)
    vote(election, officer, 100, {an: 55, binh: 55})
    open_runoff(actor=officer, election=election)
    vote(election, officer, 100, {an: 45, binh: 55})
    confirm_election(actor=officer, election=election)
    assert list(Delegate.objects.values_list("person", flat=True)) == [binh.pk]
    assert ElectionRound.objects.filter(election=election).count() == 3


# -- Ballots --------------------------------------------------------------------------


def test_ballots_issued_above_those_present_are_refused(users, election):
    officer = users["officer_hcm"]
    (an,) = stand(election, officer, 1)
    election.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        record_votes(
            actor=officer,
            election=election,
            valid_ballots=30,
            votes={an.pk: 20},
            expected_lock_version=election.lock_version,
            ballots_issued=41,
            ballots_returned=30,
            minutes=Minutes(summoned=45, present=40),
        )
    assert "ballots_issued" in caught.value.message_dict
    assert "41" in caught.value.messages[0] and "40" in caught.value.messages[0]
    assert ElectionRound.objects.get(election=election).valid_ballots == 0
    assert votes_of(election) == {an.pk: 0}


def test_present_comes_from_the_check_in_when_it_was_used(users, election, district_conf):
    officer = users["officer_hcm"]
    (an,) = stand(election, officer, 1)
    present = DelegateFactory.create_batch(3, conference=district_conf, category=Category.OFFICIAL)
    DelegateFactory(conference=district_conf, category=Category.OFFICIAL)
    DelegateFactory(conference=district_conf, category=Category.GUEST)
    Delegate.objects.filter(pk__in=[d.pk for d in present]).update(
        checked_in_at=datetime.datetime(2020, 1, 10, 8, tzinfo=datetime.UTC)
    )
    election.refresh_from_db()

    def record(issued):
        election.refresh_from_db()
        return record_votes(
            actor=officer,
            election=election,
            valid_ballots=3,
            votes={an.pk: 2},
            expected_lock_version=election.lock_version,
            ballots_issued=issued,
            ballots_returned=3,
            # What is typed gives way to the check-in's figures.
            minutes=Minutes(summoned=100, present=100),
        )

    with pytest.raises(ValidationError, match="4"):
        record(4)
    record(3)
    first = ElectionRound.objects.get(election=election)
    assert (first.summoned, first.present, first.present_from_check_in) == (4, 3, True)


@pytest.mark.parametrize(
    ("returned", "valid", "invalid", "field"),
    [(31, 30, 1, "ballots_returned"), (30, 28, 1, "invalid_ballots")],
)
def test_ballots_must_add_up(users, election, returned, valid, invalid, field):
    officer = users["officer_hcm"]
    (an,) = stand(election, officer, 1)
    with pytest.raises(ValidationError) as caught:
        record_votes(
            actor=officer,
            election=election,
            valid_ballots=valid,
            votes={an.pk: 20},
            expected_lock_version=election.lock_version,
            ballots_issued=30,
            ballots_returned=returned,
            invalid_ballots=invalid,
        )
    assert field in caught.value.message_dict


def test_someone_already_a_delegate_above_is_flagged_not_duplicated(
    users, tree, tiers, hcm_upper, election
):
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 2}, users["admin"])
    an, binh = stand(election, officer, 2)
    DelegateFactory(conference=hcm_upper, person=an, category=Category.OFFICIAL)
    vote(election, officer, 100, {an: 90, binh: 80})
    result = confirm_election(actor=officer, election=election)
    assert result.already_delegates == [an]
    assert [d.person for d in result.added] == [binh]
    assert Delegate.objects.filter(conference=hcm_upper, person=an).count() == 1
    page = election_selectors.delegates_of_target(election, [an.pk, binh.pk])
    assert page[an.pk].category == Category.OFFICIAL
    assert page[binh.pk].elected_at == election.conference


def test_full_conference_above_confirms_nothing(users, tree, tiers, hanoi_upper):
    officer = users["officer_hanoi"]
    tiers[2].cap = 3
    tiers[2].save()
    DelegateFactory.create_batch(2, conference=hanoi_upper)
    approve(hanoi_upper, {tree.hanoi_district: 2}, users["admin"])
    election = open_election(actor=officer, conference=held(tiers[1], tree.hanoi_district))
    an, binh = stand(election, officer, 2)
    vote(election, officer, 100, {an: 90, binh: 80})
    with pytest.raises(ValidationError, match="Chưa xác nhận") as caught:
        confirm_election(actor=officer, election=election)
    assert "tối đa 3" in caught.value.messages[0]
    assert Delegate.objects.filter(conference=hanoi_upper).count() == 2
    election.refresh_from_db()
    assert election.status == Election.Status.DRAFT


def test_confirmed_election_is_frozen(users, tree, hcm_upper, election):
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 1}, users["admin"])
    (an,) = stand(election, officer, 1)
    vote(election, officer, 10, {an: 9})
    confirm_election(actor=officer, election=election)
    election.refresh_from_db()
    with pytest.raises(ValidationError, match="đã được xác nhận"):
        vote(election, officer, 10, {an: 1})
    with pytest.raises(ValidationError, match="đã được xác nhận"):
        set_candidates(actor=officer, election=election, persons=[])
    with pytest.raises(ValidationError, match="đã được xác nhận"):
        confirm_election(actor=officer, election=election)
    assert Delegate.objects.count() == 1 and votes_of(election) == {an.pk: 9}


def test_stale_page_cannot_confirm(users, tree, hcm_upper, election):
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 1}, users["admin"])
    (an,) = stand(election, officer, 1)
    seen = election.lock_version
    vote(election, officer, 10, {an: 9})
    with pytest.raises(StaleEditError):
        confirm_election(actor=officer, election=election, expected_lock_version=seen)
    assert not Delegate.objects.exists()


def test_province_confirms_into_the_congress(users, tree, tiers):
    officer = users["officer_hcm"]
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    approve(congress, {tree.hcm: 1, tree.hanoi: 1}, users["admin"])
    election = open_election(actor=officer, conference=held(tiers[2], tree.hcm))
    an = PersonFactory(unit=tree.hcm_district)
    set_candidates(actor=officer, election=election, persons=[an])
    vote(election, officer, 200, {an: 150})
    election.refresh_from_db()
    confirm_election(actor=officer, election=election)
    delegate = Delegate.objects.get(conference=congress)
    assert (delegate.person, delegate.unit, delegate.elected_at) == (
        an,
        tree.hcm,
        election.conference,
    )


@pytest.mark.parametrize("role", ["officer_hanoi", "council", "printer"])
def test_others_may_not_confirm(users, tree, hcm_upper, election, role):
    with pytest.raises(PermissionDenied):
        confirm_election(actor=users[role], election=election)


def test_approved_allocation_without_the_unit_is_named(users, tree, hcm_upper, election):
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_department: 2}, users["admin"])
    (an,) = stand(election, officer, 1)
    vote(election, officer, 10, {an: 6})
    with pytest.raises(ValidationError, match="không có suất nào cho BHXH Quận 1"):
        confirm_election(actor=officer, election=election)
    assert not Delegate.objects.exists()


# -- The migration into rounds --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_makes_the_votes_so_far_round_one(users, election):
    """0010/0011: an election's valid ballots and its candidates' votes
    become its round 1 (and back, when the migration is reversed)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    officer = users["officer_hcm"]
    an, binh = stand(election, officer, 2)
    vote(election, officer, 40, {an: 30, binh: 12})
    before = [("delegates", "0009_allocation_withdrawal")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldCandidate = old.get_model("delegates", "Candidate")
    OldElection = old.get_model("delegates", "Election")
    # Reversed, round 1 went back into the columns it came from.
    assert OldElection.objects.get(pk=election.pk).valid_ballots == 40
    assert dict(OldCandidate.objects.values_list("person_id", "votes")) == {an.pk: 30, binh.pk: 12}
    OldCandidate.objects.filter(person_id=binh.pk).update(votes=9)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    (first,) = ElectionRound.objects.filter(election_id=election.pk)
    assert (first.number, first.valid_ballots, first.ballots_issued, first.invalid_ballots) == (
        1,
        40,
        40,
        0,
    )
    assert votes_of(election) == {an.pk: 30, binh.pk: 9}


def test_more_present_than_summoned_is_refused(users, election):
    officer = users["officer_hcm"]
    (person,) = stand(election, officer, 1)
    with pytest.raises(ValidationError) as refused:
        record_votes(
            actor=officer,
            election=election,
            valid_ballots=10,
            votes={person.pk: 6},
            expected_lock_version=election.lock_version,
            minutes=Minutes(summoned=30, present=300),
        )
    assert "present" in refused.value.message_dict
    assert ElectionRound.objects.get(election=election).valid_ballots == 0
