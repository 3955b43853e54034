from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils import timezone
from django.views.generic import TemplateView

from units.permissions import allowed_actions, is_nationwide

from .selectors import cycle_for_user, tier_scopes, tiers_of


class HomeView(LoginRequiredMixin, TemplateView):
    """Where every role lands: the cycle, its tiers and deadlines, and what
    this user can act on."""

    template_name = "congress/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        cycle = cycle_for_user(user)
        tiers = list(tiers_of(cycle)) if cycle else []
        today = timezone.localdate()
        for tier in tiers:
            tier.days_left = (tier.deadline - today).days
        context.update(
            cycle=cycle,
            tiers=tiers,
            pilot_units=cycle.pilot_units.order_by("position") if cycle else [],
            scopes=tier_scopes(user=user, tiers=tiers),
            nationwide=is_nationwide(user),
            actions=sorted(allowed_actions(user)),
        )
        return context
