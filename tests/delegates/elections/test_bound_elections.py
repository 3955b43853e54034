"""Elections bound to the allocation version that gave their quota: the
binding at confirmation, the excess a newer version causes (previewed
before it is approved, flagged after, with the delegates named), its
resolution, and the lock order between a confirmation and a review, raced
in two real transactions on PostgreSQL."""

import threading
import time

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from congress.models import Conference
from delegates.models import Allocation, AllocationLine, Category, Delegate, Election
from delegates.selectors import elections as election_selectors
from delegates.selectors.elections import excess_by_source, excess_of, newer_allocation
from delegates.services import elections as election_services
from delegates.services import quotas as quota_services
from delegates.services.elections import confirm_election, open_election, resolve_excess
from tests.conftest import require
from tests.delegates.elections.test_elections import approve, held, stand, vote
from tests.factories import PersonFactory


def version(target, seats_by_unit, actor, *, number, status=Allocation.Status.SUBMITTED):
    """Another version of ``target``'s allocation, made directly (a
    submitted one by default, for the council to review)."""
    allocation = Allocation.objects.create(
        conference=target,
        version=number,
        status=status,
        tie_break="order",
        total_seats=sum(seats_by_unit.values()),
        created_by=actor,
    )
    AllocationLine.objects.bulk_create(
        [
            AllocationLine(
                allocation=allocation,
                unit=unit,
                position=position,
                attendance=40,
                quota_numerator=seats,
                quota_denominator=1,
                computed_seats=seats,
                seats=seats,
            )
            for position, (unit, seats) in enumerate(seats_by_unit.items())
        ]
    )
    return allocation


def approve_newer(allocation, users):
    return quota_services.review_allocation(
        actor=users["council"], allocation=allocation, decision="approve"
    )


@pytest.fixture
def confirmed(db, users, tree, tiers, hcm_upper):
    """Quận 1 elected three delegates (90, 80, 70 votes) within the three
    seats of version 1; version 2, submitted, gives it two."""
    officer = users["officer_hcm"]
    first = approve(hcm_upper, {tree.hcm_district: 3, tree.hcm_department: 2}, users["admin"])
    election = open_election(actor=officer, conference=held(tiers[1], tree.hcm_district))
    an, binh, chi = stand(election, officer, 3)
    vote(election, officer, 100, {an: 90, binh: 80, chi: 70})
    election.refresh_from_db()
    confirm_election(actor=officer, election=election)
    election.refresh_from_db()
    second = version(
        hcm_upper, {tree.hcm_district: 2, tree.hcm_department: 3}, users["admin"], number=2
    )
    return {
        "election": election,
        "first": first,
        "second": second,
        "people": (an, binh, chi),
        "target": hcm_upper,
    }


def delegate_of(person, conference):
    return Delegate.objects.get(conference=conference, person=person)


# -- Bound at confirmation, kept afterwards ---------------------------------------


@pytest.mark.django_db
def test_confirming_binds_the_election_to_the_approved_version(confirmed):
    assert confirmed["election"].allocation == confirmed["first"]
    assert election_selectors.binding_allocation(confirmed["election"]) == confirmed["first"]


@pytest.mark.django_db
def test_the_bound_version_is_kept_when_a_newer_one_is_approved(users, confirmed):
    approve_newer(confirmed["second"], users)

    election = Election.objects.get(pk=confirmed["election"].pk)
    assert election.allocation == confirmed["first"]
    assert election_selectors.binding_allocation(election) == confirmed["first"]
    # Nothing changed by itself: the three delegates are still there.
    assert (
        Delegate.objects.filter(
            conference=confirmed["target"], elected_at=election.conference
        ).count()
        == 3
    )


# -- The excess: previewed, flagged, named ------------------------------------------


@pytest.mark.django_db
def test_the_council_sees_the_excess_before_approving(confirmed):
    preview = excess_of(confirmed["second"])

    an, binh, chi = confirmed["people"]
    assert len(preview) == 1
    (excess,) = preview
    assert (excess.election, excess.seats, excess.elected, excess.excess) == (
        confirmed["election"],
        2,
        3,
        1,
    )
    assert [(entry.delegate.person, entry.votes, entry.beyond) for entry in excess.delegates] == [
        (an, 90, False),
        (binh, 80, False),
        (chi, 70, True),
    ]
    assert excess.bound_version == 1
    assert excess.names == f"{an.full_name}, {binh.full_name}, {chi.full_name}"
    # The approved version itself causes none.
    assert excess_of(confirmed["first"]) == []


@pytest.mark.django_db
def test_once_approved_the_excess_is_flagged_with_the_delegates_named(users, confirmed):
    approve_newer(confirmed["second"], users)
    election = Election.objects.select_related("allocation", "conference__unit", "target").get(
        pk=confirmed["election"].pk
    )

    newer = newer_allocation(election)

    assert newer.allocation == confirmed["second"] and newer.seats == 2
    assert newer.excess.excess == 1
    assert [entry.delegate.person for entry in newer.excess.suggested] == [confirmed["people"][2]]
    assert list(excess_by_source(confirmed["target"])) == [election.conference_id]


@pytest.mark.django_db
def test_a_newer_version_with_enough_seats_flags_nothing(users, tree, confirmed):
    Allocation.objects.filter(pk=confirmed["second"].pk).delete()
    more = version(
        confirmed["target"],
        {tree.hcm_district: 4, tree.hcm_department: 1},
        users["admin"],
        number=2,
    )
    approve_newer(more, users)
    election = Election.objects.select_related("allocation", "conference__unit", "target").get(
        pk=confirmed["election"].pk
    )

    newer = newer_allocation(election)

    assert newer.seats == 4 and newer.excess is None
    assert excess_by_source(confirmed["target"]) == {}


@pytest.mark.django_db
def test_a_tie_across_the_new_cut_suggests_no_one(users, tree, tiers, hcm_upper):
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 3}, users["admin"])
    election = open_election(actor=officer, conference=held(tiers[1], tree.hcm_district))
    people = stand(election, officer, 3)
    vote(election, officer, 100, dict(zip(people, [90, 70, 70], strict=True)))
    election.refresh_from_db()
    confirm_election(actor=officer, election=election)

    (excess,) = excess_of(version(hcm_upper, {tree.hcm_district: 2}, users["admin"], number=2))

    assert excess.excess == 1 and excess.suggested == []


# -- Resolving it -----------------------------------------------------------------------


def fresh(election):
    return Election.objects.select_related("target__unit", "conference__unit").get(pk=election.pk)


@pytest.mark.django_db
def test_resolving_removes_the_chosen_and_keeps_the_bound_version(users, confirmed):
    approve_newer(confirmed["second"], users)
    an, binh, chi = confirmed["people"]
    leaving = delegate_of(binh, confirmed["target"])

    removed = resolve_excess(
        actor=users["officer_hcm"], election=fresh(confirmed["election"]), remove=[leaving.pk]
    )

    assert removed == [leaving]
    remaining = Delegate.objects.filter(conference=confirmed["target"]).values_list(
        "person", flat=True
    )
    assert set(remaining) == {an.pk, chi.pk}
    # The result and the quota it used stay; the excess is gone.
    election = Election.objects.select_related("allocation", "conference__unit", "target").get(
        pk=confirmed["election"].pk
    )
    assert election.allocation == confirmed["first"]
    assert excess_by_source(confirmed["target"]) == {}
    assert newer_allocation(election).excess is None


@pytest.mark.django_db
def test_resolving_needs_exactly_the_excess(users, tree, confirmed):
    approve_newer(confirmed["second"], users)
    _an, binh, chi = confirmed["people"]
    both = [delegate_of(binh, confirmed["target"]).pk, delegate_of(chi, confirmed["target"]).pk]

    with pytest.raises(ValidationError) as error:
        resolve_excess(
            actor=users["officer_hcm"], election=fresh(confirmed["election"]), remove=both
        )

    singular = (
        "Choose exactly %(excess)s delegate to remove: version %(version)s gives "
        "%(unit)s %(seats)s seats and %(elected)s are elected."
    )
    plural = (
        "Choose exactly %(excess)s delegates to remove: version %(version)s gives "
        "%(unit)s %(seats)s seats and %(elected)s are elected."
    )
    assert error.value.messages == [
        ngettext(singular, plural, 1)
        % {"excess": 1, "version": 2, "unit": tree.hcm_district.name, "seats": 2, "elected": 3}
    ]
    assert Delegate.objects.filter(conference=confirmed["target"]).count() == 3


@pytest.mark.django_db
def test_resolving_takes_only_this_elections_delegates(users, tree, confirmed):
    approve_newer(confirmed["second"], users)
    official = Delegate.objects.create(
        conference=confirmed["target"],
        category=Category.OFFICIAL,
        person=PersonFactory(unit=tree.hcm),
        unit=tree.hcm,
        added_by=users["admin"],
    )

    with pytest.raises(ValidationError) as error:
        resolve_excess(
            actor=users["officer_hcm"], election=fresh(confirmed["election"]), remove=[official.pk]
        )

    assert error.value.messages == [_("Choose among the delegates this election elected.")]
    assert Delegate.objects.filter(pk=official.pk).exists()


@pytest.mark.django_db
def test_nothing_to_resolve_while_the_bound_version_binds(users, confirmed):
    an = confirmed["people"][0]

    with pytest.raises(ValidationError) as error:
        resolve_excess(
            actor=users["officer_hcm"],
            election=fresh(confirmed["election"]),
            remove=[delegate_of(an, confirmed["target"]).pk],
        )

    assert error.value.messages == [
        _("Nothing to resolve: this election elected no more delegates than its seats.")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["officer_hanoi", "council", "printer", "printer_hcm"])
def test_only_who_changes_the_conference_above_resolves(users, confirmed, role):
    approve_newer(confirmed["second"], users)
    chi = confirmed["people"][2]

    with pytest.raises(PermissionDenied):
        resolve_excess(
            actor=users[role],
            election=fresh(confirmed["election"]),
            remove=[delegate_of(chi, confirmed["target"]).pk],
        )
    assert Delegate.objects.filter(conference=confirmed["target"]).count() == 3


@pytest.mark.django_db
def test_a_closed_conference_above_is_not_changed(users, confirmed):
    approve_newer(confirmed["second"], users)
    Conference.objects.filter(pk=confirmed["target"].pk).update(
        status=Conference.Status.CLOSED,
        held_on=confirmed["target"].date,
        actual_attendance=300,
    )
    chi = confirmed["people"][2]

    with pytest.raises(ValidationError) as error:
        resolve_excess(
            actor=users["officer_hcm"],
            election=fresh(confirmed["election"]),
            remove=[delegate_of(chi, confirmed["target"]).pk],
        )

    assert error.value.messages == [
        _("The conference is closed: its delegates can no longer change.")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 12])
def test_excess_queries_do_not_grow_with_the_elections(
    users, tree, tiers, hcm_upper, count, django_assert_max_num_queries
):
    from tests.factories import UnitFactory

    officer = users["officer_hcm"]
    units = [UnitFactory(parent=tree.hcm, code=f"DQ{n}") for n in range(count)]
    approve(hcm_upper, dict.fromkeys(units, 2), users["admin"])
    for unit in units:
        election = open_election(actor=officer, conference=held(tiers[1], unit))
        people = stand(election, officer, 2)
        vote(election, officer, 10, dict(zip(people, [9, 8], strict=True)))
        election.refresh_from_db()
        confirm_election(actor=officer, election=election)
    newer = version(hcm_upper, dict.fromkeys(units, 1), users["admin"], number=2)

    # The lines, the elections, their delegates, the votes.
    with django_assert_max_num_queries(4):
        assert len(excess_of(newer)) == count


# -- A confirmation and a review, raced ---------------------------------------------------


def postgres_only():
    require(
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        "the race needs PostgreSQL's row locks",
    )


def run_in_thread(work, errors):
    def target():
        try:
            work()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


@pytest.fixture
def race(users, tree, tiers, hcm_upper):
    """An election ready to confirm (three above the threshold within
    version 1's three seats) and version 2 (two seats) submitted: both
    committed, for two threads with their own connections."""
    postgres_only()
    officer = users["officer_hcm"]
    first = approve(hcm_upper, {tree.hcm_district: 3}, users["admin"])
    election = open_election(actor=officer, conference=held(tiers[1], tree.hcm_district))
    people = stand(election, officer, 3)
    vote(election, officer, 100, dict(zip(people, [90, 80, 70], strict=True)))
    second = version(hcm_upper, {tree.hcm_district: 2}, users["admin"], number=2)
    return {"election": election, "first": first, "second": second, "target": hcm_upper}


def slowed(monkeypatch, module, name, entered: threading.Event, seconds=0.6):
    """Make ``module.name`` signal, then wait, inside the transaction of
    the thread that calls it (with its locks held)."""
    original = getattr(module, name)

    def slow(*args, **kwargs):
        entered.set()
        time.sleep(seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)


def outcome(race):
    election = Election.objects.get(pk=race["election"].pk)
    second = Allocation.objects.get(pk=race["second"].pk)
    delegates = Delegate.objects.filter(conference=race["target"], elected_at__isnull=False)
    return election, second, delegates.count()


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_under_way_makes_the_review_wait(monkeypatch, users, race):
    entered, errors = threading.Event(), []
    # Inside confirm_election, after its locks and its read of the quota.
    slowed(monkeypatch, election_services, "count_of", entered)
    officer = users["officer_hcm"]

    confirming = run_in_thread(
        lambda: confirm_election(
            actor=officer, election=Election.objects.get(pk=race["election"].pk)
        ),
        errors,
    )
    assert entered.wait(5)
    reviewing = run_in_thread(
        lambda: quota_services.review_allocation(
            actor=users["council"],
            allocation=Allocation.objects.get(pk=race["second"].pk),
            decision="approve",
        ),
        errors,
    )
    confirming.join(15)
    reviewing.join(15)

    assert not confirming.is_alive() and not reviewing.is_alive(), "deadlocked"
    assert errors == []
    election, second, elected = outcome(race)
    # Confirmed within version 1, which was still the approved one then.
    assert election.allocation_id == race["first"].pk and elected == 3
    assert election.confirmed_at < second.reviewed_at
    assert second.status == Allocation.Status.APPROVED
    # Version 2 then flags the excess, for the officer to resolve.
    assert [e.excess for e in excess_of(second)] == [1]


@pytest.mark.django_db(transaction=True)
def test_a_review_under_way_makes_the_confirmation_wait(monkeypatch, users, race):
    entered, errors = threading.Event(), []
    # Inside review_allocation, with the conference and the version locked.
    slowed(monkeypatch, quota_services, "check_lock_version", entered)
    officer = users["officer_hcm"]

    reviewing = run_in_thread(
        lambda: quota_services.review_allocation(
            actor=users["council"],
            allocation=Allocation.objects.get(pk=race["second"].pk),
            decision="approve",
        ),
        errors,
    )
    assert entered.wait(5)
    confirming = run_in_thread(
        lambda: confirm_election(
            actor=officer, election=Election.objects.get(pk=race["election"].pk)
        ),
        errors,
    )
    reviewing.join(15)
    confirming.join(15)

    assert not confirming.is_alive() and not reviewing.is_alive(), "deadlocked"
    assert errors == []
    election, second, elected = outcome(race)
    # The confirmation read the quota after the approval: version 2's two seats.
    assert election.allocation_id == second.pk and elected == 2
    assert election.confirmed_at > second.reviewed_at
    assert excess_of(second) == []
