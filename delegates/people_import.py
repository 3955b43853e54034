"""The people register's Excel file: its columns, reading and checking an
import, and writing the template and exports. No database here: the
service (``delegates.services.people``) adds what needs one (units,
duplicates already in the register) and saves.

The file format is fixed. Its headers are Vietnamese strings of the format
itself, not interface text, so they are not translated; a file is matched
to them by folded text (case and diacritics aside). Every cell of every
row is checked before anything is saved, and every problem is reported as
(row as Excel numbers it, column header, message).

Text is stored NFC. A cell typed in the legacy TCVN3 or VNI encodings is
converted (``units.encodings.normalise_text``) and counted; one that
looks legacy but cannot be converted safely is refused on its cell.
"""

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import IO, Any

from django.utils.translation import gettext as _

from congress.models import FieldOfWork
from units import workbooks
from units.encodings import LegacyEncodingError, normalise_text
from units.params import as_int
from units.text import CONTROL_CHARACTERS_MESSAGE, control_characters, fold, nfc
from units.workbooks import RowError, is_blank

from .models import KINH, EmulationTitle, Gender, Rank
from .official_lists import COUNCIL_ROLE_WORDS

# (key, header, width): the template's columns in order.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("number", "STT", 6),
    ("full_name", "Họ và tên", 28),
    ("gender", "Giới tính (Nam/Nữ)", 10),
    ("birth", "Ngày sinh (dd/mm/yyyy) hoặc Năm sinh", 16),
    ("ethnicity", "Dân tộc", 10),
    ("position", "Chức vụ", 24),
    ("rank", "Cấp bậc", 26),
    ("field_of_work", "Lĩnh vực", 30),
    ("unit_code", "Mã đơn vị", 12),
    ("council_role", "Vai trò trong HĐTĐKT", 14),
    ("handles_emulation", "Phụ trách TĐKT (x)", 11),
    ("good_person_good_deed", "Người tốt - Việc tốt (x)", 11),
    ("good_solution", "Giải pháp hay/mô hình mới (x)", 12),
    ("works_directly", "Trực tiếp thực thi nhiệm vụ (x)", 12),
    ("national", "CSTĐ toàn quốc (năm)", 14),
    ("sector", "CSTĐ ngành (năm)", 14),
    ("grassroots", "CSTĐ cơ sở (năm)", 14),
)
HEADERS = {key: header for key, header, _width in COLUMNS}
FLAGS = (
    "handles_emulation",
    "good_person_good_deed",
    "good_solution",
    "works_directly",
)
TITLE_COLUMNS = tuple(title.value for title in EmulationTitle.Title)
GENDER_LABELS = {Gender.MALE: "Nam", Gender.FEMALE: "Nữ"}
# A council role as the file writes it: Chủ tịch, Thường trực, Thư ký, Ủy viên
# (the standing member being the "Phó Chủ tịch Thường trực").
COUNCIL_ROLE_LABELS = COUNCIL_ROLE_WORDS
_COUNCIL_ROLE_ALIASES = {
    "pho chu tich thuong truc": "standing",
    "uy vien thuong truc": "standing",
}

LIST_SHEET = "Danh sách"
GUIDE_SHEET = "Hướng dẫn"
CHOICES_SHEET = "Danh mục"
MAX_ROWS = 10_000
OLDEST_BIRTH_YEAR = 1930
YOUNGEST_AGE = 15
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YEARS = re.compile(r"[\s,;]+")
_MARKS = frozenset({"x", "có", "co"})


def title_years(period_start_year: int, period_end_year: int) -> range:
    """Years whose titles count for a cycle: the five years before its
    Congress year, i.e. period_start-1 … period_end-1 (cycle V, 2016–2020:
    titles of 2015–2019, as the guidance says)."""
    return range(period_start_year - 1, period_end_year)


@dataclass
class PersonRow:
    """One checked row of the file, ready for the service to save."""

    row: int
    full_name: str
    gender: str
    birth_year: int
    birth_date: datetime.date | None
    ethnicity: str
    position: str
    rank: int
    field_of_work: str
    unit_code: str
    council_role: str = ""  # a CouncilRole value, or empty: none
    flags: dict[str, bool] = field(default_factory=dict)
    # title value → years, ascending
    titles: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def name_key(self) -> str:
        return name_key(self.full_name)


@dataclass
class ParsedFile:
    rows: list[PersonRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    converted_cells: int = 0
    # Every row's unit code, the rows with other errors too, so that the
    # caller reports a wrong unit along with them.
    unit_codes: dict[int, str] = field(default_factory=dict)


def name_key(full_name: str) -> str:
    """Two names are the same person's when their NFC forms match, case
    and spacing aside."""
    return " ".join(nfc(full_name).casefold().split())


def same_birth(
    date_a: datetime.date | None, year_a: int, date_b: datetime.date | None, year_b: int
) -> bool:
    """Same birth date; or, when either has only a year, the same year."""
    if date_a is not None and date_b is not None:
        return date_a == date_b
    return year_a == year_b


def rank_labels() -> dict[str, int]:
    return {fold(str(label)): value for value, label in Rank.choices}


def field_labels() -> dict[str, str]:
    return {fold(str(label)): value for value, label in FieldOfWork.choices}


def council_role_labels() -> dict[str, str]:
    """Folded labels (and the usual longer names) → CouncilRole values."""
    return {fold(label): str(value) for value, label in COUNCIL_ROLE_LABELS.items()} | (
        _COUNCIL_ROLE_ALIASES
    )


# --- reading -------------------------------------------------------------------


def read_workbook(file: IO[bytes], *, years: range, today: datetime.date) -> ParsedFile:
    """Read and check every row of an uploaded .xlsx (first sheet).

    Field checks and duplicates within the file only; the caller checks
    units and the register. Rows with every cell empty are skipped.
    """
    rows, errors = workbooks.read_rows(file, columns=COLUMNS, max_rows=MAX_ROWS)
    parsed = ParsedFile(errors=errors)
    if any(error.row in (None, 1) for error in errors):
        return parsed
    reader = _RowReader(years=years, today=today, parsed=parsed)
    for number, values in rows:
        person = reader.read(number, values)
        if person is not None:
            parsed.rows.append(person)
    parsed.errors.extend(duplicates_within(parsed.rows))
    parsed.errors.sort(key=_error_order)
    return parsed


def _error_order(error: RowError) -> tuple[int, int]:
    columns = [header for _key, header, _width in COLUMNS]
    position = columns.index(error.column) if error.column in columns else -1
    return (error.row or 0, position)


class _RowReader:
    """Checks one row's cells; collects errors on ``parsed``."""

    def __init__(self, *, years: range, today: datetime.date, parsed: ParsedFile) -> None:
        self.years = years
        self.today = today
        self.parsed = parsed
        self.ranks = rank_labels()
        self.fields = field_labels()
        self.council_roles = council_role_labels()
        self.ok = True
        self.number = 0

    def error(self, key: str, message: str) -> None:
        self.ok = False
        self.parsed.errors.append(RowError(self.number, HEADERS[key], message))

    def text(self, key: str, value: Any) -> str:
        """The cell as NFC text with spaces collapsed; legacy text converted."""
        if is_blank(value):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = " ".join(str(value).split())
        if control_characters(text):
            self.error(key, str(CONTROL_CHARACTERS_MESSAGE))
            return ""
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
            return ""
        if encoding is not None:
            self.parsed.converted_cells += 1
        return text

    def read(self, number: int, values: Sequence[Any]) -> PersonRow | None:
        self.number, self.ok = number, True
        cells = dict(zip((key for key, _h, _w in COLUMNS), values, strict=False))
        name = self.full_name(cells.get("full_name"))
        gender = self.gender(cells.get("gender"))
        birth_year, birth_date = self.birth(cells.get("birth"))
        ethnicity = self.text("ethnicity", cells.get("ethnicity")) or KINH
        if len(ethnicity) > 64:
            self.error("ethnicity", _("At most 64 characters."))
        position = self.text("position", cells.get("position"))
        if len(position) > 255:
            self.error("position", _("At most 255 characters."))
        rank = self.choice("rank", cells.get("rank"), self.ranks, Rank.STAFF)
        field_of_work = self.choice(
            "field_of_work", cells.get("field_of_work"), self.fields, FieldOfWork.OTHER
        )
        unit_code = self.text("unit_code", cells.get("unit_code"))
        if unit_code:
            self.parsed.unit_codes[number] = unit_code
        else:
            self.error("unit_code", _("Enter the unit's code (see the sheet “Danh mục”)."))
        council_role = self.council_role(cells.get("council_role"))
        flags = {key: self.flag(key, cells.get(key)) for key in FLAGS}
        titles = {key: self.title_years(key, cells.get(key)) for key in TITLE_COLUMNS}
        if not self.ok:
            return None
        return PersonRow(
            row=number,
            full_name=name,
            gender=gender,
            birth_year=birth_year or 0,
            birth_date=birth_date,
            ethnicity=ethnicity,
            position=position,
            rank=int(rank),
            field_of_work=str(field_of_work),
            unit_code=unit_code,
            council_role=council_role,
            flags=flags,
            titles={key: years for key, years in titles.items() if years},
        )

    def full_name(self, value: Any) -> str:
        name = self.text("full_name", value)
        if not name:
            if self.ok:
                self.error("full_name", _("Enter the full name."))
        elif len(name) > 150:
            self.error("full_name", _("At most 150 characters."))
        elif any(char.isdigit() for char in name):
            self.error("full_name", _("A name has no digits."))
        return name

    def gender(self, value: Any) -> str:
        text = fold(self.text("gender", value))
        for gender, label in GENDER_LABELS.items():
            if text == fold(label):
                return str(gender)
        self.error("gender", _("Write “Nam” or “Nữ”."))
        return ""

    def birth(self, value: Any) -> tuple[int | None, datetime.date | None]:
        """(year, date or None): a date (a cell date or text dd/mm/yyyy) or a year."""
        date: datetime.date | None = None
        year: int | None = None
        if isinstance(value, datetime.datetime):
            date = value.date()
        elif isinstance(value, datetime.date):
            date = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if float(value).is_integer():
                year = int(value)
        elif isinstance(value, str) and value.strip():
            text = value.strip()
            if len(text) == 4 and (number := as_int(text)) is not None:
                year = number
            elif match := _DATE.match(text):
                day, month, full_year = (int(part) for part in match.groups())
                try:
                    date = datetime.date(full_year, month, day)
                except ValueError:
                    self.error("birth", _("“%(text)s” is no date.") % {"text": text})
                    return None, None
        if date is not None:
            year = date.year
        if year is None:
            self.error(
                "birth",
                _("Enter the date of birth as dd/mm/yyyy, or the year of birth (e.g. 1980).")
                if is_blank(value)
                else _("“%(value)s” is neither a date dd/mm/yyyy nor a year.") % {"value": value},
            )
            return None, None
        latest = self.today.year - YOUNGEST_AGE
        if not OLDEST_BIRTH_YEAR <= year <= latest:
            self.error(
                "birth",
                _("The year of birth must be between %(first)s and %(last)s.")
                % {"first": OLDEST_BIRTH_YEAR, "last": latest},
            )
            return None, None
        return year, date

    def choice(self, key: str, value: Any, labels: dict[str, Any], default: Any) -> Any:
        text = self.text(key, value)
        if not text:
            return default
        if fold(text) in labels:
            return labels[fold(text)]
        self.error(
            key,
            _("“%(text)s” is not in the list (see the sheet “Danh mục”).") % {"text": text},
        )
        return default

    def council_role(self, value: Any) -> str:
        text = self.text("council_role", value)
        if not text:
            return ""
        if fold(text) in self.council_roles:
            return self.council_roles[fold(text)]
        self.error(
            "council_role",
            _("“%(text)s” is no role on the council: write %(roles)s, or leave the cell empty.")
            % {"text": text, "roles": ", ".join(COUNCIL_ROLE_LABELS.values())},
        )
        return ""

    def flag(self, key: str, value: Any) -> bool:
        if is_blank(value) or value is False or value == 0:
            return False
        if value is True or value == 1:
            return True
        if isinstance(value, str) and value.strip().casefold() in _MARKS:
            return True
        self.error(key, _("Write “x” or leave the cell empty."))
        return False

    def title_years(self, key: str, value: Any) -> tuple[int, ...]:
        if is_blank(value):
            return ()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        parts = [part for part in _YEARS.split(str(value).strip()) if part]
        years = set()
        for part in parts:
            if as_int(part) not in self.years:
                self.error(
                    key,
                    _(
                        "“%(value)s” is not a year from %(first)s to %(last)s; write the years "
                        "separated by commas, e.g. “%(first)s, %(last)s”."
                    )
                    % {"value": part, "first": self.years[0], "last": self.years[-1]},
                )
                return ()
            years.add(int(part))
        return tuple(sorted(years))


def duplicates_within(rows: Iterable[PersonRow]) -> list[RowError]:
    """Rows repeating an earlier row of the same unit (same name and birth):
    reported on the later row, never merged."""
    seen: dict[tuple[str, str], list[PersonRow]] = {}
    errors = []
    for person in rows:
        key = (person.unit_code.upper(), person.name_key)
        for earlier in seen.get(key, ()):
            if same_birth(
                person.birth_date, person.birth_year, earlier.birth_date, earlier.birth_year
            ):
                errors.append(
                    RowError(
                        person.row,
                        HEADERS["full_name"],
                        _(
                            "Same person as row %(row)s (same name and birth in the same unit): "
                            "keep one of the two rows."
                        )
                        % {"row": earlier.row},
                    )
                )
                break
        seen.setdefault(key, []).append(person)
    return errors


# --- writing -------------------------------------------------------------------


def format_years(years: Iterable[int]) -> str:
    return ", ".join(str(year) for year in sorted(years))


def mark(flag: bool) -> str:
    return "x" if flag else ""


def write_workbook(
    rows: Iterable[Sequence[Any]],
    *,
    units: Sequence[tuple[str, str]],
    years: range,
) -> bytes:
    """The people sheet (header, then ``rows`` in the order of COLUMNS),
    the guide and the lists; ``units`` are (code, name) the user may fill.

    Typing helps: a frozen header, column widths, drop-down lists for
    gender, rank, field of work, unit code and council role, and the birth
    column stored as text so that Excel cannot read 05/03 as 3 May.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    # The birth column as text, so that Excel keeps "05/03/1985" as typed
    # whatever its locale.
    sheet, letters, last = workbooks.list_sheet(
        workbook, title=LIST_SHEET, columns=COLUMNS, rows=rows, text_columns=("birth",)
    )
    bold = Font(bold=True)

    choices = workbook.create_sheet(CHOICES_SHEET)
    ranks = [str(label) for _value, label in Rank.choices]
    fields = [str(label) for _value, label in FieldOfWork.choices]
    genders = list(GENDER_LABELS.values())
    roles = list(COUNCIL_ROLE_LABELS.values())
    workbooks.append_row(
        choices,
        ["Giới tính", "Cấp bậc", "Lĩnh vực", "Mã đơn vị", "Tên đơn vị", HEADERS["council_role"]],
    )
    for cell in choices[1]:
        cell.font = bold
    length = max(len(ranks), len(fields), len(genders), len(units), len(roles))
    for index in range(length):
        code, name = units[index] if index < len(units) else ("", "")
        workbooks.append_row(
            choices,
            [
                genders[index] if index < len(genders) else None,
                ranks[index] if index < len(ranks) else None,
                fields[index] if index < len(fields) else None,
                code or None,
                name or None,
                roles[index] if index < len(roles) else None,
            ],
        )
    for letter, width in zip("ABCDEF", (12, 34, 44, 14, 50, 22), strict=True):
        choices.column_dimensions[letter].width = width

    lists = {
        "gender": ("A", len(genders)),
        "rank": ("B", len(ranks)),
        "field_of_work": ("C", len(fields)),
        "unit_code": ("D", len(units)),
        "council_role": ("F", len(roles)),
    }
    for key, (column, count) in lists.items():
        workbooks.add_choice_list(
            sheet,
            choices_sheet=CHOICES_SHEET,
            choices_column=column,
            count=count,
            target=letters[key],
            last_row=last,
            max_rows=MAX_ROWS,
            # A unit code not yet in the list is allowed: it is checked on import.
            strict=key != "unit_code",
        )

    guide = workbook.create_sheet(GUIDE_SHEET, 1)
    _write_guide(guide, years=years, example_unit=units[0][0] if units else "P79")

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_guide(sheet: Any, *, years: range, example_unit: str) -> None:
    from openpyxl.styles import Alignment, Font

    first, last = years[0], years[-1]
    explanations = {
        "number": ("Số thứ tự (không bắt buộc, không được đọc).", 1),
        "full_name": ("Bắt buộc. Họ và tên đầy đủ, gõ Unicode.", "Nguyễn Thị Hồng Nhung"),
        "gender": ("Bắt buộc. “Nam” hoặc “Nữ”.", "Nữ"),
        "birth": (
            "Bắt buộc. Ngày sinh dạng dd/mm/yyyy, hoặc chỉ năm sinh (yyyy) nếu không rõ ngày.",
            "05/03/1985",
        ),
        "ethnicity": ("Để trống nghĩa là “Kinh”.", "Tày"),
        "position": ("Chức vụ, chức danh (không bắt buộc).", "Phó Trưởng phòng Quản lý thu"),
        "rank": (
            "Một giá trị của danh sách “Cấp bậc” (trang “Danh mục”); để trống nghĩa là "
            f"“{Rank.STAFF.label}”. Dùng để xếp thứ tự nghi thức.",
            str(Rank.DEPUTY_DEPARTMENT_HEAD.label),
        ),
        "field_of_work": (
            "Một giá trị của danh sách “Lĩnh vực” (trang “Danh mục”); để trống nghĩa là "
            f"“{FieldOfWork.OTHER.label}”.",
            str(FieldOfWork.COLLECTION.label),
        ),
        "unit_code": (
            "Bắt buộc. Mã của đơn vị công tác (trang “Danh mục”), trong phạm vi bạn được cập nhật.",
            example_unit,
        ),
        "council_role": (
            "Vai trò trong Hội đồng Thi đua - Khen thưởng của BHXH tỉnh nơi công tác (của BHXH "
            "Việt Nam với cơ quan BHXH Việt Nam và Khối cơ quan): “Chủ tịch”, “Thường trực” "
            "(Phó Chủ tịch Thường trực), “Thư ký” hoặc “Ủy viên”; để trống nếu không tham gia "
            "Hội đồng. Thành viên Hội đồng của BHXH Việt Nam là người của tỉnh thì ghi trên trang "
            "của người đó.",
            "Ủy viên",
        ),
        "handles_emulation": ("Ghi “x” nếu phụ trách công tác thi đua, khen thưởng.", "x"),
        "good_person_good_deed": ("Ghi “x” nếu là gương “Người tốt - Việc tốt”.", "x"),
        "good_solution": ("Ghi “x” nếu có giải pháp công tác hay, mô hình mới.", ""),
        "works_directly": ("Ghi “x” nếu trực tiếp thực thi nhiệm vụ.", "x"),
        "national": (
            f"Các năm được tặng danh hiệu Chiến sĩ thi đua toàn quốc ({first}–{last}), "
            "cách nhau bởi dấu phẩy.",
            "",
        ),
        "sector": (f"Các năm được tặng Chiến sĩ thi đua ngành ({first}–{last}).", str(last)),
        "grassroots": (
            f"Các năm được tặng Chiến sĩ thi đua cơ sở ({first}–{last}).",
            f"{first + 1}, {first + 3}",
        ),
    }
    workbooks.append_row(sheet, ["Cột", "Cách ghi", "Ví dụ"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for key, header, _width in COLUMNS:
        text, example = explanations[key]
        workbooks.append_row(sheet, [header, text, example])
    workbooks.append_row(sheet, [])
    workbooks.append_row(sheet, ["Ví dụ một dòng của trang “Danh sách”:"])
    workbooks.append_row(sheet, [header for _key, header, _width in COLUMNS])
    workbooks.append_row(sheet, [explanations[key][1] for key, _header, _width in COLUMNS])
    workbooks.append_row(sheet, [])
    for note in (
        "Cả tệp được kiểm tra trước: nếu có dòng sai thì không dòng nào được lưu, và mọi lỗi "
        "được liệt kê theo dòng và cột.",
        "Mỗi người chỉ nhập một lần: người đã có trong danh sách cán bộ của đơn vị (cùng họ tên "
        "và ngày sinh, hoặc năm sinh nếu không có ngày) được báo là trùng, không bị ghi đè. "
        "Tệp xuất ra có cùng các cột; nhập lại tệp xuất chỉ dùng để thêm người mới.",
        "Chữ gõ bằng bảng mã cũ TCVN3 (ABC) hoặc VNI được tự động chuyển sang Unicode; ô không "
        "chuyển được chắc chắn sẽ bị báo lỗi.",
    ):
        workbooks.append_row(sheet, [note])
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 90
    sheet.column_dimensions["C"].width = 30
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
