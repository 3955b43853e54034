"""Counting an election of delegates to the conference above (no database).

The rule (DOMAIN.md, "Electing … delegates to the tier above"):

- A candidate clears the threshold with votes > threshold × valid ballots,
  strictly (default threshold 1/2: "more than half of the valid ballots").
  Compared exactly: ``votes × denominator > numerator × valid ballots``.
- Among those who clear it, the most votes win, at most ``quota`` of them
  (the seats the approved allocation gives the unit).
- A tie at the cut (candidates with equal votes straddling the last seat)
  is never resolved here: none of the tied candidates is elected, the
  count lists them as ``TIED`` with the seats left for them, and the
  election cannot be confirmed until a further round among them decides
  (``count_rounds``). No lot, no order of entry, no name order ever picks
  a winner silently.
- Without a quota (``quota=None``: the allocation is not approved yet) no
  one is declared elected; those above the threshold are ``ABOVE_THRESHOLD``.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

DEFAULT_THRESHOLD = Fraction(1, 2)


class Outcome(StrEnum):
    ELECTED = "elected"
    # Above the threshold, but the quota is filled by candidates with more votes.
    BEYOND_QUOTA = "beyond_quota"
    # Equal votes straddling the last seat: a decision is needed.
    TIED = "tied"
    # Above the threshold while no quota is known.
    ABOVE_THRESHOLD = "above_threshold"
    # At or below the threshold.
    NOT_ELECTED = "not_elected"


class ElectionCountError(ValueError):
    """Input that cannot be counted; ``code`` and ``params`` name what."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Line(Generic[K]):
    key: K
    votes: int
    outcome: Outcome
    # Share of the valid ballots, exact.
    share: Fraction

    @property
    def is_elected(self) -> bool:
        return self.outcome == Outcome.ELECTED

    @property
    def is_tied(self) -> bool:
        return self.outcome == Outcome.TIED

    @property
    def is_beyond_quota(self) -> bool:
        return self.outcome == Outcome.BEYOND_QUOTA

    @property
    def is_above_threshold(self) -> bool:
        return self.outcome == Outcome.ABOVE_THRESHOLD

    @property
    def percent(self) -> float:
        """The share of the valid ballots in per cent, to two decimals."""
        return round(float(self.share * 100), 2)


@dataclass(frozen=True)
class Count(Generic[K]):
    """The result, candidates ordered by votes (most first; equal votes in
    the order given)."""

    valid_ballots: int
    threshold: Fraction
    quota: int | None
    lines: tuple[Line[K], ...]
    # Fewest votes that clear the threshold.
    votes_needed: int
    # Seats left for the tied candidates (0 when there is no tie).
    tied_seats: int = 0
    by_outcome: dict[Outcome, tuple[K, ...]] = field(default_factory=dict)

    def keys(self, outcome: Outcome) -> tuple[K, ...]:
        return self.by_outcome.get(outcome, ())

    @property
    def elected(self) -> tuple[K, ...]:
        return self.keys(Outcome.ELECTED)

    @property
    def tied(self) -> tuple[K, ...]:
        return self.keys(Outcome.TIED)

    @property
    def beyond_quota(self) -> tuple[K, ...]:
        return self.keys(Outcome.BEYOND_QUOTA)

    @property
    def not_elected(self) -> tuple[K, ...]:
        return self.keys(Outcome.NOT_ELECTED)

    @property
    def has_tie(self) -> bool:
        return bool(self.tied)

    @property
    def is_decided(self) -> bool:
        """Whether the result may be confirmed: a quota and no tie."""
        return self.quota is not None and not self.has_tie


def check_threshold(threshold: Fraction) -> None:
    if not 0 <= threshold < 1:
        raise ElectionCountError(
            "threshold", "The threshold must be a fraction from 0 to less than 1."
        )


def votes_needed(*, valid_ballots: int, threshold: Fraction = DEFAULT_THRESHOLD) -> int:
    """The fewest votes strictly above ``threshold × valid_ballots``."""
    limit = threshold * valid_ballots
    return limit.numerator // limit.denominator + 1


# Above the complexity ceiling on purpose: the count is one pass over the
# ranked candidates with the guidance's cases (threshold, quota, tie at the
# last seat, no quota yet) side by side, as the minutes state them.
def count_votes(  # noqa: C901
    votes: Iterable[tuple[K, int]],
    *,
    valid_ballots: int,
    quota: int | None,
    threshold: Fraction = DEFAULT_THRESHOLD,
) -> Count[K]:
    """Count one election (see the module's rule)."""
    candidates = list(votes)
    if valid_ballots <= 0:
        raise ElectionCountError("valid_ballots", "There must be at least one valid ballot.")
    check_threshold(threshold)
    if quota is not None and quota < 0:
        raise ElectionCountError("quota", "The quota cannot be negative.")
    seen: set[K] = set()
    for key, count in candidates:
        if key in seen:
            raise ElectionCountError("duplicate", "A candidate is listed twice: %(key)s.", key=key)
        seen.add(key)
        if count < 0:
            raise ElectionCountError("negative", "Votes cannot be negative.", key=key)
        if count > valid_ballots:
            raise ElectionCountError(
                "too_many_votes",
                "A candidate cannot have more votes (%(votes)s) than valid ballots (%(valid)s).",
                key=key,
                votes=count,
                valid=valid_ballots,
            )

    needed = votes_needed(valid_ballots=valid_ballots, threshold=threshold)
    # Stable: equal votes keep the order given (for display only; it never
    # decides who is elected).
    ranked = sorted(candidates, key=lambda item: -item[1])
    above = [(key, count) for key, count in ranked if count >= needed]
    outcomes: dict[K, Outcome] = {key: Outcome.NOT_ELECTED for key, _ in ranked}
    tied_seats = 0
    if quota is None:
        for key, _ in above:
            outcomes[key] = Outcome.ABOVE_THRESHOLD
    elif len(above) <= quota:
        for key, _ in above:
            outcomes[key] = Outcome.ELECTED
    else:
        # More above the threshold than seats: the cut falls after ``quota``.
        last_in = above[quota - 1][1] if quota > 0 else None
        first_out = above[quota][1]
        for key, count in above:
            if last_in is not None and count > first_out:
                outcomes[key] = Outcome.ELECTED
            elif last_in is not None and count == first_out == last_in:
                outcomes[key] = Outcome.TIED
            else:
                outcomes[key] = Outcome.BEYOND_QUOTA
        if last_in is not None and last_in == first_out:
            elected = sum(1 for o in outcomes.values() if o == Outcome.ELECTED)
            tied_seats = quota - elected

    lines = tuple(
        Line(key=key, votes=count, outcome=outcomes[key], share=Fraction(count, valid_ballots))
        for key, count in ranked
    )
    by_outcome: dict[Outcome, tuple[K, ...]] = {}
    for line in lines:
        by_outcome[line.outcome] = (*by_outcome.get(line.outcome, ()), line.key)
    return Count(
        valid_ballots=valid_ballots,
        threshold=threshold,
        quota=quota,
        lines=lines,
        votes_needed=needed,
        tied_seats=tied_seats,
        by_outcome=by_outcome,
    )


# -- Rounds -------------------------------------------------------------------------
#
# How a run-off is decided (DOMAIN.md: "a tie at the last seat goes to a
# further round among the tied"): round 1 is counted among every candidate
# for the whole quota; when it ends in a tie at the cut, round 2 is held
# among the tied candidates only, for the seats left to them, and counted
# by the same rule against its own valid ballots (more than the threshold,
# most votes first); a tie again leads to round 3, and so on. A round is
# final when it ends without a tie: seats it leaves empty stay empty.


@dataclass(frozen=True)
class RoundVotes(Generic[K]):
    """One round's input: its candidates' votes and valid ballots (0: not
    counted yet)."""

    number: int
    votes: tuple[tuple[K, int], ...]
    valid_ballots: int


@dataclass(frozen=True)
class RoundCount(Generic[K]):
    number: int
    candidates: tuple[K, ...]
    seats: int | None  # the seats at stake in the round (None: no quota known)
    count: Count[K] | None  # None while its ballots are not counted


@dataclass(frozen=True)
class Result(Generic[K]):
    """Every round's count, and who each elected."""

    threshold: Fraction
    quota: int | None
    rounds: tuple[RoundCount[K], ...]
    elected_in: dict[K, int]  # the elected, in order, with the round that elected them

    @property
    def elected(self) -> tuple[K, ...]:
        return tuple(self.elected_in)

    @property
    def last(self) -> RoundCount[K]:
        return self.rounds[-1]

    @property
    def is_counted(self) -> bool:
        """The latest round's ballots are counted."""
        return self.last.count is not None

    @property
    def has_tie(self) -> bool:
        return self.last.count is not None and self.last.count.has_tie

    @property
    def is_decided(self) -> bool:
        """Whether the result may be confirmed: a quota, the latest round
        counted and no tie left."""
        return self.last.count is not None and self.last.count.is_decided

    @property
    def runoff(self) -> tuple[K, ...]:
        """The candidates of the run-off the latest round calls for (none
        without a tie)."""
        return self.last.count.tied if self.has_tie and self.last.count else ()

    @property
    def runoff_seats(self) -> int:
        return self.last.count.tied_seats if self.has_tie and self.last.count else 0


def count_rounds(
    rounds: Iterable[RoundVotes[K]],
    *,
    quota: int | None,
    threshold: Fraction = DEFAULT_THRESHOLD,
) -> Result[K]:
    """Count the rounds in order (see "How a run-off is decided" above).
    Each run-off must stand exactly the candidates tied in the round
    before, which must have been counted and ended in a tie."""
    given = list(rounds)
    if not given:
        raise ElectionCountError("no_round", "An election has at least one round.")
    check_threshold(threshold)
    counted: list[RoundCount[K]] = []
    elected_in: dict[K, int] = {}
    seats = quota
    for index, round_votes in enumerate(given):
        keys = tuple(key for key, _ in round_votes.votes)
        if round_votes.number != index + 1:
            raise ElectionCountError("number", "Rounds are numbered from 1 without a gap.")
        if counted:
            before = counted[-1].count
            if before is None or not before.has_tie:
                raise ElectionCountError(
                    "runoff_without_tie",
                    "A further round is held only after a round that ends in a tie.",
                )
            if set(keys) != set(before.tied) or len(keys) != len(before.tied):
                raise ElectionCountError(
                    "runoff_candidates",
                    "A run-off stands exactly the candidates tied in the round before.",
                )
            seats = before.tied_seats
        count = None
        if round_votes.valid_ballots > 0:
            count = count_votes(
                round_votes.votes,
                valid_ballots=round_votes.valid_ballots,
                quota=seats,
                threshold=threshold,
            )
            for key in count.elected:
                elected_in[key] = round_votes.number
        counted.append(
            RoundCount(number=round_votes.number, candidates=keys, seats=seats, count=count)
        )
    return Result(threshold=threshold, quota=quota, rounds=tuple(counted), elected_in=elected_in)


# -- Further rounds ---------------------------------------------------------------
#
# After the confirmation, a seat left by an elected delegate when nobody
# is next in line goes to a further round (bầu bổ sung) among candidates
# the officer puts to the vote, for the seats it fills. It is counted on
# its own by the same rule (more than the threshold of its own valid
# ballots, the most votes first, within its seats); a tie at its cut
# decides nothing, and another further round is held for the same seats.
# It never enters the election's own count (``count_rounds``).


def count_further_round(
    round_votes: RoundVotes[K], *, seats: int, threshold: Fraction = DEFAULT_THRESHOLD
) -> RoundCount[K]:
    """Count one further round for ``seats`` (``count`` is ``None`` while
    its ballots are not counted)."""
    if seats < 1:
        raise ElectionCountError("seats", "A further round fills at least one seat.")
    keys = tuple(key for key, _ in round_votes.votes)
    count = None
    if round_votes.valid_ballots > 0:
        count = count_votes(
            round_votes.votes,
            valid_ballots=round_votes.valid_ballots,
            quota=seats,
            threshold=threshold,
        )
    return RoundCount(number=round_votes.number, candidates=keys, seats=seats, count=count)


# -- The ballots of a round (the vote-count minutes' figures) ---------------------


@dataclass(frozen=True)
class Ballots:
    issued: int
    returned: int
    valid: int
    invalid: int


def check_ballots(ballots: Ballots, *, present: int | None) -> None:
    """The one rule of the ballots' figures: no more ballots issued than
    delegates present (when known), none returned beyond those issued, and
    every returned ballot valid or invalid."""
    if min(ballots.issued, ballots.returned, ballots.valid, ballots.invalid) < 0:
        raise ElectionCountError("negative_ballots", "Ballots cannot be negative.")
    if present is not None and ballots.issued > present:
        raise ElectionCountError(
            "issued_above_present",
            "More ballots issued (%(issued)s) than delegates present (%(present)s).",
            issued=ballots.issued,
            present=present,
        )
    if ballots.returned > ballots.issued:
        raise ElectionCountError(
            "returned_above_issued",
            "More ballots returned (%(returned)s) than issued (%(issued)s).",
            returned=ballots.returned,
            issued=ballots.issued,
        )
    if ballots.valid + ballots.invalid != ballots.returned:
        raise ElectionCountError(
            "returned_not_sorted",
            "Valid (%(valid)s) and invalid (%(invalid)s) ballots must add up to those "
            "returned (%(returned)s).",
            valid=ballots.valid,
            invalid=ballots.invalid,
            returned=ballots.returned,
        )


# -- Who takes a seat left by an elected delegate ----------------------------------
#
# An elected delegate who cannot attend is replaced by the next candidate
# above the threshold "in the final round's order": each candidate stands
# by the latest counted round they stood in (a run-off's loser by the
# run-off, the others by round 1), later rounds first, then by votes. The
# first who is neither elected nor excluded takes the seat. Two of them
# with the same votes at that place are a tie again: nobody is picked, a
# further round among them decides. Nobody above the threshold left: the
# seat needs a further round.


@dataclass(frozen=True)
class NextInLine(Generic[K]):
    """The candidate next in line (``key``), with the round and the line
    that put them there; or, when ``tied`` is not empty, the candidates
    with the same votes at that place and no one picked."""

    key: K | None
    round: int | None = None
    line: Line[K] | None = None
    tied: tuple[K, ...] = ()


def standing_order(result: Result[K]) -> list[tuple[int, Line[K], int]]:
    """Each candidate once, by the latest counted round they stood in:
    (round, line, votes needed in it), later rounds first, then by votes."""
    seen: set[K] = set()
    order: list[tuple[int, Line[K], int]] = []
    for counted in reversed(result.rounds):
        if counted.count is None:
            continue
        for line in counted.count.lines:
            if line.key not in seen:
                seen.add(line.key)
                order.append((counted.number, line, counted.count.votes_needed))
    return order


def next_in_line(result: Result[K], *, excluded: Iterable[K]) -> NextInLine[K] | None:
    """Who takes a seat left empty (see above); ``None``: nobody above the
    threshold is left. The elected are never next; ``excluded`` adds those
    who may not be either (substitutes already seated, the replaced,
    delegates of the conference above in another capacity)."""
    skip = set(excluded) | set(result.elected)
    eligible = [
        (number, line)
        for number, line, needed in standing_order(result)
        if line.votes >= needed and line.key not in skip
    ]
    if not eligible:
        return None
    number, first = eligible[0]
    tied = tuple(line.key for n, line in eligible if n == number and line.votes == first.votes)
    if len(tied) > 1:
        return NextInLine(key=None, round=number, tied=tied)
    return NextInLine(key=first.key, round=number, line=first)
