"""Writes to cycles and tiers."""

from django.db import transaction

from units.models import Unit
from units.services import LoadResult, load_vss_hierarchy

from .data.cycles import CycleSpec
from .models import Cycle, Tier, TierCapException


@transaction.atomic
def load_cycle(*, spec: CycleSpec, with_demo_headcounts: bool = True) -> tuple[Cycle, LoadResult]:
    """Create the cycle of ``spec`` with its tiers, hierarchy, pilots and cap
    exceptions, or complete it: what exists already is kept as edited.

    The first cycle loaded becomes the current one.
    """
    cycle, created = Cycle.objects.get_or_create(
        number=spec.number,
        defaults={
            "name": spec.name,
            "congress_name": spec.congress_name,
            "period_start_year": spec.period_start_year,
            "period_end_year": spec.period_end_year,
            "is_current": not Cycle.objects.filter(is_current=True).exists(),
        },
    )
    units = load_vss_hierarchy(cycle=cycle, with_demo_headcounts=with_demo_headcounts)
    by_code = {unit.code: unit for unit in Unit.objects.filter(cycle=cycle)}
    for tier_spec in spec.tiers:
        tier, tier_created = Tier.objects.get_or_create(
            cycle=cycle,
            level=tier_spec.level,
            defaults={
                "name": tier_spec.name,
                "organiser_kinds": [str(kind) for kind in tier_spec.organiser_kinds],
                "allows_half_day": tier_spec.allows_half_day,
                "allows_full_day": tier_spec.allows_full_day,
                "window_start": tier_spec.window_start,
                "deadline": tier_spec.deadline,
                "cap": tier_spec.cap,
                "cap_counts_guests": tier_spec.cap_counts_guests,
                "may_combine_with_year_end_review": tier_spec.may_combine_with_year_end_review,
                "may_combine_with_staff_conference": tier_spec.may_combine_with_staff_conference,
            },
        )
        if tier_created:
            TierCapException.objects.bulk_create(
                TierCapException(tier=tier, unit=by_code[code], cap=cap)
                for code, cap in tier_spec.cap_exceptions.items()
            )
    if created:
        cycle.pilot_units.set([by_code[code] for code in spec.pilot_unit_codes])
    return cycle, units
