"""Choosing the cycle one works in, and setting cycles up (administrators)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from units.locking import StaleEditError
from units.models import Unit
from units.params import int_param
from units.permissions import may_configure
from units.selectors import kind_counts

from .. import services
from ..forms import CapExceptionFormSet, CycleCreateForm, CycleForm, PilotUnitsForm, TierForm
from ..middleware import SESSION_KEY
from ..models import Conference, Cycle, OrganisationPlan, Tier
from ..selectors import current_cycle, cycles_with_counts, tiers_of


class CycleChooseView(LoginRequiredMixin, View):
    """Work in another cycle: kept in the session until changed. Only a
    cycle the user may work in can be chosen (others are a 404)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        pk = int_param(request.POST, "cycle")
        cycle = next((c for c in request.cycles if c.pk == pk), None)
        if cycle is None:
            raise Http404
        request.session[SESSION_KEY] = cycle.pk
        messages.success(request, _("You are now working in %(cycle)s.") % {"cycle": cycle.name})
        # Home, not back: the page one was on belongs to the other cycle.
        return HttpResponseRedirect(reverse("home"))


# -- Setting up cycles (administrators) ---------------------------------------


class CycleAdminMixin(LoginRequiredMixin):
    """Setting up cycles is for administrators (``may_configure``); anyone
    else signed in gets a 403, the anonymous the login page."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not may_configure(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _report_messages(request, report, hierarchy) -> None:
    """Say what could not be carried over to the cycle's hierarchy."""
    if report.dropped_cap_exceptions:
        messages.warning(
            request,
            _(
                "Not copied, as these units have no successor in %(hierarchy)s: "
                "the maxima of %(items)s."
            )
            % {
                "hierarchy": hierarchy,
                "items": "; ".join(
                    f"{item.unit.name} ({item.tier}: {item.cap})"
                    for item in report.dropped_cap_exceptions
                ),
            },
        )
    if report.dropped_pilots:
        messages.warning(
            request,
            _(
                "Not copied, as these units have no successor in %(hierarchy)s: "
                "the pilot units %(items)s."
            )
            % {
                "hierarchy": hierarchy,
                "items": "; ".join(unit.name for unit in report.dropped_pilots),
            },
        )
    for item in report.replaced_kinds:
        messages.info(
            request,
            _("%(hierarchy)s has no “%(old)s”: the %(tier)s is organised by “%(new)s” instead.")
            % {"hierarchy": hierarchy, "old": item.old, "tier": item.tier, "new": item.new},
        )
    for missing in report.missing_kinds:
        messages.warning(
            request,
            _(
                "%(hierarchy)s has no unit of the kind “%(kind)s”, which organises the "
                "%(tier)s: check the tier's organisers."
            )
            % {"hierarchy": hierarchy, "kind": missing.kind, "tier": missing.tier},
        )


def _put_errors(form, error: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """The service's errors on the form's fields (under the form's name for
    the field where it differs), the others above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    field_map = field_map or {}
    for key, errors in error.error_dict.items():
        name = field_map.get(key, key)
        field = form.fields.get(name)
        if field is not None and not field.disabled:
            form.add_error(name, errors)
        else:
            form.add_error(None, errors)


STALE = gettext_lazy(
    "Someone else changed this meanwhile; nothing was saved. The page now shows "
    "their version: make your change again."
)


class CycleListView(CycleAdminMixin, TemplateView):
    """Every cycle, its hierarchy, period, marks and counts."""

    template_name = "congress/cycle_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(cycles_list=list(cycles_with_counts()), **kwargs)


class CycleScopedMixin(CycleAdminMixin):
    def get_cycle(self) -> Cycle:
        return get_object_or_404(Cycle.objects.select_related("hierarchy"), pk=self.kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and may_configure(request.user):
            self.cycle = self.get_cycle()
        return super().dispatch(request, *args, **kwargs)


class CycleDetailView(CycleScopedMixin, TemplateView):
    """A cycle's setup: its fields, its tiers with their maxima, its pilots."""

    template_name = "congress/cycle_detail.html"

    def get_context_data(self, **kwargs):
        cycle = self.cycle
        tiers = list(tiers_of(cycle).annotate(conference_count=Count("conferences")))
        return super().get_context_data(
            cycle_obj=cycle,
            tiers=tiers,
            pilots=list(cycle.pilot_units.order_by("position", "path")),
            has_conferences=any(tier.conference_count for tier in tiers),
            **kwargs,
        )


class CycleCreateView(CycleAdminMixin, FormView):
    """A new cycle copied from another (the current one, or ``?source=``)."""

    template_name = "congress/cycle_form.html"
    form_class = CycleCreateForm

    def get_initial(self):
        source = None
        pk = int_param(self.request.GET, "source")
        if pk is not None:
            source = Cycle.objects.filter(pk=pk).first()
        source = source or current_cycle() or Cycle.objects.order_by("-period_start_year").first()
        return CycleCreateForm.initial_for(source) if source else {}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            cycle = services.create_cycle_from(
                actor=self.request.user,
                source=data["source"],
                hierarchy=data["hierarchy"],
                number=data["number"],
                name=data["name"],
                congress_name=data["congress_name"],
                period_start_year=data["period_start_year"],
                period_end_year=data["period_end_year"],
                shift_years=data["shift_years"],
                is_demo=data["is_demo"],
            )
        except ValidationError as error:
            _put_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Cycle %(number)s is set up, copied from %(source)s.")
            % {"number": cycle.number, "source": data["source"].name},
        )
        _report_messages(self.request, cycle.setup_report, cycle.hierarchy)
        return redirect("cycles:cycle_detail", pk=cycle.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("New cycle"),
            intro=_(
                "The new cycle copies the tiers, the maxima for particular units, the pilot "
                "units and the targets of the cycle you copy from; you change them afterwards."
            ),
            submit_label=_("Create the cycle"),
            cancel_url=reverse("cycles:cycle_list"),
            **kwargs,
        )


class CycleEditView(CycleScopedMixin, FormView):
    """Change a cycle's fields; refused if someone changed it meanwhile."""

    template_name = "congress/cycle_form.html"
    form_class = CycleForm

    def hierarchy_locked(self) -> bool:
        return (
            Conference.objects.filter(tier__cycle=self.cycle).exists()
            or OrganisationPlan.objects.filter(tier__cycle=self.cycle).exists()
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "hierarchy_locked": self.hierarchy_locked()}

    def get_initial(self):
        return CycleForm.initial_for(self.cycle, services.cycle_fingerprint(self.cycle))

    def form_valid(self, form):
        try:
            cycle = services.update_cycle(
                actor=self.request.user,
                cycle=self.cycle,
                details=form.details(),
                expected_fingerprint=form.cleaned_data["fingerprint"] or None,
            )
        except StaleEditError:
            messages.error(self.request, STALE)
            return redirect("cycles:cycle_edit", pk=self.cycle.pk)
        except ValidationError as error:
            _put_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The cycle is saved."))
        _report_messages(self.request, cycle.setup_report, cycle.hierarchy)
        return redirect("cycles:cycle_detail", pk=cycle.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            cycle_obj=self.cycle,
            title=_("Change the cycle"),
            submit_label=_("Save"),
            cancel_url=reverse("cycles:cycle_detail", args=[self.cycle.pk]),
            **kwargs,
        )


class TierEditView(CycleScopedMixin, TemplateView):
    """A tier's rules and its maxima for particular units, saved together."""

    template_name = "congress/tier_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and may_configure(request.user):
            self.tier = get_object_or_404(
                Tier.objects.select_related("cycle__hierarchy"),
                cycle_id=self.kwargs["pk"],
                level=self.kwargs["level"],
            )
        return super().dispatch(request, *args, **kwargs)

    def forms(self, data=None):
        tier = self.tier
        exceptions = tier.cap_exceptions.select_related("unit").order_by("unit__path")
        form = TierForm(
            data,
            initial=TierForm.initial_for(tier, services.tier_fingerprint(tier)),
            kind_counts=kind_counts(Unit.objects.filter(hierarchy_id=tier.cycle.hierarchy_id)),
        )
        formset = CapExceptionFormSet(
            data,
            prefix="caps",
            hierarchy=tier.cycle.hierarchy,
            initial=[
                {"code": e.unit.code, "cap": e.cap, "unit_name": e.unit.name} for e in exceptions
            ],
        )
        return form, formset

    def post(self, request, *args, **kwargs):
        form, formset = self.forms(request.POST)
        # Both checked, so that every mistake is marked at once.
        valid = [form.is_valid(), formset.is_valid()]
        if all(valid):
            try:
                services.update_tier(
                    actor=request.user,
                    tier=self.tier,
                    details=form.details(),
                    cap_exceptions=formset.exceptions(),
                    expected_fingerprint=form.cleaned_data["fingerprint"] or None,
                )
            except StaleEditError:
                messages.error(request, STALE)
                return redirect(request.path)
            except ValidationError as error:
                _put_errors(form, error, TierForm.SERVICE_FIELDS)
            else:
                messages.success(
                    request, _("%(tier)s is saved.") % {"tier": form.cleaned_data["name"]}
                )
                return redirect("cycles:cycle_detail", pk=self.tier.cycle_id)
        return self.render_to_response(
            self.get_context_data(form=form, formset=formset), status=400
        )

    def get_context_data(self, **kwargs):
        if "form" not in kwargs:
            kwargs["form"], kwargs["formset"] = self.forms()
        tier = self.tier
        return super().get_context_data(
            cycle_obj=tier.cycle,
            tier=tier,
            organisers=Unit.objects.filter(
                hierarchy_id=tier.cycle.hierarchy_id, kind__in=tier.organiser_kinds
            )
            .order_by("path")
            .values_list("code", "name"),
            **kwargs,
        )


class CyclePilotsView(CycleScopedMixin, FormView):
    """Choose the pilot units among the organisers of the upper grassroots
    tier (the provinces and the HQ bloc in cycle V)."""

    template_name = "congress/cycle_form.html"
    form_class = PilotUnitsForm

    def candidates(self):
        cycle = self.cycle
        tier = cycle.tiers.filter(level=Tier.Level.UPPER_GRASSROOTS).first()
        organisers = (Q(kind__in=tier.organiser_kinds) if tier else Q(depth=1)) | Q(
            pk__in=cycle.pilot_units.values("pk")
        )
        return Unit.objects.filter(organisers, hierarchy_id=cycle.hierarchy_id).order_by(
            "position", "path"
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "units": self.candidates()}

    def get_initial(self):
        return {
            "pilot_units": list(self.cycle.pilot_units.values_list("pk", flat=True)),
            "fingerprint": services.pilots_fingerprint(self.cycle),
        }

    def form_valid(self, form):
        try:
            services.set_pilot_units(
                actor=self.request.user,
                cycle=self.cycle,
                units=form.cleaned_data["pilot_units"],
                expected_fingerprint=form.cleaned_data["fingerprint"] or None,
            )
        except StaleEditError:
            messages.error(self.request, STALE)
            return redirect("cycles:cycle_pilots", pk=self.cycle.pk)
        except ValidationError as error:
            _put_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The pilot units are saved."))
        return redirect("cycles:cycle_detail", pk=self.cycle.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            cycle_obj=self.cycle,
            title=_("Pilot units"),
            submit_label=_("Save"),
            checkbox_columns=True,
            cancel_url=reverse("cycles:cycle_detail", args=[self.cycle.pk]),
            **kwargs,
        )


class CycleMarkCurrentView(CycleScopedMixin, View):
    """Make a cycle the current one (and no other)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        cycle = services.mark_current(actor=request.user, cycle=self.cycle)
        messages.success(
            request,
            _("%(cycle)s is now the current cycle: users work in it until they choose another.")
            % {"cycle": cycle.name},
        )
        return redirect("cycles:cycle_list")
