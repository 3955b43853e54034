"""Counting an election: threshold, quota, ties (no database)."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from delegates.election_count import (
    Ballots,
    ElectionCountError,
    Outcome,
    RoundVotes,
    check_ballots,
    count_rounds,
    count_votes,
    votes_needed,
)


def outcomes(count):
    return {line.key: line.outcome for line in count.lines}


def test_more_than_half_is_strict():
    count = count_votes([("an", 50), ("binh", 51)], valid_ballots=100, quota=2)
    assert count.votes_needed == 51
    assert outcomes(count) == {"an": Outcome.NOT_ELECTED, "binh": Outcome.ELECTED}


def test_odd_ballots_need_more_than_half():
    # 99 ballots: 49.5 is half, 50 is more than half.
    assert votes_needed(valid_ballots=99) == 50
    count = count_votes([("an", 49), ("binh", 50)], valid_ballots=99, quota=2)
    assert count.elected == ("binh",)


def test_configurable_threshold_two_thirds():
    count = count_votes(
        [("an", 60), ("binh", 61), ("chi", 90)],
        valid_ballots=90,
        quota=3,
        threshold=Fraction(2, 3),
    )
    # 2/3 of 90 = 60: 60 is not above it.
    assert count.votes_needed == 61
    assert count.elected == ("chi", "binh")
    assert count.not_elected == ("an",)


def test_zero_threshold_still_needs_one_vote():
    count = count_votes([("an", 0), ("binh", 1)], valid_ballots=10, quota=2, threshold=Fraction(0))
    assert count.elected == ("binh",)


def test_quota_caps_the_elected_most_votes_first():
    count = count_votes(
        [("an", 70), ("binh", 90), ("chi", 80), ("dung", 60)], valid_ballots=100, quota=2
    )
    assert count.elected == ("binh", "chi")
    assert count.beyond_quota == ("an", "dung")
    assert not count.has_tie and count.is_decided


def test_tie_at_the_cut_elects_none_of_the_tied():
    count = count_votes(
        [("an", 90), ("binh", 70), ("chi", 70), ("dung", 70), ("em", 60), ("gia", 10)],
        valid_ballots=100,
        quota=3,
    )
    assert count.elected == ("an",)
    assert count.tied == ("binh", "chi", "dung")
    assert count.tied_seats == 2
    assert count.beyond_quota == ("em",)
    assert count.not_elected == ("gia",)
    assert not count.is_decided


def test_tie_below_the_cut_is_no_tie():
    count = count_votes([("an", 90), ("binh", 70), ("chi", 70)], valid_ballots=100, quota=1)
    assert count.elected == ("an",)
    assert count.beyond_quota == ("binh", "chi")
    assert not count.has_tie


def test_tie_within_the_quota_is_no_tie():
    count = count_votes([("an", 70), ("binh", 70), ("chi", 60)], valid_ballots=100, quota=2)
    assert count.elected == ("an", "binh")
    assert count.beyond_quota == ("chi",)
    assert not count.has_tie


def test_fewer_above_the_threshold_than_seats():
    count = count_votes([("an", 70), ("binh", 40)], valid_ballots=100, quota=5)
    assert count.elected == ("an",)
    assert count.not_elected == ("binh",)


def test_without_quota_nobody_is_declared_elected():
    count = count_votes([("an", 70), ("binh", 40)], valid_ballots=100, quota=None)
    assert count.elected == ()
    assert count.keys(Outcome.ABOVE_THRESHOLD) == ("an",)
    assert not count.is_decided


def test_quota_zero_elects_nobody():
    count = count_votes([("an", 70)], valid_ballots=100, quota=0)
    assert count.elected == () and count.beyond_quota == ("an",) and not count.has_tie


def test_share_is_exact():
    count = count_votes([("an", 1)], valid_ballots=3, quota=1)
    assert count.lines[0].share == Fraction(1, 3)


@pytest.mark.parametrize(
    ("votes", "valid", "code"),
    [
        ([("an", 1)], 0, "valid_ballots"),
        ([("an", 1)], -3, "valid_ballots"),
        ([("an", -1)], 10, "negative"),
        ([("an", 11)], 10, "too_many_votes"),
        ([("an", 1), ("an", 2)], 10, "duplicate"),
    ],
)
def test_invalid_input_is_refused(votes, valid, code):
    with pytest.raises(ElectionCountError) as caught:
        count_votes(votes, valid_ballots=valid, quota=1)
    assert caught.value.code == code


@pytest.mark.parametrize("threshold", [Fraction(1), Fraction(3, 2), Fraction(-1, 2)])
def test_threshold_outside_zero_to_one_is_refused(threshold):
    with pytest.raises(ElectionCountError) as caught:
        count_votes([("an", 1)], valid_ballots=10, quota=1, threshold=threshold)
    assert caught.value.code == "threshold"


def test_negative_quota_is_refused():
    with pytest.raises(ElectionCountError):
        count_votes([("an", 1)], valid_ballots=10, quota=-1)


# -- Properties -----------------------------------------------------------------


@st.composite
def elections(draw):
    valid = draw(st.integers(min_value=1, max_value=60))
    votes = draw(st.lists(st.integers(min_value=0, max_value=valid), max_size=15))
    quota = draw(st.integers(min_value=0, max_value=8))
    denominator = draw(st.integers(min_value=1, max_value=6))
    numerator = draw(st.integers(min_value=0, max_value=denominator - 1))
    return (
        list(enumerate(votes)),
        valid,
        quota,
        Fraction(numerator, denominator),
    )


@given(elections())
def test_property_never_more_elected_than_the_quota(case):
    votes, valid, quota, threshold = case
    count = count_votes(votes, valid_ballots=valid, quota=quota, threshold=threshold)
    assert len(count.elected) <= quota
    # Tied candidates compete for the seats left, never more.
    assert len(count.elected) + count.tied_seats <= quota


@given(elections())
def test_property_elected_are_above_the_threshold_and_ahead_of_the_rest(case):
    votes, valid, quota, threshold = case
    count = count_votes(votes, valid_ballots=valid, quota=quota, threshold=threshold)
    by_key = dict(votes)
    elected = [by_key[k] for k in count.elected]
    others = [v for k, v in votes if k not in set(count.elected)]
    assert all(v > threshold * valid for v in elected)
    if elected and others:
        assert min(elected) >= max(others)
    # Strictly ahead, in fact: equal votes across the cut are a tie, never a silent pick.
    if elected and others:
        assert min(elected) > max(others)


@given(elections())
def test_property_ties_are_never_resolved_silently(case):
    votes, valid, quota, threshold = case
    count = count_votes(votes, valid_ballots=valid, quota=quota, threshold=threshold)
    by_key = dict(votes)
    elected, tied = set(count.elected), set(count.tied)
    above = [k for k, v in votes if v > threshold * valid]
    # Whenever the seats would have to pick among equal votes, it is a tie.
    for k in above:
        for other in above:
            if by_key[k] == by_key[other] and k in elected:
                assert other in elected
    if tied:
        assert len({by_key[k] for k in tied}) == 1
        assert len(tied) > count.tied_seats > 0
        assert not count.is_decided
    # Everyone above the threshold is accounted for.
    assert set(above) == elected | tied | set(count.beyond_quota)


@given(elections())
def test_property_same_result_whatever_the_order_of_entry(case):
    votes, valid, quota, threshold = case
    forward = count_votes(votes, valid_ballots=valid, quota=quota, threshold=threshold)
    backward = count_votes(votes[::-1], valid_ballots=valid, quota=quota, threshold=threshold)
    assert set(forward.elected) == set(backward.elected)
    assert set(forward.tied) == set(backward.tied)


# -- Rounds ----------------------------------------------------------------------------


def rounds_of(*rounds):
    """``(valid, {key: votes})`` per round, numbered from 1."""
    return [
        RoundVotes(number=number, votes=tuple(votes.items()), valid_ballots=valid)
        for number, (valid, votes) in enumerate(rounds, start=1)
    ]


def test_runoff_elects_among_the_tied_for_the_seats_left():
    result = count_rounds(
        rounds_of(
            (100, {"an": 90, "binh": 70, "chi": 70, "dung": 10}), (99, {"binh": 49, "chi": 50})
        ),
        quota=2,
    )
    assert result.elected_in == {"an": 1, "chi": 2}
    assert [r.seats for r in result.rounds] == [2, 1]
    assert result.is_decided and not result.has_tie


def test_runoff_below_the_threshold_leaves_the_seat_empty():
    result = count_rounds(
        rounds_of((100, {"an": 60, "binh": 60}), (100, {"an": 50, "binh": 40})), quota=1
    )
    assert result.elected == () and result.is_decided


def test_a_round_not_counted_yet_is_pending():
    result = count_rounds(
        rounds_of((100, {"an": 60, "binh": 60}), (0, {"an": 0, "binh": 0})), quota=1
    )
    assert not result.is_counted and not result.is_decided and result.elected == ()


def test_the_latest_tie_names_the_runoff():
    result = count_rounds(rounds_of((100, {"an": 90, "binh": 70, "chi": 70})), quota=2)
    assert set(result.runoff) == {"binh", "chi"} and result.runoff_seats == 1


@pytest.mark.parametrize(
    ("rounds", "code"),
    [
        (rounds_of((100, {"an": 90, "binh": 60}), (100, {"binh": 60})), "runoff_without_tie"),
        (
            rounds_of((100, {"an": 60, "binh": 60, "chi": 10}), (100, {"an": 1, "chi": 2})),
            "runoff_candidates",
        ),
        ([], "no_round"),
    ],
)
def test_rounds_that_cannot_follow_are_refused(rounds, code):
    with pytest.raises(ElectionCountError) as caught:
        count_rounds(rounds, quota=1)
    assert caught.value.code == code


@given(elections(), st.lists(st.integers(min_value=0, max_value=200), min_size=4, max_size=4))
def test_property_runoffs_never_elect_more_than_the_quota_nor_anyone_twice(case, valids):
    votes, valid, quota, threshold = case
    rounds = [RoundVotes(number=1, votes=tuple(votes), valid_ballots=valid)]
    result = count_rounds(rounds, quota=quota, threshold=threshold)
    # Run-offs among the tied (votes spread in a fixed way) while ties remain.
    for runoff_valid in valids:
        if not result.has_tie:
            break
        runoff_valid = max(runoff_valid, 1)
        runoff = tuple(
            (key, (index * 7 + len(rounds)) % (runoff_valid + 1))
            for index, key in enumerate(result.runoff)
        )
        rounds.append(RoundVotes(number=len(rounds) + 1, votes=runoff, valid_ballots=runoff_valid))
        result = count_rounds(rounds, quota=quota, threshold=threshold)
    assert len(result.elected) <= quota
    assert len(set(result.elected)) == len(result.elected)
    first = result.rounds[0].count
    assert set(first.elected) <= set(result.elected)
    for key, number in result.elected_in.items():
        if number > 1:
            assert key in result.rounds[number - 2].count.tied


# -- Ballots -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ballots", "present", "code"),
    [
        (Ballots(issued=41, returned=40, valid=39, invalid=1), 40, "issued_above_present"),
        (Ballots(issued=40, returned=41, valid=40, invalid=1), 45, "returned_above_issued"),
        (Ballots(issued=40, returned=40, valid=38, invalid=1), 45, "returned_not_sorted"),
    ],
)
def test_ballots_that_do_not_add_up_are_refused(ballots, present, code):
    with pytest.raises(ElectionCountError) as caught:
        check_ballots(ballots, present=present)
    assert caught.value.code == code


def test_ballots_up_to_those_present_pass():
    check_ballots(Ballots(issued=40, returned=39, valid=37, invalid=2), present=40)
    check_ballots(Ballots(issued=400, returned=39, valid=37, invalid=2), present=None)
