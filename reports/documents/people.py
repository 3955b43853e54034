"""The people register as its list shows it (the same search and filters,
every page) in the columns of the import template, so that an export can
be filled in and imported again: the template's workbook (drop-down
lists, the guide, the birth column as text) is written by
``delegates.people_import.write_workbook`` over ``units.workbooks``. Whoever
may see the register may download it at once (``reports:download``) or
ask for it as a job."""

import datetime
import json
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress.models import Cycle
from congress.selectors import cycle_for_user, work_in_cycle
from delegates.forms.people import PersonFilterForm
from delegates.models import EmulationTitle, Gender, Person, Rank
from delegates.people_import import (
    COLUMNS,
    COUNCIL_ROLE_LABELS,
    FLAGS,
    GENDER_LABELS,
    TITLE_COLUMNS,
    format_years,
    mark,
    write_workbook,
)
from delegates.selectors.people import people_list, years_of
from units.models import Unit, User
from units.params import search_param
from units.permissions import Action, visible_units
from units.selectors import visible_provinces
from units.workbooks import XLSX

from ..exporters import Exporter, Params, Source, Target
from ..forms import ExporterForm, IdField, invalid_param, plain
from ..xlsx import date_cell
from .progress import report_scope

ACTIVE = {"active": True, "inactive": False, "all": None}


class PeopleRegisterForm(ExporterForm):
    """The list's search and filters: a province (or bloc) and a unit of
    the user's (the unit within the province chosen, or the officer's own
    one), a rank, a gender, an emulation title, the status."""

    page_filters = ("province", "unit", "rank", "gender", "title", "status")

    q = forms.CharField(required=False, strip=False)
    province = IdField(queryset=Unit.objects.none(), required=False)
    unit = IdField(queryset=Unit.objects.none(), required=False)
    rank = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, choices=[("", ""), *Rank.choices]
    )
    gender = forms.ChoiceField(required=False, choices=[("", ""), *Gender.choices])
    title = forms.ChoiceField(required=False, choices=[("", ""), *EmulationTitle.Title.choices])
    status = forms.ChoiceField(required=False, choices=[("", ""), *PersonFilterForm.STATUS_CHOICES])

    def setup(self) -> None:
        self.provinces = visible_provinces(self.user)
        self.narrow("province", self.provinces)
        self.narrow("unit", visible_units(self.user))

    def clean_q(self) -> str:
        return search_param(self.cleaned_data, "q")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        unit = data.get("unit")
        if unit is not None:
            # Units are offered within one province: the chosen one, or an
            # officer's own.
            root = data.get("province") or (
                self.provinces.first() if self.provinces.count() == 1 else None
            )
            if root is None or not (
                unit.hierarchy_id == root.hierarchy_id and unit.path.startswith(root.path)
            ):
                self.add_error("unit", invalid_param("unit"))
        return data


def export_row(number: int, person: Person) -> list[Any]:
    """A person as a row of the template (so an export can be re-imported)."""
    values = {
        "number": number,
        "full_name": person.full_name,
        "gender": GENDER_LABELS.get(Gender(person.gender), "") if person.gender else "",
        # A date cell, or the bare year as a number.
        "birth": person.birth_date or person.birth_year,
        "ethnicity": person.ethnicity,
        "position": person.position,
        "rank": person.get_rank_display(),
        "field_of_work": person.get_field_of_work_display(),
        "unit_code": person.unit.code,
        "council_role": COUNCIL_ROLE_LABELS.get(person.council_role, ""),
        **{flag: mark(getattr(person, flag)) for flag in FLAGS},
    }
    for title in TITLE_COLUMNS:
        values[title] = format_years(t.year for t in person.titles.all() if t.title == title)
    return [values[key] for key, _header, _width in COLUMNS]


def _unit_choices(units) -> list[list[str]]:
    return [
        list(pair)
        for pair in units.filter(is_active=True).order_by("path").values_list("code", "name")
    ]


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return datetime.date.fromisoformat(value["date"])
    return value


class PeopleRegisterXlsx(Exporter):
    identifier = "people_register_xlsx"
    verbose_name = gettext_lazy("People register (Excel)")
    mimetype = XLSX
    form_class = PeopleRegisterForm
    action = Action.VIEW

    def target_of(self, form: ExporterForm) -> Target:
        user, data = form.user, form.cleaned_data
        area = data["unit"] or data["province"]
        cycle = cycle_for_user(user)
        params = {
            "reader": user.pk,
            "cycle": cycle.pk if cycle else None,
            **plain(
                [
                    ("q", data["q"]),
                    ("area", area.pk if area is not None else None),
                    ("rank", data["rank"]),
                    ("gender", data["gender"]),
                    ("title", data["title"]),
                    ("status", data["status"] or "active"),
                ]
            ),
        }
        return Target(
            unit=lambda: report_scope(user),
            title=_("People register (Excel)"),
            params=params,
            cleaned={"reader": user, "cycle": cycle, "area": area},
        )

    def register_source(
        self, reader: User, cycle: Cycle | None, area: Unit | None, params: Params
    ) -> Source:
        years = years_of(cycle)
        people = people_list(
            user=reader,
            query=params.get("q", ""),
            area=area,
            rank=params.get("rank"),
            gender=params.get("gender", ""),
            title=params.get("title", ""),
            years=years,
            active=ACTIVE.get(params.get("status", "active")),
        )
        table = {
            # A date travels as {"date": …} (``reports.xlsx.date_cell``).
            "rows": [
                [date_cell(v) if isinstance(v, datetime.date) else v for v in export_row(n, person)]
                for n, person in enumerate(people, start=1)
            ],
            "units": _unit_choices(visible_units(reader)),
            "years": [years.start, years.stop],
        }
        return Source(
            self.identifier,
            f"danh-sach-can-bo-{timezone.localdate():%Y-%m-%d}.xlsx",
            XLSX,
            [json.dumps(table, ensure_ascii=False, sort_keys=True)],
        )

    def source(self, params: Params) -> Source:
        reader = User.objects.select_related("unit").get(pk=params["reader"])
        cycle = None
        if params.get("cycle"):
            cycle = Cycle.objects.select_related("hierarchy").get(pk=params["cycle"])
            work_in_cycle(reader, cycle)
        area = Unit.objects.get(pk=params["area"]) if params.get("area") else None
        return self.register_source(reader, cycle, area, params)

    def source_of(self, target: Target) -> Source:
        cleaned = target.cleaned
        return self.register_source(
            cleaned["reader"], cleaned["cycle"], cleaned["area"], target.params
        )

    def produce(self, chunk: str) -> bytes:
        table = json.loads(chunk)
        return write_workbook(
            ([_cell(value) for value in row] for row in table["rows"]),
            units=[tuple(pair) for pair in table["units"]],
            years=range(*table["years"]),
        )

    def combine(self, pieces: list[bytes]) -> bytes:
        (data,) = pieces
        return data
