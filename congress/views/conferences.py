from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from congress import policy, progress, selectors, services, todo
from congress.extensions import conference_page_context
from congress.filters import ConferenceFilter, conference_filter_data
from congress.forms import (
    ConferenceForm,
    CorrectionForm,
    ExemptionForm,
    ReasonForm,
    TransitionForm,
    asks_for_confirmation,
)
from congress.models import Conference, Tier, TierExemption
from congress.selectors import cycle_for_user, tier_scopes, tiers_of
from congress.views.sections import conference_sections
from units.history import history_of
from units.locking import StaleEditError
from units.models import Unit
from units.navigation import posted_return_path
from units.params import int_param
from units.permissions import (
    Action,
    allowed_actions,
    has_permission,
    is_nationwide,
    visible_units,
)


class HomeView(LoginRequiredMixin, TemplateView):
    """Where every role lands: its to-do list (``congress.todo``), the
    cycle, its tiers and deadlines."""

    template_name = "congress/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        cycle = cycle_for_user(user)
        tiers = list(tiers_of(cycle)) if cycle else []
        today = timezone.localdate()
        for tier in tiers:
            tier.days_left = (tier.deadline - today).days
        home = todo.home(user=user, cycle=cycle, tiers=tiers, today=today)
        context.update(
            cycle=cycle,
            tiers=tiers,
            home=home,
            pilot_units=cycle.pilot_units.order_by("position") if cycle else [],
            scopes=tier_scopes(user=user, tiers=tiers),
            nationwide=is_nationwide(user),
            actions=sorted(allowed_actions(user)),
            # An officer's units that are late or nearly so: the reminder mail's list.
            deadline_alerts=home.deadline_alerts,
            # Pilots first: the officer's conferences that come before the pilot units.
            before_pilots=selectors.conferences_before_pilots(user=user, tiers=tiers)
            if home.role_is_officer
            else [],
            alert_days=progress.REMINDER_DUE_DAYS,
            today=today,
        )
        return context


class ConferenceListView(LoginRequiredMixin, ListView):
    """The conferences the user may see, filtered by province, tier, status
    (or returned by the council) and a search, in pages."""

    template_name = "congress/conference_list.html"
    context_object_name = "conferences"
    paginate_by = 50

    @cached_property
    def filterset(self) -> ConferenceFilter:
        user = self.request.user
        branches = progress.branches(user=user, tiers=progress.tiers_of_cycle(cycle_for_user(user)))
        return ConferenceFilter(
            conference_filter_data(self.request.GET),
            queryset=selectors.visible_conferences(user).order_by(
                "date", "start_time", "unit__path"
            ),
            provinces=[(branch.code, branch.name) for branch in branches],
        )

    def get_queryset(self):
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter=self.filterset,
            may_register=Action.CHANGE in allowed_actions(self.request.user),
            **kwargs,
        )


def _unit_label(unit: Unit) -> str:
    return f"{unit.name} ({unit.parent})" if unit.parent else unit.name


def _organiser_choices(pending) -> list:
    """Choices "unit:tier" for the units still to register, grouped by tier."""
    return [
        (tier.name, [(f"{unit.pk}:{tier.pk}", _unit_label(unit)) for unit in units])
        for tier, units in pending
        if units
    ]


class RefusalMixin:
    """Puts a service's refusal on the form, asking for the confirmation of
    unusual figures when that is what was missing."""

    def refused(self, form, error: ValidationError):
        if asks_for_confirmation(error):
            form.ask_for_reason()
        form.add_error(None, error)
        return self.form_invalid(form)  # type: ignore[attr-defined]


class ConferenceRegisterView(RefusalMixin, LoginRequiredMixin, FormView):
    """Register a conference for one of the units the officer acts on."""

    template_name = "congress/conference_form.html"
    form_class = ConferenceForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and Action.CHANGE not in allowed_actions(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def pending(self):
        cycle = cycle_for_user(self.request.user)
        return selectors.pending_organisers(user=self.request.user, cycle=cycle)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "organisers": _organiser_choices(self.pending),
            "submit_label": _("Register"),
        }

    def get_initial(self):
        unit, tier = int_param(self.request.GET, "unit"), int_param(self.request.GET, "tier")
        return {"organiser": f"{unit}:{tier}"} if unit is not None and tier is not None else {}

    def form_valid(self, form):
        unit_pk, tier_pk = (int(part) for part in form.cleaned_data["organiser"].split(":"))
        unit = get_object_or_404(Unit, pk=unit_pk)
        tier = get_object_or_404(Tier.objects.select_related("cycle"), pk=tier_pk)
        try:
            conference = services.register_conference(
                actor=self.request.user, tier=tier, unit=unit, details=form.details()
            )
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(self.request, _("The conference is registered as a draft."))
        return redirect(conference)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Register a conference"),
            nothing_pending=not any(units for _tier, units in self.pending),
            **kwargs,
        )


class ConferenceScopedMixin(LoginRequiredMixin):
    """Loads the conference from the URL; one outside the user's units is a
    404, so its existence is not told."""

    def get_conference(self) -> Conference:
        return get_object_or_404(
            selectors.visible_conferences(self.request.user).select_related("tier__cycle"),
            pk=self.kwargs["pk"],
        )


class ConferenceDetailView(ConferenceScopedMixin, DetailView):
    """A conference with its history and the moves the user may make.

    POST moves it (``action``: submit, accept, return, reopen, hold,
    close); a refused move re-renders the page with the reason on the form
    and what was typed kept.
    """

    template_name = "congress/conference_detail.html"
    context_object_name = "conference"

    def get_object(self, queryset=None):
        return self.get_conference()

    def post(self, request, *args, **kwargs):
        self.object = conference = self.get_object()
        name = request.POST.get("action", "")
        form = TransitionForm(request.POST)
        if form.is_valid():
            try:
                services.transition_conference(
                    actor=request.user,
                    conference=conference,
                    name=name,
                    reason=form.cleaned_data["reason"],
                    held_on=form.cleaned_data["held_on"],
                    actual_attendance=form.cleaned_data["actual_attendance"],
                    expected_lock_version=form.cleaned_data["lock_version"],
                    unusual_figures_reason=form.cleaned_data["unusual_figures_reason"],
                )
            except StaleEditError:
                return self.changed_meanwhile(conference)
            except ValidationError as error:
                asks_reason = asks_for_confirmation(error)
                form.add_error(None, error)
            else:
                messages.success(request, TRANSITION_MESSAGES.get(name, _("Done.")))
                return redirect(conference)
        else:
            asks_reason = bool(form.data.get("unusual_figures_reason", "").strip())
        context = self.get_context_data(
            transition_form=form, failed_transition=name, asks_reason=asks_reason
        )
        return self.render_to_response(context, status=400)

    def changed_meanwhile(self, conference):
        messages.error(
            self.request,
            _("Someone else changed this conference meanwhile; nothing was done. Check it again."),
        )
        return redirect(conference)

    def get_context_data(self, **kwargs):
        conference = self.object
        user = self.request.user
        # The documents, papers and communication fragments; a failed form
        # passed in kwargs replaces its blank one.
        kwargs = {**conference_sections(user=user, conference=conference), **kwargs}
        tier = conference.tier
        below = selectors.lower_tier(tier)
        may_review = has_permission(user, Action.REVIEW, conference.unit)
        statuses = dict(Conference.Status.choices)
        not_registered = progress.BoardStatus.NOT_REGISTERED.label
        return super().get_context_data(
            # The tiers in order: the units below still to hold theirs, and
            # those the council exempted.
            lower_tier=below,
            yet_to_hold=[
                (unit, unit.lower_status or "none", statuses.get(unit.lower_status, not_registered))
                for unit in selectors.units_yet_to_hold(conference)
            ]
            if below is not None and not conference.is_held
            else [],
            exemptions_below=selectors.exemptions_below(conference) if below is not None else [],
            exemption=selectors.unit_exemptions(unit=conference.unit, cycle=tier.cycle).get(
                tier.pk
            ),
            pilot=selectors.pilot_position(conference),
            may_review=may_review,
            accept_order_form=kwargs.pop("accept_order_form", None)
            or ReasonForm(initial={"lock_version": conference.lock_version}),
            correction_form=kwargs.pop("correction_form", None)
            or CorrectionForm(initial=CorrectionForm.initial_for(conference)),
            asks_reason=kwargs.pop("asks_reason", False),
            history=selectors.conference_history(conference),
            audit_history=history_of(conference, user),
            returned=selectors.conference_return_notice(conference),
            transitions=services.available_transitions(user=user, conference=conference),
            transition_form=kwargs.pop("transition_form", None)
            or TransitionForm(initial={"lock_version": conference.lock_version}),
            failed_transition=kwargs.pop("failed_transition", ""),
            may_change=has_permission(user, Action.CHANGE, conference.unit),
            may_edit_details=policy.may_edit_details(user, conference),
            may_print=has_permission(user, Action.PRINT, conference.unit),
            is_pilot=selectors.is_pilot(cycle=conference.tier.cycle, unit=conference.unit),
            cap=selectors.cap_for(tier=conference.tier, unit=conference.unit),
            # E.g. the composition targets not met so far (delegates app).
            **conference_page_context(conference),
            **kwargs,
        )


class ConferenceEditView(RefusalMixin, ConferenceScopedMixin, FormView):
    """Change a draft; refused if someone else changed it meanwhile."""

    template_name = "congress/conference_form.html"
    form_class = ConferenceForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.conference = self.get_conference()
        if not has_permission(request.user, Action.CHANGE, self.conference.unit):
            raise PermissionDenied
        if not policy.may_edit_details(request.user, self.conference):
            messages.warning(
                request, _("Only a draft can be changed; reopen the conference first.")
            )
            return redirect(self.conference)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return ConferenceForm.initial_for(self.conference)

    def form_valid(self, form):
        try:
            services.update_conference(
                actor=self.request.user,
                conference=self.conference,
                details=form.details(),
                expected_lock_version=form.cleaned_data["lock_version"] or 0,
            )
        except StaleEditError:
            form.add_error(
                None,
                _(
                    "Someone else changed this conference while you were editing it. "
                    "Your changes were not saved: reload the page to see theirs."
                ),
            )
            return self.form_invalid(form)
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(self.request, _("The changes are saved."))
        return redirect(self.conference)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Change the conference"), conference=self.conference, **kwargs
        )


class ConferenceCorrectView(ConferenceDetailView):
    """Correct a held conference's date and attendance, with the reason
    (``services.correct_held_figures``); a refusal re-renders the page with
    the correction form open and what was typed kept."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = conference = self.get_object()
        form = CorrectionForm(request.POST)
        asks_reason = bool(form.data.get("unusual_figures_reason", "").strip())
        if form.is_valid():
            try:
                services.correct_held_figures(
                    actor=request.user,
                    conference=conference,
                    held_on=form.cleaned_data["held_on"],
                    actual_attendance=form.cleaned_data["actual_attendance"],
                    reason=form.cleaned_data["reason"],
                    expected_lock_version=form.cleaned_data["lock_version"],
                    unusual_figures_reason=form.cleaned_data["unusual_figures_reason"],
                )
            except StaleEditError:
                return self.changed_meanwhile(conference)
            except ValidationError as error:
                asks_reason = asks_reason or asks_for_confirmation(error)
                form.add_error(None, error)
            else:
                messages.success(request, _("The correction is recorded in the history."))
                return redirect(conference)
        context = self.get_context_data(
            correction_form=form, failed_transition="correct", asks_reason=asks_reason
        )
        return self.render_to_response(context, status=400)


class ConferenceAcceptOrderView(ConferenceDetailView):
    """The council accepts, with a reason, a conference that comes before
    the pilot units (``services.accept_before_pilots``)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = conference = self.get_object()
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                services.accept_before_pilots(
                    actor=request.user,
                    conference=conference,
                    reason=form.cleaned_data["reason"],
                    expected_lock_version=form.cleaned_data["lock_version"],
                )
            except StaleEditError:
                return self.changed_meanwhile(conference)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The conference is accepted before the pilot units."))
                return redirect(conference)
        context = self.get_context_data(accept_order_form=form, failed_transition="accept_order")
        return self.render_to_response(context, status=400)


def _refusal_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


class ExemptionCreateView(LoginRequiredMixin, View):
    """The council exempts a unit that truly cannot hold its conference of
    a tier, with the reason (``services.exempt_unit``); from the unit's page
    or the page of the conference above. A unit outside the user's scope
    is a 404; a role that does not review, a 403."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ExemptionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The form was incomplete; nothing was recorded."))
            return redirect(posted_return_path(request, fallback=reverse("home")))
        unit = get_object_or_404(visible_units(request.user), pk=form.cleaned_data["unit"])
        tier = get_object_or_404(
            Tier.objects.select_related("cycle"),
            pk=form.cleaned_data["tier"],
            cycle__hierarchy_id=unit.hierarchy_id,
        )
        back = posted_return_path(request, fallback=unit_url(unit))
        try:
            services.exempt_unit(
                actor=request.user, tier=tier, unit=unit, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _refusal_messages(request, error)
        else:
            messages.success(
                request,
                _("%(unit)s is exempted from the %(tier)s.") % {"unit": unit.name, "tier": tier},
            )
        return redirect(back)


class ExemptionLiftView(LoginRequiredMixin, View):
    """The council lifts an exemption (``services.lift_exemption``)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        exemption = get_object_or_404(
            TierExemption.objects.select_related("tier__cycle", "unit").filter(
                unit__in=visible_units(request.user)
            ),
            pk=self.kwargs["pk"],
        )
        back = posted_return_path(request, fallback=unit_url(exemption.unit))
        try:
            services.lift_exemption(actor=request.user, exemption=exemption)
        except ValidationError as error:
            _refusal_messages(request, error)
        else:
            messages.success(
                request,
                _("The exemption of %(unit)s is lifted: it holds its %(tier)s again.")
                % {"unit": exemption.unit.name, "tier": exemption.tier},
            )
        return redirect(back)


def unit_url(unit: Unit) -> str:
    return reverse("units:unit_detail", args=[unit.pk])


TRANSITION_MESSAGES = {
    "submit": gettext_lazy("The conference is submitted to the council."),
    "accept": gettext_lazy("The conference is accepted."),
    "return": gettext_lazy("The conference is returned to its unit with your reason."),
    "withdraw": gettext_lazy(
        "The conference is withdrawn from review and back to draft; submit it again when ready."
    ),
    "reopen": gettext_lazy("The conference is back to draft; submit it again when ready."),
    "hold": gettext_lazy("The conference is recorded as held."),
    "close": gettext_lazy("The conference is closed."),
}
