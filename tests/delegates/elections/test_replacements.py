"""Replacing an elected delegate who cannot attend: the next candidate
above the threshold in the final round's order takes the seat, within the
unit's quota; both people stay on record, on the election's page and on
the list of the conference above."""

from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from delegates.election_count import RoundVotes, count_rounds, next_in_line
from delegates.models import Category, Delegate, Replacement, RoundCandidate
from delegates.services.delegates import remove_delegate
from delegates.services.elections import (
    confirm_election,
    open_election,
    open_runoff,
    record_votes,
    resolve_excess,
)
from delegates.services.replacements import open_further_round, replace_elected, seat_further_round
from tests.delegates.elections.test_bound_elections import approve_newer, version
from tests.delegates.elections.test_elections import approve, held, stand, vote
from tests.factories import UserFactory
from units.models import Notification, Role

# -- Who is next in line (no database) ---------------------------------------------


def rounds_of(*rounds, quota):
    return count_rounds(
        [
            RoundVotes(number=n, votes=tuple(votes.items()), valid_ballots=valid)
            for n, (valid, votes) in enumerate(rounds, start=1)
        ],
        quota=quota,
        threshold=Fraction(1, 2),
    )


def test_next_is_the_best_above_the_threshold_beyond_the_quota():
    result = rounds_of((40, {"a": 30, "b": 25, "c": 22, "d": 10}), quota=2)
    found = next_in_line(result, excluded=())
    assert (found.key, found.round, found.line.votes) == ("c", 1, 22)


def test_below_the_threshold_is_never_next():
    result = rounds_of((40, {"a": 30, "b": 25, "d": 20}), quota=2)
    assert next_in_line(result, excluded=()) is None


def test_the_excluded_are_skipped():
    result = rounds_of((40, {"a": 30, "b": 25, "c": 24, "e": 23}), quota=2)
    assert next_in_line(result, excluded={"c"}).key == "e"


def test_equal_votes_at_the_place_are_a_tie_again():
    result = rounds_of((40, {"a": 30, "b": 25, "c": 22, "e": 22}), quota=2)
    found = next_in_line(result, excluded=())
    assert found.key is None and set(found.tied) == {"c", "e"} and found.round == 1


def test_a_runoff_loser_stands_by_the_runoff():
    # Round 1: a elected, b and c tied for the last seat, e beyond the quota.
    # The run-off: b elected; c above the threshold there comes before e.
    result = rounds_of(
        (40, {"a": 30, "b": 25, "c": 25, "e": 22}), (40, {"b": 28, "c": 21}), quota=2
    )
    assert result.elected == ("a", "b")
    found = next_in_line(result, excluded=())
    assert (found.key, found.round) == ("c", 2)
    # A run-off loser below the threshold there is not next, even with
    # more votes in round 1 than e.
    result = rounds_of(
        (40, {"a": 30, "b": 25, "c": 25, "e": 22}), (40, {"b": 30, "c": 10}), quota=2
    )
    found = next_in_line(result, excluded=())
    assert (found.key, found.round) == ("e", 1)


# -- The service -----------------------------------------------------------------------


@pytest.fixture
def seated(db, users, tree, tiers, hcm_upper):
    """Quận 1 elected An (30) and Bình (25) to its two seats; Chi (22) and
    Dung (21) are above the threshold beyond the quota, Em (10) below."""
    officer = users["officer_hcm"]
    allocation = approve(hcm_upper, {tree.hcm_district: 2, tree.hcm_department: 2}, users["admin"])
    election = open_election(actor=officer, conference=held(tiers[1], tree.hcm_district))
    people = stand(election, officer, 5)
    vote(election, officer, 40, dict(zip(people, [30, 25, 22, 21, 10], strict=True)))
    election.refresh_from_db()
    confirm_election(actor=officer, election=election, expected_lock_version=election.lock_version)
    election.refresh_from_db()
    return {"election": election, "people": people, "allocation": allocation, "target": hcm_upper}


def elected_above(seated_):
    return set(
        Delegate.objects.filter(
            conference=seated_["target"],
            category=Category.ELECTED,
            elected_at=seated_["election"].conference,
        ).values_list("person__full_name", flat=True)
    )


def replace(users, seated_, person, reason="Ốm dài ngày", actor="officer_hcm"):
    """Refusals are matched in the msgids' language, whatever is compiled."""
    election = seated_["election"]
    election.refresh_from_db()
    with translation.override("en"):
        return replace_elected(
            actor=users[actor],
            election=election,
            person=person,
            reason=reason,
            expected_lock_version=election.lock_version,
        )


def test_the_next_in_line_takes_the_seat_and_both_are_recorded(users, seated):
    an, binh, chi, _dung, _em = seated["people"]
    replacement = replace(users, seated, an, reason="Đi công tác nước ngoài")
    assert elected_above(seated) == {binh.full_name, chi.full_name}  # the quota: 2
    assert replacement.replaced.person == an and replacement.substitute.person == chi
    assert replacement.reason == "Đi công tác nước ngoài"
    assert replacement.round.number == 1 and replacement.recorded_by == users["officer_hcm"]
    # The replaced keeps their candidacy and votes.
    assert RoundCandidate.objects.get(candidate__person=an).votes == 30
    delegate = Delegate.objects.get(conference=seated["target"], person=chi)
    assert delegate.elected_at == seated["election"].conference
    assert delegate.unit == seated["election"].conference.unit


def test_a_delegate_removed_from_the_list_above_is_replaced_too(users, seated):
    _an, binh, chi, _dung, _em = seated["people"]
    removed = Delegate.objects.get(conference=seated["target"], person=binh)
    remove_delegate(actor=users["officer_hcm"], delegate=removed)
    replacement = replace(users, seated, binh, reason="Rút khỏi danh sách")
    assert replacement.substitute.person == chi
    assert elected_above(seated) == {seated["people"][0].full_name, chi.full_name}


def test_replacements_follow_the_order_and_a_substitute_may_be_replaced(users, seated):
    an, binh, chi, dung, _em = seated["people"]
    replace(users, seated, an)
    second = replace(users, seated, chi, reason="Nghỉ thai sản")
    assert second.substitute.person == dung
    assert elected_above(seated) == {binh.full_name, dung.full_name}
    with pytest.raises(ValidationError, match="No candidate above the threshold"):
        replace(users, seated, binh)
    assert elected_above(seated) == {binh.full_name, dung.full_name}
    assert Replacement.objects.count() == 2


def test_only_a_seat_holder_is_replaced(users, seated):
    an, _binh, chi, _dung, _em = seated["people"]
    with pytest.raises(ValidationError, match="holds no seat"):
        replace(users, seated, chi)
    replace(users, seated, an)
    with pytest.raises(ValidationError, match="holds no seat"):
        replace(users, seated, an)


def test_a_tie_for_the_place_is_refused_with_the_tied(users, tree, tiers, hcm_upper):
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 1}, users["admin"])
    election = open_election(actor=officer, conference=held(tiers[1], tree.hcm_district))
    an, binh, chi = stand(election, officer, 3)
    vote(election, officer, 40, {an: 30, binh: 22, chi: 22})
    election.refresh_from_db()
    confirm_election(actor=officer, election=election)
    election.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        replace_elected(actor=officer, election=election, person=an, reason="Ốm")
    assert binh.full_name in str(refused.value) and chi.full_name in str(refused.value)
    assert Replacement.objects.count() == 0
    assert Delegate.objects.filter(conference=hcm_upper, person=an).exists()


def test_the_quota_now_is_kept_after_a_smaller_version(users, tree, tiers, seated):
    """Version 2 gives Quận 1 one seat: Bình, removed as the excess, leaves
    no seat to fill."""
    an, binh, _chi, _dung, _em = seated["people"]
    second = version(
        seated["target"], {tree.hcm_district: 1, tree.hcm_department: 3}, users["admin"], number=2
    )
    approve_newer(second, users)
    bound = Delegate.objects.get(conference=seated["target"], person=binh)
    resolve_excess(actor=users["officer_hcm"], election=seated["election"], remove=[bound.pk])
    with pytest.raises(ValidationError, match="within its quota"):
        replace(users, seated, binh)
    assert elected_above(seated) == {an.full_name}
    # Replacing An, who holds the one seat, stays within it.
    replace(users, seated, an)
    assert len(elected_above(seated)) == 1


def test_refusals_change_nothing(users, tree, tiers, hcm_upper, seated):
    an = seated["people"][0]
    with pytest.raises(ValidationError):
        replace(users, seated, an, reason="   ")
    with pytest.raises(PermissionDenied):
        replace(users, seated, an, actor="officer_hanoi")
    with pytest.raises(PermissionDenied):
        replace(users, seated, an, actor="printer_hcm")
    draft = open_election(
        actor=users["officer_hcm"], conference=held(tiers[1], tree.hcm_department)
    )
    person = stand(draft, users["officer_hcm"], 1)[0]
    with translation.override("en"), pytest.raises(ValidationError, match="confirmed election"):
        replace_elected(actor=users["officer_hcm"], election=draft, person=person, reason="Ốm")
    assert Replacement.objects.count() == 0
    assert len(elected_above(seated)) == 2


def test_the_officers_above_are_told(users, tree, seated):
    colleague = UserFactory(role=Role.OFFICER, unit=tree.hcm, username="officer-hcm-2")
    replace(users, seated, seated["people"][0], reason="Ốm dài ngày")
    notice = Notification.objects.get(recipient=colleague, kind=Notification.Kind.DELEGATE_REPLACED)
    assert seated["people"][2].full_name in notice.title and notice.body == "Ốm dài ngày"
    assert not Notification.objects.filter(
        recipient=users["officer_hcm"], kind=Notification.Kind.DELEGATE_REPLACED
    ).exists()


def test_a_runoff_winner_is_replaced_by_the_runoff_runner_up(users, tree, tiers, hcm_upper):
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 2}, users["admin"])
    election = open_election(actor=officer, conference=held(tiers[1], tree.hcm_district))
    an, binh, chi, em = stand(election, officer, 4)
    vote(election, officer, 40, {an: 30, binh: 25, chi: 25, em: 22})
    election.refresh_from_db()
    open_runoff(actor=officer, election=election, expected_lock_version=election.lock_version)
    vote(election, officer, 40, {binh: 28, chi: 21})
    election.refresh_from_db()
    confirm_election(actor=officer, election=election)
    election.refresh_from_db()
    replacement = replace_elected(actor=officer, election=election, person=an, reason="Ốm")
    assert replacement.substitute.person == chi and replacement.round.number == 2


# -- The pages -------------------------------------------------------------------------


def page_url(seated_):
    return reverse("elections:election_detail", args=[seated_["election"].conference.pk])


def post_replace(client, seated_, person, reason="Ốm dài ngày"):
    election = seated_["election"]
    election.refresh_from_db()
    return client.post(
        reverse("elections:elected_replace", args=[election.conference.pk]),
        {"person": person.pk, "reason": reason, "lock_version": election.lock_version},
    )


def test_the_page_offers_the_next_in_line_and_records_the_replacement(client, users, seated):
    an, _binh, chi, _dung, _em = seated["people"]
    client.force_login(users["officer_hcm"])
    page = client.get(page_url(seated)).content.decode()
    assert 'data-testid="replace"' in page and 'data-testid="successor"' in page
    assert chi.full_name in page
    response = post_replace(client, seated, an, reason="Đi học tập trung")
    assert response.status_code == 302
    page = client.get(page_url(seated)).content.decode()
    assert 'data-testid="replaced"' in page and "Đi học tập trung" in page
    assert 'data-testid="substitute-of"' in page
    listing = client.get(reverse("delegates:delegate_list", args=[seated["target"].pk]))
    text = listing.content.decode()
    with translation.override("vi"):
        note = translation.gettext("substitute for %(name)s") % {"name": an.full_name}
    assert 'data-testid="replaces"' in text and note in text and "Đi học tập trung" in text


def test_a_refused_replacement_keeps_the_reason_typed(client, users, seated):
    an, binh, chi, _dung, _em = seated["people"]
    client.force_login(users["officer_hcm"])
    post_replace(client, seated, an)
    post_replace(client, seated, chi)
    # Nobody above the threshold is left for Bình's seat.
    response = post_replace(client, seated, binh, reason="Lý do đã gõ")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Lý do đã gõ</textarea>" in page
    assert page.count('data-testid="replace-error"') == 1
    assert Replacement.objects.count() == 2
    assert Delegate.objects.filter(conference=seated["target"], person=binh).exists()


def test_refused_for_someone_without_a_seat_says_so(client, users, seated):
    client.force_login(users["officer_hcm"])
    response = post_replace(client, seated, seated["people"][2])
    assert response.status_code == 400
    assert 'data-testid="replace-error"' in response.content.decode()
    assert Replacement.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "status"),
    [("printer_hcm", 403), ("council", 403), ("officer_hanoi", 404), ("printer", 403)],
)
def test_who_may_not_replace(client, users, seated, role, status):
    client.force_login(users[role])
    assert post_replace(client, seated, seated["people"][0]).status_code == status
    page = client.get(page_url(seated))
    if page.status_code == 200:
        assert 'data-testid="replace"' not in page.content.decode()
    assert Replacement.objects.count() == 0


def test_the_page_queries_do_not_grow_with_replacements(client, users, tree, tiers, hcm_upper):
    """With replacements by the rule, then further rounds: one seated, one
    tied and followed by another, pending with its votes form open."""
    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 2, tree.hcm_department: 6}, users["admin"])
    client.force_login(officer)
    counts = []
    for unit, quota, replaced, below in (
        (tree.hcm_district, 2, 1, 3),
        (tree.hcm_department, 6, 5, 8),
    ):
        election = open_election(actor=officer, conference=held(tiers[1], unit))
        people = stand(election, officer, quota + replaced + below)
        # The first quota + replaced clear the threshold, the others do not.
        vote(
            election,
            officer,
            100,
            {p: (90 - i if i < quota + replaced else 10 + i) for i, p in enumerate(people)},
        )
        election.refresh_from_db()
        confirm_election(actor=officer, election=election)
        for person in people[:replaced]:
            election.refresh_from_db()
            replace_elected(actor=officer, election=election, person=person, reason="Ốm")
        holders = [p for p in people[replaced : quota + replaced]]
        others = people[quota + replaced :]
        further(officer, election, [holders[0]], others, {others[0]: 60})
        election.refresh_from_db()
        seat_further_round(actor=officer, election=election)
        rest = others[1:]
        further(officer, election, [holders[1]], rest, {rest[0]: 55, rest[1]: 55})
        election.refresh_from_db()
        open_further_round(
            actor=officer, election=election, persons=[holders[1]], reason="", candidates=rest
        )
        address = reverse("elections:election_detail", args=[election.conference.pk])
        page = client.get(address).content.decode()
        assert page.count('data-testid="further-round"') == 3 and 'id="votes-form"' in page
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def further(officer, election, persons, candidates, votes):
    """Open a further round for the seats of ``persons`` and record its
    votes (those not given: 1)."""
    election.refresh_from_db()
    open_further_round(
        actor=officer, election=election, persons=persons, reason="Ốm", candidates=candidates
    )
    election.refresh_from_db()
    record_votes(
        actor=officer,
        election=election,
        valid_ballots=100,
        votes={p.pk: votes.get(p, 1) for p in candidates},
        threshold=Fraction(election.threshold_numerator, election.threshold_denominator),
        expected_lock_version=election.lock_version,
    )
