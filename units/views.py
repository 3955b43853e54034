from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from . import selectors
from .forms import UnitFilterForm
from .permissions import Action, has_permission, visible_units


class UnitListView(LoginRequiredMixin, ListView):
    """Searchable, paginated list of the units the user may see."""

    template_name = "units/unit_list.html"
    context_object_name = "units"
    paginate_by = 50

    def get_queryset(self):
        self.form = UnitFilterForm(
            self.request.GET or None, provinces=selectors.visible_provinces(self.request.user)
        )
        filters = self.form.cleaned_data if self.form.is_valid() else {}
        return selectors.unit_list(
            user=self.request.user,
            query=filters.get("q", ""),
            kind=filters.get("kind", ""),
            province=filters.get("province"),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, **kwargs)


class UnitTreeView(LoginRequiredMixin, TemplateView):
    """The visible subtree as a tree with headcount totals."""

    template_name = "units/unit_tree.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["roots"] = selectors.unit_tree(user=self.request.user)
        return context


class UnitDetailView(LoginRequiredMixin, DetailView):
    """One unit, its place in the tree and its direct children.

    A unit outside the user's scope is a 404: its existence is not told.
    """

    template_name = "units/unit_detail.html"
    context_object_name = "unit"

    def get_object(self, queryset=None):
        unit = get_object_or_404(
            visible_units(self.request.user).select_related("parent", "cycle"),
            pk=self.kwargs["pk"],
        )
        return unit

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.object
        user = self.request.user
        context.update(
            ancestors=[
                a for a in selectors.ancestors_of(unit) if has_permission(user, Action.VIEW, a)
            ],
            children=unit.children.order_by("position", "name"),
            totals=selectors.subtree_totals(unit),
            may_change=has_permission(user, Action.CHANGE, unit),
            is_pilot=unit.pilot_in_cycles.filter(pk=unit.cycle_id).exists(),
            cap_exceptions=unit.cap_exceptions.select_related("tier"),
            **self.conference_context(unit),
        )
        return context

    def conference_context(self, unit):
        """The unit's conferences, and the tiers it may still register."""
        from congress.selectors import organiser_tiers

        conferences = list(unit.conferences.select_related("tier").order_by("tier__level"))
        registered = {conference.tier_id for conference in conferences}
        may_register = has_permission(self.request.user, Action.CHANGE, unit) and unit.is_active
        return {
            "conferences": conferences,
            "registrable_tiers": [
                tier for tier in organiser_tiers(unit=unit) if tier.pk not in registered
            ]
            if may_register
            else [],
        }
