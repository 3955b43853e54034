"""A conference's delegate list as its page shows it (the same filters,
the same order), every column, as an .xlsx workbook: "This list as shown
(Excel)" on the delegate list. Whoever may see the list may download it
(at most some 500 rows: at once, ``reports:download``) or ask for it as a
job."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress.models import Conference
from congress.selectors import visible_conferences
from delegates.models import Category, Delegate, Gender
from delegates.selectors.delegates import (
    DelegateFilters,
    DelegateList,
    DelegateOrder,
    delegate_list,
    delegate_unit,
)
from units.models import Unit
from units.params import search_param
from units.permissions import Action

from ..exporters import Params, Source, Target, XlsxExporter, file_stem, load_conference
from ..forms import ExporterForm, IdField, invalid_param, plain
from ..xlsx import Cell, Column, Sheet

UNIT_FIELDS = ("pk", "path", "hierarchy_id", "name")


class DelegateTableForm(ExporterForm):
    """The conference (404 if the user may not see it) and the page's
    filters: a category, a unit of the conference's subtree and the units
    under it, a gender, a search; the order "protocol" or "name"."""

    not_found = ("conference",)
    page_filters = ("category", "unit", "gender", "order")

    conference = IdField(queryset=Conference.objects.none())
    category = forms.ChoiceField(required=False, choices=[("", ""), *Category.choices])
    unit = IdField(queryset=Unit.objects.none(), required=False)
    gender = forms.ChoiceField(required=False, choices=[("", ""), *Gender.choices])
    q = forms.CharField(required=False, strip=False)
    order = forms.ChoiceField(
        required=False, choices=[("", ""), *((str(order), str(order)) for order in DelegateOrder)]
    )

    def setup(self) -> None:
        self.narrow(
            "conference",
            visible_conferences(self.user).select_related("unit__parent", "tier__cycle"),
        )
        self.narrow("unit", Unit.objects.only(*UNIT_FIELDS))

    def clean_unit(self) -> Unit | None:
        unit, conference = self.cleaned_data["unit"], self.cleaned_data.get("conference")
        if unit is None or conference is None:
            return unit
        if not Unit.objects.subtree_of(conference.unit).filter(pk=unit.pk).exists():
            raise invalid_param("unit")
        return unit

    def clean_q(self) -> str:
        # A search box tolerates what it cannot search for, as the page.
        return search_param(self.cleaned_data, "q")


def delegate_cells(number: int, delegate: Delegate) -> list[Cell]:
    """One row of the list: guests outside the register have their title
    and organisation where people have their position and unit; empty
    cells rather than empty strings."""
    person = delegate.person
    unit = delegate_unit(delegate)
    if person is None:
        values: list[Cell] = [
            number,
            delegate.name,
            "",
            "",
            "",
            delegate.guest_title,
            delegate.guest_organisation,
            delegate.get_category_display(),
            "",
        ]
    else:
        values = [
            number,
            person.full_name,
            person.get_gender_display(),
            person.birth_year,
            person.ethnicity,
            delegate.guest_title or person.position,
            unit.name if unit is not None else "",
            delegate.get_category_display(),
            delegate.elected_at.unit.name if delegate.elected_at is not None else "",
        ]
    return [value if value != "" else None for value in values]


def filters_line(listing: DelegateList, filters: DelegateFilters) -> str:
    parts = [
        _("Order: by name within each category")
        if listing.order == DelegateOrder.NAME
        else _("Order: protocol order")
    ]
    if filters.category:
        parts.append(_("Category: %(value)s") % {"value": Category(filters.category).label})
    if filters.unit is not None:
        parts.append(_("Unit: %(value)s") % {"value": filters.unit.name})
    if filters.gender:
        parts.append(_("Gender: %(value)s") % {"value": Gender(filters.gender).label})
    if filters.query:
        parts.append(_("Search: “%(value)s”") % {"value": filters.query})
    parts.append(
        _("%(shown)s of %(total)s delegates")
        % {"shown": len(listing.shown), "total": len(listing.delegates)}
    )
    return "; ".join(parts)


class DelegateTableXlsx(XlsxExporter):
    identifier = "delegate_table_xlsx"
    verbose_name = gettext_lazy("Delegate list as shown (Excel)")
    form_class = DelegateTableForm
    action = Action.VIEW
    widths = (6, 30, 10, 10, 12, 36, 36, 22, 30)

    def target_of(self, form: ExporterForm) -> Target:
        data = form.cleaned_data
        conference = data["conference"]
        params = plain(
            [
                ("conference", conference.pk),
                ("category", data["category"]),
                ("unit", data["unit"].pk if data["unit"] is not None else None),
                ("gender", data["gender"]),
                ("q", data["q"]),
                ("order", data["order"]),
            ]
        )
        return Target(
            unit=conference.unit,
            title=_("Delegate list as shown: %(conference)s") % {"conference": conference},
            params=params,
            cleaned={"conference": conference, "unit": data["unit"]},
        )

    def headers(self) -> list[str]:
        return [
            _("No."),
            _("Full name"),
            _("Gender"),
            _("Year of birth"),
            _("Ethnicity"),
            _("Position"),
            _("Unit"),
            _("Category"),
            _("Elected at"),
        ]

    def table_source(self, conference: Conference, unit: Unit | None, params: Params) -> Source:
        filters = DelegateFilters(
            category=params.get("category", ""),
            unit=unit,
            gender=params.get("gender", ""),
            query=params.get("q", ""),
        )
        listing = delegate_list(conference, order=params.get("order", ""), filters=filters)
        sheet = Sheet(
            title=_("Delegates"),
            heading=_("Delegate list"),
            lines=[
                f"{conference.tier.name} – {conference.unit.name}, "
                + _("period %(period)s") % {"period": conference.tier.cycle.period_label},
                filters_line(listing, filters),
            ],
            columns=[
                Column(header, width)
                for header, width in zip(self.headers(), self.widths, strict=True)
            ],
            rows=[
                delegate_cells(number, delegate)
                for number, delegate in enumerate(listing.shown, start=1)
            ],
        )
        return self.source_of_sheets(f"danh-sach-dai-bieu-{file_stem(conference)}.xlsx", [sheet])

    def source(self, params: Params) -> Source:
        unit = None
        if params.get("unit"):
            unit = Unit.objects.only(*UNIT_FIELDS).get(pk=params["unit"])
        return self.table_source(load_conference(params), unit, params)

    def source_of(self, target: Target) -> Source:
        return self.table_source(
            target.cleaned["conference"], target.cleaned["unit"], target.params
        )
