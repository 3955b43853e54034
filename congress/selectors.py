"""Reads of cycles and tiers."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    DateField,
    ExpressionWrapper,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from units.models import Unit, User

from .models import (
    Conference,
    ConferenceTransition,
    Cycle,
    OrganisationPlan,
    Tier,
    TierCapException,
)
from .rules import Neighbour


def current_cycle() -> Cycle | None:
    return Cycle.objects.select_related("hierarchy").filter(is_current=True).first()


def cycles_for(user: User) -> list[Cycle]:
    """The cycles a user may work in: every cycle for the council and
    administrators; for others, those whose hierarchy holds their unit or a
    successor of it. Newest first."""
    from units.permissions import home_units, is_nationwide

    cycles = list(Cycle.objects.select_related("hierarchy").order_by("-period_start_year", "pk"))
    if is_nationwide(user):
        return cycles
    return [c for c in cycles if c.hierarchy_id in home_units(user)]


def default_cycle(user: User, cycles: list[Cycle] | None = None) -> Cycle | None:
    """The cycle a user works in until they choose another: the current one
    if they may work in it, else the newest they may."""
    cycles = cycles_for(user) if cycles is None else cycles
    return next((c for c in cycles if c.is_current), cycles[0] if cycles else None)


def work_in_cycle(user: User, cycle: Cycle | None) -> None:
    """Say which cycle the user works in for this request (the middleware's
    choice); every read scoped by the policy then looks at its hierarchy."""
    from units.permissions import work_in

    user._working_cycle = cycle  # type: ignore[attr-defined]
    work_in(user, cycle.hierarchy_id if cycle else None)


def cycle_for_user(user: User) -> Cycle | None:
    """The cycle a user works in: the one chosen for this request, else
    their default (a task, a shell)."""
    if hasattr(user, "_working_cycle"):
        return user._working_cycle
    if not user.is_authenticated:
        return current_cycle()
    cycle = default_cycle(user)
    work_in_cycle(user, cycle)
    return cycle


def tiers_of(cycle: Cycle) -> QuerySet[Tier]:
    """The tiers of a cycle with their cap exceptions (and units) loaded."""
    return cycle.tiers.prefetch_related(
        Prefetch(
            "cap_exceptions",
            queryset=TierCapException.objects.select_related("unit").order_by("unit__path"),
        )
    ).order_by("level")


@dataclass(frozen=True)
class TierScope:
    """What a user's scope holds for one tier: the units that organise a
    conference of it."""

    tier: Tier
    organisers: int
    organiser_names: list[str]


def tier_scopes(*, user: User, tiers: list[Tier]) -> list[TierScope]:
    """For each tier, how many organisers lie in the user's scope (one
    aggregate query), naming them when there are only a few (one more)."""
    from units.permissions import visible_units
    from units.selectors import kind_counts

    visible = visible_units(user)
    counts = kind_counts(visible)
    few = [t for t in tiers if 0 < sum(counts.get(k, 0) for k in t.organiser_kinds) <= 3]
    names: dict[str, list[str]] = {}
    if few:
        kinds = {k for t in few for k in t.organiser_kinds}
        for kind, name in (
            visible.filter(kind__in=kinds).order_by("position").values_list("kind", "name")
        ):
            names.setdefault(kind, []).append(name)
    return [
        TierScope(
            tier=tier,
            organisers=sum(counts.get(k, 0) for k in tier.organiser_kinds),
            organiser_names=[n for k in tier.organiser_kinds for n in names.get(k, [])],
        )
        for tier in tiers
    ]


def cap_for(*, tier: Tier, unit) -> int | None:
    """The unit's maximum attendance at this tier: its exception if it has
    one (350 for the HQ bloc, HCMC and Hà Nội in cycle V), else the tier's."""
    exception = tier.cap_exceptions.filter(unit=unit).values_list("cap", flat=True).first()
    return exception if exception is not None else tier.cap


def is_pilot(*, cycle: Cycle, unit) -> bool:
    return cycle.pilot_units.filter(pk=unit.pk).exists()


def held_or_planned_date():
    """The day a conference is held: its held date once recorded, else its
    planned date."""
    return Coalesce("held_on", "date")


def pilot_conference_dates(*, tier: Tier) -> list:
    """Dates of the pilot units' registered conferences of this tier (the
    held date of those already held)."""
    from .models import Conference

    return list(
        Conference.objects.filter(tier=tier, unit__in=tier.cycle.pilot_units.all()).values_list(
            held_or_planned_date(), flat=True
        )
    )


def organiser_tiers(*, unit, cycle: Cycle) -> list[Tier]:
    """The tiers of ``cycle`` whose conferences this unit organises (a
    cycle has three tiers: filtered here, as JSON containment is not
    portable to SQLite)."""
    if unit.hierarchy_id != cycle.hierarchy_id:
        return []
    tiers = Tier.objects.filter(cycle=cycle).order_by("level")
    return [tier for tier in tiers if unit.kind in tier.organiser_kinds]


def visible_conferences(user: User) -> QuerySet:
    """Conferences of the cycle the user works in, of the units they may
    see, with tier and unit."""
    from units.permissions import visible_units

    from .models import Conference

    cycle = cycle_for_user(user)
    return Conference.objects.filter(
        tier__cycle=cycle, unit__in=visible_units(user)
    ).select_related("tier", "unit", "unit__parent")


def pending_organisers(*, user: User, cycle: Cycle) -> list[tuple[Tier, list]]:
    """For each tier, the units the user may act on that organise it and
    have not registered their conference yet (nor been exempted from it by
    the council): one query per tier."""
    from units.models import Unit
    from units.permissions import Action, allowed_actions, scope_root

    if Action.CHANGE not in allowed_actions(user):
        return []
    units = Unit.objects.filter(hierarchy_id=cycle.hierarchy_id, is_active=True)
    root = scope_root(user)
    if root is not None:
        units = units.subtree_of(root)
    pending = []
    for tier in tiers_of(cycle):
        candidates = (
            units.filter(kind__in=tier.organiser_kinds)
            .exclude(conferences__tier=tier)
            .exclude(exemptions__tier=tier)
            .select_related("parent")
            .order_by("path")
        )
        pending.append((tier, list(candidates)))
    return pending


def conference_history(conference) -> QuerySet:
    return conference.transitions.select_related("actor").order_by("at", "pk")


@dataclass(frozen=True)
class ReturnNotice:
    """The council's return of a conference, plan or allocation, shown at
    the top of its page until it is submitted again: who, when, why."""

    reviewer: User | None
    at: datetime.datetime | None
    reason: str


# The moves after which a returned conference is no longer "returned".
_STATE_MOVES = [a for a in ConferenceTransition.Action if a not in ("correct", "accept_order")]


def conference_return_notice(conference: Conference) -> ReturnNotice | None:
    """The return, if the conference's last move was the council returning
    it (a draft not yet submitted again); one query, none unless a draft."""
    if not conference.is_draft:
        return None
    last = (
        conference.transitions.filter(action__in=_STATE_MOVES)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    if last is None or last.action != ConferenceTransition.Action.RETURN:
        return None
    return ReturnNotice(reviewer=last.actor, at=last.at, reason=last.reason)


def plan_return_notice(latest: OrganisationPlan | None) -> ReturnNotice | None:
    """The return of the unit's latest version, until a new one is filed."""
    if latest is None or not latest.is_returned:
        return None
    return ReturnNotice(
        reviewer=latest.reviewed_by, at=latest.reviewed_at, reason=latest.review_reason
    )


# -- Organisation plans, conference documents, papers, communication --------


def plan_tier(*, cycle_id: int) -> Tier | None:
    """The tier whose organisers file an organisation plan: the upper
    grassroots tier (provinces and the HQ bloc in cycle V)."""
    return Tier.objects.filter(cycle_id=cycle_id, level=Tier.Level.UPPER_GRASSROOTS).first()


def plan_tier_for(unit, cycle: Cycle) -> Tier | None:
    """The plan tier of ``cycle`` if ``unit`` is one of its organisers, else
    ``None``."""
    if unit.hierarchy_id != cycle.hierarchy_id:
        return None
    tier = plan_tier(cycle_id=cycle.pk)
    return tier if tier is not None and unit.kind in tier.organiser_kinds else None


NOT_FILED = "none"  # the plan board's filter for organisers with no plan yet


@dataclass(frozen=True)
class PlanRow:
    unit: Unit
    plan: OrganisationPlan | None  # the latest version

    @property
    def status(self) -> str:
        return self.plan.status if self.plan else NOT_FILED


@dataclass(frozen=True)
class PlanBoard:
    tier: Tier | None
    rows: list[PlanRow]
    counts: dict[str, int]  # status (or NOT_FILED) → organisers, before filtering


def plan_board(*, user: User, status: str = "") -> PlanBoard:
    """Every plan-filing organiser the user may see with its latest plan,
    "not filed" included; ``status`` filters the rows (the counts stay
    those of all). Two queries, whatever the number of organisers."""
    from units.permissions import visible_units

    cycle = cycle_for_user(user)
    tier = plan_tier(cycle_id=cycle.pk) if cycle else None
    if tier is None:
        return PlanBoard(tier=None, rows=[], counts={})
    latest = OrganisationPlan.objects.filter(tier=tier, unit=OuterRef("pk")).order_by("-version")
    units = list(
        visible_units(user)
        .filter(kind__in=tier.organiser_kinds, is_active=True)
        .annotate(latest_plan_id=Subquery(latest.values("pk")[:1]))
        .order_by("position", "path")
    )
    plans = OrganisationPlan.objects.select_related("uploaded_by", "reviewed_by").in_bulk(
        [unit.latest_plan_id for unit in units if unit.latest_plan_id]
    )
    rows = [PlanRow(unit=unit, plan=plans.get(unit.latest_plan_id)) for unit in units]
    counts = {key: 0 for key in [*OrganisationPlan.Status.values, NOT_FILED]}
    for row in rows:
        counts[row.status] += 1
    if status in counts:
        rows = [row for row in rows if row.status == status]
    return PlanBoard(tier=tier, rows=rows, counts=counts)


def unit_plans(*, unit, tier: Tier) -> QuerySet:
    """Every version of a unit's organisation plan for ``tier``, newest first."""
    return (
        OrganisationPlan.objects.filter(unit=unit, tier=tier)
        .select_related("uploaded_by", "reviewed_by", "withdrawn_by")
        .order_by("-version")
    )


def conference_documents(conference) -> dict[str, list]:
    """A conference's documents by kind, newest version first (one query);
    every kind is present, possibly with no version."""
    from .models import ConferenceDocument

    by_kind: dict[str, list] = {kind: [] for kind in ConferenceDocument.Kind.values}
    for document in conference.documents.select_related("uploaded_by").order_by("kind", "-version"):
        by_kind[document.kind].append(document)
    return by_kind


def conference_papers(conference) -> QuerySet:
    """A conference's papers in programme order, with their presenter's unit."""
    return conference.papers.select_related("presenter_unit", "presenter_unit__parent").order_by(
        "position", "pk"
    )


@dataclass(frozen=True)
class PaperRoom:
    """How many papers are in the programme against the room the
    conference's length gives (DOMAIN.md: "how many depends on the length")."""

    chosen: int
    room: int

    @property
    def over(self) -> int:
        return max(0, self.chosen - self.room)


def paper_room(*, conference, papers) -> PaperRoom:
    """Selected and presented papers count; ``papers`` is the list shown."""
    from .models import ConferenceLength, Paper

    tier = conference.tier
    full_day = conference.length == ConferenceLength.FULL_DAY
    room = tier.papers_full_day if full_day else tier.papers_half_day
    chosen = sum(
        1 for paper in papers if paper.status in (Paper.Status.SELECTED, Paper.Status.PRESENTED)
    )
    return PaperRoom(chosen=chosen, room=room)


def communication_activities(conference) -> QuerySet:
    return conference.communication_activities.order_by("date", "pk")


def _count(queryset, key: str = "cycle"):
    """A correlated count (no join that multiplies rows)."""
    return Coalesce(
        Subquery(
            queryset.filter(**{key: OuterRef("pk")})
            .order_by()
            .values(key)
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


def cycles_with_counts():
    """Every cycle with its hierarchy and its numbers of tiers, conferences
    and pilot units: one query, whatever the number of cycles."""
    return (
        Cycle.objects.select_related("hierarchy")
        .annotate(
            tier_count=_count(Tier.objects.all()),
            conference_count=_count(Conference.objects.all(), "tier__cycle"),
            pilot_count=_count(Cycle.pilot_units.through.objects.all()),
        )
        .order_by("-period_start_year", "pk")
    )


def lower_tier(tier: Tier) -> Tier | None:
    """The tier whose conferences elect to this one's (level − 1)."""
    return Tier.objects.filter(cycle_id=tier.cycle_id, level=tier.level - 1).first()


def units_yet_to_hold(conference: Conference) -> list[Unit]:
    """The units below ``conference``'s unit that organise the tier beneath
    it and have not held their conference of it yet (registered or not),
    less those the council exempted: while any is left, ``conference`` may
    not be recorded as held nor its seats allocated, since their attendance
    decides the quotas (DOMAIN.md, "Between the tiers"). Each unit carries
    ``lower_status`` (its conference's status, or ``None`` when not
    registered). Two queries."""
    from .models import TierExemption

    below = lower_tier(conference.tier)
    if below is None:
        return []
    held = [Conference.Status.HELD, Conference.Status.CLOSED]
    status = Conference.objects.filter(tier=below, unit=OuterRef("pk")).values("status")[:1]
    units = list(
        Unit.objects.subtree_of(conference.unit)
        .exclude(pk=conference.unit_id)
        .filter(is_active=True, kind__in=below.organiser_kinds)
        .exclude(pk__in=Conference.objects.filter(tier=below, status__in=held).values("unit_id"))
        .exclude(pk__in=TierExemption.objects.filter(tier=below).values("unit_id"))
        .annotate(lower_status=Subquery(status))
        .select_related("parent")
        .order_by("path")
    )
    return units


# -- The rules between the tiers (DOMAIN.md, "Between the tiers") -----------


def subtree_headcount(unit: Unit) -> int:
    """The staff of ``unit`` and of the active units under it: who attends a
    tier whose conference all staff attend (``rules.unusual_figures``)."""
    total = (
        Unit.objects.subtree_of(unit)
        .filter(Q(is_active=True) | Q(pk=unit.pk))
        .aggregate(n=Sum("headcount"))["n"]
    )
    return total or 0


def is_exempted(*, tier: Tier, unit: Unit) -> bool:
    from .models import TierExemption

    return TierExemption.objects.filter(tier=tier, unit=unit).exists()


def order_neighbours(*, tier: Tier, unit: Unit) -> tuple[Neighbour | None, Neighbour | None]:
    """What the order rule (``rules.tier_order_errors``) compares a
    conference of ``unit`` at ``tier`` with:

    - above: the conference of the tier above organised by the nearest
      ancestor of ``unit`` that organises that tier (a district's province;
      VSS for a province), if registered;
    - below: the latest conference of the tier beneath organised by a unit
      under ``unit``.

    Each at its held date once held, else its planned date. Units the
    council exempted from a tier are left out both ways: the tier above
    goes ahead without them. Four queries at most."""
    from .models import TierExemption

    tiers = {
        t.level: t
        for t in Tier.objects.filter(
            cycle_id=tier.cycle_id, level__in=[tier.level - 1, tier.level + 1]
        )
    }
    above, below = tiers.get(tier.level + 1), tiers.get(tier.level - 1)
    upper = lower = None
    if above is not None and unit.ancestor_paths and not is_exempted(tier=tier, unit=unit):
        organiser = (
            Unit.objects.filter(
                hierarchy_id=unit.hierarchy_id,
                path__in=unit.ancestor_paths,
                kind__in=above.organiser_kinds,
            )
            .annotate(
                day=Subquery(
                    Conference.objects.filter(tier=above, unit=OuterRef("pk")).values(
                        day=held_or_planned_date()
                    )[:1]
                )
            )
            .order_by("-depth")
            .first()
        )
        if organiser is not None and organiser.day is not None:
            upper = Neighbour(unit=organiser.name, tier=above.name, date=organiser.day)
    if below is not None:
        latest = (
            Conference.objects.filter(
                tier=below,
                unit__in=Unit.objects.subtree_of(unit).exclude(pk=unit.pk),
            )
            .exclude(unit__in=TierExemption.objects.filter(tier=below).values("unit_id"))
            .annotate(day=held_or_planned_date())
            .select_related("unit")
            .order_by("-day", "unit__path")
            .first()
        )
        if latest is not None:
            lower = Neighbour(unit=latest.unit.name, tier=below.name, date=latest.day)
    return upper, lower


def upper_conference(*, tier: Tier, unit: Unit) -> Conference | None:
    """The conference ``unit``'s conference of ``tier`` elects delegates to:
    that of the tier above organised by its nearest ancestor organising it."""
    above = Tier.objects.filter(cycle_id=tier.cycle_id, level=tier.level + 1).first()
    if above is None or not unit.ancestor_paths:
        return None
    organiser = (
        Unit.objects.filter(
            hierarchy_id=unit.hierarchy_id,
            path__in=unit.ancestor_paths,
            kind__in=above.organiser_kinds,
        )
        .order_by("-depth")
        .first()
    )
    if organiser is None:
        return None
    return Conference.objects.filter(tier=above, unit=organiser).select_related("unit").first()


def exemptions_below(conference: Conference) -> list:
    """The exemptions the council recorded for units under ``conference``'s
    unit at the tier beneath: the units it goes ahead without."""
    from .models import TierExemption

    below = lower_tier(conference.tier)
    if below is None:
        return []
    return list(
        TierExemption.objects.filter(
            tier=below,
            unit__in=Unit.objects.subtree_of(conference.unit).exclude(pk=conference.unit_id),
        )
        .select_related("unit", "unit__parent", "recorded_by", "tier")
        .order_by("unit__path")
    )


def unit_exemptions(*, unit: Unit, cycle: Cycle) -> dict[int, Any]:
    """``unit``'s exemptions in ``cycle``, by tier id."""
    from .models import TierExemption

    return {
        exemption.tier_id: exemption
        for exemption in TierExemption.objects.filter(unit=unit, tier__cycle=cycle).select_related(
            "recorded_by", "tier"
        )
    }


def _pilot_bound(tier: Any) -> Subquery:
    """The last day of the pilot units' conferences of ``tier`` (a tier's
    id, or an ``OuterRef`` to one), at their held date once held: what
    ``rules.pilot_bound`` says, in SQL. NULL while no pilot has one."""
    return Subquery(
        Conference.objects.filter(tier_id=tier, unit__pilot_in_cycles__tiers=tier)
        .order_by()
        .values("tier_id")
        .annotate(last=Max(held_or_planned_date()))
        .values("last")[:1],
        output_field=DateField(),
    )


def before_pilots_condition(*, tier: Tier | None = None, prefix: str = "") -> Q:
    """Pilots first, whatever the order of events: the conferences (reached
    through ``prefix``, e.g. a filtered relation's ``"tier_conference__"``)
    dated before the last of the pilot units' conferences of their tier
    (``_pilot_bound``; at their held date once held), that are not a pilot
    unit's and that the council has not accepted so
    (``order_accepted_reason``).

    Computed in the query at request time from the cycle's pilot units and
    their conferences: a pilot registering after the others, a pilot's
    date moving later or a pilot unit added to the cycle shows at once;
    nothing is stored but the council's acceptance. With ``tier`` known
    the database works the pilots' day out once for the query; without,
    for each conference's tier."""
    ref: Any = tier.pk if tier is not None else OuterRef(f"{prefix}tier_id")
    bound = _pilot_bound(ref)
    pilots = Cycle.pilot_units.through.objects.filter(cycle__tiers=ref).values("unit_id")
    condition = (
        Q(**{f"{prefix}held_on__isnull": True, f"{prefix}date__lt": bound})
        | Q(**{f"{prefix}held_on__lt": bound})
    ) & Q(**{f"{prefix}order_accepted_reason": ""})
    condition &= ~Q(**{f"{prefix}unit_id__in": pilots})
    if tier is not None:
        condition &= Q(**{f"{prefix}tier_id": tier.pk})
    return condition


def with_pilot_order(conferences: QuerySet) -> QuerySet:
    """``conferences`` with ``pilot_bound`` (the pilots' last day of their
    tier, or ``None``) and ``before_pilots`` (``before_pilots_condition``)."""
    return conferences.annotate(
        pilot_bound=_pilot_bound(OuterRef("tier_id")),
        before_pilots=ExpressionWrapper(before_pilots_condition(), output_field=BooleanField()),
    )


def before_pilots(conferences: QuerySet) -> QuerySet:
    """Those of ``conferences`` that come before the pilot units of their
    tier, with ``pilot_bound``."""
    return with_pilot_order(conferences).filter(before_pilots_condition())


def conferences_before_pilots(*, user: User, tiers: list[Tier]) -> list[Conference]:
    """The conferences the user may see that come before the pilot units,
    each with ``pilot_bound`` (the day to move it to), by date: one query
    however many conferences there are."""
    return list(
        before_pilots(visible_conferences(user).filter(tier__in=tiers)).order_by(
            "date", "unit__path"
        )
    )


@dataclass(frozen=True)
class PilotPosition:
    """Where one conference stands against the pilot units of its tier."""

    bound: datetime.date | None  # the pilots' last day, if any registered
    before: bool  # it comes before them and nobody accepted it


def pilot_position(conference: Conference) -> PilotPosition:
    """One query."""
    row = (
        with_pilot_order(Conference.objects.filter(pk=conference.pk))
        .values("pilot_bound", "before_pilots")
        .get()
    )
    return PilotPosition(bound=row["pilot_bound"], before=bool(row["before_pilots"]))
