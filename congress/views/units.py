"""A unit's page with the conferences it organises in the working cycle."""

from dataclasses import dataclass

from units.permissions import Action, has_permission
from units.views import UnitDetailView as BaseUnitDetailView

from .. import selectors
from ..models import Conference, Tier, TierExemption


@dataclass(frozen=True)
class UnitTier:
    """One tier the unit organises: its conference if registered, its
    exemption if the council recorded one, and whether the user may
    exempt it (the council, while it has not held its conference and a
    tier above goes on without it)."""

    tier: Tier
    conference: Conference | None
    exemption: TierExemption | None
    may_register: bool
    may_exempt: bool


class UnitDetailView(BaseUnitDetailView):
    """The unit's page, plus its conferences of the cycle the user works in,
    the tiers it may still register, its exemptions, its pilot mark and cap
    exceptions."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.object
        user = self.request.user
        cycle = selectors.cycle_for_user(user)
        conferences = list(
            unit.conferences.filter(tier__cycle=cycle)
            .select_related("tier")
            .order_by("tier__level")
        )
        by_tier = {conference.tier_id: conference for conference in conferences}
        may_register = has_permission(user, Action.CHANGE, unit) and unit.is_active
        may_review = has_permission(user, Action.REVIEW, unit)
        tiers = selectors.organiser_tiers(unit=unit, cycle=cycle) if cycle is not None else []
        exemptions = selectors.unit_exemptions(unit=unit, cycle=cycle) if tiers else {}
        top = max((tier.level for tier in selectors.tiers_of(cycle)), default=0) if tiers else 0
        rows = [
            UnitTier(
                tier=tier,
                conference=by_tier.get(tier.pk),
                exemption=exemptions.get(tier.pk),
                may_register=may_register and tier.pk not in by_tier,
                may_exempt=may_review
                and tier.level < top
                and tier.pk not in exemptions
                and not (tier.pk in by_tier and by_tier[tier.pk].is_held),
            )
            for tier in tiers
        ]
        context.update(
            cycle=cycle,
            is_pilot=cycle is not None and selectors.is_pilot(cycle=cycle, unit=unit),
            cap_exceptions=unit.cap_exceptions.filter(tier__cycle=cycle).select_related("tier"),
            conferences=conferences,
            unit_tiers=rows,
            # Conferences of tiers the unit's kind no longer organises stay listed.
            other_conferences=[c for c in conferences if c.tier_id not in {t.pk for t in tiers}],
            registrable_tiers=[row.tier for row in rows if row.may_register],
            may_review=may_review,
        )
        return context
