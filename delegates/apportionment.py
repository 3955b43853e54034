"""Share a conference's elected seats among the units below it.

DOMAIN.md, "Quotas": the elected seats of a conference are split among the
units below it in proportion to their attendance (a tier-1 unit's held
attendance; for the Congress, each tier-2 organiser's attendance), in whole
numbers that add up exactly, every unit at least one seat. The council reviews
an allocation before it binds, so the result carries every step it took.

Two methods, both in exact arithmetic (``int`` and ``Fraction``, never floats):

**Sainte-Laguë/Webster with bounds** (the default). A unit's seats are
``clamp(round(attendance / d), lower, upper)`` for a divisor ``d`` chosen so
that the seats add up to the total; ``round`` is to the nearest whole number.
It is computed by the priority sequence: every unit starts at its lower
bound, then each further seat goes to the unit with the highest priority
``attendance / (seats + 1/2)`` among the units still below their upper bound
(a heap: O((total - sum(lower)) * log units), a few hundred seats at most
here, and every seat is a step the council can follow). Why this is exactly
the divisor method:

    Let the sequence give ``h = total - sum(lower)`` seats and let ``D`` be the
    priority of the last seat given, ``M`` the highest priority left among the
    units below their upper bound. The priorities given never increase (a
    unit's priority drops once it gets a seat, the others stay, and the set of
    competitors only shrinks), so every seat was given at a priority ``>= D``
    and ``M <= D``. Take any ``d`` with ``M <= d <= D``. A unit above its lower
    bound got its last seat at ``a / (s - 1/2) >= D >= d``, so ``a/d >=
    s - 1/2``; a unit below its upper bound has ``a / (s + 1/2) <= M <= d``,
    so ``a/d <= s + 1/2``. Hence ``s`` rounds ``a/d`` (strictly between the
    bounds), or ``a/d`` rounds to at most ``lower`` (a unit held at its lower
    bound), or to at least ``upper`` (held at its upper bound): ``s`` is
    ``clamp(round(a/d), lower, upper)``. Conversely these two families of
    inequalities are the whole definition, so the divisors that yield this
    allocation are exactly ``[M, D]`` (``divisor_range``). When ``M < D`` the
    allocation is the only one: for ``d`` strictly inside, no rounding is at
    a half, and since every unit's seats can only fall as ``d`` grows, any
    other allocation of the same total at another divisor would be
    everywhere ``<=`` (or ``>=``) this one, hence equal to it. When ``M == D``
    the units whose priority is exactly ``D`` sit exactly at a half
    (``a/D = s + 1/2``): the divisor method alone cannot say which of them get
    the remaining seats. That is a **tie**, and the tie rule decides it.

The priority sequence also shows why Webster is house monotone (one seat more
never takes a seat away: the sequence for ``total + 1`` extends the one for
``total``) and population monotone (a unit whose attendance grows, others
unchanged, has higher priorities and never loses a seat).

**Hamilton (largest remainder) with bounds**, as the labelled alternative.
Without bounds each unit has the quota ``total * attendance / sum`` and gets
its whole part; the seats left go to the largest remainders. With bounds the
quotas are first held within the bounds: the bounded quota is
``clamp(attendance / q, lower, upper)`` for the ``q`` (an adjusted Hare quota,
attendance per seat) that makes the bounded quotas add up to the total
exactly. (Clamping the whole parts and then handing out the remainder can
overshoot the total when a lower bound lifts a small unit, so the bounds are
applied to the quotas themselves: this is the usual "fix the units outside
their bounds and re-share the rest" iteration, solved exactly.) Each unit then
gets the whole part of its bounded quota, and the seats left go one each to
the largest remainders; a unit with a remainder is strictly below its upper
bound, so the bounds hold. Hamilton is not house monotone (the Alabama
paradox: one seat more can take a seat from a unit); see the tests.

**Ties.** At most one tie can decide an allocation: the units whose priority
(Webster) or remainder (Hamilton) equals that of the last seat, when there are
more of them than seats left. The result reports it (``Apportionment.tie``) and
resolves it by the rule the caller passes and shows to the council:

- ``LARGER_ATTENDANCE_THEN_ORDER`` (default): the larger attendance first,
  then protocol order. Under Webster, equal priorities with different
  attendances happen only at different seat counts (``a/(s+1/2) = b/(t+1/2)``
  with ``a > b`` means ``s > t``), so this rule gives the seat to the unit that
  represents more people even though it already holds more seats; it is a
  policy choice, not a consequence of the method.
- ``ORDER``: protocol order, i.e. the order of the mapping passed in.
- ``LOT``: by lot with an explicit seed, fixed (e.g. drawn in public) before
  the allocation is computed. Each unit's ticket is the SHA-256 hex digest of
  ``"<seed>:<protocol position>"`` (positions from 1); the lowest ticket wins.
  Anyone can recompute it with any SHA-256 tool.

Every rule ranks the units once for the whole allocation, so equal
priorities earlier in the sequence are also ordered by it (which does not
change the result) and Webster stays house monotone even across ties.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from math import floor
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)

HALF = Fraction(1, 2)


class Method(StrEnum):
    WEBSTER = "webster"
    HAMILTON = "hamilton"

    @property
    def label(self) -> str:
        return _METHOD_LABELS[self]


_METHOD_LABELS = {
    Method.WEBSTER: "Sainte-Laguë/Webster (divisor method, round to nearest)",
    Method.HAMILTON: "Hamilton (largest remainder)",
}


class TieBreak(StrEnum):
    LARGER_ATTENDANCE_THEN_ORDER = "larger_attendance_then_order"
    ORDER = "order"
    LOT = "lot"


class Bound(StrEnum):
    LOWER = "lower"
    UPPER = "upper"


class ApportionmentError(ValueError):
    """An allocation that cannot be computed; ``code`` names the reason and
    ``params`` fills the message, so the caller can show it in Vietnamese."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(message.format(**params) if params else message)


@dataclass(frozen=True)
class UnitSeats(Generic[K]):
    """One unit's line on the allocation page.

    ``bound`` names the bound that decided the seats: under Webster, when the
    quotient at the divisor shown rounds below the lower bound (quotient <
    lower - 1/2) or above the upper one (> upper + 1/2); under Hamilton, when
    population / q falls outside the bounds and the quota was held at one (and
    every unit is LOWER when the total is exactly the sum of the minimums).
    """

    key: K
    position: int  # protocol order, from 1
    population: int
    lower: int
    upper: int | None
    quota: Fraction  # total * population / sum of populations, no bounds
    # The number that was rounded. Webster: population / divisor, rounded to
    # nearest, then held within the bounds. Hamilton: the bounded quota, whose
    # whole part is given and whose remainder competes for the seats left.
    quotient: Fraction
    seats: int
    bound: Bound | None  # the bound that decided the seats, if any


@dataclass(frozen=True)
class Step(Generic[K]):
    """One seat given after the lower bounds (Webster), or one seat given to a
    remainder (Hamilton), in the order given."""

    number: int  # 1 for the first seat after the lower bounds (whole parts)
    key: K
    priority: Fraction  # Webster: population / (seats + 1/2); Hamilton: remainder
    seats: int  # the unit's seats once this one is given
    by_tie_break: bool  # given by the tie rule, not by the method


@dataclass(frozen=True)
class Tie(Generic[K]):
    """Units with exactly equal claims to the last seats, more units than seats."""

    priority: Fraction  # the common priority (Webster) or remainder (Hamilton)
    seats: int  # how many seats the tied units share, one each at most
    units: tuple[K, ...]  # every tied unit, in protocol order
    winners: tuple[K, ...]  # those the rule gave a seat, in the rule's order
    rule: TieBreak
    seed: int | None
    tickets: tuple[str, ...]  # LOT: each tied unit's ticket, aligned with ``units``


@dataclass(frozen=True)
class Apportionment(Generic[K]):
    """The seats and every number needed to check them by hand."""

    method: Method
    total: int
    tie_break: TieBreak
    seed: int | None
    units: tuple[UnitSeats[K], ...]  # protocol order
    # Webster: a divisor inside ``divisor_range`` (the simplest fraction
    # strictly inside it, or its single value in a tie). Hamilton: the adjusted
    # Hare quota q (population per seat); None when every unit is held at its
    # lower bound because the total equals their sum.
    divisor: Fraction | None
    # Webster only: the closed range of divisors giving this allocation
    # (None = no limit on that side: 0 below, infinity above).
    divisor_range: tuple[Fraction | None, Fraction | None] | None
    steps: tuple[Step[K], ...]
    tie: Tie[K] | None

    @property
    def seats(self) -> dict[K, int]:
        return {unit.key: unit.seats for unit in self.units}


def lot_ticket(seed: int, position: int) -> str:
    """The lot ticket of the unit at ``position`` (protocol order, from 1)."""
    return hashlib.sha256(f"{seed}:{position}".encode("ascii")).hexdigest()


def allocate(
    populations: Mapping[K, int],
    total: int,
    *,
    method: Method = Method.WEBSTER,
    lower: int | Mapping[K, int] = 1,
    upper: int | Mapping[K, int] | None = None,
    tie_break: TieBreak = TieBreak.LARGER_ATTENDANCE_THEN_ORDER,
    seed: int | None = None,
) -> Apportionment[K]:
    """Share ``total`` seats among the units in proportion to ``populations``.

    The mapping's order is the protocol order. ``lower`` and ``upper`` are one
    number for every unit or a mapping per unit (``lower`` must then name every
    unit; a unit missing from ``upper`` has no maximum). A unit with zero
    attendance gets exactly its lower bound. Raises ``ApportionmentError``.
    """
    units = _validate(populations, total, lower, upper, tie_break, seed)
    seed = seed if tie_break is TieBreak.LOT else None  # recorded only where it decides
    rank = [_rank_key(unit, tie_break, seed) for unit in units]
    if method is Method.WEBSTER:
        return _webster(units, total, rank, tie_break, seed)
    if method is Method.HAMILTON:
        return _hamilton(units, total, rank, tie_break, seed)
    raise ApportionmentError("unknown_method", "Unknown method {method}.", method=method)


@dataclass(frozen=True)
class _Unit(Generic[K]):
    key: K
    position: int
    population: int
    lower: int
    upper: int | None  # as given
    cap: int | None  # what it can reach: its lower bound if nobody attended

    def can_grow(self, seats: int) -> bool:
        return self.cap is None or seats < self.cap


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# Above the complexity ceiling on purpose: one flat check per rule of the
# input, each with its own message, reads better than checks split apart.
def _validate(  # noqa: C901
    populations: Mapping[K, int],
    total: int,
    lower: int | Mapping[K, int],
    upper: int | Mapping[K, int] | None,
    tie_break: TieBreak,
    seed: int | None,
) -> list[_Unit[K]]:
    if not populations:
        raise ApportionmentError("empty", "There are no units to allocate seats to.")
    if not _is_int(total) or total < 0:
        raise ApportionmentError(
            "invalid_total",
            "The number of seats must be a whole number ≥ 0, not {total!r}.",
            total=total,
        )
    if tie_break is TieBreak.LOT and not _is_int(seed):
        raise ApportionmentError("missing_seed", "Drawing lots needs a whole-number seed.")
    for name, bounds in (("lower", lower), ("upper", upper)):
        if isinstance(bounds, Mapping):
            unknown = [key for key in bounds if key not in populations]
            if unknown:
                raise ApportionmentError(
                    "unknown_unit",
                    "The {name} bounds name units not allocated: {units}.",
                    name=name,
                    units=unknown,
                )
    if isinstance(lower, Mapping):
        missing = [key for key in populations if key not in lower]
        if missing:
            raise ApportionmentError(
                "missing_lower",
                "The lower bounds leave out these units: {units}.",
                units=missing,
            )

    units = []
    for position, (key, population) in enumerate(populations.items(), start=1):
        if not _is_int(population):
            raise ApportionmentError(
                "invalid_population",
                "The attendance of {unit} must be a whole number, not {population!r}.",
                unit=key,
                population=population,
            )
        if population < 0:
            raise ApportionmentError(
                "negative_population",
                "The attendance of {unit} is negative ({population}).",
                unit=key,
                population=population,
            )
        low = lower[key] if isinstance(lower, Mapping) else lower
        high = upper.get(key) if isinstance(upper, Mapping) else upper
        for value in (low, high):
            if value is not None and (not _is_int(value) or value < 0):
                raise ApportionmentError(
                    "invalid_bound",
                    "The bounds of {unit} must be whole numbers ≥ 0, not {value!r}.",
                    unit=key,
                    value=value,
                )
        if high is not None and high < low:
            raise ApportionmentError(
                "upper_below_lower",
                "The maximum of {unit} ({upper}) is below its minimum ({lower}).",
                unit=key,
                upper=high,
                lower=low,
            )
        cap = low if population == 0 else high
        units.append(_Unit(key, position, population, low, high, cap))

    if sum(unit.population for unit in units) == 0:
        raise ApportionmentError("no_attendance", "No unit has any attendance.")
    floor_sum = sum(unit.lower for unit in units)
    if total < floor_sum:
        raise ApportionmentError(
            "infeasible_lower",
            "{total} seats cannot give every unit its minimum: the minimums add up to {minimum}.",
            total=total,
            minimum=floor_sum,
        )
    if all(unit.cap is not None for unit in units):
        ceiling = sum(unit.cap or 0 for unit in units)
        if total > ceiling:
            raise ApportionmentError(
                "infeasible_upper",
                "{total} seats exceed what the units can take: their "
                "maximums (a unit with no attendance only its minimum) add up to {maximum}.",
                total=total,
                maximum=ceiling,
            )
    return units


def _rank_key(unit: _Unit[K], rule: TieBreak, seed: int | None) -> tuple[int, int]:
    """Smaller first: the rule's order among units with equal claims."""
    if rule is TieBreak.ORDER:
        return (0, unit.position)
    if rule is TieBreak.LARGER_ATTENDANCE_THEN_ORDER:
        return (-unit.population, unit.position)
    if seed is None:  # _validate refuses this already; kept for the type checker
        raise ApportionmentError("missing_seed", "Drawing lots needs a whole-number seed.")
    return (int(lot_ticket(seed, unit.position), 16), unit.position)


def _quota(unit: _Unit[K], total: int, population_sum: int) -> Fraction:
    return Fraction(total * unit.population, population_sum)


def _webster_priority(population: int, seats: int) -> Fraction:
    return Fraction(2 * population, 2 * seats + 1)  # population / (seats + 1/2)


def _webster(
    units: list[_Unit[K]],
    total: int,
    rank: list[tuple[int, int]],
    rule: TieBreak,
    seed: int | None,
) -> Apportionment[K]:
    seats = [unit.lower for unit in units]
    # Heap of (-priority, rank, index): highest priority first, then the rule.
    heap = [
        (-_webster_priority(unit.population, seats[i]), rank[i], i)
        for i, unit in enumerate(units)
        if unit.population > 0 and unit.can_grow(seats[i])
    ]
    heapq.heapify(heap)
    given: list[tuple[int, Fraction]] = []
    for _ in range(total - sum(seats)):
        negative, _rank, i = heapq.heappop(heap)  # never empty: _validate checked the caps
        seats[i] += 1
        given.append((i, -negative))
        if units[i].can_grow(seats[i]):
            heapq.heappush(heap, (-_webster_priority(units[i].population, seats[i]), rank[i], i))

    last = given[-1][1] if given else None
    best_left = -heap[0][0] if heap else None
    tie = None
    tied_winners: set[int] = set()
    if last is not None and best_left == last:
        tied_winners = {i for i, priority in given if priority == last}
        losers = {i for negative, _rank, i in heap if -negative == last}
        tie = _make_tie(units, last, tied_winners, losers, rank, rule, seed)
        divisor = last
    else:
        divisor = _simplest_between(best_left or Fraction(0), last)

    population_sum = sum(unit.population for unit in units)
    lines = []
    for i, unit in enumerate(units):
        quotient = unit.population / divisor
        bound = None
        if quotient < unit.lower - HALF:
            bound = Bound.LOWER
        elif unit.upper is not None and quotient > unit.upper + HALF:
            bound = Bound.UPPER
        lines.append(
            UnitSeats(
                key=unit.key,
                position=unit.position,
                population=unit.population,
                lower=unit.lower,
                upper=unit.upper,
                quota=_quota(unit, total, population_sum),
                quotient=quotient,
                seats=seats[i],
                bound=bound,
            )
        )
    counts = [unit.lower for unit in units]
    steps = []
    for number, (i, priority) in enumerate(given, start=1):
        counts[i] += 1
        steps.append(
            Step(
                number=number,
                key=units[i].key,
                priority=priority,
                seats=counts[i],
                by_tie_break=tie is not None and priority == last,
            )
        )
    return Apportionment(
        method=Method.WEBSTER,
        total=total,
        tie_break=rule,
        seed=seed,
        units=tuple(lines),
        divisor=divisor,
        divisor_range=(best_left, last),
        steps=tuple(steps),
        tie=tie,
    )


def _hamilton(
    units: list[_Unit[K]],
    total: int,
    rank: list[tuple[int, int]],
    rule: TieBreak,
    seed: int | None,
) -> Apportionment[K]:
    hare = _bounded_hare_quota(units, total)
    bounded = [
        Fraction(unit.lower) if hare is None else _clamp(unit.population / hare, unit)
        for unit in units
    ]
    seats = [floor(quota) for quota in bounded]
    remainders = [quota - whole for quota, whole in zip(bounded, seats, strict=True)]
    left = total - sum(seats)
    order = sorted(range(len(units)), key=lambda i: (-remainders[i], rank[i]))
    given = order[:left]
    tie = None
    tied_winners: set[int] = set()
    if 0 < left < len(order) and remainders[order[left]] == remainders[order[left - 1]]:
        cut = remainders[order[left - 1]]
        tied_winners = {i for i in given if remainders[i] == cut}
        losers = {i for i in order[left:] if remainders[i] == cut}
        tie = _make_tie(units, cut, tied_winners, losers, rank, rule, seed)
    steps = []
    for number, i in enumerate(given, start=1):
        seats[i] += 1
        steps.append(
            Step(
                number=number,
                key=units[i].key,
                priority=remainders[i],
                seats=seats[i],
                by_tie_break=i in tied_winners,
            )
        )

    population_sum = sum(unit.population for unit in units)
    lines = []
    for i, unit in enumerate(units):
        bound = None
        if hare is None:
            bound = Bound.LOWER  # the total is exactly the sum of the minimums
        elif unit.population / hare < unit.lower:
            bound = Bound.LOWER
        elif unit.upper is not None and unit.population / hare > unit.upper:
            bound = Bound.UPPER
        lines.append(
            UnitSeats(
                key=unit.key,
                position=unit.position,
                population=unit.population,
                lower=unit.lower,
                upper=unit.upper,
                quota=_quota(unit, total, population_sum),
                quotient=bounded[i],
                seats=seats[i],
                bound=bound,
            )
        )
    return Apportionment(
        method=Method.HAMILTON,
        total=total,
        tie_break=rule,
        seed=seed,
        units=tuple(lines),
        divisor=hare,
        divisor_range=None,
        steps=tuple(steps),
        tie=tie,
    )


def _clamp(value: Fraction, unit: _Unit[K]) -> Fraction:
    value = max(value, Fraction(unit.lower))
    return value if unit.upper is None else min(value, Fraction(unit.upper))


def _bounded_hare_quota(units: list[_Unit[K]], total: int) -> Fraction | None:
    """The q > 0 with sum(clamp(population / q, lower, upper)) == total.

    The sum g(q) is continuous and never rises as q grows; it is A + B/q
    between consecutive breakpoints population/lower and population/upper,
    where A adds the bounds of the units held at one and B the populations of
    the others. Find the piece where g crosses the total and solve it. None
    when the total equals the sum of the lower bounds: every unit is held
    there, which g reaches only in the limit if a unit's lower bound is 0.
    """
    if total == sum(unit.lower for unit in units):
        return None

    def g(q: Fraction) -> Fraction:
        return sum((_clamp(unit.population / q, unit) for unit in units), Fraction(0))

    breakpoints = sorted(
        {
            Fraction(unit.population, bound)
            for unit in units
            if unit.population > 0
            for bound in (unit.lower, unit.upper)
            if bound  # neither None nor 0
        }
    )
    values = [g(q) for q in breakpoints]
    for q, value in zip(breakpoints, values, strict=True):
        if value == total:
            return q
    # g falls through the total between two breakpoints, before the first or
    # after the last: pick a point inside that piece to see who is held.
    below = [q for q, value in zip(breakpoints, values, strict=True) if value > total]
    above = [q for q, value in zip(breakpoints, values, strict=True) if value < total]
    if not breakpoints:
        probe = Fraction(1)
    elif not below:
        probe = breakpoints[0] / 2
    elif not above:
        probe = breakpoints[-1] + 1
    else:
        probe = (below[-1] + above[0]) / 2
    held = 0
    free = 0
    for unit in units:
        value = unit.population / probe
        clamped = _clamp(value, unit)
        if clamped == value and unit.population > 0:
            free += unit.population
        else:
            held += int(clamped)
    return Fraction(free, total - held)


def _make_tie(
    units: list[_Unit[K]],
    priority: Fraction,
    winners: set[int],
    losers: set[int],
    rank: list[tuple[int, int]],
    rule: TieBreak,
    seed: int | None,
) -> Tie[K]:
    tied = sorted(winners | losers)
    return Tie(
        priority=priority,
        seats=len(winners),
        units=tuple(units[i].key for i in tied),
        winners=tuple(units[i].key for i in sorted(winners, key=lambda i: rank[i])),
        rule=rule,
        seed=seed if rule is TieBreak.LOT else None,
        tickets=tuple(lot_ticket(seed, units[i].position) for i in tied)
        if rule is TieBreak.LOT and seed is not None
        else (),
    )


def _simplest_between(low: Fraction, high: Fraction | None) -> Fraction:
    """The fraction with the smallest denominator strictly between low >= 0
    and high (None: no limit), by the continued-fraction (Stern-Brocot) descent.
    Strictly inside, so no unit's quotient sits exactly at a half."""
    whole = floor(low)
    if high is None or whole + 1 < high:
        return Fraction(whole + 1)
    # No whole number strictly inside: write x = whole + 1/y and find the
    # simplest y between the reciprocals of the fractional parts.
    inner_high = None if low == whole else 1 / (low - whole)
    return whole + 1 / _simplest_between(1 / (high - whole), inner_high)
