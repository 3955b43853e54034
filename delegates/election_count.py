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
  election cannot be confirmed until the officer records a decision:
  the run-off result (the tied candidates' votes after a second round) or
  the withdrawal of tied candidates. No lot, no order of entry, no name
  order ever picks a winner silently.
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
