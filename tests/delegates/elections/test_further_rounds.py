"""Further rounds (bầu bổ sung): when nobody is next in line for the seat of
an elected delegate who cannot attend, a further round of the confirmed
election, among candidates the officer puts to the vote, fills it within
the unit's quota; a tie in it leads to another, seats it leaves empty stay
empty; the election's own result never changes."""

from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from delegates.election_count import RoundVotes, count_further_round
from delegates.models import Category, Delegate, ElectionRound, Replacement, RoundCandidate
from delegates.selectors import elections as election_selectors
from delegates.services.elections import record_votes, resolve_excess, set_candidates
from delegates.services.replacements import open_further_round, replace_elected, seat_further_round
from reports.documents.elections import BallotPdf, CountMinutesPdf
from tests.delegates.elections.test_bound_elections import approve_newer, version
from tests.delegates.elections.test_elections import approve, held, stand, vote
from tests.delegates.elections.test_replacements import elected_above
from tests.factories import PersonFactory, UserFactory
from tests.reports.pdf_support import flowing_text
from units.models import Notification, Role


@pytest.fixture
def english():
    """Refusals are matched by their English words, whatever is translated
    (the pages of the tests without it speak the interface's language)."""
    with translation.override("en"):
        yield


# -- Counting one (no database) ----------------------------------------------------


def test_a_further_round_is_counted_on_its_own_for_its_seats():
    counted = count_further_round(
        RoundVotes(number=3, votes=(("c", 20), ("d", 8), ("e", 18)), valid_ballots=30),
        seats=1,
        threshold=Fraction(1, 2),
    )
    assert (counted.number, counted.seats, counted.count.elected) == (3, 1, ("c",))
    assert counted.count.votes_needed == 16
    tied = count_further_round(
        RoundVotes(number=3, votes=(("c", 20), ("d", 20)), valid_ballots=30), seats=1
    )
    assert tied.count.tied == ("c", "d") and not tied.count.elected
    assert count_further_round(RoundVotes(3, (("c", 0),), 0), seats=1).count is None


# -- The services ---------------------------------------------------------------------

# Names told apart on the papers (no one's name inside another's).
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Thị Chi", "Phạm Văn Dung", "Hoàng Thị Em"]


@pytest.fixture
def confirmed(db, users, tree, tiers, hcm_upper):
    """Quận 1 elected An (30) and Bình (25) to its two seats out of 40
    valid ballots; Chi (15), Dung (12) and Em (10) are below the
    threshold (21): nobody is next in line."""
    from delegates.services.elections import confirm_election, open_election

    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 2, tree.hcm_department: 2}, users["admin"])
    election = open_election(actor=officer, conference=held(tiers[1], tree.hcm_district))
    people = [PersonFactory(unit=tree.hcm_district, full_name=name) for name in NAMES]
    set_candidates(actor=officer, election=election, persons=people)
    vote(election, officer, 40, dict(zip(people, [30, 25, 15, 12, 10], strict=True)))
    election.refresh_from_db()
    confirm_election(actor=officer, election=election, expected_lock_version=election.lock_version)
    election.refresh_from_db()
    return {"election": election, "people": people, "target": hcm_upper}


def open_for(users, confirmed_, persons, candidates, reason="Ốm dài ngày", actor="officer_hcm"):
    election = confirmed_["election"]
    election.refresh_from_db()
    return open_further_round(
        actor=users[actor],
        election=election,
        persons=persons,
        reason=reason,
        candidates=candidates,
        expected_lock_version=election.lock_version,
    )


def vote_further(users, confirmed_, valid, votes_by_person):
    election = confirmed_["election"]
    election.refresh_from_db()
    return record_votes(
        actor=users["officer_hcm"],
        election=election,
        valid_ballots=valid,
        votes={p.pk: v for p, v in votes_by_person.items()},
        threshold=Fraction(election.threshold_numerator, election.threshold_denominator),
        expected_lock_version=election.lock_version,
    )


def seat(users, confirmed_):
    election = confirmed_["election"]
    election.refresh_from_db()
    return seat_further_round(
        actor=users["officer_hcm"], election=election, expected_lock_version=election.lock_version
    )


def own_count(election):
    candidates = election_selectors.election_candidates(election)
    result = election_selectors.count_of(election, candidates, 2)
    return result.elected_in, [(r.number, r.count) for r in result.rounds]


def test_open_is_refused_while_someone_is_next_in_line(users, tree, tiers, hcm_upper, english):
    from delegates.services.elections import confirm_election, open_election

    officer = users["officer_hcm"]
    approve(hcm_upper, {tree.hcm_district: 2}, users["admin"])
    election = open_election(actor=officer, conference=held(tiers[1], tree.hcm_district))
    an, binh, chi, dung = stand(election, officer, 4)
    # Chi (22) clears the threshold (21): the seat is hers by the rule.
    vote(election, officer, 40, {an: 30, binh: 25, chi: 22, dung: 10})
    election.refresh_from_db()
    confirm_election(actor=officer, election=election)
    election.refresh_from_db()
    with pytest.raises(ValidationError, match="next in line") as refused:
        open_further_round(
            actor=officer, election=election, persons=[an], reason="Ốm", candidates=[dung]
        )
    assert chi.full_name in str(refused.value)
    assert not ElectionRound.objects.filter(election=election, fills_seats__isnull=False).exists()
    assert Replacement.objects.count() == 0


def test_a_further_round_elects_the_substitute_within_the_quota(users, confirmed, english):
    an, binh, chi, dung, _em = confirmed["people"]
    round_ = open_for(users, confirmed, [an], [chi, dung], reason="Đi công tác nước ngoài")
    assert (round_.number, round_.fills_seats) == (2, 1)
    assert round_.is_further and not round_.is_runoff
    assert set(round_.entries.values_list("candidate__person_id", flat=True)) == {chi.pk, dung.pk}
    pending = Replacement.objects.get()
    assert pending.is_pending and pending.substitute is None and pending.round == round_
    # An stays in the list above until the round is seated.
    assert elected_above(confirmed) == {an.full_name, binh.full_name}
    vote_further(users, confirmed, 30, {chi: 20, dung: 8})
    seating = seat(users, confirmed)
    assert [r.substitute.person for r in seating.seated] == [chi] and not seating.left_empty
    assert elected_above(confirmed) == {binh.full_name, chi.full_name}  # the quota: 2
    delegate = Delegate.objects.get(conference=confirmed["target"], person=chi)
    assert delegate.category == Category.ELECTED
    assert delegate.elected_at == confirmed["election"].conference
    # Seated once: nothing is pending, nothing more may be recorded.
    with pytest.raises(ValidationError, match="nothing to seat"):
        seat(users, confirmed)
    with pytest.raises(ValidationError, match="confirmed"):
        vote_further(users, confirmed, 30, {chi: 21, dung: 8})


def test_a_tie_in_it_leads_to_another_for_the_same_seats(users, confirmed, english):
    an, binh, chi, dung, em = confirmed["people"]
    first = open_for(users, confirmed, [an], [chi, dung])
    # Not counted yet: no other further round meanwhile.
    with pytest.raises(ValidationError, match="pending"):
        open_for(users, confirmed, [an], [chi, dung])
    vote_further(users, confirmed, 30, {chi: 20, dung: 20})
    with pytest.raises(ValidationError, match="tie"):
        seat(users, confirmed)
    assert elected_above(confirmed) == {an.full_name, binh.full_name}
    # The same seats, not others.
    with pytest.raises(ValidationError, match="same"):
        open_for(users, confirmed, [an, binh], [chi, dung])
    second = open_for(users, confirmed, [an], [chi, dung, em], reason="")
    assert (second.number, second.fills_seats) == (3, 1)
    pending = Replacement.objects.get()
    assert pending.round == second and pending.is_pending and pending.reason == "Ốm dài ngày"
    # The tied round is kept as counted.
    assert dict(first.entries.values_list("candidate__person_id", "votes")) == {
        chi.pk: 20,
        dung.pk: 20,
    }
    vote_further(users, confirmed, 30, {chi: 12, dung: 17, em: 1})
    seat(users, confirmed)
    assert elected_above(confirmed) == {binh.full_name, dung.full_name}
    assert Replacement.objects.get().substitute.person == dung


def test_seats_left_empty_stay_empty_and_the_replaced_leave(users, confirmed, english):
    an, binh, chi, dung, _em = confirmed["people"]
    round_ = open_for(users, confirmed, [binh, an], [chi, dung], reason="Chuyển công tác")
    assert round_.fills_seats == 2
    # Chi clears the threshold (16 of 30), Dung does not.
    vote_further(users, confirmed, 30, {chi: 20, dung: 9})
    seating = seat(users, confirmed)
    # The seats in the order of the count: An's first, then Bình's.
    assert [(r.replaced.person, r.substitute.person) for r in seating.seated] == [(an, chi)]
    assert [r.replaced.person for r in seating.left_empty] == [binh]
    left = Replacement.objects.get(replaced__person=binh)
    assert left.status == Replacement.Status.LEFT_EMPTY and left.substitute is None
    assert elected_above(confirmed) == {chi.full_name}
    # An empty seat has no holder: nothing more to replace there.
    with pytest.raises(ValidationError, match="holds no seat"):
        replace_elected(
            actor=users["officer_hcm"],
            election=confirmed["election"],
            person=binh,
            reason="Ốm",
        )


def test_the_elections_own_result_and_rounds_are_unchanged(users, confirmed, english):
    an, _binh, chi, dung, _em = confirmed["people"]
    election = confirmed["election"]
    before = own_count(election)
    threshold = (election.threshold_numerator, election.threshold_denominator)
    open_for(users, confirmed, [an], [chi, dung])
    # The threshold is the election's: a further round cannot change it.
    election.refresh_from_db()
    with pytest.raises(ValidationError, match="threshold"):
        record_votes(
            actor=users["officer_hcm"],
            election=election,
            valid_ballots=30,
            votes={chi.pk: 20, dung.pk: 8},
            threshold=Fraction(2, 3),
            expected_lock_version=election.lock_version,
        )
    vote_further(users, confirmed, 30, {chi: 20, dung: 20})
    open_for(users, confirmed, [an], [chi, dung])
    vote_further(users, confirmed, 30, {chi: 20, dung: 8})
    seat(users, confirmed)
    election.refresh_from_db()
    assert own_count(election) == before
    assert [r.number for r in election_selectors.election_rounds(election)] == [1]
    assert [r.number for r in election_selectors.further_rounds(election)] == [2, 3]
    assert (election.threshold_numerator, election.threshold_denominator) == threshold
    assert not any(r.is_runoff for r in election.rounds.all())


def test_the_quota_now_is_kept(users, tree, confirmed, english):
    """Version 2 gives Quận 1 one seat: with Bình removed as the excess, a
    further round for Bình's seat cannot fill it; one for An's can."""
    an, binh, chi, dung, _em = confirmed["people"]
    second = version(
        confirmed["target"],
        {tree.hcm_district: 1, tree.hcm_department: 3},
        users["admin"],
        number=2,
    )
    approve_newer(second, users)
    bound = Delegate.objects.get(conference=confirmed["target"], person=binh)
    resolve_excess(actor=users["officer_hcm"], election=confirmed["election"], remove=[bound.pk])
    with pytest.raises(ValidationError, match="within its quota"):
        open_for(users, confirmed, [binh], [chi, dung])
    open_for(users, confirmed, [an], [chi, dung])
    vote_further(users, confirmed, 30, {chi: 20, dung: 8})
    seat(users, confirmed)
    assert elected_above(confirmed) == {chi.full_name}


def test_refusals_change_nothing(users, confirmed, english):
    an, binh, chi, dung, _em = confirmed["people"]
    cases = [
        ({"persons": [an], "candidates": [chi], "reason": "  "}, "reason"),
        ({"persons": [], "candidates": [chi]}, "seat"),
        ({"persons": [chi], "candidates": [dung]}, "holds? no seat"),
        ({"persons": [an], "candidates": []}, "candidates"),
        # A seat holder does not stand for another seat.
        ({"persons": [an], "candidates": [binh, chi]}, "may not stand"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValidationError, match=message):
            open_for(users, confirmed, **{"reason": "Ốm", **kwargs})
    with pytest.raises(ValidationError, match="nothing to seat"):
        seat(users, confirmed)
    assert not ElectionRound.objects.filter(fills_seats__isnull=False).exists()
    assert Replacement.objects.count() == 0
    assert elected_above(confirmed) == {an.full_name, binh.full_name}


def test_the_officers_above_are_told(users, tree, confirmed, english):
    an, _binh, chi, dung, _em = confirmed["people"]
    colleague = UserFactory(role=Role.OFFICER, unit=tree.hcm, username="officer-hcm-2")
    open_for(users, confirmed, [an], [chi, dung], reason="Ốm dài ngày")
    vote_further(users, confirmed, 30, {chi: 20, dung: 8})
    seat(users, confirmed)
    notices = Notification.objects.filter(
        recipient=colleague, kind=Notification.Kind.DELEGATE_REPLACED
    ).order_by("pk")
    assert [n.body for n in notices] == ["Ốm dài ngày", "Ốm dài ngày"]
    assert an.full_name in notices[0].title and chi.full_name in notices[1].title
    assert not Notification.objects.filter(
        recipient=users["officer_hcm"], kind=Notification.Kind.DELEGATE_REPLACED
    ).exists()


# -- The page -----------------------------------------------------------------------------


def page_url(confirmed_):
    return reverse("elections:election_detail", args=[confirmed_["election"].conference.pk])


def action(name, confirmed_):
    return reverse(f"elections:{name}", args=[confirmed_["election"].conference.pk])


def post_open(client, confirmed_, persons, candidates, reason="Ốm dài ngày", **extra):
    election = confirmed_["election"]
    election.refresh_from_db()
    return client.post(
        action("further_round_open", confirmed_),
        {
            "person": [p.pk for p in persons],
            "candidate": [p.pk for p in candidates],
            "reason": reason,
            "lock_version": election.lock_version,
            **extra,
        },
    )


def test_the_page_opens_records_and_seats_a_further_round(client, users, confirmed):
    an, binh, chi, dung, _em = confirmed["people"]
    client.force_login(users["officer_hcm"])
    page = client.get(page_url(confirmed)).content.decode()
    assert page.count('data-testid="further-open"') == 2  # one a seat holder
    assert chi.full_name in page and 'data-testid="further-candidates"' in page
    response = post_open(client, confirmed, [an], [chi, dung], reason="Đi học tập trung")
    assert response.status_code == 302 and response["Location"].endswith("#round-2")
    page = client.get(page_url(confirmed)).content.decode()
    assert 'data-testid="further-round"' in page and 'id="votes-form"' in page
    assert page.count('data-testid="round"') == 1  # the election's own
    assert 'data-testid="awaiting"' in page and "Đi học tập trung" in page
    assert 'data-testid="seat-form"' not in page
    # Another seat holder's form says a further round is under way.
    assert 'data-testid="further-busy"' in page
    election = confirmed["election"]
    election.refresh_from_db()
    response = client.post(
        action("votes_record", confirmed),
        {
            "valid_ballots": 30,
            "threshold": f"{election.threshold_numerator}/{election.threshold_denominator}",
            "lock_version": election.lock_version,
            f"votes_{chi.pk}": 20,
            f"votes_{dung.pk}": 8,
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#round-2")
    page = client.get(page_url(confirmed)).content.decode()
    assert 'data-testid="seat-form"' in page and 'data-confirm="' in page
    assert 'id="votes-form"' in page  # still correctable before seating
    election.refresh_from_db()
    response = client.post(
        action("further_round_seat", confirmed), {"lock_version": election.lock_version}
    )
    assert response.status_code == 302
    page = client.get(page_url(confirmed)).content.decode()
    assert 'data-testid="further-outcome"' in page and 'id="votes-form"' not in page
    assert elected_above(confirmed) == {binh.full_name, chi.full_name}


def test_a_tie_on_the_page_offers_another_with_the_tied_ticked(client, users, confirmed):
    an, _binh, chi, dung, em = confirmed["people"]
    open_for(users, confirmed, [an], [chi, dung, em])
    vote_further(users, confirmed, 30, {chi: 20, dung: 20, em: 1})
    client.force_login(users["officer_hcm"])
    page = client.get(page_url(confirmed)).content.decode()
    assert 'data-testid="further-retry"' in page and 'data-testid="seat-form"' not in page
    retry = page[page.index('data-testid="further-retry"') :]
    for person, ticked in ((chi, True), (dung, True), (em, False)):
        box = retry[retry.index(f'value="{person.pk}"') :].split(">", 1)[0]
        assert (" checked" in box) is ticked
    response = post_open(client, confirmed, [an], [chi, dung], reason="", retry="1")
    assert response.status_code == 302 and response["Location"].endswith("#round-3")
    page = client.get(page_url(confirmed)).content.decode()
    assert page.count('data-testid="further-round"') == 2
    with translation.override("vi"):
        went = translation.gettext("Tie: its seats went to round %(number)s") % {"number": 3}
    assert went in page


def test_a_refused_further_round_keeps_what_was_typed(client, users, confirmed):
    an, binh, chi, _dung, em = confirmed["people"]
    client.force_login(users["officer_hcm"])
    # Bình holds a seat: he may not stand.
    response = post_open(client, confirmed, [an], [binh, em], reason="Lý do đã gõ")
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count('data-testid="further-error"') == 1
    assert "Lý do đã gõ</textarea>" in page
    opened = page[page.index("open>") :]
    box = opened[opened.index(f'name="candidate" value="{em.pk}"') :].split(">", 1)[0]
    assert " checked" in box
    assert not ElectionRound.objects.filter(fills_seats__isnull=False).exists()
    response = post_open(client, confirmed, [an], [chi], reason="")
    assert response.status_code == 400 and "is-invalid" in response.content.decode()
    assert Replacement.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "status"),
    [("printer_hcm", 403), ("council", 403), ("officer_hanoi", 404), ("printer", 403)],
)
def test_who_may_not_open_or_seat(client, users, confirmed, role, status):
    an, _binh, chi, dung, _em = confirmed["people"]
    client.force_login(users[role])
    assert post_open(client, confirmed, [an], [chi, dung]).status_code == status
    open_for(users, confirmed, [an], [chi, dung])
    vote_further(users, confirmed, 30, {chi: 20, dung: 8})
    election = confirmed["election"]
    election.refresh_from_db()
    seen = {"lock_version": election.lock_version}
    assert client.post(action("further_round_seat", confirmed), seen).status_code == status
    page = client.get(page_url(confirmed))
    if page.status_code == 200:
        text = page.content.decode()
        assert 'data-testid="seat-form"' not in text and 'id="votes-form"' not in text
    assert Replacement.objects.get().is_pending
    assert elected_above(confirmed) == {an.full_name, confirmed["people"][1].full_name}


def test_both_people_stay_on_record(client, users, confirmed):
    an, _binh, chi, dung, _em = confirmed["people"]
    open_for(users, confirmed, [an], [chi, dung], reason="Nghỉ thai sản")
    vote_further(users, confirmed, 30, {chi: 20, dung: 8})
    seat(users, confirmed)
    replacement = Replacement.objects.get()
    assert (replacement.replaced.person, replacement.substitute.person) == (an, chi)
    assert replacement.status == Replacement.Status.SEATED
    assert replacement.reason == "Nghỉ thai sản"
    assert replacement.recorded_by == users["officer_hcm"]
    assert replacement.round.is_further and replacement.round.number == 2
    # The replaced keeps their candidacy and votes.
    assert RoundCandidate.objects.get(candidate__person=an, round__number=1).votes == 30
    client.force_login(users["officer_hcm"])
    page = client.get(page_url(confirmed)).content.decode()
    assert 'data-testid="replaced"' in page and 'data-testid="substitute-of"' in page
    assert "Nghỉ thai sản" in page
    listing = client.get(reverse("delegates:delegate_list", args=[confirmed["target"].pk]))
    with translation.override("vi"):
        note = translation.gettext("substitute for %(name)s") % {"name": an.full_name}
    assert note in listing.content.decode()


# -- Its papers ---------------------------------------------------------------------------


def render(exporter, user, **params):
    target = exporter.target(user=user, params={name: str(v) for name, v in params.items()})
    # As the document task renders it: in the interface's language.
    with translation.override("vi"):
        filename, mimetype, data = exporter.render(target.params)
    assert mimetype == "application/pdf"
    return filename, flowing_text(data)


def test_the_ballot_of_a_further_round_lists_its_candidates_for_its_seats(
    users, confirmed, english
):
    an, binh, chi, dung, _em = confirmed["people"]
    round_ = open_for(users, confirmed, [an], [chi, dung])
    filename, text = render(BallotPdf(), users["officer_hcm"], round=round_.pk)
    assert filename.endswith("-vong-2.pdf")
    assert chi.full_name in text and dung.full_name in text
    assert an.full_name not in text and binh.full_name not in text
    with translation.override("vi"):
        seats = translation.ngettext(
            "Further round for %(counter)s seat left vacant: elect %(counter)s of the "
            "%(listed)s candidates",
            "Further round for %(counter)s seats left vacant: elect %(counter)s of the "
            "%(listed)s candidates",
            1,
        ) % {"counter": 1, "listed": 2}
    assert " ".join(seats.split()) in text


def test_the_minutes_of_a_further_round_give_its_figures(users, confirmed, english):
    an, _binh, chi, dung, _em = confirmed["people"]
    round_ = open_for(users, confirmed, [an], [chi, dung])
    with pytest.raises(ValidationError):
        CountMinutesPdf().target(user=users["officer_hcm"], params={"round": str(round_.pk)})
    vote_further(users, confirmed, 30, {chi: 20, dung: 8})
    filename, text = render(CountMinutesPdf(), users["officer_hcm"], round=round_.pk)
    assert filename.endswith("-vong-2.pdf")
    # Its own count: 20 and 8 of 30 valid ballots, Chi elected for 1 seat.
    assert "66,67" in text and "26,67" in text and "30" in text
    assert chi.full_name in text and dung.full_name in text
    # Whose seat it fills is named.
    assert an.full_name in text
    # Round 1's paper still gives round 1.
    first = ElectionRound.objects.get(election=confirmed["election"], number=1)
    _name, text = render(CountMinutesPdf(), users["officer_hcm"], round=first.pk)
    assert "75,00" in text and "62,50" in text
