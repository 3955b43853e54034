"""Reads of delegates and quotas."""

from django.db.models import QuerySet

from congress.models import Conference
from congress.selectors import cap_for

from .models import Allocation, AllocationLine, Category, Delegate


def delegate_cap(conference: Conference) -> int | None:
    """The conference's maximum attendance, its unit's exception included
    (300; 350 for the HQ bloc, HCMC and Hà Nội; 500 at the Congress);
    ``None`` where all staff attend (tier 1)."""
    return cap_for(tier=conference.tier, unit=conference.unit)


def counted_delegates(conference: Conference) -> QuerySet[Delegate]:
    """The delegates that count towards the cap: guests are left out where
    the tier says so (the Congress: "500, guests not counted")."""
    delegates = Delegate.objects.filter(conference=conference)
    if not conference.tier.cap_counts_guests:
        delegates = delegates.exclude(category=Category.GUEST)
    return delegates


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
