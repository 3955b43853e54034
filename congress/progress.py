"""Reads for following the cycle: the progress board, the calendar of
conferences and the deadline alerts (home page card and reminder mails).

Reads only. Every figure covers the units the permission policy lets the
user see (``units.permissions.visible_units``), is computed at request time
from the tier's dates (nothing about lateness is stored), and costs a fixed
number of queries however many provinces and units there are: counts are
aggregated in the database, grouped by ``Unit.branch_code``.
"""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field, fields

from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Min,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from units.models import Unit, User
from units.permissions import Action, has_permission, scope_root, visible_units

from .models import Conference, Cycle, Tier
from .selectors import before_pilots_condition

S = Conference.Status

# Each stage counts the conferences that reached it *or went further*: a
# cumulative funnel, registered ≥ submitted ≥ accepted ≥ held ≥ closed. A
# conference returned for changes is a draft again and leaves "submitted".
STAGE_STATUSES: dict[str, tuple[str, ...]] = {
    "registered": (S.DRAFT, S.SUBMITTED, S.ACCEPTED, S.HELD, S.CLOSED),
    "submitted": (S.SUBMITTED, S.ACCEPTED, S.HELD, S.CLOSED),
    "accepted": (S.ACCEPTED, S.HELD, S.CLOSED),
    "held": (S.HELD, S.CLOSED),
    "closed": (S.CLOSED,),
}
HELD_STATUSES = STAGE_STATUSES["held"]

BOARD_DUE_DAYS = 14  # the board flags deadlines within two weeks
REMINDER_DUE_DAYS = 7  # the mails and the home page card, within a week


class BoardStatus(models.TextChoices):
    """What the board filters by: a unit's exact state for one tier, or its
    lateness."""

    NOT_REGISTERED = "not_registered", _("Not registered")
    DRAFT = S.DRAFT.value, S.DRAFT.label
    SUBMITTED = S.SUBMITTED.value, S.SUBMITTED.label
    ACCEPTED = S.ACCEPTED.value, S.ACCEPTED.label
    HELD = S.HELD.value, S.HELD.label
    CLOSED = S.CLOSED.value, S.CLOSED.label
    OVERDUE = "overdue", _("Overdue")
    DUE_SOON = "due_soon", _("Due soon")
    BEFORE_PILOTS = "before_pilots", _("Before the pilot units")
    UNUSUAL_FIGURES = "unusual_figures", _("Unusual figures, confirmed")
    EXEMPTED = "exempted", _("Exempted by the council")


# The statuses that are marks on a unit's conference, not a stage of it:
# counted in the board's "notes" column.
MARKS = (BoardStatus.BEFORE_PILOTS, BoardStatus.UNUSUAL_FIGURES, BoardStatus.EXEMPTED)


class Lateness(models.TextChoices):
    OVERDUE = "overdue", _("Overdue")
    DUE_SOON = "due_soon", _("Due soon")


def lateness(tier: Tier, *, today: datetime.date, within_days: int) -> str:
    """Where today stands against the tier's deadline for a unit that has
    not held its conference: past it (overdue), within ``within_days`` of it
    (due soon, the deadline day included), or neither ("")."""
    if today > tier.deadline:
        return Lateness.OVERDUE
    if (tier.deadline - today).days <= within_days:
        return Lateness.DUE_SOON
    return ""


# -- Counting -----------------------------------------------------------------


@dataclass
class Funnel:
    """Organisers of one or more tiers and how far their conferences went.

    ``expected`` counts the active units of the tiers' organiser kinds;
    the stages are cumulative (see ``STAGE_STATUSES``); ``overdue`` and
    ``due_soon`` count units that have not held their conference (the
    unregistered included) once the deadline passed / within the window,
    less those the council exempted. The marks: ``before_pilots``
    conferences that come before the pilot units and were not accepted so
    (``selectors.PilotOrder``), ``unusual_figures`` those whose figures
    were confirmed outside the plausible range, ``exempted`` units the
    council exempted that have not held their conference.
    """

    expected: int = 0
    registered: int = 0
    submitted: int = 0
    accepted: int = 0
    held: int = 0
    closed: int = 0
    overdue: int = 0
    due_soon: int = 0
    before_pilots: int = 0
    unusual_figures: int = 0
    exempted: int = 0

    def __add__(self, other: "Funnel") -> "Funnel":
        return Funnel(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @property
    def not_registered(self) -> int:
        return self.expected - self.registered

    @property
    def marks(self) -> list[tuple[str, str, int]]:
        """The marks with a count: (status, label, count), for the notes."""
        return [
            (str(mark), str(mark.label), count)
            for mark in MARKS
            if (count := getattr(self, str(mark)))
        ]

    @property
    def held_percent(self) -> int:
        return round(100 * self.held / self.expected) if self.expected else 0

    def count(self, status: str) -> int:
        """How many units are exactly in ``status`` (a ``BoardStatus``)."""
        exact = {
            BoardStatus.NOT_REGISTERED: self.expected - self.registered,
            BoardStatus.DRAFT: self.registered - self.submitted,
            BoardStatus.SUBMITTED: self.submitted - self.accepted,
            BoardStatus.ACCEPTED: self.accepted - self.held,
            BoardStatus.HELD: self.held - self.closed,
            BoardStatus.CLOSED: self.closed,
            BoardStatus.OVERDUE: self.overdue,
            BoardStatus.DUE_SOON: self.due_soon,
            BoardStatus.BEFORE_PILOTS: self.before_pilots,
            BoardStatus.UNUSUAL_FIGURES: self.unusual_figures,
            BoardStatus.EXEMPTED: self.exempted,
        }
        return exact[BoardStatus(status)]


def _with_tier_conference(units: QuerySet[Unit], tier: Tier) -> QuerySet[Unit]:
    """The tier's organisers among ``units``, each joined (LEFT JOIN) to its
    conference of that tier, if any, and to its exemption from the tier, if
    any: at most one of each per unit and tier."""
    return units.filter(kind__in=tier.organiser_kinds).annotate(
        tier_conference=FilteredRelation("conferences", condition=Q(conferences__tier=tier)),
        tier_exemption=FilteredRelation("exemptions", condition=Q(exemptions__tier=tier)),
    )


# Reached through ``_with_tier_conference``'s joins.
NOT_HELD = ~Q(tier_conference__status__in=HELD_STATUSES) | Q(tier_conference__isnull=True)
EXEMPTED_NOT_HELD = Q(tier_exemption__isnull=False) & NOT_HELD
UNUSUAL = Q(tier_conference__isnull=False) & ~Q(tier_conference__unusual_figures_reason="")


def _before_pilots(tier: Tier) -> Q:
    """The units whose conference of ``tier`` comes before the pilot units
    (``selectors.before_pilots_condition``), as a condition on the joins."""
    return before_pilots_condition(tier=tier, prefix="tier_conference__")


def _branch_funnels(
    units: QuerySet[Unit],
    tier: Tier,
    *,
    today: datetime.date,
    within_days: int,
) -> dict[str, Funnel]:
    """One tier's funnel and marks per branch (province, HQ bloc, VSS): one
    query."""
    stages = {
        stage: Count("tier_conference", filter=Q(tier_conference__status__in=statuses))
        for stage, statuses in STAGE_STATUSES.items()
    }
    marks = {
        "before_pilots": Count("pk", filter=_before_pilots(tier)),
        "unusual_figures": Count("pk", filter=UNUSUAL),
        "exempted": Count("pk", filter=EXEMPTED_NOT_HELD),
    }
    rows = (
        _with_tier_conference(units, tier)
        .order_by()
        .values("branch_code")
        .annotate(expected=Count("pk"), **stages, **marks)
    )
    late = lateness(tier, today=today, within_days=within_days)
    funnels = {}
    for row in rows:
        code = row.pop("branch_code")
        funnel = Funnel(**row)
        # Units exempted by the council are not late: the tier goes on without them.
        not_held = funnel.expected - funnel.held - funnel.exempted
        funnel.overdue = not_held if late == Lateness.OVERDUE else 0
        funnel.due_soon = not_held if late == Lateness.DUE_SOON else 0
        funnels[code] = funnel
    return funnels


@dataclass(frozen=True)
class Branch:
    code: str
    name: str


def _branches(visible: QuerySet[Unit], tiers: list[Tier]) -> list[Branch]:
    kinds = sorted({kind for tier in tiers for kind in tier.organiser_kinds})
    organised = visible.filter(is_active=True, kind__in=kinds).values("branch_code")
    return [
        Branch(code, name)
        for code, name in visible.filter(depth__lte=1, code__in=organised)
        .order_by("depth", "position", "name_key")
        .values_list("code", "name")
    ]


def branches(*, user: User, tiers: list[Tier]) -> list[Branch]:
    """The branches (depth-0/1 units: VSS, the HQ bloc, each province) the
    user may see that hold an organiser of ``tiers``, in protocol order,
    for the province filter: one query. A user whose scope lies below a
    province sees no branch unit and gets an empty list."""
    return _branches(visible_units(user), tiers)


@dataclass
class BranchRow:
    """One line of the board: a province (or the HQ bloc, or VSS)."""

    branch: Branch
    funnel: Funnel
    by_level: dict[int, Funnel]
    matching: int  # units in the chosen status; ``expected`` with none chosen


@dataclass
class TierProgress:
    tier: Tier
    funnel: Funnel
    days_left: int  # negative once the deadline passed
    lateness: str


@dataclass
class Board:
    today: datetime.date
    due_within: int
    tiers: list[TierProgress]
    rows: list[BranchRow]
    totals: Funnel
    matching: int
    branches: list[Branch]
    branch: Branch | None  # the chosen province, when it is the user's to see
    status: str

    @property
    def matching_column(self) -> bool:
        """Whether the table needs a column counting the chosen status: the
        lateness ones have their own columns already, the marks their notes."""
        return bool(self.status) and self.status not in (*Lateness.values, *MARKS)


def tiers_of_cycle(cycle: Cycle | None) -> list[Tier]:
    """The cycle's tiers by level (one query): the selectors below take
    this list, so that a page reads it once."""
    return list(cycle.tiers.order_by("level")) if cycle is not None else []


def of_level(tiers: list[Tier], level: int | None) -> list[Tier]:
    """The tier of ``level``, or every tier when none is chosen."""
    return [tier for tier in tiers if tier.level == level] if level else tiers


def progress_board(
    *,
    user: User,
    tiers: list[Tier],
    status: str = "",
    branch: str = "",
    today: datetime.date | None = None,
    due_within: int = BOARD_DUE_DAYS,
) -> Board:
    """The progress board of the user's scope.

    Per tier of ``tiers`` and per branch (``Unit.branch_code``:
    each province, the HQ bloc, VSS for the Congress): how many active
    organisers must hold a conference, the cumulative funnel registered ≥
    submitted ≥ accepted ≥ held ≥ closed, and how many are overdue (after
    the tier's deadline, not held, unregistered included) or due within
    ``due_within`` days (not held). ``status`` keeps the rows with units in
    that state and counts them; ``branch`` keeps one row, and only if it is
    a branch of the user's scope: a foreign code shows nothing.

    The marks of ``Funnel`` (before the pilot units, confirmed unusual
    figures, exempted) are counted in the same aggregates.

    Queries: one aggregate per tier, one for the branch names; never one
    per row.
    """
    today = today or timezone.localdate()
    status = status if status in BoardStatus.values else ""
    visible = visible_units(user)
    units = visible.filter(is_active=True)
    per_tier = [
        (tier, _branch_funnels(units, tier, today=today, within_days=due_within)) for tier in tiers
    ]
    known = _branches(visible, tiers)
    by_code = {b.code: b for b in known}
    chosen = by_code.get(branch) if branch else None
    # Below a province (no branch unit visible) the scope's own unit names the row.
    root = scope_root(user)
    fallback = root.name if root is not None else ""

    codes = {code for _tier, funnels in per_tier for code in funnels}
    if branch:
        codes &= {branch} if chosen else set()
    order = {b.code: position for position, b in enumerate(known)}
    rows = []
    for code in sorted(codes, key=lambda c: (order.get(c, len(order)), c)):
        by_level = {tier.level: funnels[code] for tier, funnels in per_tier if code in funnels}
        funnel = sum(by_level.values(), Funnel())
        rows.append(
            BranchRow(
                branch=by_code.get(code, Branch(code, fallback or code)),
                funnel=funnel,
                by_level=by_level,
                matching=funnel.count(status) if status else funnel.expected,
            )
        )
    tier_totals = [
        TierProgress(
            tier=tier,
            funnel=sum((funnels[code] for code in codes if code in funnels), Funnel()),
            days_left=(tier.deadline - today).days,
            lateness=lateness(tier, today=today, within_days=due_within),
        )
        for tier, funnels in per_tier
    ]
    if status:
        rows = [row for row in rows if row.matching]
    return Board(
        today=today,
        due_within=due_within,
        tiers=tier_totals,
        rows=rows,
        totals=sum((r.funnel for r in rows), Funnel()),
        matching=sum(r.matching for r in rows),
        branches=known,
        branch=chosen,
        status=status,
    )


# -- Units, one by one --------------------------------------------------------


@dataclass(frozen=True)
class UnitProgress:
    """One organiser's conference of one tier, or its absence."""

    unit: Unit
    tier: Tier
    conference_id: int | None
    status: str  # a ``Conference.Status`` value, or "not_registered"
    date: datetime.date | None
    lateness: str  # "overdue", "due_soon" or ""
    days_left: int  # to the tier's deadline; negative once passed
    may_register: bool
    before_pilots: bool = False  # comes before the pilot units, not accepted
    unusual_figures_reason: str = ""  # figures confirmed outside the plausible range
    exemption_reason: str | None = None  # the council exempted the unit from the tier

    @property
    def status_label(self) -> str:
        return str(BoardStatus(self.status).label)

    @property
    def is_registered(self) -> bool:
        return self.status != BoardStatus.NOT_REGISTERED

    @property
    def badge_status(self) -> str:
        """The class of its badge (``congress/_status_badge.html``): the
        conference's status, "none" for no conference."""
        return self.status if self.is_registered else "none"

    @property
    def url(self) -> str:
        """The conference, or the form registering it when the user may."""
        if self.conference_id is not None:
            return reverse("congress:conference_detail", args=[self.conference_id])
        if self.may_register:
            query = urlencode({"unit": self.unit.pk, "tier": self.tier.pk})
            return f"{reverse('congress:conference_register')}?{query}"
        return ""

    def matches(self, status: str) -> bool:
        if not status:
            return True
        if status in Lateness.values:
            return self.lateness == status
        if status == BoardStatus.BEFORE_PILOTS:
            return self.before_pilots
        if status == BoardStatus.UNUSUAL_FIGURES:
            return bool(self.unusual_figures_reason)
        if status == BoardStatus.EXEMPTED:
            return self.exemption_reason is not None and self.status not in HELD_STATUSES
        return self.status == status


def _unit_progress(
    user: User,
    units: QuerySet[Unit],
    tier: Tier,
    *,
    today: datetime.date,
    within_days: int,
    marks: bool = True,
) -> list[UnitProgress]:
    """Each of ``units`` that organises ``tier``, with its conference's
    state and, unless ``marks`` is off, its marks (one query)."""
    rows = (
        _with_tier_conference(units, tier)
        .annotate(
            conference_pk=F("tier_conference__pk"),
            conference_status=F("tier_conference__status"),
            conference_date=F("tier_conference__date"),
            conference_unusual=F("tier_conference__unusual_figures_reason"),
            conference_before_pilots=ExpressionWrapper(
                _before_pilots(tier), output_field=BooleanField()
            )
            if marks
            else Value(False),
            exemption_reason=F("tier_exemption__reason"),
        )
        .order_by("depth", "position", "name_key")
    )
    late = lateness(tier, today=today, within_days=within_days)
    days_left = (tier.deadline - today).days
    return [
        UnitProgress(
            unit=unit,
            tier=tier,
            conference_id=unit.conference_pk,
            status=unit.conference_status or BoardStatus.NOT_REGISTERED,
            date=unit.conference_date,
            lateness=""
            if unit.conference_status in HELD_STATUSES or unit.exemption_reason is not None
            else late,
            days_left=days_left,
            # Cheap: the policy compares paths, no query.
            may_register=unit.conference_pk is None and has_permission(user, Action.CHANGE, unit),
            before_pilots=bool(unit.conference_before_pilots),
            unusual_figures_reason=unit.conference_unusual or "",
            exemption_reason=unit.exemption_reason,
        )
        for unit in rows
    ]


def branch_units(
    *,
    user: User,
    tiers: list[Tier],
    branch: str,
    status: str = "",
    today: datetime.date | None = None,
    due_within: int = BOARD_DUE_DAYS,
) -> list[UnitProgress]:
    """The drill-down of one board row: every active organiser of the
    branch within the user's scope, tier by tier, with its conference's
    state, lateness and marks (same rules as ``progress_board``);
    ``status`` keeps the units in that state. One query per tier."""
    today = today or timezone.localdate()
    units = visible_units(user).filter(is_active=True, branch_code=branch)
    result = []
    for tier in tiers:
        result += [
            row
            for row in _unit_progress(user, units, tier, today=today, within_days=due_within)
            if row.matches(status)
        ]
    return result


def deadline_alerts(
    *,
    user: User,
    tiers: list[Tier],
    today: datetime.date | None = None,
    within_days: int = REMINDER_DUE_DAYS,
) -> list[UnitProgress]:
    """The units of the user's scope that have not held their conference
    (nor been exempted from it) and whose tier's deadline has passed
    (overdue) or comes within ``within_days`` days (due soon): overdue
    first, then by tier and protocol order. Only tiers that are late cost a
    query."""
    today = today or timezone.localdate()
    units = visible_units(user).filter(is_active=True)
    alerts: list[UnitProgress] = []
    for tier in tiers:
        if lateness(tier, today=today, within_days=within_days):
            alerts += [
                row
                # The marks are not listed with the deadlines.
                for row in _unit_progress(
                    user, units, tier, today=today, within_days=within_days, marks=False
                )
                if row.lateness
            ]
    alerts.sort(key=lambda a: (a.lateness != Lateness.OVERDUE, a.tier.level))
    return alerts


# -- Calendar -----------------------------------------------------------------


@dataclass
class CalendarDay:
    date: datetime.date
    in_month: bool
    conferences: list[Conference] = field(default_factory=list)


@dataclass
class CalendarMonth:
    month: datetime.date  # its first day
    weeks: list[list[CalendarDay]]
    agenda: list[CalendarDay]  # the month's days that have conferences
    months: list[tuple[datetime.date, int]]  # each month of the cycle, with its count
    pilot_unit_ids: set[int]
    total: int

    @property
    def previous(self) -> datetime.date:
        return (self.month - datetime.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> datetime.date:
        return (self.month + datetime.timedelta(days=31)).replace(day=1)


def _calendar_conferences(*, user: User, level: int | None, branch: str) -> QuerySet[Conference]:
    from .selectors import visible_conferences

    conferences = visible_conferences(user)
    if level:
        conferences = conferences.filter(tier__level=level)
    if branch:
        conferences = conferences.filter(unit__branch_code=branch)
    return conferences


def default_calendar_month(
    *, user: User, tiers: list[Tier], level: int | None = None, branch: str = ""
) -> datetime.date:
    """The month the calendar opens on: that of the earliest conference the
    user may see (with the filters), else the start of the tiers' window.

    Not today's month: a cycle's conferences fall in a window of their own
    (cycle V: 10/2019–09/2020), so today would mostly open an empty month.
    """
    first = (
        _calendar_conferences(user=user, level=level, branch=branch)
        .order_by()
        .aggregate(first=Min("date"))["first"]
    )
    if first is None:
        starts = [tier.window_start for tier in of_level(tiers, level)]
        first = min(starts, default=timezone.localdate())
    return first.replace(day=1)


def _month_span(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=31)).replace(day=1)
    return months


def conference_calendar(
    *,
    user: User,
    cycle: Cycle | None,
    tiers: list[Tier],
    month: datetime.date,
    level: int | None = None,
    branch: str = "",
) -> CalendarMonth:
    """The conferences the user may see in ``month`` as a Monday-first grid
    and as an agenda of the days that have some, pilot units marked; with
    each month of the tiers' window and how many conferences it has, for
    navigation. Queries: the month's conferences, the counts per month,
    the pilot units."""
    month = month.replace(day=1)
    last_day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    conferences = _calendar_conferences(user=user, level=level, branch=branch)
    by_day: dict[datetime.date, list[Conference]] = defaultdict(list)
    for conference in conferences.filter(date__range=(month, last_day)).order_by(
        "date", "start_time", "tier__level", "unit__path"
    ):
        by_day[conference.date].append(conference)
    weeks = [
        [CalendarDay(day, day.month == month.month, by_day.get(day, [])) for day in week]
        for week in calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(
            month.year, month.month
        )
    ]
    counts = dict(
        conferences.order_by()
        .annotate(month=TruncMonth("date"))
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    shown = of_level(tiers, level)
    span = set(counts)
    if shown:
        first, last = min(t.window_start for t in shown), max(t.deadline for t in shown)
        span |= set(_month_span(first, last))
    span.add(month)
    return CalendarMonth(
        month=month,
        weeks=weeks,
        agenda=[day for week in weeks for day in week if day.in_month and day.conferences],
        months=[(m, counts.get(m, 0)) for m in _month_span(min(span), max(span))],
        pilot_unit_ids=set(cycle.pilot_units.values_list("pk", flat=True)) if cycle else set(),
        total=sum(len(c) for c in by_day.values()),
    )
