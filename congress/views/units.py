"""A unit's page with the conferences it organises in the working cycle."""

from units.permissions import Action, has_permission
from units.views import UnitDetailView as BaseUnitDetailView

from .. import selectors


class UnitDetailView(BaseUnitDetailView):
    """The unit's page, plus its conferences of the cycle the user works in,
    the tiers it may still register, its pilot mark and cap exceptions."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.object
        cycle = selectors.cycle_for_user(self.request.user)
        conferences = list(
            unit.conferences.filter(tier__cycle=cycle)
            .select_related("tier")
            .order_by("tier__level")
        )
        registered = {conference.tier_id for conference in conferences}
        may_register = has_permission(self.request.user, Action.CHANGE, unit) and unit.is_active
        context.update(
            cycle=cycle,
            is_pilot=cycle is not None and selectors.is_pilot(cycle=cycle, unit=unit),
            cap_exceptions=unit.cap_exceptions.filter(tier__cycle=cycle).select_related("tier"),
            conferences=conferences,
            registrable_tiers=[
                tier
                for tier in selectors.organiser_tiers(unit=unit, cycle=cycle)
                if tier.pk not in registered
            ]
            if may_register and cycle is not None
            else [],
        )
        return context
