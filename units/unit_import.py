"""The unit hierarchy's Excel file: its columns, reading and checking an
import, and writing the template and exports. No database here: the
service (``units.hierarchy_services``) checks the codes against the
hierarchy and the previous one, and saves.

The file format is fixed, as the people register's is
(``delegates.people_import``): its headers are Vietnamese strings of the
format itself, not interface text, so they are not translated; a file is
matched to them by folded text (case and diacritics aside). Every cell of
every row is checked before anything is saved, and every problem is
reported as (row as Excel numbers it, column header, message).

Text is stored NFC. A cell typed in the legacy TCVN3 or VNI encodings is
converted (``units.encodings.normalise_text``) and counted; one that looks
legacy but cannot be converted safely is refused on its cell.

Codes are compared case aside and stored in capitals (every code of the
seed data is). An export has the same columns, parents before children,
so that it reads back unchanged. A demo headcount is written with its
label, "25 (số liệu mẫu)", and read back as a demo figure; a bare number
is a real figure; an empty cell keeps what the unit has.
"""

import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import IO, Any

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from . import workbooks
from .encodings import LegacyEncodingError, normalise_text
from .models import UnitKind
from .text import CONTROL_CHARACTERS_MESSAGE, control_characters, fold
from .workbooks import RowError, is_blank

# (key, header, width): the file's columns in order.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("code", "Mã đơn vị", 14),
    ("name", "Tên đơn vị", 44),
    ("kind", "Loại", 36),
    ("parent_code", "Mã đơn vị cấp trên", 14),
    ("headcount", "Số CCVC và NLĐ", 12),
    ("inactive", "Ngừng hoạt động (x)", 12),
    ("predecessor_codes", "Đơn vị tiền nhiệm", 26),
)
HEADERS = {key: header for key, header, _width in COLUMNS}

LIST_SHEET = "Đơn vị"
GUIDE_SHEET = "Hướng dẫn"
CHOICES_SHEET = "Danh mục"
MAX_ROWS = 10_000
MAX_HEADCOUNT = 100_000
CODE_LENGTH = 32  # Unit.code
NAME_LENGTH = 255  # Unit.name
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]*$")
_CODE_SEPARATORS = re.compile(r"[\s,;]+")
_MARKS = frozenset({"x", "có", "co"})
# The label a demo headcount carries in the file, as on the pages.
DEMO_LABEL = "số liệu mẫu"
# A whole number as a cell holds it: ASCII digits (str.isdigit would take
# "²", which int() refuses).
_INTEGER = re.compile(r"-?[0-9]{1,12}")
_DEMO_HEADCOUNT = re.compile(r"^(\d+)\s*\(\s*(?:so lieu mau|so lieu minh hoa|demo)\s*\)$")

# What makes a ZIP an .xlsx: its content types name a workbook's main part
# (a macro workbook, .xlsm, names another and is refused).
_CONTENT_TYPES = "[Content_Types].xml"
_WORKBOOK_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


@dataclass
class UnitRow:
    """One row of the file as read. A code cell that could not be read is
    None (its error is already listed), so the service checks references
    only where there is something to check."""

    row: int
    code: str | None
    name: str
    kind: str
    # "" for a unit at the top of the tree.
    parent_code: str | None
    # None: the cell is empty, the unit keeps its figure (0 for a new one).
    headcount: int | None
    # The figure carries the demo label: it stays labelled as demo data.
    headcount_is_demo: bool
    is_active: bool
    predecessor_codes: tuple[str, ...] | None


@dataclass
class ParsedFile:
    rows: list[UnitRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    converted_cells: int = 0

    @property
    def refused(self) -> bool:
        """The file itself (not a row) is wrong: nothing more to check."""
        return any(error.row in (None, 1) for error in self.errors)


def kind_labels() -> dict[str, str]:
    """Each kind's label as the file writes it: Vietnamese, whatever the
    interface language."""
    with translation.override("vi"):
        return {kind.value: str(kind.label) for kind in UnitKind}


def kind_lookup() -> dict[str, str]:
    """Folded label or value → kind: the Vietnamese label, the English one
    and the stored value are all understood."""
    lookup = {fold(kind.value): kind.value for kind in UnitKind}
    with translation.override("en"):
        lookup.update({fold(str(kind.label)): kind.value for kind in UnitKind})
    lookup.update({fold(label): value for value, label in kind_labels().items()})
    return lookup


def check_zip_expansion(archive: zipfile.ZipFile, size: int) -> None:
    """Refuse (``ValidationError``, code ``too_expanded``) an archive of
    ``size`` bytes whose members would expand beyond
    ``UPLOAD_MAX_EXPANDED_BYTES`` in total or ``UPLOAD_MAX_RATIO`` times its
    size: a zip bomb. Judged from its directory, before anything is
    decompressed (``zipfile`` never reads past a member's declared size)."""
    from django.conf import settings
    from django.core.exceptions import ValidationError
    from django.template.defaultfilters import filesizeformat

    expanded = sum(info.file_size for info in archive.infolist())
    if expanded > settings.UPLOAD_MAX_EXPANDED_BYTES or expanded > settings.UPLOAD_MAX_RATIO * max(
        size, 1
    ):
        raise ValidationError(
            _(
                "This file would expand to far more than its size when opened "
                "(%(expanded)s): it is refused. Save it again and upload the new file."
            )
            % {"expanded": filesizeformat(expanded)},
            code="too_expanded",
        )


def check_file_expansion(file: IO[bytes]) -> None:
    """``check_zip_expansion`` for an uploaded file, if it is a ZIP at all
    (anything else is left to the reader's own checks). Leaves it at 0."""
    try:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
        if file.read(4) != b"PK\x03\x04":
            return
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            check_zip_expansion(archive, size)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    finally:
        file.seek(0)


def is_xlsx(file: IO[bytes]) -> bool:
    """Whether an upload is an .xlsx by its content (a ZIP whose content
    types name a workbook), whatever its name says. Leaves the file at 0.
    Raises ``ValidationError`` for a zip bomb (``check_zip_expansion``)."""
    check_file_expansion(file)
    try:
        file.seek(0)
        if file.read(4) != b"PK\x03\x04":
            return False
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            if _CONTENT_TYPES not in archive.namelist():
                return False
            with archive.open(_CONTENT_TYPES) as types:
                return _WORKBOOK_MAIN in types.read(1024 * 1024)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        file.seek(0)


def column_index(column: str) -> int:
    headers = list(HEADERS.values())
    return headers.index(column) if column in headers else -1


def error_order(error: RowError) -> tuple[int, int]:
    return (error.row or 0, column_index(error.column))


# --- reading -------------------------------------------------------------------


def read_workbook(file: IO[bytes]) -> ParsedFile:
    """Read and check every row of an uploaded .xlsx (first sheet).

    Field checks and codes repeated within the file only; the caller checks
    the codes against the hierarchy. Rows with every cell empty are skipped.
    """
    rows, errors = workbooks.read_rows(file, columns=COLUMNS, max_rows=MAX_ROWS)
    parsed = ParsedFile(errors=errors)
    if parsed.refused:
        return parsed
    reader = _RowReader(parsed)
    for number, values in rows:
        parsed.rows.append(reader.read(number, values))
    parsed.errors.extend(repeated_codes(parsed.rows))
    parsed.errors.sort(key=error_order)
    return parsed


class _RowReader:
    """Checks one row's cells; collects errors on ``parsed``."""

    def __init__(self, parsed: ParsedFile) -> None:
        self.parsed = parsed
        self.kinds = kind_lookup()
        self.number = 0

    def error(self, key: str, message: str) -> None:
        self.parsed.errors.append(RowError(self.number, HEADERS[key], message))

    def text(self, key: str, value: Any) -> str | None:
        """The cell as NFC text with spaces collapsed, legacy text converted;
        None when it cannot be converted safely (the error is listed)."""
        if is_blank(value):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = " ".join(str(value).split())
        if control_characters(text):
            self.error(key, str(CONTROL_CHARACTERS_MESSAGE))
            return None
        try:
            text, encoding = normalise_text(text)
        except LegacyEncodingError as error:
            self.error(
                key,
                _(
                    "“%(text)s” looks like text typed in the old %(encoding)s encoding but "
                    "cannot be converted safely: retype it in Unicode."
                )
                % {"text": text, "encoding": (error.encoding or "TCVN3/VNI").upper()},
            )
            return None
        if encoding is not None:
            self.parsed.converted_cells += 1
        return text

    def read(self, number: int, values: Sequence[Any]) -> UnitRow:
        self.number = number
        cells = dict(zip((key for key, _h, _w in COLUMNS), values, strict=False))
        code = self.code(cells.get("code"))
        parent_code = self.parent_code(cells.get("parent_code"), code)
        headcount, is_demo = self.headcount(cells.get("headcount"))
        return UnitRow(
            row=number,
            code=code,
            name=self.name(cells.get("name")),
            kind=self.kind(cells.get("kind")),
            parent_code=parent_code,
            headcount=headcount,
            headcount_is_demo=is_demo,
            is_active=not self.flag("inactive", cells.get("inactive")),
            predecessor_codes=self.predecessor_codes(cells.get("predecessor_codes")),
        )

    def one_code(self, key: str, text: str) -> str | None:
        code = text.upper()
        if len(code) > CODE_LENGTH:
            self.error(key, _("A code has at most %(max)s characters.") % {"max": CODE_LENGTH})
            return None
        if not _CODE.match(code):
            self.error(
                key,
                _(
                    "“%(code)s” is no unit code: a code has only letters without diacritics, "
                    "digits, “-”, “_” and “.”."
                )
                % {"code": text},
            )
            return None
        return code

    def code(self, value: Any) -> str | None:
        text = self.text("code", value)
        if text is None:
            return None
        if not text:
            self.error("code", _("Enter the unit's code."))
            return None
        return self.one_code("code", text)

    def parent_code(self, value: Any, code: str | None) -> str | None:
        text = self.text("parent_code", value)
        if not text:
            return text
        parent = self.one_code("parent_code", text)
        if parent is not None and parent == code:
            self.error("parent_code", _("A unit cannot be under itself."))
            return None
        return parent

    def name(self, value: Any) -> str:
        name = self.text("name", value)
        if name == "":
            self.error("name", _("Enter the unit's name."))
        elif name is not None and len(name) > NAME_LENGTH:
            self.error("name", _("At most 255 characters."))
        return name or ""

    def kind(self, value: Any) -> str:
        text = self.text("kind", value)
        if text is None:
            return ""
        if not text:
            self.error("kind", _("Choose the kind of unit (see the sheet “Danh mục”)."))
            return ""
        if fold(text) in self.kinds:
            return self.kinds[fold(text)]
        self.error(
            "kind",
            _("“%(text)s” is not in the list (see the sheet “Danh mục”).") % {"text": text},
        )
        return ""

    def headcount(self, value: Any) -> tuple[int | None, bool]:
        """(figure or None for an empty cell, whether it is labelled demo)."""
        if is_blank(value):
            return None, False
        number: int | None = None
        is_demo = False
        if isinstance(value, int | float) and not isinstance(value, bool):
            if float(value).is_integer():
                number = int(value)
        elif isinstance(value, str):
            text = value.strip()
            if _INTEGER.fullmatch(text):
                number = int(text)
            elif match := _DEMO_HEADCOUNT.match(fold(text)):
                number, is_demo = int(match.group(1)), True
        if number is None or not 0 <= number <= MAX_HEADCOUNT:
            self.error(
                "headcount",
                _(
                    "“%(value)s” is no headcount: write a whole number from 0 to %(max)s, or "
                    "leave the cell empty to keep the current figure."
                )
                % {"value": value, "max": number_format(MAX_HEADCOUNT, force_grouping=True)},
            )
            return None, False
        return number, is_demo

    def flag(self, key: str, value: Any) -> bool:
        if is_blank(value) or value is False or value == 0:
            return False
        if value is True or value == 1:
            return True
        if isinstance(value, str) and value.strip().casefold() in _MARKS:
            return True
        self.error(key, _("Write “x” or leave the cell empty."))
        return False

    def predecessor_codes(self, value: Any) -> tuple[str, ...] | None:
        text = self.text("predecessor_codes", value)
        if text is None:
            return None
        codes: dict[str, None] = {}
        for part in _CODE_SEPARATORS.split(text):
            if not part:
                continue
            code = self.one_code("predecessor_codes", part)
            if code is None:
                return None
            codes[code] = None
        return tuple(codes)


def repeated_codes(rows: Iterable[UnitRow]) -> list[RowError]:
    """Rows repeating an earlier row's code: reported on the later row."""
    first: dict[str, int] = {}
    errors = []
    for unit in rows:
        if unit.code is None:
            continue
        if unit.code in first:
            errors.append(
                RowError(
                    unit.row,
                    HEADERS["code"],
                    _("The code %(code)s is already on row %(row)s: a unit has one row.")
                    % {"code": unit.code, "row": first[unit.code]},
                )
            )
        else:
            first[unit.code] = unit.row
    return errors


# --- writing -------------------------------------------------------------------


def export_row(
    *,
    code: str,
    name: str,
    kind: str,
    parent_code: str,
    headcount: int,
    headcount_is_demo: bool,
    is_active: bool,
    predecessor_codes: Iterable[str],
    labels: dict[str, str],
) -> list[Any]:
    """A unit as a row of the file, in the order of COLUMNS. A demo
    headcount carries its label, so that it is not read back as real."""
    return [
        code,
        name,
        labels.get(kind, kind),
        parent_code,
        f"{headcount} ({DEMO_LABEL})" if headcount_is_demo else headcount,
        "" if is_active else "x",
        "; ".join(predecessor_codes),
    ]


def write_workbook(
    rows: Iterable[Sequence[Any]],
    *,
    hierarchy_name: str,
    units: Sequence[tuple[str, str]] = (),
    previous_name: str = "",
    previous_units: Sequence[tuple[str, str]] = (),
    example_parent: str = "P79",
) -> bytes:
    """The units sheet (header, then ``rows`` in the order of COLUMNS), the
    guide and the lists: the kinds, and (code, name) of the hierarchy's
    units and of the previous hierarchy's, for parents and predecessors.

    Typing helps: a frozen header, column widths, a drop-down list of kinds
    and codes stored as text (so that Excel keeps "001" as typed).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet, letters, last = workbooks.list_sheet(
        workbook,
        title=LIST_SHEET,
        columns=COLUMNS,
        rows=rows,
        text_columns=("code", "parent_code", "predecessor_codes"),
    )
    bold = Font(bold=True)

    labels = kind_labels()
    choices = workbook.create_sheet(CHOICES_SHEET)
    workbooks.append_row(
        choices,
        [
            "Loại",
            "",
            f"Mã đơn vị ({hierarchy_name})",
            "Tên đơn vị",
            "",
            f"Mã đơn vị tiền nhiệm ({previous_name})" if previous_name else "",
            "Tên đơn vị tiền nhiệm" if previous_name else "",
        ],
    )
    for cell in choices[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    kinds = list(labels.values())
    for index in range(max(len(kinds), len(units), len(previous_units))):
        code, name = units[index] if index < len(units) else (None, None)
        old_code, old_name = previous_units[index] if index < len(previous_units) else (None, None)
        workbooks.append_row(
            choices,
            [
                kinds[index] if index < len(kinds) else None,
                None,
                code,
                name,
                None,
                old_code,
                old_name,
            ],
        )
    for letter, width in zip("ABCDEFG", (40, 3, 16, 50, 3, 16, 50), strict=True):
        choices.column_dimensions[letter].width = width

    workbooks.add_choice_list(
        sheet,
        choices_sheet=CHOICES_SHEET,
        choices_column="A",
        count=len(kinds),
        target=letters["kind"],
        last_row=last,
        max_rows=MAX_ROWS,
        error="Chọn một loại đơn vị trong danh sách (xem trang “Danh mục”).",
    )

    guide = workbook.create_sheet(GUIDE_SHEET, 1)
    _write_guide(
        guide,
        hierarchy_name=hierarchy_name,
        previous_name=previous_name,
        example=_example(example_parent, previous_units, labels),
    )

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _example(
    parent: str, previous_units: Sequence[tuple[str, str]], labels: dict[str, str]
) -> dict[str, Any]:
    """A new district under ``parent`` (a province of the hierarchy)."""
    return {
        "code": "D999",
        "name": "BHXH huyện Ví Dụ",
        "kind": labels[UnitKind.DISTRICT],
        "parent_code": parent,
        "headcount": 25,
        "inactive": "",
        "predecessor_codes": previous_units[-1][0] if previous_units else "",
    }


def _write_guide(
    sheet: Any, *, hierarchy_name: str, previous_name: str, example: dict[str, Any]
) -> None:
    from openpyxl.styles import Alignment, Font

    predecessors = (
        f"Mã các đơn vị của hệ thống trước (“{previous_name}”) mà đơn vị này tiếp nhận, cách nhau "
        "bởi dấu “;” (danh sách ở trang “Danh mục”). Để trống: không có đơn vị tiền nhiệm. "
        "Ghi bao nhiêu mã thì đơn vị có đúng bấy nhiêu đơn vị tiền nhiệm."
        if previous_name
        else "Hệ thống đơn vị này không thay thế hệ thống nào: để trống."
    )
    explanations = {
        "code": (
            "Bắt buộc. Mã duy nhất trong hệ thống đơn vị, gồm chữ không dấu, chữ số, “-”, “_”, "
            f"“.” (tối đa {CODE_LENGTH} ký tự; chữ thường được đổi thành chữ hoa). Mã đã có: dòng "
            "cập nhật đơn vị đó; mã mới: dòng tạo đơn vị mới."
        ),
        "name": "Bắt buộc. Tên đầy đủ của đơn vị, gõ Unicode.",
        "kind": "Bắt buộc. Một giá trị của danh sách “Loại” (trang “Danh mục”).",
        "parent_code": (
            "Mã của đơn vị cấp trên: một đơn vị đã có trong hệ thống, hoặc một dòng khác của tệp "
            "(thứ tự các dòng không quan trọng). Để trống chỉ cho đơn vị cao nhất, khi hệ thống "
            "chưa có đơn vị nào. Đơn vị đã có không chuyển sang đơn vị cấp trên khác được."
        ),
        "headcount": (
            "Số cán bộ, công chức, viên chức và người lao động của chính đơn vị (số nguyên từ 0). "
            "Để trống: giữ số hiện có (0 cho đơn vị mới). Số ghi kèm “(số liệu mẫu)” là số liệu "
            "minh họa và vẫn được đánh dấu như vậy; ghi số không kèm nhãn là số thực tế."
        ),
        "inactive": "Ghi “x” nếu đơn vị đã ngừng hoạt động; để trống nếu đang hoạt động.",
        "predecessor_codes": predecessors,
    }
    workbooks.append_row(sheet, [f"Hệ thống đơn vị: {hierarchy_name}"])
    sheet["A1"].font = Font(bold=True, size=13)
    workbooks.append_row(sheet, [])
    workbooks.append_row(sheet, ["Cột", "Cách ghi", "Ví dụ"])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for key, header, _width in COLUMNS:
        workbooks.append_row(sheet, [header, explanations[key], example[key]])
    workbooks.append_row(sheet, [])
    workbooks.append_row(sheet, ["Ví dụ một dòng của trang “Đơn vị”:"])
    workbooks.append_row(sheet, [header for _key, header, _width in COLUMNS])
    workbooks.append_row(sheet, [example[key] for key, _header, _width in COLUMNS])
    workbooks.append_row(sheet, [])
    for note in (
        "Cả tệp được kiểm tra trước: nếu có dòng sai thì không dòng nào được lưu, và mọi lỗi "
        "được liệt kê theo dòng và cột.",
        "Đơn vị của hệ thống không có trong tệp được giữ nguyên: việc nhập không xóa đơn vị nào.",
        "Tệp xuất ra có cùng các cột, đơn vị cấp trên trước đơn vị cấp dưới: sửa rồi nhập lại "
        "tệp xuất để cập nhật hệ thống đơn vị.",
        "Chữ gõ bằng bảng mã cũ TCVN3 (ABC) hoặc VNI được tự động chuyển sang Unicode; ô không "
        "chuyển được chắc chắn sẽ bị báo lỗi.",
    ):
        workbooks.append_row(sheet, [note])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90
    sheet.column_dimensions["C"].width = 30
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
