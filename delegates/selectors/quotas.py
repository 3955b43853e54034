"""The reads of quota allocation (DOMAIN.md, "Quotas"): the seats to share,
the versions of a conference's allocation and the read-models of their
pages, the lines out of date after a correction, the council's queue.
The writes are ``delegates.services.quotas``'."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from congress.models import Conference, ConferenceTransition, Tier
from delegates.models import (
    Allocation,
    AllocationLine,
    Category,
)
from delegates.quota_terms import (
    EDITABLE,
    fraction_text,
    parse_fraction,
    tie_rule_label,
    to_decimal,
)
from delegates.selectors import delegates as delegate_selectors
from delegates.selectors.delegates import unit_protocol_keys
from units.models import Unit, User


def approved_allocation(conference: Conference) -> Allocation | None:
    """The allocation that binds the elections to ``conference``."""
    return conference.allocations.filter(status=Allocation.Status.APPROVED).first()


def approved_quota(*, target: Conference, unit) -> int | None:
    """How many delegates ``unit`` elects to ``target``, by the approved
    allocation; ``None`` while no allocation is approved."""
    return (
        AllocationLine.objects.filter(
            allocation__conference=target,
            allocation__status=Allocation.Status.APPROVED,
            unit=unit,
        )
        .values_list("seats", flat=True)
        .first()
    )


@dataclass(frozen=True)
class UnitBelow:
    """A unit that elects delegates to a conference, with its own
    conference of the tier below (any status, or none registered)."""

    unit: Unit
    conference: Conference | None

    @property
    def is_held(self) -> bool:
        return self.conference is not None and self.conference.is_held

    @property
    def attendance(self) -> int | None:
        """The attendance quotas are computed from: that of the held
        conference (DOMAIN.md, "Quotas"); ``None`` until it is held."""
        return self.conference.actual_attendance if self.is_held and self.conference else None


def units_below(conference: Conference) -> list[UnitBelow]:
    """The units sharing the elected seats of ``conference``, in protocol
    order, each with its conference of the tier below.

    For a tier-2 conference: the active tier-1 organisers of its unit's
    subtree (districts and departments of a province; the units under the
    HQ bloc). For the Congress: every active tier-2 organiser of the cycle
    (provinces and the HQ bloc). Their attendance counts once their
    conference is held (held or closed). Four queries whatever the number
    of units; empty for a tier-1 conference (nobody elects to it).
    """
    level = conference.tier.level
    if level <= Tier.Level.GRASSROOTS:
        return []
    lower_tier = Tier.objects.filter(cycle_id=conference.tier.cycle_id, level=level - 1).first()
    if lower_tier is None:
        return []
    units = list(
        Unit.objects.subtree_of(conference.unit)
        .active()
        .filter(kind__in=lower_tier.organiser_kinds)
        .exclude(pk=conference.unit_id)
    )
    conferences = {
        held.unit_id: held
        for held in Conference.objects.filter(tier=lower_tier, unit__in=units).select_related(
            "tier"
        )
    }
    keys = unit_protocol_keys(units)
    units.sort(key=lambda unit: (keys.get(unit.pk, ()), unit.pk))
    return [UnitBelow(unit=unit, conference=conferences.get(unit.pk)) for unit in units]


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
    seats = delegate_selectors.seats(conference)
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


def conference_allocations(conference: Conference) -> list[Allocation]:
    """Every version of the conference's allocation, newest first, with who
    made and reviewed it: one query."""
    versions = list(
        Allocation.objects.filter(conference=conference)
        .select_related("created_by", "reviewed_by", "withdrawn_by")
        .order_by("-version")
    )
    for allocation in versions:
        allocation.conference = conference  # known: spares a query per version
    return versions


def is_workable(allocation: Allocation, *, newest: int) -> bool:
    """Whether the version may still be adjusted and submitted."""
    return allocation.status in EDITABLE and allocation.version == newest


@dataclass(frozen=True)
class AllocationRow:
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
    rows: list[AllocationRow]
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
        AllocationRow(
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
