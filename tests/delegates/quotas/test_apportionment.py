"""Seats of a conference shared among the units below it (DOMAIN.md, "Quotas"):
hand-worked examples, properties of the methods, and agreement with the
`apportionment` package on unbounded cases. No database."""

import hashlib
import string
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from math import ceil, floor

import apportionment.methods as reference
import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from delegates.apportionment import (
    Apportionment,
    ApportionmentError,
    Bound,
    Method,
    TieBreak,
    allocate,
    lot_ticket,
)

HALF = Fraction(1, 2)
# database=None: no .hypothesis directory in the shared working tree.
PROPERTY = settings(max_examples=500, deadline=None, database=None)


# -- Hand-worked examples ------------------------------------------------------


def test_webster_shares_seven_seats_by_rounding_at_a_common_divisor():
    # Attendance 53 + 24 + 23 = 100, 7 seats, every unit at least 1.
    # Start at 1, 1, 1; 4 seats left, each to the highest a / (s + 1/2):
    #   A 53/1.5 = 106/3 ≈ 35.33  → A has 2
    #   A 53/2.5 = 106/5 = 21.2   → A has 3
    #   B 24/1.5 = 16             → B has 2   (A is now 53/3.5 = 106/7 ≈ 15.14)
    #   C 23/1.5 = 46/3 ≈ 15.33   → C has 2
    # Next would be A at 106/7; so any divisor in [106/7, 46/3] works, and the
    # simplest inside is 61/4 = 15.25: 53/15.25 ≈ 3.48 → 3, 24/15.25 ≈ 1.57 → 2,
    # 23/15.25 ≈ 1.51 → 2.
    result = allocate({"A": 53, "B": 24, "C": 23}, 7)

    assert result.seats == {"A": 3, "B": 2, "C": 2}
    assert [(step.key, step.priority, step.seats) for step in result.steps] == [
        ("A", Fraction(106, 3), 2),
        ("A", Fraction(106, 5), 3),
        ("B", Fraction(16), 2),
        ("C", Fraction(46, 3), 2),
    ]
    assert result.divisor_range == (Fraction(106, 7), Fraction(46, 3))
    assert result.divisor == Fraction(61, 4)
    assert [unit.quota for unit in result.units] == [
        Fraction(371, 100),  # 7 × 53 / 100
        Fraction(168, 100),
        Fraction(161, 100),
    ]
    assert [unit.quotient for unit in result.units] == [
        Fraction(212, 61),  # 53 / (61/4)
        Fraction(96, 61),
        Fraction(92, 61),
    ]
    assert all(unit.bound is None for unit in result.units)
    assert result.tie is None
    # Without the minimum the first three seats go A (106), B (48), C (46),
    # then the same four: the same result, as the package computes it.
    assert allocate({"A": 53, "B": 24, "C": 23}, 7, lower=0).seats == result.seats
    assert reference.compute("saintelague", [53, 24, 23], 7) == [3, 2, 2]


def test_hamilton_shares_seven_seats_by_largest_remainders():
    # Quotas 7 × 53/100 = 3.71, 1.68, 1.61: whole parts 3 + 1 + 1 = 5, the two
    # seats left go to the largest remainders .71 (A) and .68 (B). Unlike
    # Webster (3, 2, 2), A gets 4.
    result = allocate({"A": 53, "B": 24, "C": 23}, 7, method=Method.HAMILTON)

    assert result.seats == {"A": 4, "B": 2, "C": 1}
    assert result.divisor == Fraction(100, 7)  # the Hare quota: attendance per seat
    assert [(step.key, step.priority) for step in result.steps] == [
        ("A", Fraction(71, 100)),
        ("B", Fraction(68, 100)),
    ]
    assert [unit.quotient for unit in result.units] == [unit.quota for unit in result.units]
    assert result.method.label == "Hamilton (largest remainder)"
    assert reference.compute("largest_remainder", [53, 24, 23], 7) == [4, 2, 1]


def test_hamilton_takes_a_seat_away_when_the_total_grows_and_webster_does_not():
    # The Alabama paradox. Attendance 11 + 6 + 1 = 18, no minimum.
    # 10 seats: quotas 110/18 ≈ 6.11, 60/18 ≈ 3.33, 10/18 ≈ 0.56; whole parts
    #   6 + 3 + 0 = 9, the last seat to C (.56)        → 6, 3, 1.
    # 11 seats: quotas 121/18 ≈ 6.72, 66/18 ≈ 3.67, 11/18 ≈ 0.61; whole parts
    #   6 + 3 + 0 = 9, two seats to A (.72) and B (.67) → 7, 4, 0: C loses.
    populations = {"A": 11, "B": 6, "C": 1}
    ten = allocate(populations, 10, method=Method.HAMILTON, lower=0)
    eleven = allocate(populations, 11, method=Method.HAMILTON, lower=0)
    assert ten.seats == {"A": 6, "B": 3, "C": 1}
    assert eleven.seats == {"A": 7, "B": 4, "C": 0}

    # Webster gives seats in one sequence of priorities a / (s + 1/2):
    # A 22, B 12, A 22/3, A 22/5, B 4, A 22/7, A 22/9, B 12/5, A 2, C 2 (ten
    # seats: 6, 3, 1), then B 12/7 ≈ 1.71 (eleven: 6, 4, 1). The 11th seat is
    # added; nothing is taken away.
    webster_ten = allocate(populations, 10, lower=0)
    webster_eleven = allocate(populations, 11, lower=0)
    assert webster_ten.seats == {"A": 6, "B": 3, "C": 1}
    assert webster_eleven.seats == {"A": 6, "B": 4, "C": 1}


def test_lower_bound_gives_small_units_a_seat():
    # Attendance 90, 6, 4; 5 seats. Unbounded, Webster would give A all five
    # (A's 5th seat 90/4.5 = 20 beats B's first 6/0.5 = 12). With a minimum of
    # one: start 1, 1, 1; A 90/1.5 = 60, A 90/2.5 = 36 → 3, 1, 1. Divisors in
    # [90/3.5 = 180/7 ≈ 25.7, 36] work; the simplest inside is 26:
    # 6/26 ≈ 0.23 and 4/26 ≈ 0.15 round to 0, held at 1.
    populations = {"A": 90, "B": 6, "C": 4}
    result = allocate(populations, 5)

    assert allocate(populations, 5, lower=0).seats == {"A": 5, "B": 0, "C": 0}
    assert result.seats == {"A": 3, "B": 1, "C": 1}
    assert result.divisor_range == (Fraction(180, 7), Fraction(36))
    assert result.divisor == 26
    assert [unit.bound for unit in result.units] == [None, Bound.LOWER, Bound.LOWER]

    # Hamilton: quotas 4.5, 0.3, 0.2; B and C are held at 1, and A takes the
    # other 3 seats exactly (the adjusted Hare quota is 90/3 = 30 ≥ 6).
    hamilton = allocate(populations, 5, method=Method.HAMILTON)
    assert hamilton.seats == {"A": 3, "B": 1, "C": 1}
    assert hamilton.divisor == 30
    assert [unit.quotient for unit in hamilton.units] == [3, 1, 1]
    assert [unit.bound for unit in hamilton.units] == [None, Bound.LOWER, Bound.LOWER]


def test_upper_bound_passes_seats_to_the_others():
    # Attendance 53, 24, 23; 7 seats, at least 1 each, A at most 2.
    # Start 1, 1, 1; A 106/3 → 2 (A is full); B 16 → 2; C 46/3 → 2;
    # B 24/2.5 = 9.6 → 3. Next would be C at 23/2.5 = 9.2: divisors in
    # [9.2, 9.6] work, the simplest inside is 9.5: 53/9.5 ≈ 5.6 → 6, held at 2;
    # 24/9.5 ≈ 2.53 → 3; 23/9.5 ≈ 2.42 → 2.
    populations = {"A": 53, "B": 24, "C": 23}
    result = allocate(populations, 7, upper={"A": 2})

    assert result.seats == {"A": 2, "B": 3, "C": 2}
    assert [step.key for step in result.steps] == ["A", "B", "C", "B"]
    assert result.divisor_range == (Fraction(46, 5), Fraction(48, 5))
    assert result.divisor == Fraction(19, 2)
    assert [unit.bound for unit in result.units] == [Bound.UPPER, None, None]

    # Hamilton: A held at 2; B and C share 5 in proportion: the adjusted Hare
    # quota is 47/5 = 9.4, bounded quotas 24/9.4 = 120/47 ≈ 2.55 and
    # 115/47 ≈ 2.45; whole parts 2 + 2, the last seat to B (.55).
    hamilton = allocate(populations, 7, method=Method.HAMILTON, upper={"A": 2})
    assert hamilton.seats == {"A": 2, "B": 3, "C": 2}
    assert hamilton.divisor == Fraction(47, 5)
    assert [unit.quotient for unit in hamilton.units] == [2, Fraction(120, 47), Fraction(115, 47)]
    assert [unit.bound for unit in hamilton.units] == [Bound.UPPER, None, None]


def test_unit_without_attendance_gets_exactly_its_lower_bound():
    result = allocate({"A": 50, "B": 0}, 10)
    assert result.seats == {"A": 9, "B": 1}
    assert result.units[1].bound is Bound.LOWER
    assert allocate({"A": 50, "B": 0}, 10, method=Method.HAMILTON).seats == {"A": 9, "B": 1}


# -- Ties ----------------------------------------------------------------------

# Attendance 18, 30, 6; 5 seats, at least 1 each. Start 1, 1, 1; B 30/1.5 = 20
# → 2. The last seat: A 18/1.5 = 12 and B 30/2.5 = 12 exactly, C 6/1.5 = 4.
# The method cannot choose between A and B; only the divisor 12 works
# (18/12 = 1.5 and 30/12 = 2.5 both sit at a half).
TIED = {"A": 18, "B": 30, "C": 6}


@pytest.mark.parametrize(
    ("rule", "winner", "seats"),
    [
        (TieBreak.LARGER_ATTENDANCE_THEN_ORDER, "B", {"A": 1, "B": 3, "C": 1}),
        (TieBreak.ORDER, "A", {"A": 2, "B": 2, "C": 1}),
    ],
)
def test_webster_tie_is_reported_and_resolved_by_the_rule(rule, winner, seats):
    result = allocate(TIED, 5, tie_break=rule)

    assert result.seats == seats
    assert result.tie is not None
    assert result.tie.units == ("A", "B")
    assert result.tie.seats == 1
    assert result.tie.priority == 12
    assert result.tie.winners == (winner,)
    assert result.tie.rule is rule
    assert result.divisor == 12
    assert result.divisor_range == (Fraction(12), Fraction(12))
    assert [(step.key, step.by_tie_break) for step in result.steps] == [
        ("B", False),
        (winner, True),
    ]


def test_webster_equal_priorities_that_all_get_a_seat_are_no_tie():
    result = allocate(TIED, 6)
    assert result.seats == {"A": 2, "B": 3, "C": 1}
    assert result.tie is None


def test_tie_by_lot_follows_the_published_tickets():
    winners = set()
    for seed in range(20):
        result = allocate(TIED, 5, tie_break=TieBreak.LOT, seed=seed)
        tickets = [hashlib.sha256(f"{seed}:{position}".encode()).hexdigest() for position in (1, 2)]
        expected = "A" if tickets[0] < tickets[1] else "B"
        assert result.tie is not None
        assert result.tie.winners == (expected,)
        assert result.tie.seed == seed
        assert result.tie.tickets == tuple(tickets)
        assert lot_ticket(seed, 1) == tickets[0]
        assert allocate(TIED, 5, tie_break=TieBreak.LOT, seed=seed).seats == result.seats
        winners.add(expected)
    assert winners == {"A", "B"}  # the seed decides, not the order


def test_hamilton_tie_is_reported_and_resolved_by_the_rule():
    # Attendance 10, 30, 40 = 80; 4 seats, no minimum. Quotas 0.5, 1.5, 2:
    # whole parts 0 + 1 + 2 = 3; A and B both have remainder 1/2 for the last.
    populations = {"A": 10, "B": 30, "C": 40}
    by_attendance = allocate(populations, 4, method=Method.HAMILTON, lower=0)
    by_order = allocate(populations, 4, method=Method.HAMILTON, lower=0, tie_break=TieBreak.ORDER)

    assert by_attendance.seats == {"A": 0, "B": 2, "C": 2}
    assert by_order.seats == {"A": 1, "B": 1, "C": 2}
    for result, winner in ((by_attendance, "B"), (by_order, "A")):
        assert result.tie is not None
        assert result.tie.units == ("A", "B")
        assert result.tie.priority == HALF
        assert result.tie.winners == (winner,)
        assert result.steps[-1].by_tie_break


# -- Validation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("populations", "total", "options", "code"),
    [
        ({}, 3, {}, "empty"),
        ({"A": 5, "B": 5}, 1, {}, "infeasible_lower"),
        ({"A": 5, "B": 5}, 5, {"upper": 2}, "infeasible_upper"),
        ({"A": 5, "B": 0}, 4, {"upper": {"A": 2}}, "infeasible_upper"),
        ({"A": 5, "B": -1}, 3, {}, "negative_population"),
        ({"A": 0, "B": 0}, 2, {}, "no_attendance"),
        ({"A": 5.0}, 3, {}, "invalid_population"),
        ({"A": True}, 3, {}, "invalid_population"),
        ({"A": 5}, 3.0, {}, "invalid_total"),
        ({"A": 5}, -1, {"lower": 0}, "invalid_total"),
        ({"A": 5, "B": 5}, 3, {"upper": {"A": 0}}, "upper_below_lower"),
        ({"A": 5, "B": 5}, 3, {"lower": {"A": 1}}, "missing_lower"),
        ({"A": 5}, 3, {"upper": {"Z": 1}}, "unknown_unit"),
        ({"A": 5}, 3, {"lower": -1}, "invalid_bound"),
        ({"A": 5}, 3, {"tie_break": TieBreak.LOT}, "missing_seed"),
    ],
)
def test_invalid_input_is_refused_with_a_code(populations, total, options, code):
    with pytest.raises(ApportionmentError) as error:
        allocate(populations, total, **options)
    assert error.value.code == code
    assert isinstance(error.value, ValueError)


def test_error_message_names_the_numbers():
    with pytest.raises(ApportionmentError) as error:
        allocate({"A": 5, "B": 5, "C": 5}, 2)
    assert error.value.params == {"total": 2, "minimum": 3}
    assert "2 seats" in str(error.value) and "3" in str(error.value)


# -- Properties ------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    populations: dict[str, int]
    total: int
    lower: dict[str, int]
    upper: dict[str, int]
    tie_break: TieBreak
    seed: int

    def caps(self) -> dict[str, int | None]:
        """What each unit can reach: its lower bound if nobody attended."""
        return {
            key: self.lower[key] if population == 0 else self.upper.get(key)
            for key, population in self.populations.items()
        }

    def allocate(self, method: Method = Method.WEBSTER, **changes) -> Apportionment:
        arguments = {
            "populations": self.populations,
            "total": self.total,
            "lower": self.lower,
            "upper": self.upper,
            "tie_break": self.tie_break,
            "seed": self.seed,
        } | changes
        return allocate(
            arguments.pop("populations"), arguments.pop("total"), method=method, **arguments
        )


@st.composite
def problems(draw, bounded: bool = True, spare: int = 0) -> Problem:
    """A feasible allocation problem; ``spare`` seats are left below the maximum."""
    size = draw(st.integers(1, 7))
    populations = draw(st.lists(st.integers(0, 400), min_size=size, max_size=size))
    assume(sum(populations) > 0)
    keys = [f"U{position}" for position in range(1, size + 1)]
    lows = (
        draw(st.lists(st.integers(0, 2), min_size=size, max_size=size)) if bounded else [0] * size
    )
    highs = (
        draw(st.lists(st.none() | st.integers(0, 6), min_size=size, max_size=size))
        if bounded
        else [None] * size
    )
    problem = Problem(
        populations=dict(zip(keys, populations, strict=True)),
        total=0,
        lower=dict(zip(keys, lows, strict=True)),
        upper={
            key: low + high
            for key, low, high in zip(keys, lows, highs, strict=True)
            if high is not None
        },
        tie_break=draw(st.sampled_from(TieBreak)),
        seed=draw(st.integers(0, 10**6)),
    )
    caps = problem.caps().values()
    least = sum(lows)
    most = least + 40 if None in caps else sum(cap or 0 for cap in caps)
    assume(least <= most - spare)
    total = draw(st.integers(least, min(most, least + 40) - spare))
    return Problem(**{**problem.__dict__, "total": total})


def clamp(value: int, low: int, high: int | None) -> int:
    value = max(value, low)
    return value if high is None else min(value, high)


def webster_by_divisors(problem: Problem) -> dict[str, int] | None:
    """Independent reference: try a divisor between every two consecutive
    critical values a / (k + 1/2), where no quotient sits at a half. None if
    no divisor gives the total: only a tie can then decide."""
    caps = problem.caps()
    critical = sorted(
        {
            Fraction(2 * population, 2 * k + 1)
            for population in problem.populations.values()
            if population > 0
            for k in range(problem.total + 2)
        }
    )
    probes = [critical[0] / 2, *((a + b) / 2 for a, b in pairwise(critical)), critical[-1] + 1]
    for divisor in probes:
        seats = {
            key: clamp(floor(population / divisor + HALF), problem.lower[key], caps[key])
            for key, population in problem.populations.items()
        }
        if sum(seats.values()) == problem.total:
            return seats
    return None


def seats_at(problem: Problem, divisor: Fraction) -> int:
    caps = problem.caps()
    return sum(
        clamp(floor(population / divisor + HALF), problem.lower[key], caps[key])
        for key, population in problem.populations.items()
    )


@PROPERTY
@given(problem=problems(), method=st.sampled_from(Method))
def test_seats_add_up_within_bounds_in_exact_numbers(problem, method):
    result = problem.allocate(method)
    caps = problem.caps()

    assert sum(result.seats.values()) == problem.total
    assert [unit.key for unit in result.units] == list(problem.populations)
    population_sum = sum(problem.populations.values())
    for unit in result.units:
        assert problem.lower[unit.key] <= unit.seats
        assert caps[unit.key] is None or unit.seats <= caps[unit.key]
        assert type(unit.seats) is int
        assert type(unit.quota) is Fraction and type(unit.quotient) is Fraction
        assert unit.quota == Fraction(problem.total * unit.population, population_sum)
        if unit.bound is Bound.LOWER:
            assert unit.seats == unit.lower
        if unit.bound is Bound.UPPER:
            assert unit.seats == unit.upper
    assert result.divisor is None or type(result.divisor) is Fraction
    assert all(type(step.priority) is Fraction for step in result.steps)
    assert len(result.steps) <= problem.total


@PROPERTY
@given(problem=problems())
def test_webster_is_the_divisor_method_with_bounds(problem):
    result = problem.allocate()
    expected = webster_by_divisors(problem)
    low, high = result.divisor_range
    divisor = result.divisor

    event("tie" if expected is None else "no tie")
    if expected is None:
        assert result.tie is not None
        assert low == high == divisor == result.tie.priority
    else:
        assert result.tie is None
        assert result.seats == expected
        assert (low is None or low < divisor) and (high is None or divisor < high)
    # At the divisor shown, every unit's seats round its quotient (a tied unit
    # sits exactly at a half, either way).
    caps = problem.caps()
    for unit in result.units:
        nearest = {ceil(unit.quotient - HALF), floor(unit.quotient + HALF)}
        assert unit.quotient == unit.population / divisor
        assert unit.seats in {clamp(seats, unit.lower, caps[unit.key]) for seats in nearest}
    # The range is tight: just outside it the seats no longer add up.
    nudge = Fraction(1, 10**9)
    if high is not None:
        assert seats_at(problem, high * (1 + nudge)) < problem.total
    if low is not None:
        assert seats_at(problem, low * (1 - nudge)) > problem.total


@PROPERTY
@given(problem=problems(spare=1))
def test_webster_one_seat_more_takes_no_seat_away(problem):
    # Holds across ties too: each rule ranks the units once, so the sequence
    # for total + 1 extends the one for total.
    smaller = problem.allocate()
    larger = problem.allocate(total=problem.total + 1)

    assert all(larger.seats[key] >= seats for key, seats in smaller.seats.items())
    assert [(s.key, s.priority) for s in larger.steps[: len(smaller.steps)]] == [
        (s.key, s.priority) for s in smaller.steps
    ]


@PROPERTY
@given(problem=problems(), data=st.data())
def test_webster_unit_whose_attendance_grows_loses_no_seat(problem, data):
    key = data.draw(st.sampled_from(list(problem.populations)))
    grown = {**problem.populations, key: problem.populations[key] + data.draw(st.integers(1, 200))}
    before = problem.allocate()
    after = problem.allocate(populations=grown)
    assume(before.tie is None and after.tie is None)  # ties are tested by hand above

    assert after.seats[key] >= before.seats[key]


@PROPERTY
@given(problem=problems())
def test_hamilton_rounds_bounded_quotas_by_largest_remainder(problem):
    result = problem.allocate(Method.HAMILTON)
    caps = problem.caps()

    assert sum(unit.quotient for unit in result.units) == problem.total
    for unit in result.units:
        assert unit.seats in (floor(unit.quotient), ceil(unit.quotient))
        if result.divisor is not None:
            assert unit.quotient == clamp_fraction(
                unit.population / result.divisor, unit.lower, caps[unit.key]
            )
    if not any(problem.lower.values()) and not problem.upper:
        assert all(unit.quotient == unit.quota for unit in result.units)
    # Every unit given a remainder seat has a remainder at least as large as
    # every unit left without one; equal ones are the tie.
    up = [u.quotient - floor(u.quotient) for u in result.units if u.seats > u.quotient]
    down = [u.quotient - floor(u.quotient) for u in result.units if u.seats < u.quotient]
    if up and down:
        assert min(up) >= max(down)
        assert (min(up) == max(down)) == (result.tie is not None)


def clamp_fraction(value: Fraction, low: int, high: int | None) -> Fraction:
    value = max(value, Fraction(low))
    return value if high is None else min(value, Fraction(high))


# -- Agreement with the `apportionment` package (unbounded) ---------------------

PACKAGE_METHODS = {Method.WEBSTER: "saintelague", Method.HAMILTON: "largest_remainder"}


def lettered(populations: list[int]) -> dict[str, int]:
    """Units named as the package names its parties: a, b, c, ..."""
    return dict(zip(string.ascii_letters[: len(populations)], populations, strict=True))


votes = st.lists(st.integers(0, 1000), min_size=1, max_size=10).filter(lambda v: sum(v) > 0)


@settings(max_examples=600, deadline=None, database=None)
@given(populations=votes, total=st.integers(1, 60), method=st.sampled_from(Method))
def test_same_seats_and_ties_as_the_package_in_exact_arithmetic(populations, total, method):
    mine = allocate(lettered(populations), total, method=method, lower=0)
    try:
        theirs = reference.compute(
            PACKAGE_METHODS[method], populations, total, fractions=True, tiesallowed=False
        )
    except reference.TiesException:
        event(f"{method}: tie")
        assert mine.tie is not None
    else:
        event(f"{method}: no tie")
        assert mine.tie is None
        assert list(mine.seats.values()) == theirs


@settings(max_examples=600, deadline=None, database=None)
@given(populations=votes, total=st.integers(1, 60), method=st.sampled_from(Method))
def test_same_seats_as_the_package_in_its_float_arithmetic(populations, total, method):
    mine = allocate(lettered(populations), total, method=method, lower=0)
    assume(mine.tie is None)  # the package's floats may settle an exact tie either way

    assert list(mine.seats.values()) == reference.compute(
        PACKAGE_METHODS[method], populations, total
    )
