"""The delegates of a conference: their list (on screen and in Excel),
adding guests and official delegates (searched in the register, or
confirmed among the app's suggestions), removing one, and the composition.

Everyone who sees the conference sees its list and composition; whoever
may change the conference's unit adds and removes. Elected delegates come
from the elections (another page) and are only shown here.
"""

from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from congress.models import Conference
from congress.policy import may_change_records
from congress.selectors import cap_for
from congress.views.conferences import ConferenceScopedMixin
from congress.views.papers import ConferenceChangeMixin
from delegates.composition import bar_chart, shortfalls_of
from delegates.forms.delegates import (
    CompositionRulesForm,
    GuestDelegateForm,
    OfficialDelegateForm,
    SuggestionSelectionForm,
)
from delegates.selectors import delegates as selectors
from delegates.selectors import suggestions as suggestion_selectors
from delegates.selectors.delegates import composition
from delegates.selectors.elections import excess_by_source, substitutes_in
from delegates.services import delegates as services
from units.history import history_of
from units.models import Unit
from units.params import choice_param, int_list, int_param, search_param
from units.permissions import Action, has_permission
from units.text import nfc

from .. import official_lists
from ..models import Category, Delegate, Gender

SEARCH_LIMIT = 30  # people shown by the register search


def list_url(conference: Conference) -> str:
    return reverse("delegates:delegate_list", args=[conference.pk])


def put_errors_on_form(form, error: ValidationError) -> None:
    """A service's error on the form: on the field it names when the form
    has it, above the form otherwise."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class DelegateListMixin(ConferenceScopedMixin):
    """Reads the list's order and filters from the query string; a value
    that means nothing is ignored, a unit outside the conference's units
    too."""

    def list_params(self, conference: Conference) -> tuple[str, selectors.DelegateFilters]:
        query = self.request.GET
        category = query.get("category", "")
        gender = query.get("gender", "")
        unit_id = int_param(query, "unit")
        unit = None
        if unit_id is not None:
            unit = (
                Unit.objects.subtree_of(conference.unit)
                .only("pk", "path", "hierarchy_id", "name")
                .filter(pk=unit_id)
                .first()
            )
        filters = selectors.DelegateFilters(
            category=category if category in Category.values else "",
            unit=unit,
            gender=gender if gender in Gender.values else "",
            query=nfc(query.get("q", "").strip())[:100],
        )
        return query.get("order", ""), filters


class DelegateListView(DelegateListMixin, TemplateView):
    """The delegates of a conference, grouped by category then unit in
    protocol order (or by name within each category with ``?order=name``),
    filterable, with the counts against the cap."""

    template_name = "delegates/delegate_list.html"

    def get_context_data(self, **kwargs):
        conference = self.get_conference()
        order, filters = self.list_params(conference)
        listing = selectors.delegate_list(conference, order=order, filters=filters)
        # Elected delegates whose election a newer approved version leaves
        # above its seats: flagged on their row (delegates.selectors.elections).
        # Substitutes say whom they replace, and why.
        excess = excess_by_source(conference)
        substitutes = substitutes_in(conference)
        for delegate in listing.delegates:
            delegate.excess = excess.get(delegate.elected_at_id) if delegate.elected_at_id else None
            delegate.replaces = substitutes.get((delegate.elected_at_id, delegate.person_id))
        query = self.request.GET.copy()
        query.pop("order", None)
        return super().get_context_data(
            conference=conference,
            **composition_rules_context(self.request.user, conference),
            listing=listing,
            groups=listing.grouped(),
            filters=filters,
            categories=Category.choices,
            genders=Gender.choices,
            shortfalls=shortfalls_of(listing.delegates, conference.tier.cycle),
            may_change=may_change_records(self.request.user, conference),
            may_print=has_permission(self.request.user, Action.PRINT, conference.unit),
            filter_query=query.urlencode(),
            export_query=self.request.GET.urlencode(),
            # The delegates added, changed, checked in and removed.
            audit_history=history_of(conference, self.request.user, kinds=[Delegate], own=False),
            **kwargs,
        )


def composition_rules_context(user, conference: Conference) -> dict:
    """What the list shows of the rules in force: the categories it may add,
    the HQ bloc's own composition and whether the user may set it."""
    rules = selectors.conference_rules(conference)
    own_composition = selectors.has_own_composition(conference)
    years = selectors.title_years(conference.tier.cycle)
    return {
        "rules": rules,
        "own_composition": own_composition,
        "own_lines": [line.label(years) for line in rules.lines] if rules.own else [],
        "may_set_composition": own_composition and selectors.may_set_composition(user, conference),
        # The categories kept, when the rules leave one out.
        "own_categories": [str(label) for value, label in Category.choices if rules.allows(value)]
        if len(rules.categories) < len(Category.values)
        else [],
        "has_official": rules.allows(Category.OFFICIAL),
        "has_guests": rules.allows(Category.GUEST),
    }


class DelegateChangeMixin(ConferenceChangeMixin):
    """A change to the delegates: 404 outside the user's scope, 403 without
    the right to change the conference's unit; a closed conference sends
    back to the list with a message."""

    def conference_url(self) -> str:
        return list_url(self.conference)


class DelegateFormView(DelegateChangeMixin, FormView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(
            conference=self.conference,
            seats=selectors.seats(self.conference),
            cancel_url=list_url(self.conference),
            **kwargs,
        )


class GuestAddView(DelegateFormView):
    """Add a guest, who may be outside the register."""

    template_name = "delegates/guest_form.html"
    form_class = GuestDelegateForm

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            delegate = services.add_delegate(
                actor=self.request.user,
                conference=self.conference,
                category=Category.GUEST,
                guest_name=data["guest_name"],
                guest_title=data["guest_title"],
                guest_organisation=data["guest_organisation"],
                note=data["note"],
            )
        except ValidationError as error:
            put_errors_on_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s is added as a guest.") % {"name": delegate})
        if "add_another" in self.request.POST:
            return redirect(reverse("delegates:guest_add", args=[self.conference.pk]))
        return redirect(list_url(self.conference))


class OfficialAddView(DelegateFormView):
    """Add an official delegate found by name in the register of the
    conference unit's subtree (``?q=``)."""

    template_name = "delegates/official_form.html"
    form_class = OfficialDelegateForm

    @cached_property
    def query(self) -> str:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        return search_param(source, "q")

    @cached_property
    def people(self) -> list:
        return selectors.register_search(self.conference, self.query, limit=SEARCH_LIMIT)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "people": self.people}

    def form_valid(self, form):
        person = next(p for p in self.people if p.pk == form.cleaned_data["person"])
        try:
            services.add_delegate(
                actor=self.request.user,
                conference=self.conference,
                category=Category.OFFICIAL,
                person=person,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            put_errors_on_form(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("%(name)s is added as an official delegate.") % {"name": person}
        )
        return redirect(list_url(self.conference))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            query=self.query, people=self.people, search_limit=SEARCH_LIMIT, **kwargs
        )


class SuggestionsView(DelegateChangeMixin, FormView):
    """The people the app proposes as official delegates, with their
    reasons; the officer ticks a selection, added all or nothing."""

    template_name = "delegates/suggestions.html"
    form_class = SuggestionSelectionForm

    @cached_property
    def candidates(self) -> suggestion_selectors.OfficialCandidates:
        return suggestion_selectors.official_candidates(self.conference)

    @cached_property
    def suggestions(self) -> list[suggestion_selectors.Suggestion]:
        return self.candidates.suggestions

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "suggestions": self.suggestions}

    def form_valid(self, form):
        chosen = set(form.cleaned_data["people"])
        people = [s.person for s in self.suggestions if s.person.pk in chosen]
        try:
            added = services.add_official_delegates(
                actor=self.request.user, conference=self.conference, people=people
            )
        except ValidationError as error:
            put_errors_on_form(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(count)s official delegates are added.") % {"count": len(added)},
        )
        return redirect(list_url(self.conference))

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        form = kwargs.get("form")
        ticked = set()
        if form is not None and form.is_bound:
            ticked = set(int_list(form.data, "people"))
        # ``?reason=`` (a line's key) shows only the people meeting that
        # line; the form still accepts every suggestion.
        rules = selectors.conference_rules(self.conference)
        years = selectors.title_years(self.conference.tier.cycle)
        reason = choice_param(self.request.GET, "reason", {line.key for line in rules.lines})
        counts = Counter(r.key for s in self.suggestions for r in s.reasons)
        shown = [
            s for s in self.suggestions if not reason or any(r.key == reason for r in s.reasons)
        ]
        return super().get_context_data(
            conference=self.conference,
            suggestions=shown,
            suggestion_count=len(self.suggestions),
            reason=reason,
            # The list in force, line by line, with how many are suggested.
            official_lines=[
                (
                    line.key,
                    line.label(years),
                    counts[line.key],
                    line.in_register,
                    self.candidates.listed.get(line.key, 0),
                )
                for line in rules.lines
            ],
            rules=rules,
            years=list(years),
            ticked=ticked,
            seats=selectors.seats(self.conference),
            cancel_url=list_url(self.conference),
            **kwargs,
        )


class DelegateRemoveView(DelegateChangeMixin, TemplateView):
    """Asks before removing a delegate; POST removes."""

    template_name = "delegates/delegate_confirm_remove.html"

    def get_delegate(self):
        return get_object_or_404(
            self.conference.delegates.select_related("person"), pk=self.kwargs["delegate_pk"]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            conference=self.conference,
            delegate=self.get_delegate(),
            cancel_url=list_url(self.conference),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        delegate = self.get_delegate()
        try:
            services.remove_delegate(actor=request.user, delegate=delegate)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s is removed from the list.") % {"name": delegate})
        return redirect(list_url(self.conference))


class CompositionView(ConferenceScopedMixin, TemplateView):
    """The composition of the delegates against the cycle's targets, with a
    bar chart per dimension; the Congress's is its tier-3 conference's."""

    template_name = "delegates/composition.html"

    def get_context_data(self, **kwargs):
        conference = self.get_conference()
        figures = composition(conference)
        return super().get_context_data(
            conference=conference,
            composition=figures,
            dimensions=[
                {"dimension": dimension, "chart": bar_chart(dimension)}
                for dimension in figures.dimensions
            ],
            cycle=conference.tier.cycle,
            may_print=has_permission(self.request.user, Action.PRINT, conference.unit),
            **kwargs,
        )


class CompositionRulesView(DelegateListMixin, FormView):
    """The HQ bloc conference's own composition, set by VSS: its categories
    of delegates, the official-list lines that give a seat, its maximum and
    whether guests count. 404 for another conference or outside the user's
    scope; 403 unless the user may change the VSS root."""

    template_name = "delegates/composition_rules.html"
    form_class = CompositionRulesForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.conference = self.get_conference()
        if not selectors.has_own_composition(self.conference):
            raise Http404
        if not selectors.may_set_composition(request.user, self.conference):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def years(self) -> range:
        return selectors.title_years(self.conference.tier.cycle)

    def get_form_kwargs(self):
        tier = self.conference.tier
        own = {line.key for line in official_lists.lines_for(tier.level)}
        choices = [
            (line.key, line.label(self.years))
            for line in official_lists.all_lines(tier.level)
            if line.in_register
        ]
        # The tier's own lines, then those of the other lists (the Congress').
        lines = [
            (_("Lines of this tier's list"), [c for c in choices if c[0] in own]),
            (_("Lines of the other tiers' lists"), [c for c in choices if c[0] not in own]),
        ]
        return {
            **super().get_form_kwargs(),
            "lines": lines,
            "tier_cap": cap_for(tier=tier, unit=self.conference.unit),
        }

    def get_initial(self):
        own = selectors.own_rules(self.conference)
        if own is None:
            return {"categories": list(Category.values), "lines_from": CompositionRulesForm.TIER}
        return {
            "categories": own.categories or list(Category.values),
            "lines_from": CompositionRulesForm.CHOSEN
            if own.official_lines
            else CompositionRulesForm.TIER,
            "official_lines": own.official_lines,
            "cap": own.cap,
            "cap_counts_guests": {
                True: CompositionRulesForm.COUNTED,
                False: CompositionRulesForm.NOT_COUNTED,
            }.get(own.cap_counts_guests, ""),
        }

    def post(self, request, *args, **kwargs):
        if "reset" not in request.POST:
            return super().post(request, *args, **kwargs)
        try:
            services.set_composition_rules(
                actor=request.user,
                conference=self.conference,
                categories=list(Category.values),
                official_lines=[],
                cap=None,
                cap_counts_guests=None,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
        messages.success(request, _("The conference follows the tier's rules again."))
        return redirect(list_url(self.conference))

    def form_valid(self, form):
        try:
            services.set_composition_rules(
                actor=self.request.user,
                conference=self.conference,
                categories=form.cleaned_data["categories"],
                official_lines=form.chosen_lines(),
                cap=form.cleaned_data["cap"],
                cap_counts_guests=form.counts_guests(),
            )
        except ValidationError as error:
            put_errors_on_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The composition of this conference is saved."))
        return redirect(list_url(self.conference))

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        tier = self.conference.tier
        return super().get_context_data(
            conference=self.conference,
            rules=selectors.conference_rules(self.conference),
            tier_lines=[line.label(self.years) for line in official_lists.lines_for(tier.level)],
            cancel_url=list_url(self.conference),
            **kwargs,
        )
