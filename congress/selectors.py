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
