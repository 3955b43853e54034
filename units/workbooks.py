"""The import templates' common shape (no database): a list sheet with a
styled, frozen header and fixed widths, text columns, and drop-down lists
read from a sheet of choices. Used by the unit import and the people
register's import, so that both files look and behave alike in Excel."""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

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
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = workbook.active
    sheet.title = title
    append_row(sheet, [header for _key, header, _width in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
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
