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
stale page raises ``StaleEditError``. The reads the pages need are in
``delegates.selectors.quotas``, the terms (tie rules, decisions, fractions
as text) in ``delegates.quota_terms``.

Locks, in one order everywhere (delegates/services/elections.py keeps the same):
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

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from congress.models import Conference, Tier
from congress.selectors import units_yet_to_hold
from delegates import apportionment, notices
from delegates.models import Allocation, AllocationLine
from delegates.quota_terms import ALLOCATION_WORKFLOW, Decision, TieRule
from delegates.selectors import quotas as quota_selectors
from delegates.selectors.quotas import SeatBudget, elected_seats, seat_budget
from units.audit import audit_context, audited, record_created, record_updated
from units.locking import check_lock_version
from units.models import User
from units.permissions import Action, require_permission
from units.text import nfc


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


def _newest_version(conference: Conference) -> int:
    return (
        Allocation.objects.filter(conference=conference).aggregate(newest=Max("version"))["newest"]
        or 0
    )


def _check_workable(allocation: Allocation) -> None:
    """Only the newest version, a draft or returned one (``EDITABLE``, the
    sources of ``ALLOCATION_WORKFLOW``'s "submit"), is changed or
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


def _units_to_share(conference: Conference) -> list[quota_selectors.UnitBelow]:
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
    below = [entry for entry in quota_selectors.units_below(conference) if entry.is_held]
    if not below:
        raise ValidationError(_("There is no unit below this conference to allocate seats to."))
    return below


@audited
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
    lines = AllocationLine.objects.bulk_create(
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
    record_created(lines)
    return allocation


def _computation(
    result: apportionment.Apportionment[int], *, upper: int | None, budget: SeatBudget
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


@audited
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
    ``StaleEditError`` and nothing is saved."""
    require_permission(actor, Action.CHANGE, allocation.conference.unit)
    allocation = _locked(allocation)
    check_lock_version(allocation, expected_lock_version)
    _check_workable(allocation)
    lines = {line.unit_id: line for line in allocation.lines.all()}
    unknown = (set(seats) | set(reasons)) - set(lines)
    if unknown:
        raise ValidationError(_("The units do not match this allocation: reload the page."))
    errors: dict[str, str] = {}
    before = {unit_id: (line.seats, line.adjustment_reason) for unit_id, line in lines.items()}
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
    for unit_id, line in lines.items():
        old_seats, old_reason = before[unit_id]
        changes: dict[str, tuple[object, object]] = {}
        if line.seats != old_seats:
            changes["seats"] = (old_seats, line.seats)
        if line.adjustment_reason != old_reason:
            changes["adjustment_reason"] = (old_reason, line.adjustment_reason)
        with audit_context(reason=line.adjustment_reason):
            record_updated(line, changes)
    allocation.lock_version += 1
    allocation.save(update_fields=["lock_version"])
    return allocation


@audited
@transaction.atomic
def submit_allocation(
    *, actor: User, allocation: Allocation, expected_lock_version: int | None = None
) -> Allocation:
    """Submit the newest DRAFT or RETURNED version to the council."""
    require_permission(actor, Action.CHANGE, allocation.conference.unit)
    allocation = _locked(allocation)
    check_lock_version(allocation, expected_lock_version)
    _check_workable(allocation)
    move = ALLOCATION_WORKFLOW.check(
        allocation, "submit", user=actor, unit=allocation.conference.unit
    )
    allocation.status = move.target
    allocation.submitted_at = timezone.now()
    allocation.lock_version += 1
    allocation.save(update_fields=["status", "submitted_at", "lock_version"])
    notices.allocation_moved(actor=actor, allocation=allocation, name="submit")
    return allocation


@transaction.atomic
def withdraw_allocation(
    *,
    actor: User,
    allocation: Allocation,
    reason: str,
    expected_lock_version: int | None = None,
) -> Allocation:
    """The officer takes a submitted version back, with a reason, before
    the council has decided (``ALLOCATION_WORKFLOW``'s "withdraw"): it is a
    draft again, to adjust and submit. Who, when and why are kept on the
    version (the last withdrawal)."""
    require_permission(actor, Action.CHANGE, allocation.conference.unit)
    allocation = _locked(allocation)
    check_lock_version(allocation, expected_lock_version)
    move = ALLOCATION_WORKFLOW.check(
        allocation, "withdraw", user=actor, unit=allocation.conference.unit, reason=reason
    )
    reason = nfc(reason.strip())
    allocation.status = move.target
    allocation.withdrawn_by = actor
    allocation.withdrawn_at = timezone.now()
    allocation.withdrawal_reason = reason
    allocation.lock_version += 1
    allocation.save(
        update_fields=[
            "status",
            "withdrawn_by",
            "withdrawn_at",
            "withdrawal_reason",
            "lock_version",
        ]
    )
    notices.allocation_moved(actor=actor, allocation=allocation, name="withdraw", reason=reason)
    return allocation


@audited
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
    if decision not in set(Decision):  # the council's moves of ALLOCATION_WORKFLOW
        raise ValidationError({"decision": _("Unknown decision.")})
    allocation = _locked(allocation)
    check_lock_version(allocation, expected_lock_version)
    if allocation.status != Allocation.Status.SUBMITTED:
        raise ValidationError(
            _("Version %(version)s is not awaiting review: it is “%(status)s”.")
            % {"version": allocation.version, "status": allocation.get_status_display()}
        )
    move = ALLOCATION_WORKFLOW.check(
        allocation, decision, user=actor, unit=allocation.conference.unit, reason=reason
    )
    reason = nfc(reason.strip())
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
    allocation.status = move.target
    allocation.reviewed_by = actor
    allocation.reviewed_at = now
    allocation.review_reason = reason
    allocation.lock_version += 1
    allocation.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "review_reason", "lock_version"]
    )
    notices.allocation_moved(actor=actor, allocation=allocation, name=decision, reason=reason)
    return allocation
