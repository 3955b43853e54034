"""Reads of cycles and tiers."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from units.models import User

from .models import Cycle, Tier, TierCapException


def current_cycle() -> Cycle | None:
    return Cycle.objects.filter(is_current=True).first()


def cycle_for_user(user: User) -> Cycle | None:
    """The cycle a user works in: that of their unit's hierarchy, or the
    current cycle for an administrator without a unit."""
    if user.is_authenticated and user.unit is not None:
        return user.unit.cycle
    return current_cycle()


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


def pilot_conference_dates(*, tier: Tier) -> list:
    """Dates of the pilot units' registered conferences of this tier."""
    from .models import Conference

    return list(
        Conference.objects.filter(tier=tier, unit__in=tier.cycle.pilot_units.all()).values_list(
            "date", flat=True
        )
    )


def organiser_tiers(*, unit) -> list[Tier]:
    """The tiers of its cycle whose conferences this unit organises (a
    cycle has three tiers: filtered here, as JSON containment is not
    portable to SQLite)."""
    tiers = Tier.objects.filter(cycle_id=unit.cycle_id).order_by("level")
    return [tier for tier in tiers if unit.kind in tier.organiser_kinds]


def visible_conferences(user: User) -> QuerySet:
    """Conferences of the units the user may see, with tier and unit."""
    from units.permissions import visible_units

    from .models import Conference

    return Conference.objects.filter(unit__in=visible_units(user)).select_related(
        "tier", "unit", "unit__parent"
    )


def pending_organisers(*, user: User, cycle: Cycle) -> list[tuple[Tier, list]]:
    """For each tier, the units the user may act on that organise it and
    have not registered their conference yet: one query per tier."""
    from units.models import Unit
    from units.permissions import Action, allowed_actions, scope_root

    if Action.CHANGE not in allowed_actions(user):
        return []
    units = Unit.objects.filter(cycle=cycle, is_active=True)
    root = scope_root(user)
    if root is not None:
        units = units.subtree_of(root)
    pending = []
    for tier in tiers_of(cycle):
        candidates = (
            units.filter(kind__in=tier.organiser_kinds)
            .exclude(conferences__tier=tier)
            .select_related("parent")
            .order_by("path")
        )
        pending.append((tier, list(candidates)))
    return pending


def conference_history(conference) -> QuerySet:
    return conference.transitions.select_related("actor").order_by("at", "pk")
