"""The import templates' common shape (no database): a list sheet with a
styled, frozen header and fixed widths, text columns, and drop-down lists
read from a sheet of choices; and reading such a file back, row by row,
with the errors of the file itself. Used by the unit import and the people
register's import, so that both files look and behave alike in Excel."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

from .text import fold

# The one MIME type of an .xlsx workbook and the one look of a table's
# header row, for every workbook the app writes (the import templates here,
# the documents of ``reports.xlsx``).
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = "DCE6F1"
DATE_FORMAT = "DD/MM/YYYY"
# Rows past the data that still get the drop-down lists, for rows typed later.
SPARE_ROWS = 1000


def safe(value: Any) -> Any:
    """A value as a cell may hold it: text without the characters openpyxl
    refuses (control characters); numbers, dates and None unchanged."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def safe_cell(sheet: Any, value: Any) -> Any:
    """The value ready for ``sheet.append``: text becomes a cell typed as a
    string, so that "=HYPERLINK(…)" or "=1+1" typed by a user is shown,
    never run, by Excel; anything else is appended as it is."""
    from openpyxl.cell.cell import Cell

    value = safe(value)
    if not isinstance(value, str):
        return value
    cell = Cell(sheet, value=value)
    # openpyxl makes a formula of any text starting with "=": undo that.
    cell.data_type = "s"
    return cell


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append a row of user text, numbers and dates, each through ``safe_cell``."""
    sheet.append([safe_cell(sheet, value) for value in values])


def style_header(cells: Iterable[Any]) -> None:
    """The header row's look: bold on a light blue fill, wrapped, centred."""
    from openpyxl.styles import Alignment, Font, PatternFill

    for cell in cells:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def list_sheet(
    workbook: Any,
    *,
    title: str,
    columns: Sequence[tuple[str, str, int]],
    rows: Iterable[Sequence[Any]],
    text_columns: Iterable[str] = (),
) -> tuple[Any, dict[str, str], int]:
    """Fill the workbook's first sheet: the header of ``columns`` (key,
    header, width), then ``rows``; the ``text_columns`` stored as text (so
    that Excel keeps "001" or "05/03/1985" as typed). Returns the sheet,
    each key's column letter and the last row written."""
    from openpyxl.utils import get_column_letter

    sheet = workbook.active
    sheet.title = title
    append_row(sheet, [header for _key, header, _width in columns])
    style_header(sheet[1])
    sheet.row_dimensions[1].height = 45
    letters = {key: get_column_letter(i) for i, (key, _h, _w) in enumerate(columns, start=1)}
    for key, _header, width in columns:
        sheet.column_dimensions[letters[key]].width = width
    sheet.freeze_panes = "C2"
    last = 1
    for last, values in enumerate(rows, start=2):  # noqa: B007 - the last row is returned
        append_row(sheet, values)
    for key in text_columns:
        sheet.column_dimensions[letters[key]].number_format = "@"
        for cell in sheet[letters[key]]:
            # A date or a number written by an export keeps its type.
            if isinstance(cell.value, datetime.date):
                cell.number_format = DATE_FORMAT
            elif not isinstance(cell.value, int | float):
                cell.number_format = "@"
    return sheet, letters, last


def add_choice_list(
    sheet: Any,
    *,
    choices_sheet: str,
    choices_column: str,
    count: int,
    target: str,
    last_row: int,
    max_rows: int,
    strict: bool = True,
    error: str = "Chọn một giá trị trong danh sách (xem trang “Danh mục”).",
) -> None:
    """A drop-down list on column ``target`` of the data rows (and spare
    ones), offering the ``count`` values below the header of
    ``choices_column`` on ``choices_sheet``; ``strict`` refuses others."""
    from openpyxl.worksheet.datavalidation import DataValidation

    if not count:
        return
    area = max(last_row + SPARE_ROWS, max_rows + 1)
    validation = DataValidation(
        type="list",
        # A reference as Excel stores it in the file: no leading "=".
        formula1=f"'{choices_sheet}'!${choices_column}$2:${choices_column}${count + 1}",
        allow_blank=True,
        showErrorMessage=strict,
        errorTitle="Giá trị không có trong danh sách",
        error=error,
    )
    sheet.add_data_validation(validation)
    validation.add(f"{target}2:{target}{area}")


# --- reading -------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` as Excel numbers it (None for the whole file)."""

    row: int | None
    column: str
    message: str


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header_error(
    header: Sequence[Any] | None, columns: Sequence[tuple[str, str, int]]
) -> RowError | None:
    """The first column of the template missing or misplaced in ``header``
    (matched by folded text: case and diacritics aside)."""
    found = [fold(str(value)) if value is not None else "" for value in (header or ())]
    for index, (_key, title, _width) in enumerate(columns):
        if index >= len(found) or found[index] != fold(title):
            return RowError(
                1,
                title,
                _(
                    "The header row does not match the template (column “%(column)s” is "
                    "missing or misplaced): download the template and copy the rows into it."
                )
                % {"column": title},
            )
    return None


def read_rows(
    file: IO[bytes], *, columns: Sequence[tuple[str, str, int]], max_rows: int
) -> tuple[list[tuple[int, tuple[Any, ...]]], list[RowError]]:
    """The data rows of an uploaded template's first sheet, each with its
    Excel row number, rows with every cell empty left out; and the errors
    of the file itself: not an .xlsx, a wrong header, no rows, more than
    ``max_rows`` (the rows before the limit are still returned)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is no .xlsx
        return [], [
            RowError(None, "", _("The file is not an Excel workbook (.xlsx): use the template."))
        ]
    rows: list[tuple[int, tuple[Any, ...]]] = []
    errors: list[RowError] = []
    try:
        values = workbook.worksheets[0].iter_rows(values_only=True)
        wrong = header_error(next(values, None), columns)
        if wrong is not None:
            return [], [wrong]
        for number, row in enumerate(values, start=2):
            if number > max_rows + 1:
                errors.append(
                    RowError(
                        number,
                        "",
                        _("The file has more than %(max)s rows: split it.") % {"max": max_rows},
                    )
                )
                break
            if not all(is_blank(value) for value in row):
                rows.append((number, row))
    finally:
        workbook.close()
    if not rows and not errors:
        errors.append(RowError(None, "", _("The file has no rows under its header.")))
    return rows, errors
