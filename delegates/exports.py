"""Exports of delegates, in the shape of STYLE.md's exporters
(``identifier``, ``verbose_name``, ``render(...) -> (filename, mimetype,
bytes)``). A delegate list has at most some 500 rows: its view renders it
in the request."""

from io import BytesIO

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from congress.models import Conference
from delegates.selectors.delegates import delegate_unit
from units.text import fold
from units.workbooks import append_row

from .models import Delegate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def delegate_cells(number: int, delegate: Delegate) -> list:
    """One row of the list: guests outside the register have their title
    and organisation where people have their position and unit."""
    person = delegate.person
    unit = delegate_unit(delegate)
    if person is None:
        return [
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
    return [
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


class DelegateListExport:
    """A conference's delegate list (as filtered and ordered on screen) as
    an .xlsx workbook."""

    identifier = "delegate_list"
    verbose_name = gettext_lazy("Delegate list (Excel)")
    widths = (6, 30, 10, 10, 12, 36, 36, 22, 30)

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

    def render(
        self, *, conference: Conference, delegates: list[Delegate], filters_line: str = ""
    ) -> tuple[str, str, bytes]:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Delegates")
        append_row(sheet, [_("Delegate list")])
        sheet["A1"].font = Font(bold=True, size=14)
        append_row(
            sheet,
            [
                f"{conference.tier.name} – {conference.unit.name}, "
                + _("period %(period)s") % {"period": conference.tier.cycle.period_label}
            ],
        )
        append_row(sheet, [filters_line])
        append_row(sheet, [])
        append_row(sheet, self.headers())
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DCE6F1")
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        for number, delegate in enumerate(delegates, start=1):
            # Empty cells rather than empty strings.
            append_row(
                sheet,
                [value if value != "" else None for value in delegate_cells(number, delegate)],
            )
        for index, width in enumerate(self.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        buffer = BytesIO()
        workbook.save(buffer)
        filename = f"danh-sach-dai-bieu-{slugify(fold(conference.unit.name)) or conference.pk}.xlsx"
        return filename, XLSX, buffer.getvalue()
