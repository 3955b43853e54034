"""The people register: list, person page, add/edit, titles, status, and
the Excel template, import and export. Views only parse and render: the
rules are ``delegates.services.people``'s, the reads
``delegates.selectors.people``'."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from congress.selectors import cycle_for_user
from delegates.forms.people import PeopleImportForm, PersonFilterForm, PersonForm, PersonTitlesForm
from delegates.models import EmulationTitle, Person
from delegates.people_import import (
    COLUMNS,
    write_workbook,
)
from delegates.selectors import people as people_selectors
from delegates.services import people as services
from units.history import history_of
from units.models import Unit
from units.params import int_param
from units.permissions import (
    Action,
    allowed_actions,
    has_permission,
    is_nationwide,
    scope_root,
    visible_units,
)
from units.selectors import visible_provinces
from units.workbooks import XLSX


def _require(user, action: Action) -> None:
    if action not in allowed_actions(user):
        raise PermissionDenied


class PersonFiltersMixin(LoginRequiredMixin):
    """The list's filters from the query string, shared with the export.
    A province or unit outside the user's scope is no choice: ignored."""

    @cached_property
    def filter_form(self) -> PersonFilterForm:
        user = self.request.user
        provinces = visible_provinces(user)
        data = self.request.GET or None
        province = None
        chosen = int_param(data, "province") if data else None
        if chosen is not None:
            province = provinces.filter(pk=chosen).first()
        # Units are offered within one province (the chosen one, or an
        # officer's own), so the list never carries the whole country.
        root = province or (provinces.first() if provinces.count() == 1 else None)
        units = (
            visible_units(user)
            .filter(path__startswith=root.path, hierarchy_id=root.hierarchy_id)
            .order_by("path")
            if root
            else visible_units(user).none()
        )
        form = PersonFilterForm(data, provinces=provinces, units=units)
        form.is_valid()
        return form

    def filters(self) -> dict:
        form = self.filter_form
        data = form.cleaned_data if form.is_bound else {}
        status = data.get("status") or "active"
        return {
            "query": data.get("q", ""),
            "area": data.get("unit") or data.get("province"),
            "rank": data.get("rank"),
            "gender": data.get("gender", ""),
            "title": data.get("title", ""),
            "years": self.years,
            "active": {"active": True, "inactive": False}.get(status),
        }

    @cached_property
    def years(self) -> range:
        return people_selectors.years_of(cycle_for_user(self.request.user))

    def people(self):
        return people_selectors.people_list(user=self.request.user, **self.filters())


class PersonListView(PersonFiltersMixin, ListView):
    """Searchable (diacritics aside), filtered, paginated list of the
    people of the user's units."""

    template_name = "delegates/person_list.html"
    context_object_name = "people"
    paginate_by = 50

    def get_queryset(self):
        return self.people()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for person in context["people"]:
            # From the prefetched titles: no query per row.
            person.title_summary = people_selectors.titles_held(person.titles.all())
        return context | dict(
            form=self.filter_form,
            may_change=Action.CHANGE in allowed_actions(self.request.user),
            carry_root=_carry_root(self.request.user),
            years=self.years,
            export_query=self.request.GET.urlencode(),
        )


class PersonScopedMixin(LoginRequiredMixin):
    """Loads the person from the URL; one outside the user's units is a 404."""

    def get_person(self) -> Person:
        return get_object_or_404(
            people_selectors.visible_people(self.request.user).select_related(
                "unit__parent", "council_unit"
            ),
            pk=self.kwargs["pk"],
        )


class PersonDetailView(PersonScopedMixin, TemplateView):
    """A person: details, titles by year (editable with the CHANGE right),
    the conferences they attend as a delegate."""

    template_name = "delegates/person_detail.html"

    def get_context_data(self, titles_form=None, **kwargs):
        person = self.get_person()
        user = self.request.user
        years = people_selectors.years_of(cycle_for_user(user))
        held = {(t.year, t.title) for t in person.titles.all()}
        may_change = has_permission(user, Action.CHANGE, person.unit)
        delegations = list(people_selectors.person_delegations(person))
        for delegation in delegations:
            delegation.visible = has_permission(user, Action.VIEW, delegation.conference.unit)
        return super().get_context_data(
            person=person,
            may_change=may_change,
            years=years,
            title_kinds=EmulationTitle.Title.choices,
            title_grid=[
                (
                    label,
                    [(year, f"{year}:{value}", (year, value) in held) for year in years],
                )
                for value, label in EmulationTitle.Title.choices
            ],
            titles_held=sorted(held),
            titles_form=titles_form,
            delegations=delegations,
            audit_history=history_of(person, user),
            **kwargs,
        )


class PersonTitlesView(PersonScopedMixin, View):
    """POST: replace a person's titles by the ticked ones."""

    def post(self, request, *args, **kwargs):
        person = self.get_person()
        if not has_permission(request.user, Action.CHANGE, person.unit):
            raise PermissionDenied
        form = PersonTitlesForm(
            request.POST, years=people_selectors.years_of(cycle_for_user(request.user))
        )
        if form.is_valid():
            try:
                services.set_titles(actor=request.user, person=person, titles=form.pairs())
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The emulation titles are saved."))
        else:
            messages.error(request, _("The titles could not be read: nothing was changed."))
        return redirect("people:person_detail", pk=person.pk)


class PersonFormMixin(LoginRequiredMixin):
    template_name = "delegates/person_form.html"
    form_class = PersonForm

    def get_form_kwargs(self):
        units = people_selectors.changeable_units(self.request.user).filter(is_active=True)
        person = getattr(self, "person", None)
        councils = people_selectors.council_unit_choices(
            self.request.user, person.council_unit if person is not None else None
        )
        return {**super().get_form_kwargs(), "units": units.order_by("path"), "councils": councils}

    def details(self, form) -> services.PersonDetails:
        return services.PersonDetails(**form.cleaned_data)

    def save(self, form, person=None):
        try:
            return services.save_person(
                actor=self.request.user, person=person, details=self.details(form)
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error)
            return None


class PersonCreateView(PersonFormMixin, FormView):
    """Add a person to a unit the user may change (``?unit=`` preselects it)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require(request.user, Action.CHANGE)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        unit = int_param(self.request.GET, "unit")
        return {} if unit is None else {"unit": unit}

    def form_valid(self, form):
        person = self.save(form)
        if person is None:
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s is added.") % {"name": person.full_name})
        return redirect("people:person_detail", pk=person.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Add a person"), **kwargs)


class PersonEditView(PersonScopedMixin, PersonFormMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.person = self.get_person()
            if not has_permission(request.user, Action.CHANGE, self.person.unit):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        person = self.person
        return {
            field: getattr(person, field)
            for field in PersonForm.base_fields
            if field != "unit" and hasattr(person, field)
        } | {"unit": person.unit_id}

    def form_valid(self, form):
        person = self.save(form, person=self.person)
        if person is None:
            return self.form_invalid(form)
        messages.success(self.request, _("The changes are saved."))
        return redirect("people:person_detail", pk=person.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Change"), person=self.person, **kwargs)


class PersonStatusView(PersonScopedMixin, View):
    """POST ``action``: deactivate, reactivate, or delete (only a record
    that is nobody's delegate or candidate)."""

    def post(self, request, *args, **kwargs):
        person = self.get_person()
        if not has_permission(request.user, Action.CHANGE, person.unit):
            raise PermissionDenied
        action = request.POST.get("action", "")
        try:
            if action == "delete":
                services.delete_person(actor=request.user, person=person)
                messages.success(request, _("%(name)s is deleted.") % {"name": person.full_name})
                return redirect("people:person_list")
            if action in ("deactivate", "reactivate"):
                services.set_person_active(
                    actor=request.user, person=person, active=action == "reactivate"
                )
                messages.success(
                    request,
                    _("%(name)s is deactivated.") % {"name": person.full_name}
                    if action == "deactivate"
                    else _("%(name)s is active again.") % {"name": person.full_name},
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("people:person_detail", pk=person.pk)


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _unit_choices(units) -> list[tuple[str, str]]:
    return list(units.filter(is_active=True).order_by("path").values_list("code", "name"))


class PeopleTemplateView(LoginRequiredMixin, View):
    """The empty import template, its unit list those the user may change."""

    def get(self, request, *args, **kwargs):
        _require(request.user, Action.CHANGE)
        content = write_workbook(
            [],
            units=_unit_choices(people_selectors.changeable_units(request.user)),
            years=people_selectors.years_of(cycle_for_user(request.user)),
        )
        return _xlsx_response(content, "mau-danh-sach-can-bo.xlsx")


class PeopleImportView(LoginRequiredMixin, FormView):
    """Upload a filled template: all rows saved, or none and every error
    listed by row and column."""

    template_name = "delegates/people_import.html"
    form_class = PeopleImportForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require(request.user, Action.CHANGE)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        result = services.import_people(actor=self.request.user, file=form.cleaned_data["file"])
        return self.render_to_response(
            self.get_context_data(form=form, result=result), status=200 if result.ok else 400
        )

    def get_context_data(self, **kwargs):
        years = people_selectors.years_of(cycle_for_user(self.request.user))
        return super().get_context_data(
            headers=[header for _key, header, _width in COLUMNS],
            first_year=years[0] if years else None,
            last_year=years[-1] if years else None,
            list_url=reverse("people:person_list"),
            **kwargs,
        )


def _carry_root(user):
    """Where a register is carried into: the top of the user's scope in the
    hierarchy they work in (its root for nationwide roles), when that
    hierarchy replaced another; else ``None``."""
    cycle = cycle_for_user(user)
    if cycle is None or cycle.hierarchy.predecessor_id is None:
        return None
    root = scope_root(user)
    if root is None and is_nationwide(user):
        root = Unit.objects.filter(hierarchy_id=cycle.hierarchy_id, parent=None).first()
    return root if root is not None and has_permission(user, Action.CHANGE, root) else None


class RegisterCarryView(LoginRequiredMixin, View):
    """Carry the staff registers of the units one's units took over in the
    previous hierarchy into them (``delegates.services.people.carry_register``)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        root = _carry_root(request.user)
        if root is None:
            raise PermissionDenied
        result = services.carry_register(actor=request.user, unit=root)
        messages.success(
            request,
            _(
                "%(copied)d people copied into %(units)d units from the previous hierarchy; "
                "%(already)d had been copied before and were left as they are."
            )
            % {"copied": result.copied, "units": result.units, "already": result.already},
        )
        return redirect("people:person_list")
