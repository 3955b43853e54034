"""Quota allocation (phân bổ đại biểu): computed, adjusted, submitted,
reviewed (DOMAIN.md, "Quotas").

The elected seats of a tier-2 conference or of the Congress (its cap −
official delegates − guests where the cap counts them) are shared among
the units below in proportion to the attendance of their held conference,
by ``delegates.apportionment.allocate`` (exact arithmetic, every unit at
least one seat). Each computation is a new ``Allocation`` version; the
officer may move seats between units with a written reason (the total
stays), submits it, and the council approves it or returns it with a
reason. An approved allocation is frozen and binds the elections; changing
it takes a new version, whose approval returns the old one ("superseded").

The life of a version: DRAFT → SUBMITTED → APPROVED, or SUBMITTED →
RETURNED → (adjusted) SUBMITTED …; an APPROVED version becomes RETURNED
only when a newer version is approved. Only the newest version is worked
on, one at a time: a new version cannot be computed while one awaits the
council's review.

Writes are keyword-only with ``actor``, one transaction each, the
conference row locked (so versions and the "one approved" rule are
serialised); every change bumps ``lock_version`` and a change made on a
stale page raises ``StaleAllocationError``. The reads the page needs are at
the end of this module.

Locks, in one order everywhere (delegates/elections.py keeps the same):
first the row of the conference whose seats are shared (``Conference``,
``select_for_update``), then the allocation rows, then election rows. The
confirmation of an election locks the conference above before its own row
and reads the approved version only then, so a review and a confirmation
of one conference are serialised whichever starts first, and neither
waits on a row the other holds. Each lock takes its own row only
(``select_for_update(of=("self",))``): with ``select_related`` a lock
would also take every joined row (tier, units, the other conference), in
an order the query plan decides.

Read at request time, never stored: an allocation is *out of date* when a
line's attendance is no longer the unit's held attendance (a correction of
the conference below, DOMAIN.md "Figures entered by hand get corrected");
the officer computes a new version, and an approved one binds until a
newer one is approved. Approving a version that gives a unit fewer seats
than its confirmed election elected flags that election (``excess_of``),
shown to the council before it approves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from congress.models import Conference, ConferenceTransition, Tier
from congress.selectors import units_yet_to_hold
from units.models import Unit, User
from units.permissions import Action, require_permission
from units.text import nfc

from . import apportionment, selectors
from .models import Allocation, AllocationLine, Category

EDITABLE = (Allocation.Status.DRAFT, Allocation.Status.RETURNED)


class TieRule(StrEnum):
    """The tie rules offered, with the label the council sees."""

    LARGER_ATTENDANCE_THEN_ORDER = apportionment.TieBreak.LARGER_ATTENDANCE_THEN_ORDER.value
    ORDER = apportionment.TieBreak.ORDER.value
    LOT = apportionment.TieBreak.LOT.value

    @property
    def label(self) -> str:
        return str(TIE_RULE_LABELS[self])


TIE_RULE_LABELS = {
    TieRule.LARGER_ATTENDANCE_THEN_ORDER: gettext_lazy(
        "Larger attendance first, then protocol order"
    ),
    TieRule.ORDER: gettext_lazy("Protocol order (the order of the list)"),
    TieRule.LOT: gettext_lazy("Drawing lots with a seed fixed beforehand"),
}


class Decision(StrEnum):
    APPROVE = "approve"
    RETURN = "return"


class StaleAllocationError(Exception):
    """The allocation changed since the page was loaded; the change is refused."""


# -- The seats to share -------------------------------------------------------


@dataclass(frozen=True)
class SeatBudget:
    """How the elected seats of a conference are found: cap − official −
    guests (where the cap counts them)."""

    cap: int | None
    official: int
    guests: int
    guests_counted: bool

    @property
    def elected(self) -> int | None:
        if self.cap is None:
            return None
        return self.cap - self.official - (self.guests if self.guests_counted else 0)


def seat_budget(conference: Conference) -> SeatBudget:
    """The figures ``elected_seats`` subtracts (two queries). Elected
    delegates already added are not subtracted: they fill these seats."""
    seats = selectors.seats(conference)
    counts = {entry.category: entry.count for entry in seats.categories}
    return SeatBudget(
        cap=seats.cap,
        official=counts.get(Category.OFFICIAL, 0),
        guests=counts.get(Category.GUEST, 0),
        guests_counted=seats.cap_counts_guests,
    )


def elected_seats(conference: Conference, *, units: int | None = None) -> int:
    """The elected seats of ``conference``: its cap (the unit's exception
    included) − official delegates − guests where the tier counts them
    (the Congress: "500, guests not counted"). Refused (``ValidationError``)
    when there is no cap, when nothing is left, or when fewer seats are left
    than ``units`` (every unit below elects at least one delegate)."""
    budget = seat_budget(conference)
    elected = budget.elected
    if elected is None or budget.cap is None:
        raise ValidationError(
            _("This conference has no maximum attendance: there are no seats to allocate.")
        )
    if elected <= 0:
        raise ValidationError(
            _(
                "No seat is left for elected delegates: the maximum is %(cap)s and the "
                "official delegates and counted guests already take %(taken)s."
            )
            % {"cap": budget.cap, "taken": budget.cap - elected}
        )
    if units is not None and elected < units:
        raise ValidationError(
            _(
                "Only %(seats)s seats are left for elected delegates, fewer than the "
                "%(units)s units below: each of them must elect at least one delegate."
            )
            % {"seats": elected, "units": units}
        )
    return elected


def official_warning(official: int) -> str:
    """Computing before the conference's official delegates are listed is
    allowed (the officer may need a first picture), with this warning:
    the elected seats are the cap minus the official delegates, so they
    shrink once these are listed. Empty when some are listed."""
    if official:
        return ""
    return _(
        "No official delegate of this conference is listed yet: the elected seats will "
        "shrink when they are, and the allocation will need a new version."
    )


# -- Writes -------------------------------------------------------------------


def _lock_conference(conference: Conference) -> Conference:
    return (
        Conference.objects.select_for_update(of=("self",))
        .select_related("tier", "unit")
        .get(pk=conference.pk)
    )


def _locked(allocation: Allocation) -> Allocation:
    """Lock the conference (orders this change after any other on its
    allocations), then the allocation itself."""
    _lock_conference(allocation.conference)
    return (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("conference__tier", "conference__unit")
        .get(pk=allocation.pk)
    )


def _check_version(allocation: Allocation, expected_lock_version: int | None) -> None:
    if expected_lock_version is not None and allocation.lock_version != expected_lock_version:
        raise StaleAllocationError


def _newest_version(conference: Conference) -> int:
    return (
        Allocation.objects.filter(conference=conference).aggregate(newest=Max("version"))["newest"]
        or 0
    )


def _check_workable(allocation: Allocation) -> None:
    """Only the newest version, a draft or returned one, is changed or
    submitted; an approved one is frozen."""
    if allocation.status == Allocation.Status.APPROVED:
        raise ValidationError(
            _(
                "Version %(version)s is approved: it is frozen. To change it, compute a "
                "new version and submit it to the council."
            )
            % {"version": allocation.version}
        )
    if allocation.status == Allocation.Status.SUBMITTED:
        raise ValidationError(
            _(
                "Version %(version)s awaits the council's review: it cannot change until "
                "the council approves or returns it."
            )
            % {"version": allocation.version}
        )
    newest = _newest_version(allocation.conference)
    if allocation.version != newest:
        raise ValidationError(
            _("Version %(version)s has been replaced by version %(newest)s: work on that one.")
            % {"version": allocation.version, "newest": newest}
        )


def _fraction(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


_BOUND_ERRORS = {
    "infeasible_upper": gettext_lazy(
        "%(total)s seats cannot be shared with at most %(upper)s per unit: "
        "the maximums add up to only %(maximum)s."
    ),
    "no_attendance": gettext_lazy("No unit below has any attendance."),
    "missing_seed": gettext_lazy("Drawing lots needs a seed: a whole number fixed beforehand."),
}


def _translated(error: apportionment.ApportionmentError, upper: int | None) -> ValidationError:
    message = _BOUND_ERRORS.get(error.code)
    field = {"infeasible_upper": "upper", "missing_seed": "seed"}.get(error.code)
    if message is None:
        text = _("The allocation cannot be computed: %(reason)s") % {"reason": error}
    else:
        text = str(message) % {**error.params, "upper": upper}
    return ValidationError({field: text} if field else text)


def _units_to_share(conference: Conference) -> list[selectors.UnitBelow]:
    """The units below with a held conference. Refused while any unit below
    has not held its conference (``units_yet_to_hold``: the tiers run in
    order, DOMAIN.md "Between the tiers"); a unit the council exempted
    holds none and elects no one, so it is left out."""
    waiting = units_yet_to_hold(conference)
    if waiting:
        not_held = [unit.name for unit in waiting]
        raise ValidationError(
            ngettext(
                "The allocation is computed from the attendance of the conferences below; "
                "this unit has not held its conference yet: %(units)s.",
                "The allocation is computed from the attendance of the conferences below; "
                "these %(count)s units have not held their conference yet: %(units)s.",
                len(not_held),
            )
            % {"count": len(not_held), "units": ", ".join(not_held)}
        )
    below = [entry for entry in selectors.units_below(conference) if entry.is_held]
    if not below:
        raise ValidationError(_("There is no unit below this conference to allocate seats to."))
    return below


@transaction.atomic
def compute_allocation(
    *,
    actor: User,
    conference: Conference,
    method: str = Allocation.Method.WEBSTER,
    tie_break: str = TieRule.LARGER_ATTENDANCE_THEN_ORDER,
    seed: int | None = None,
    upper: int | None = None,
) -> Allocation:
    """Share the elected seats of a tier-2 conference or of the Congress
    among the units below, as a new DRAFT version.

    Each unit's share is proportional to the attendance of its held
    conference; every unit gets at least one seat and at most ``upper``
    (optional, the same for all). Webster (the default) or Hamilton
    (labelled alternative), in exact fractions; a tie that decides a seat is
    recorded with the rule that resolved it (``tie_break``; ``seed`` for a
    lot). Every unit below must have held its conference. Earlier versions
    are kept; none may be awaiting the council's review.
    """
    require_permission(actor, Action.CHANGE, conference.unit)
    conference = _lock_conference(conference)
    if conference.tier.level not in (Tier.Level.UPPER_GRASSROOTS, Tier.Level.CONGRESS):
        raise ValidationError(_("Only a tier-2 conference or the Congress has elected seats."))
    if method not in Allocation.Method.values:
        raise ValidationError({"method": _("Choose a method.")})
    if tie_break not in {rule.value for rule in TieRule}:
        raise ValidationError({"tie_break": _("Choose a tie rule.")})
    if tie_break == TieRule.LOT and seed is None:
        raise ValidationError({"seed": str(_BOUND_ERRORS["missing_seed"])})
    if upper is not None and upper < 1:
        raise ValidationError({"upper": _("The maximum per unit must be at least 1.")})
    pending = Allocation.objects.filter(
        conference=conference, status=Allocation.Status.SUBMITTED
    ).first()
    if pending is not None:
        raise ValidationError(
            _(
                "Version %(version)s awaits the council's review: a new version can be "
                "computed once the council approves or returns it."
            )
            % {"version": pending.version}
        )
    below = _units_to_share(conference)
    total = elected_seats(conference, units=len(below))
    populations = {entry.unit.pk: entry.attendance or 0 for entry in below}
    try:
        result = apportionment.allocate(
            populations,
            total,
            method=apportionment.Method(method),
            lower=1,
            upper=upper,
            tie_break=apportionment.TieBreak(tie_break),
            seed=seed,
        )
    except apportionment.ApportionmentError as error:
        raise _translated(error, upper) from error

    allocation = Allocation.objects.create(
        conference=conference,
        version=_newest_version(conference) + 1,
        status=Allocation.Status.DRAFT,
        method=method,
        tie_break=tie_break,
        seed=result.seed,
        total_seats=total,
        computation=_computation(result, upper=upper, budget=seat_budget(conference)),
        created_by=actor,
    )
    AllocationLine.objects.bulk_create(
        [
            AllocationLine(
                allocation=allocation,
                unit_id=line.key,
                position=line.position,
                attendance=line.population,
                quota_numerator=line.quota.numerator,
                quota_denominator=line.quota.denominator,
                computed_seats=line.seats,
                seats=line.seats,
            )
            for line in result.units
        ]
    )
    return allocation


def _computation(
    result: apportionment.Allocation[int], *, upper: int | None, budget: SeatBudget
) -> dict[str, Any]:
    """The computation as stored and shown to the council: every number as
    an exact "p/q" string, units by id."""
    low, high = result.divisor_range or (None, None)
    tie = result.tie
    return {
        "method": result.method.value,
        "method_label": result.method.label,
        "total": result.total,
        "lower": 1,
        "upper": upper,
        "budget": {
            "cap": budget.cap,
            "official": budget.official,
            "guests": budget.guests,
            "guests_counted": budget.guests_counted,
        },
        "divisor": _fraction(result.divisor),
        "divisor_range": [_fraction(low), _fraction(high)] if result.divisor_range else None,
        "units": [
            {
                "unit": line.key,
                "quotient": _fraction(line.quotient),
                "bound": line.bound.value if line.bound else None,
            }
            for line in result.units
        ],
        "steps": [
            {
                "number": step.number,
                "unit": step.key,
                "priority": _fraction(step.priority),
                "seats": step.seats,
                "by_tie_break": step.by_tie_break,
            }
            for step in result.steps
        ],
        "tie": None
        if tie is None
        else {
            "priority": _fraction(tie.priority),
            "seats": tie.seats,
            "units": list(tie.units),
            "winners": list(tie.winners),
            "rule": tie.rule.value,
            "seed": tie.seed,
            "tickets": list(tie.tickets),
        },
    }


@transaction.atomic
def adjust_seats(
    *,
    actor: User,
    allocation: Allocation,
    seats: Mapping[int, int],
    reasons: Mapping[int, str],
    expected_lock_version: int,
) -> Allocation:
    """Move seats between units of a DRAFT or RETURNED allocation (the
    newest version). ``seats`` and ``reasons`` are keyed by unit id; a unit
    left out keeps its seats and reason. The total stays the elected seats;
    every unit keeps at least one seat; a unit whose seats differ from the
    computed ones needs a written reason (back at the computed number, its
    reason is cleared). Errors are keyed ``seats_<unit id>`` /
    ``reason_<unit id>``. A page loaded before another change raises
    ``StaleAllocationError`` and nothing is saved."""
    require_permission(actor, Action.CHANGE, allocation.conference.unit)
    allocation = _locked(allocation)
    _check_version(allocation, expected_lock_version)
    _check_workable(allocation)
    lines = {line.unit_id: line for line in allocation.lines.all()}
    unknown = (set(seats) | set(reasons)) - set(lines)
    if unknown:
        raise ValidationError(_("The units do not match this allocation: reload the page."))
    errors: dict[str, str] = {}
    for unit_id, line in lines.items():
        wanted = seats.get(unit_id, line.seats)
        if wanted < 1:
            errors[f"seats_{unit_id}"] = _("Every unit elects at least one delegate.")
        reason = nfc(reasons.get(unit_id, line.adjustment_reason).strip())
        if wanted >= 1 and wanted != line.computed_seats and not reason:
            errors[f"reason_{unit_id}"] = _(
                "Give the reason for changing the computed %(computed)s seats."
            ) % {"computed": line.computed_seats}
        line.seats = wanted
        line.adjustment_reason = reason if wanted != line.computed_seats else ""
    new_total = sum(line.seats for line in lines.values())
    if new_total != allocation.total_seats:
        errors["__all__"] = _(
            "The seats must still add up to %(total)s; they add up to %(new_total)s. "
            "Take from one unit what you give to another."
        ) % {"total": allocation.total_seats, "new_total": new_total}
    if errors:
        raise ValidationError(errors)
    AllocationLine.objects.bulk_update(lines.values(), ["seats", "adjustment_reason"])
    allocation.lock_version += 1
    allocation.save(update_fields=["lock_version"])
    return allocation


@transaction.atomic
def submit_allocation(
    *, actor: User, allocation: Allocation, expected_lock_version: int | None = None
) -> Allocation:
    """Submit the newest DRAFT or RETURNED version to the council."""
    require_permission(actor, Action.CHANGE, allocation.conference.unit)
    allocation = _locked(allocation)
    _check_version(allocation, expected_lock_version)
    _check_workable(allocation)
    allocation.status = Allocation.Status.SUBMITTED
    allocation.submitted_at = timezone.now()
    allocation.lock_version += 1
    allocation.save(update_fields=["status", "submitted_at", "lock_version"])
    return allocation


@transaction.atomic
def review_allocation(
    *,
    actor: User,
    allocation: Allocation,
    decision: str,
    reason: str = "",
    expected_lock_version: int | None = None,
) -> Allocation:
    """The council approves a submitted allocation or returns it with a
    reason (REVIEW right on the conference's unit).

    Approved, the version is frozen and binds the elections. A conference
    has one approved allocation (a database constraint): approving a newer
    version sets the previously approved one back to RETURNED, reviewed by
    the same actor, with the reason "superseded by version N", in the same
    transaction. (No status of its own: the model has four.)
    """
    require_permission(actor, Action.REVIEW, allocation.conference.unit)
    if decision not in {choice.value for choice in Decision}:
        raise ValidationError({"decision": _("Unknown decision.")})
    allocation = _locked(allocation)
    _check_version(allocation, expected_lock_version)
    if allocation.status != Allocation.Status.SUBMITTED:
        raise ValidationError(
            _("Version %(version)s is not awaiting review: it is “%(status)s”.")
            % {"version": allocation.version, "status": allocation.get_status_display()}
        )
    reason = nfc(reason.strip())
    if decision == Decision.RETURN and not reason:
        raise ValidationError({"reason": _("Give the reason for returning the allocation.")})
    now = timezone.now()
    if decision == Decision.APPROVE:
        previous = (
            Allocation.objects.select_for_update()
            .filter(conference_id=allocation.conference_id, status=Allocation.Status.APPROVED)
            .first()
        )
        if previous is not None:
            # First, so that the "one approved per conference" constraint holds.
            previous.status = Allocation.Status.RETURNED
            previous.reviewed_by = actor
            previous.reviewed_at = now
            previous.review_reason = _("Superseded by version %(version)s.") % {
                "version": allocation.version
            }
            previous.lock_version += 1
            previous.save(
                update_fields=[
                    "status",
                    "reviewed_by",
                    "reviewed_at",
                    "review_reason",
                    "lock_version",
                ]
            )
    allocation.status = (
        Allocation.Status.APPROVED if decision == Decision.APPROVE else Allocation.Status.RETURNED
    )
    allocation.reviewed_by = actor
    allocation.reviewed_at = now
    allocation.review_reason = reason
    allocation.lock_version += 1
    allocation.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "review_reason", "lock_version"]
    )
    return allocation


# -- Reads for the pages -------------------------------------------------------


def conference_allocations(conference: Conference) -> list[Allocation]:
    """Every version of the conference's allocation, newest first, with who
    made and reviewed it: one query."""
    versions = list(
        Allocation.objects.filter(conference=conference)
        .select_related("created_by", "reviewed_by")
        .order_by("-version")
    )
    for allocation in versions:
        allocation.conference = conference  # known: spares a query per version
    return versions


def is_workable(allocation: Allocation, *, newest: int) -> bool:
    """Whether the version may still be adjusted and submitted."""
    return allocation.status in EDITABLE and allocation.version == newest


@dataclass(frozen=True)
class Row:
    """One unit's line on the allocation page."""

    line: AllocationLine
    quota: Fraction
    bound: str | None

    @property
    def quota_text(self) -> str:
        return fraction_text(self.quota)

    @property
    def quota_decimal(self) -> Decimal:
        return to_decimal(self.quota)

    @property
    def adjusted(self) -> bool:
        return self.line.seats != self.line.computed_seats


@dataclass(frozen=True)
class StepRow:
    number: int
    unit: Unit | None
    priority: Fraction
    seats: int
    by_tie_break: bool

    @property
    def priority_text(self) -> str:
        return fraction_text(self.priority)

    @property
    def priority_decimal(self) -> Decimal:
        return to_decimal(self.priority)


@dataclass(frozen=True)
class TieView:
    priority: Fraction
    seats: int
    units: list[tuple[Unit | None, bool, str]]  # (unit, won a seat, lot ticket)
    rule_label: str
    seed: int | None

    @property
    def priority_text(self) -> str:
        return fraction_text(self.priority)


@dataclass(frozen=True)
class AllocationView:
    """An allocation as its page shows it: no query beyond its lines."""

    allocation: Allocation
    rows: list[Row]
    steps: list[StepRow]
    tie: TieView | None
    divisor: Fraction | None
    divisor_low: Fraction | None
    divisor_high: Fraction | None
    budget: dict[str, Any]

    @property
    def seats_total(self) -> int:
        return sum(row.line.seats for row in self.rows)

    @property
    def attendance_total(self) -> int:
        return sum(row.line.attendance for row in self.rows)

    @property
    def tie_rule_label(self) -> str:
        return tie_rule_label(self.allocation.tie_break)

    @property
    def divisor_text(self) -> str:
        return fraction_text(self.divisor) if self.divisor is not None else ""

    @property
    def divisor_low_text(self) -> str:
        return fraction_text(self.divisor_low) if self.divisor_low is not None else ""

    @property
    def divisor_high_text(self) -> str:
        return fraction_text(self.divisor_high) if self.divisor_high is not None else ""

    @property
    def upper(self) -> int | None:
        return self.allocation.computation.get("upper")


def tie_rule_label(value: str) -> str:
    try:
        return TieRule(value).label
    except ValueError:
        return value


def parse_fraction(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


def fraction_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def to_decimal(value: Fraction, places: int = 2) -> Decimal:
    """For reading only: the exact value rounded half up to ``places``."""
    exponent = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        exponent, rounding=ROUND_HALF_UP
    )


def allocation_lines(allocation: Allocation) -> QuerySet[AllocationLine]:
    return allocation.lines.select_related("unit").order_by("position")


def allocation_view(allocation: Allocation) -> AllocationView:
    """The lines, steps and tie of one version, with units by name: one
    query (the lines and their units)."""
    lines = list(allocation_lines(allocation))
    units = {line.unit_id: line.unit for line in lines}
    computation = allocation.computation or {}
    bounds = {entry["unit"]: entry.get("bound") for entry in computation.get("units", [])}
    rows = [
        Row(
            line=line,
            quota=Fraction(line.quota_numerator, line.quota_denominator),
            bound=bounds.get(line.unit_id),
        )
        for line in lines
    ]
    steps = [
        StepRow(
            number=step["number"],
            unit=units.get(step["unit"]),
            priority=Fraction(step["priority"]),
            seats=step["seats"],
            by_tie_break=step["by_tie_break"],
        )
        for step in computation.get("steps", [])
    ]
    tie = None
    stored = computation.get("tie")
    if stored:
        tickets = stored.get("tickets") or []
        tie = TieView(
            priority=Fraction(stored["priority"]),
            seats=stored["seats"],
            units=[
                (units.get(pk), pk in stored["winners"], tickets[i] if i < len(tickets) else "")
                for i, pk in enumerate(stored["units"])
            ],
            rule_label=tie_rule_label(stored["rule"]),
            seed=stored.get("seed"),
        )
    low, high = computation.get("divisor_range") or (None, None)
    return AllocationView(
        allocation=allocation,
        rows=rows,
        steps=steps,
        tie=tie,
        divisor=parse_fraction(computation.get("divisor")),
        divisor_low=parse_fraction(low),
        divisor_high=parse_fraction(high),
        budget=computation.get("budget", {}),
    )


# -- Out of date after a correction -------------------------------------------------


@dataclass(frozen=True)
class AttendanceChange:
    """A line whose attendance is no longer its unit's held attendance: the
    conference below was corrected (or is no longer held) since the
    version was computed."""

    unit: Unit
    old: int
    new: int | None  # None: the unit's conference is no longer held
    conference_id: int | None
    correction: ConferenceTransition | None = None


def attendance_changes(
    versions: Sequence[Allocation],
    *,
    lines: Mapping[int, Sequence[AllocationLine]] | None = None,
    corrections: bool = False,
) -> dict[int, list[AttendanceChange]]:
    """For each allocation (by id), the lines whose attendance differs from
    the held attendance of the unit's conference of the tier below, now.

    Read at request time: nothing is stored, so a correction shows at once
    and a new version computed from the corrected figure shows none.
    ``conference__tier`` of each allocation must be loaded; ``lines`` (by
    allocation id, with their units) spares the query that loads them
    (one query loads those of the allocations it leaves out).
    Two queries for any number of allocations and lines, a third with
    ``corrections`` (the latest correction of each conference concerned,
    with who made it)."""
    if not versions:
        return {}
    given: dict[int, list[AllocationLine]] = {pk: list(v) for pk, v in (lines or {}).items()}
    missing = [a.pk for a in versions if a.pk not in given]
    if missing:
        for pk in missing:
            given[pk] = []
        for line in AllocationLine.objects.filter(allocation_id__in=missing).select_related("unit"):
            given[line.allocation_id].append(line)
    tiers = {a.pk: (a.conference.tier.cycle_id, a.conference.tier.level - 1) for a in versions}
    unit_ids = {line.unit_id for a in versions for line in given.get(a.pk, ())}
    held = (Conference.Status.HELD, Conference.Status.CLOSED)
    below: dict[tuple[int, int, int], tuple[int, int | None]] = {}
    if unit_ids:
        rows = Conference.objects.filter(
            tier__cycle_id__in={cycle for cycle, _level in tiers.values()},
            tier__level__in={level for _cycle, level in tiers.values()},
            unit_id__in=unit_ids,
        ).values_list(
            "pk", "tier__cycle_id", "tier__level", "unit_id", "status", "actual_attendance"
        )
        for pk, cycle_id, level, unit_id, status, attendance in rows:
            below[(cycle_id, level, unit_id)] = (pk, attendance if status in held else None)
    found: dict[int, list[tuple[AllocationLine, int | None, int | None]]] = {}
    for allocation in versions:
        cycle_id, level = tiers[allocation.pk]
        for line in given.get(allocation.pk, ()):
            conference_id, now = below.get((cycle_id, level, line.unit_id), (None, None))
            if now != line.attendance:
                found.setdefault(allocation.pk, []).append((line, now, conference_id))
    latest: dict[int, ConferenceTransition] = {}
    if corrections and found:
        concerned = {pk for entries in found.values() for _l, _n, pk in entries if pk is not None}
        for transition in (
            ConferenceTransition.objects.filter(
                conference_id__in=concerned, action=ConferenceTransition.Action.CORRECT
            )
            .select_related("actor")
            .order_by("at", "pk")
        ):
            # The latest correction that changed the attendance (one may
            # have corrected the date only).
            if not transition.changes or "actual_attendance" in transition.changes:
                latest[transition.conference_id] = transition
    return {
        allocation_id: [
            AttendanceChange(
                unit=line.unit,
                old=line.attendance,
                new=now,
                conference_id=conference_id,
                correction=latest.get(conference_id) if conference_id is not None else None,
            )
            for line, now, conference_id in entries
        ]
        for allocation_id, entries in found.items()
    }


def allocations_for_review(user: User, *, status: str = "") -> QuerySet[Allocation]:
    """The allocations of the conferences the user may see, the ones
    awaiting review first, then by conference and newest version; with
    their conference, unit and reviewer, and ``newest_version`` (the
    conference's newest version number): one query."""
    from congress.selectors import visible_conferences

    newest = (
        Allocation.objects.filter(conference_id=OuterRef("conference_id"))
        .order_by("-version")
        .values("version")[:1]
    )
    allocations = (
        Allocation.objects.filter(conference__in=visible_conferences(user).values("pk"))
        .select_related("conference__tier", "conference__unit", "created_by", "reviewed_by")
        .annotate(newest_version=Subquery(newest))
    )
    if status in Allocation.Status.values:
        allocations = allocations.filter(status=status)
    return allocations.order_by(
        F("submitted_at").desc(nulls_last=True), "conference__unit__path", "-version"
    )
