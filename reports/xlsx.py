"""Spreadsheets of the documents that are tables: a plain description of
the sheets (JSON-serialisable, so that it can be checksummed and handed to
a worker) and the one writer that turns it into an .xlsx workbook: every
table the app exports (the documents, the progress board, the delegate
list as shown) is written here, with the header style and MIME type of
``units.workbooks`` and every value through its sanitiser."""

import datetime
import json
from dataclasses import asdict, dataclass, field
from io import BytesIO

from units.workbooks import XLSX, append_row, style_header

__all__ = ["XLSX", "Cell", "Column", "Sheet", "check_workbook", "date_cell", "write_workbook"]

# A date travels as {"date": "2020-01-14"} (the description is JSON) and is
# written as a date cell shown dd/mm/yyyy, so that Excel sorts and filters
# it as a date; a bare year is a number.
Cell = str | int | float | dict[str, str] | None
DATE_FORMAT = "DD/MM/YYYY"


def date_cell(day: datetime.date | None) -> Cell:
    """A date for a sheet's row (``None`` stays an empty cell)."""
    return {"date": day.isoformat()} if day is not None else None


def _value(cell: Cell) -> object:
    if isinstance(cell, dict):
        return datetime.date.fromisoformat(cell["date"])
    return cell


@dataclass
class Column:
    header: str
    width: int = 14


@dataclass
class Sheet:
    """A title, lines under it (scope, date, filters), a header row and
    rows; a row that is a single string is a section heading (a category,
    a unit), written bold across the table; ``total``, a last row written
    bold. The header stays in view while scrolling, and so do the first
    ``frozen_columns`` columns."""

    title: str
    heading: str
    columns: list[Column]
    rows: list[list[Cell] | str]
    lines: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    total: list[Cell] | None = None
    frozen_columns: int = 0


def to_json(sheets: list[Sheet]) -> str:
    return json.dumps([asdict(sheet) for sheet in sheets], ensure_ascii=False, sort_keys=True)


def from_json(text: str) -> list[Sheet]:
    sheets = []
    for data in json.loads(text):
        data["columns"] = [Column(**column) for column in data["columns"]]
        sheets.append(Sheet(**data))
    return sheets


def write_workbook(sheets: list[Sheet]) -> bytes:
    """The sheets as an .xlsx workbook: bold title, shaded header row that
    stays in view while scrolling, filters on the table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    section_fill = PatternFill("solid", fgColor="F2F2F2")
    for sheet_spec in sheets:
        sheet = workbook.create_sheet(title=sheet_spec.title[:31])
        append_row(sheet, [sheet_spec.heading])
        sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
        for line in sheet_spec.lines:
            append_row(sheet, [line])
        append_row(sheet, [])
        header_row = sheet.max_row + 1
        append_row(sheet, [column.header for column in sheet_spec.columns])
        style_header(sheet[header_row])
        for index, column in enumerate(sheet_spec.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        for row in sheet_spec.rows:
            if isinstance(row, str):
                append_row(sheet, [row])
                cell = sheet.cell(row=sheet.max_row, column=1)
                cell.font = Font(bold=True)
                for index in range(1, len(sheet_spec.columns) + 1):
                    sheet.cell(row=sheet.max_row, column=index).fill = section_fill
            else:
                _append_cells(sheet, row)
        if sheet_spec.total is not None:
            _append_cells(sheet, sheet_spec.total)
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        last = get_column_letter(len(sheet_spec.columns))
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=sheet_spec.frozen_columns + 1)
        sheet.auto_filter.ref = f"A{header_row}:{last}{max(sheet.max_row, header_row)}"
        if sheet_spec.footer:
            append_row(sheet, [])
            for line in sheet_spec.footer:
                append_row(sheet, [line])
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def _append_cells(sheet, row: list[Cell]) -> None:
    append_row(sheet, [_value(cell) for cell in row])
    for index, cell in enumerate(row, start=1):
        if isinstance(cell, dict):
            sheet.cell(row=sheet.max_row, column=index).number_format = DATE_FORMAT


def check_workbook(data: bytes) -> None:
    """``ValueError`` unless ``data`` opens as an .xlsx workbook (read-only)
    with at least one sheet."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(BytesIO(data), read_only=True)
    except Exception as error:  # zipfile, XML and openpyxl errors alike
        raise ValueError(f"not a readable workbook: {error}") from error
    try:
        if not workbook.sheetnames:
            raise ValueError("a workbook without sheets")
    finally:
        workbook.close()
