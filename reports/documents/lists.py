"""The delegate list and the attendance list of a conference, each as a
Decree 30 PDF and as an .xlsx sheet.

Both follow the delegate list page: the same order (protocol order, or
names within each category), the same filters (a category, a unit and the
units under it), the same grouping (category, then unit, numbered
continuously). The attendance list adds when each delegate was checked in
at the door, or "absent", and the counts present / expected.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from django import forms
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from congress.models import Conference
from delegates.models import Category, Delegate, Gender
from delegates.selectors.delegates import DelegateFilters, DelegateOrder, delegate_list
from units.models import Unit

from ..exporters import (
    ConferenceForm,
    Params,
    PdfExporter,
    Target,
    XlsxExporter,
    conference_name,
    file_stem,
    load_conference,
)
from ..forms import ExporterForm, IdField, invalid_param
from ..letterhead import letterhead_for
from ..xlsx import Cell, Column, Sheet

# -- Parameters ------------------------------------------------------------------


class ListForm(ConferenceForm):
    """The request of a list: the conference, optionally ``category`` one
    of the categories, ``unit`` a unit of the conference's subtree,
    ``order`` "protocol" (the default) or "name"."""

    category = forms.ChoiceField(required=False, choices=[("", ""), *Category.choices])
    unit = IdField(queryset=Unit.objects.none(), required=False)
    order = forms.ChoiceField(
        required=False, choices=[("", ""), *((str(order), str(order)) for order in DelegateOrder)]
    )

    def setup(self) -> None:
        super().setup()
        self.narrow("unit", Unit.objects.only("pk", "path", "hierarchy_id", "name"))

    def clean_unit(self) -> Unit | None:
        unit, conference = self.cleaned_data["unit"], self.cleaned_data.get("conference")
        if unit is None or conference is None:
            return unit
        if not Unit.objects.subtree_of(conference.unit).filter(pk=unit.pk).exists():
            raise invalid_param("unit")
        return unit

    def plain(self) -> Params:
        """The list's parameters as plain values, the optional ones left
        out when empty."""
        data = self.cleaned_data
        cleaned: Params = {"conference": data["conference"].pk}
        if data["category"]:
            cleaned["category"] = data["category"]
        if data["unit"] is not None:
            cleaned["unit"] = data["unit"].pk
        cleaned["order"] = data["order"] or str(DelegateOrder.PROTOCOL)
        return cleaned


# -- The rows, shared by the PDF and the sheet -------------------------------------


@dataclass(frozen=True)
class Row:
    number: int
    name: str
    gender: str  # Gender value, "" for a guest outside the register
    birth_year: int | None
    position: str
    unit: str
    note: str
    checked_in: str  # "08:05", or "" when absent

    @property
    def male_birth_year(self) -> int | None:
        return self.birth_year if self.gender == Gender.MALE else None

    @property
    def female_birth_year(self) -> int | None:
        return self.birth_year if self.gender == Gender.FEMALE else None

    @property
    def present(self) -> bool:
        return bool(self.checked_in)


@dataclass(frozen=True)
class UnitSection:
    name: str  # "" where there is no sub-heading (guests outside the register, name order)
    rows: list[Row]


@dataclass(frozen=True)
class Section:
    """One category: "I. ĐẠI BIỂU KHÁCH MỜI", its units and their rows."""

    numeral: str
    label: str
    groups: list[UnitSection]

    @property
    def heading(self) -> str:
        return f"{self.numeral}. {self.label.upper()}"

    @property
    def expected(self) -> int:
        return sum(len(group.rows) for group in self.groups)

    @property
    def present(self) -> int:
        return sum(row.present for group in self.groups for row in group.rows)

    @property
    def absent(self) -> int:
        return self.expected - self.present


@dataclass(frozen=True)
class Block:
    """Rows of the printed table that go on one page together (``keep``): a
    heading with the first row under it, so that no heading ends a page,
    and the last row with the closing, so that no signature stands alone."""

    rows: list[Row]
    section: str = ""  # the category heading above the rows
    unit: str = ""  # the unit heading above the rows
    keep: bool = False
    closing: bool = False


@dataclass(frozen=True)
class Listing:
    conference: Conference
    conference_name: str
    sections: list[Section]
    scope: str  # the filters, in words; "" for the whole list

    @property
    def expected(self) -> int:
        return sum(section.expected for section in self.sections)

    @property
    def present(self) -> int:
        return sum(section.present for section in self.sections)

    @property
    def absent(self) -> int:
        return self.expected - self.present

    def blocks(self) -> list[Block]:
        blocks: list[Block] = []
        for section in self.sections:
            for index, group in enumerate(section.groups):
                blocks.append(
                    Block(
                        rows=group.rows[:1],
                        section=section.heading if index == 0 else "",
                        unit=group.name,
                        keep=True,
                    )
                )
                if len(group.rows) > 1:
                    blocks.append(Block(rows=group.rows[1:]))
        if not blocks:
            return [Block(rows=[], keep=True, closing=True)]
        last = blocks.pop()
        if not last.keep:
            if len(last.rows) > 1:
                blocks.append(Block(rows=last.rows[:-1]))
            last = Block(rows=last.rows[-1:], keep=True)
        blocks.append(
            Block(rows=last.rows, section=last.section, unit=last.unit, keep=True, closing=True)
        )
        return blocks


def roman(number: int) -> str:
    numerals = (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    )
    result = ""
    for value, numeral in numerals:
        count, number = divmod(number, value)
        result += numeral * count
    return result


def check_in_time(moment: datetime.datetime | None, day: datetime.date) -> str:
    """ "08:05" in local time (the site's, Asia/Ho_Chi_Minh); with the date
    when it was not the conference's day, which the list is read against."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    if local.date() != day:
        return local.strftime("%H:%M %d/%m/%Y")
    return local.strftime("%H:%M")


def delegate_row(
    number: int, delegate: Delegate, day: datetime.date, *, listed_under: Unit | None = None
) -> Row:
    """A guest outside the register has a title and an organisation where
    people have their position and the unit they work in. Where an elected
    delegate was elected is noted, unless their unit or the unit heading
    above already says it."""
    person = delegate.person
    notes = []
    elected_at = delegate.elected_at
    said = {listed_under.pk if listed_under is not None else None, person and person.unit_id}
    if elected_at is not None and elected_at.unit_id not in said:
        notes.append(_("Elected at %(unit)s") % {"unit": elected_at.unit.name})
    if delegate.note:
        notes.append(delegate.note)
    if person is None:
        gender, birth_year = "", None
        position, unit_name = delegate.guest_title, delegate.guest_organisation
    else:
        gender, birth_year = person.gender, person.birth_year
        position = delegate.guest_title or person.position
        # The unit they work in; the sub-heading names the unit they come from.
        unit_name = person.unit.name
    return Row(
        number=number,
        name=delegate.name,
        gender=gender,
        birth_year=birth_year,
        position=position,
        unit=unit_name,
        note="; ".join(notes),
        checked_in=check_in_time(delegate.checked_in_at, day),
    )


def load_listing(params: Params) -> Listing:
    """The list a cleaned request names, in sections: the queries of
    ``delegates.selectors.delegate_list`` and two more (the conference,
    the unit filtered on), whatever the number of delegates."""
    conference = load_conference(params)
    unit = None
    if params.get("unit"):
        unit = Unit.objects.only("pk", "path", "hierarchy_id", "name").get(pk=params["unit"])
    category = params.get("category", "")
    filters = DelegateFilters(category=category, unit=unit)
    listing = delegate_list(conference, order=params.get("order", ""), filters=filters)
    sections = []
    for index, group in enumerate(listing.grouped(), start=1):
        groups = [
            UnitSection(
                name=unit_group.unit.name if unit_group.unit is not None else "",
                rows=[
                    delegate_row(number, delegate, conference.date, listed_under=unit_group.unit)
                    for number, delegate in unit_group.rows
                ],
            )
            for unit_group in group.groups
        ]
        sections.append(Section(numeral=roman(index), label=group.label, groups=groups))
    scope = []
    if category:
        scope.append(_("Category: %(value)s") % {"value": Category(category).label})
    if unit is not None:
        scope.append(_("Unit: %(value)s") % {"value": unit.name})
    return Listing(
        conference=conference,
        conference_name=conference_name(conference),
        sections=sections,
        scope="; ".join(scope),
    )


def subtitle(listing: Listing) -> str:
    conference = listing.conference
    return _("Attending the %(conference)s, on %(date)s at %(venue)s") % {
        "conference": listing.conference_name,
        "date": conference.date.strftime("%d/%m/%Y"),
        "venue": conference.venue,
    }


def count_line(count: int) -> str:
    return ngettext(
        "This list has %(count)s delegate.", "This list has %(count)s delegates.", count
    ) % {"count": count}


def attendance_line(label: str, present: int, expected: int) -> str:
    return _("%(label)s: %(present)s present out of %(expected)s") % {
        "label": label,
        "present": present,
        "expected": expected,
    }


def css_string(text: str) -> SafeString:
    """``text`` as a quoted CSS string, safe inside ``<style>``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    escaped = escaped.replace("\n", " ")
    return mark_safe(f'"{escaped}"')  # noqa: S308 (quoted and escaped above)


def page_number_css() -> SafeString:
    """ "Trang " counter(page) "/" counter(pages): the translated "Page 2
    of 5" as the value of a CSS ``content``."""
    tokens = []
    for part in re.split(r"(%\((?:page|pages)\)s)", _("Page %(page)s of %(pages)s")):
        if part == "%(page)s":
            tokens.append("counter(page)")
        elif part == "%(pages)s":
            tokens.append("counter(pages)")
        elif part:
            tokens.append(css_string(part))
    return mark_safe(" ".join(tokens))  # noqa: S308 (CSS strings and counters only)


# -- The exporters ------------------------------------------------------------------


class ListTargetMixin:
    """The request of a list: a conference, optionally a category, a unit,
    an order."""

    form_class: ClassVar[type[ExporterForm]] = ListForm
    job_title: ClassVar[Any]

    def target_of(self, form: ExporterForm) -> Target:
        form = cast(ListForm, form)
        conference = form.cleaned_data["conference"]
        return Target(
            unit=conference.unit,
            title=str(self.job_title) % {"conference": conference},
            params=form.plain(),
        )


class ListPdfMixin(ListTargetMixin):
    document_title: ClassVar[Any]
    file_prefix: ClassVar[str]
    column_count: ClassVar[int]

    def context(self, params: Params) -> dict[str, Any]:
        listing = load_listing(params)
        return {
            "listing": listing,
            "document_title": self.document_title,
            "subtitle": subtitle(listing),
            "count_line": count_line(listing.expected),
            "letterhead": letterhead_for(listing.conference.unit),
            "column_count": self.column_count,
            "page_number_css": page_number_css(),
            "running_css": css_string(f"{self.document_title} · {listing.conference_name}"),
        }

    def filename(self, params: Params, context: dict[str, Any]) -> str:
        return f"{self.file_prefix}-{file_stem(context['listing'].conference)}.pdf"


class DelegateListPdf(ListPdfMixin, PdfExporter):
    identifier = "delegate_list_pdf"
    verbose_name = gettext_lazy("Delegate list (PDF)")
    template_name = "reports/pdf/delegate_list.html"
    job_title = gettext_lazy("Delegate list: %(conference)s")
    document_title = gettext_lazy("Delegate list")
    file_prefix = "danh-sach-dai-bieu"
    column_count = 7


class AttendancePdf(ListPdfMixin, PdfExporter):
    identifier = "attendance_pdf"
    verbose_name = gettext_lazy("Attendance list (PDF)")
    template_name = "reports/pdf/attendance.html"
    job_title = gettext_lazy("Attendance list: %(conference)s")
    document_title = gettext_lazy("Attendance list")
    file_prefix = "danh-sach-diem-danh"
    column_count = 5


def _sheet_rows(listing: Listing, cells: Callable[[Row], list[Cell]]) -> list[list[Cell] | str]:
    """The table of the sheet: a category or unit heading is a string row."""
    rows: list[list[Cell] | str] = []
    for section in listing.sections:
        rows.append(section.heading)
        for group in section.groups:
            if group.name:
                rows.append(group.name)
            rows.extend(cells(row) for row in group.rows)
    return rows


def _sheet_lines(listing: Listing) -> list[str]:
    return [line for line in (subtitle(listing), listing.scope) if line]


def _blank(value: str) -> str | None:
    """Empty cells rather than empty strings."""
    return value or None


class DelegateListXlsx(ListTargetMixin, XlsxExporter):
    identifier = "delegate_list_xlsx"
    verbose_name = gettext_lazy("Delegate list (Excel)")
    job_title = gettext_lazy("Delegate list: %(conference)s")

    def sheets(self, params: Params) -> tuple[str, list[Sheet]]:
        listing = load_listing(params)
        sheet = Sheet(
            title=_("Delegate list"),
            heading=_("Delegate list").upper(),
            lines=_sheet_lines(listing),
            columns=[
                Column(_("No."), 6),
                Column(_("Full name"), 28),
                Column(_("Year of birth (male)"), 10),
                Column(_("Year of birth (female)"), 10),
                Column(_("Position"), 30),
                Column(_("Unit"), 32),
                Column(_("Note"), 30),
            ],
            rows=_sheet_rows(
                listing,
                lambda row: [
                    row.number,
                    row.name,
                    row.male_birth_year,
                    row.female_birth_year,
                    _blank(row.position),
                    _blank(row.unit),
                    _blank(row.note),
                ],
            ),
            footer=[count_line(listing.expected)],
        )
        return f"danh-sach-dai-bieu-{file_stem(listing.conference)}.xlsx", [sheet]


class AttendanceXlsx(ListTargetMixin, XlsxExporter):
    identifier = "attendance_xlsx"
    verbose_name = gettext_lazy("Attendance list (Excel)")
    job_title = gettext_lazy("Attendance list: %(conference)s")

    def sheets(self, params: Params) -> tuple[str, list[Sheet]]:
        listing = load_listing(params)
        absent = _("Absent")
        sheet = Sheet(
            title=_("Attendance list"),
            heading=_("Attendance list").upper(),
            lines=_sheet_lines(listing),
            columns=[
                Column(_("No."), 6),
                Column(_("Full name"), 28),
                Column(_("Position"), 30),
                Column(_("Unit"), 32),
                Column(_("Checked in at"), 14),
            ],
            rows=_sheet_rows(
                listing,
                lambda row: [
                    row.number,
                    row.name,
                    _blank(row.position),
                    _blank(row.unit),
                    row.checked_in or absent,
                ],
            ),
            footer=attendance_footer(listing),
        )
        return f"danh-sach-diem-danh-{file_stem(listing.conference)}.xlsx", [sheet]


def attendance_footer(listing: Listing) -> list[str]:
    lines = [
        attendance_line(section.label, section.present, section.expected)
        for section in listing.sections
    ]
    lines.append(attendance_line(_("Total"), listing.present, listing.expected))
    return lines
