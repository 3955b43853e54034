"""Importing the people register from Excel: every row checked first,
all-or-nothing, every error by row and column; NFC and legacy encodings;
the template and an export read back."""

import datetime
import unicodedata
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from delegates.models import EmulationTitle, Gender, Person, Rank
from delegates.people_import import (
    CHOICES_SHEET,
    COLUMNS,
    GUIDE_SHEET,
    HEADERS,
    LIST_SHEET,
    read_workbook,
    write_workbook,
)
from delegates.services.people import PersonDetails, import_people, save_person
from reports.documents.people import export_row
from tests.factories import PersonFactory
from units.encodings import encode_legacy

HEADER = [header for _key, header, _width in COLUMNS]
YEARS = range(2015, 2020)
TODAY = datetime.date(2026, 1, 1)


def row(**values) -> list:
    """A valid row (a district of HCMC), changed by ``values`` (column keys)."""
    cells = {
        "number": 1,
        "full_name": "Nguyễn Thị Hồng Nhung",
        "gender": "Nữ",
        "birth": "05/03/1985",
        "ethnicity": "Kinh",
        "position": "Chuyên viên",
        "rank": "Công chức, viên chức, người lao động",
        "field_of_work": "Thu BHXH, BHYT và khai thác, thu nợ",
        "unit_code": "D760",
        "council_role": "",
        "handles_emulation": "x",
        "good_person_good_deed": "X",
        "good_solution": "",
        "works_directly": "",
        "national": "",
        "sector": "2019",
        "grassroots": "2016, 2018",
    }
    cells.update(values)
    return [cells[key] for key, _header, _width in COLUMNS]


def xlsx(*rows, header=HEADER) -> BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "danh-sach.xlsx"
    return buffer


def read(*rows, **kwargs):
    return read_workbook(xlsx(*rows, **kwargs), years=YEARS, today=TODAY)


def errors_of(parsed_or_result) -> set[tuple]:
    return {(e.row, e.column) for e in parsed_or_result.errors}


# -- Reading, without the database ------------------------------------------------


def test_a_valid_row_is_read_with_every_field():
    parsed = read(row())
    assert parsed.errors == []
    (person,) = parsed.rows
    assert person.full_name == "Nguyễn Thị Hồng Nhung"
    assert person.gender == Gender.FEMALE
    assert (person.birth_date, person.birth_year) == (datetime.date(1985, 3, 5), 1985)
    assert person.rank == Rank.STAFF and person.field_of_work == "collection"
    assert person.unit_code == "D760"
    assert person.flags["handles_emulation"] and person.flags["good_person_good_deed"]
    assert person.council_role == ""
    assert person.titles == {"sector": (2019,), "grassroots": (2016, 2018)}


def test_birth_as_an_excel_date_a_year_number_or_a_year_text():
    parsed = read(
        row(birth=datetime.datetime(1979, 12, 31)),
        row(full_name="Trần Văn Bình", birth=1980),
        row(full_name="Lê Văn Cường", birth="1981"),
    )
    assert parsed.errors == []
    assert [(p.birth_date, p.birth_year) for p in parsed.rows] == [
        (datetime.date(1979, 12, 31), 1979),
        (None, 1980),
        (None, 1981),
    ]


def test_empty_optional_cells_take_their_defaults():
    parsed = read(row(ethnicity="", rank="", field_of_work="", position=""))
    (person,) = parsed.rows
    assert (person.ethnicity, person.rank, person.field_of_work) == ("Kinh", Rank.STAFF, "other")


def test_labels_match_without_case_or_diacritics():
    parsed = read(row(gender="nu", rank="truong phong", field_of_work="CONG NGHE THONG TIN"))
    (person,) = parsed.rows
    assert (person.gender, person.rank, person.field_of_work) == (
        "female",
        Rank.DEPARTMENT_HEAD,
        "it",
    )


@pytest.mark.parametrize(
    ("changes", "column", "words"),
    [
        ({"full_name": ""}, "Họ và tên", "Nhập họ và tên"),
        ({"full_name": "Nguyễn Văn 2"}, "Họ và tên", "chữ số"),
        ({"gender": "Female"}, "Giới tính (Nam/Nữ)", "“Nam” hoặc “Nữ”"),
        ({"birth": "31/02/1985"}, "Ngày sinh (dd/mm/yyyy) hoặc Năm sinh", "không phải là ngày"),
        ({"birth": "1985-03-05x"}, "Ngày sinh (dd/mm/yyyy) hoặc Năm sinh", "dd/mm/yyyy"),
        ({"birth": ""}, "Ngày sinh (dd/mm/yyyy) hoặc Năm sinh", "dd/mm/yyyy"),
        ({"birth": 1890}, "Ngày sinh (dd/mm/yyyy) hoặc Năm sinh", "1930"),
        ({"rank": "Giám đốc"}, "Cấp bậc", "Danh mục"),
        ({"field_of_work": "Bóng đá"}, "Lĩnh vực", "Danh mục"),
        ({"unit_code": ""}, "Mã đơn vị", "mã"),
        ({"works_directly": "có lẽ"}, "Trực tiếp thực thi nhiệm vụ (x)", "“x”"),
        ({"grassroots": "2014"}, "CSTĐ cơ sở (năm)", "2015"),
        ({"national": "2016; năm 2017"}, "CSTĐ toàn quốc (năm)", "2019"),
    ],
)
def test_each_kind_of_bad_cell_is_named_by_row_and_column(changes, column, words):
    parsed = read(row(), row(**{"full_name": "Phạm Văn Đức", **changes}))
    assert len(parsed.errors) == 1, parsed.errors
    (error,) = parsed.errors
    assert (error.row, error.column) == (3, column)
    assert words in error.message
    assert [p.row for p in parsed.rows] == [2]


def test_every_error_of_every_row_is_listed_in_row_then_column_order():
    parsed = read(row(gender="?", grassroots="1999"), row(), row(full_name="", birth="x"))
    assert [(e.row, e.column) for e in parsed.errors] == [
        (2, HEADERS["gender"]),
        (2, HEADERS["grassroots"]),
        (4, HEADERS["full_name"]),
        (4, HEADERS["birth"]),
    ]


def test_rows_keep_excel_numbers_across_blank_rows():
    parsed = read(row(), [None] * len(HEADER), row(full_name="Võ Thị Sáu", gender="?"))
    assert errors_of(parsed) == {(4, HEADERS["gender"])}


def test_duplicate_rows_in_the_file_are_reported_not_merged():
    parsed = read(
        row(),
        row(full_name="nguyễn thị  hồng nhung"),  # same person: case and spacing aside
        row(full_name="Nguyễn Thị Hồng Nhung", birth="06/03/1985"),  # another birthday
        row(full_name="Nguyễn Thị Hồng Nhung", birth="1985"),  # year only: the same year
        row(full_name="Nguyễn Thị Hồng Nhung", unit_code="P79-VP"),  # another unit
    )
    assert errors_of(parsed) == {(3, "Họ và tên"), (5, "Họ và tên")}
    assert "dòng 2" in parsed.errors[0].message


def test_a_header_that_is_not_the_template_is_one_clear_error():
    header = list(HEADER)
    header[2], header[3] = header[3], header[2]
    parsed = read(row(), header=header)
    assert [(e.row, e.column) for e in parsed.errors] == [(1, HEADER[2])]
    assert "mẫu" in parsed.errors[0].message


def test_headers_match_without_case_or_diacritics():
    parsed = read(row(), header=[h.upper() for h in HEADER])
    assert parsed.errors == []


def test_a_file_that_is_no_workbook_is_refused():
    parsed = read_workbook(BytesIO(b"%PDF-1.4 not a workbook"), years=YEARS, today=TODAY)
    assert [(e.row, e.column) for e in parsed.errors] == [(None, "")]
    assert ".xlsx" in parsed.errors[0].message


def test_an_empty_file_is_refused():
    parsed = read()
    assert len(parsed.errors) == 1 and parsed.rows == []


def test_decomposed_text_is_read_as_nfc():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
    parsed = read(row(full_name=decomposed, position=unicodedata.normalize("NFD", "Kế toán")))
    (person,) = parsed.rows
    assert person.full_name == "Nguyễn Thị Hồng Nhung"
    assert unicodedata.is_normalized("NFC", person.full_name)
    assert person.position == "Kế toán"
    assert parsed.converted_cells == 0


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_encoded_cells_are_converted_and_counted(encoding):
    parsed = read(
        row(
            full_name=encode_legacy("Nguyễn Văn Bình", encoding),
            position=encode_legacy("Phó Trưởng phòng", encoding),
            ethnicity=encode_legacy("Mường", encoding),
        )
    )
    assert parsed.errors == []
    (person,) = parsed.rows
    assert (person.full_name, person.position) == ("Nguyễn Văn Bình", "Phó Trưởng phòng")
    assert person.ethnicity == "Mường"
    assert parsed.converted_cells == 3


def test_ambiguous_legacy_text_is_refused_on_its_cell():
    parsed = read(row(), row(full_name="NguyÔn V¨n Bình Trần"))
    (error,) = parsed.errors
    assert (error.row, error.column) == (3, "Họ và tên")
    assert "TCVN3" in error.message and "Unicode" in error.message


# -- Importing into the register ----------------------------------------------------


def test_officer_imports_people_and_titles(tree, users):
    result = import_people(
        actor=users["officer_hcm"],
        file=xlsx(
            row(),
            row(
                full_name="Trần Văn Bình",
                gender="Nam",
                birth=1970,
                unit_code="P79-VP",
                grassroots="",
                sector="",
                national="2017",
            ),
        ),
    )
    assert result.ok and (result.created, result.titles) == (2, 4)
    nhung = Person.objects.get(full_name="Nguyễn Thị Hồng Nhung")
    assert nhung.unit == tree.hcm_district
    assert nhung.search_name == "nguyen thi hong nhung"
    assert sorted(nhung.titles.values_list("year", "title")) == [
        (2016, "grassroots"),
        (2018, "grassroots"),
        (2019, "sector"),
    ]
    binh = Person.objects.get(full_name="Trần Văn Bình")
    assert (binh.unit, binh.birth_date, binh.birth_year) == (tree.hcm_department, None, 1970)


def test_one_bad_row_saves_no_row_and_names_row_and_column(tree, users):
    result = import_people(
        actor=users["officer_hcm"],
        file=xlsx(row(), row(full_name="Trần Văn Bình"), row(full_name="Lê Văn C", gender="?")),
    )
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(4, "Giới tính (Nam/Nữ)")]
    assert not Person.objects.exists() and not EmulationTitle.objects.exists()


def test_unknown_and_foreign_units_are_errors(tree, users):
    result = import_people(
        actor=users["officer_hcm"],
        file=xlsx(
            row(unit_code="NOPE"),
            row(full_name="Trần Văn Bình", unit_code="D001"),  # Ba Đình, Hà Nội
            row(full_name="Lê Văn Cường", unit_code="d760"),  # case aside: fine
        ),
    )
    assert errors_of(result) == {(2, "Mã đơn vị"), (3, "Mã đơn vị")}
    # A unit outside the officer's scope reads as unknown: its existence is not told.
    assert all("trong các đơn vị của bạn" in e.message for e in result.errors)
    assert "Ba Đình" not in str(result.errors)
    assert not Person.objects.exists()


def test_unit_scope_limits_the_rows(tree, users):
    result = import_people(
        actor=users["officer_hcm"],
        unit_scope=tree.hcm_department,
        file=xlsx(row(), row(full_name="Trần Văn Bình", unit_code="P79-VP")),
    )
    assert errors_of(result) == {(2, "Mã đơn vị")}


def test_inactive_unit_is_an_error(tree, users):
    tree.hcm_district.is_active = False
    tree.hcm_district.save()
    result = import_people(actor=users["officer_hcm"], file=xlsx(row()))
    assert errors_of(result) == {(2, "Mã đơn vị")}


# -- Council roles ----------------------------------------------------------------


def test_council_roles_are_read_folded():
    parsed = read(
        row(council_role="Chủ tịch"),
        row(full_name="Trần Văn Bình", council_role="thuong truc"),
        row(full_name="Lê Văn Cường", council_role="THƯ KÝ"),
        row(full_name="Phạm Thị Dung", council_role="Uỷ viên"),  # the other tone placement
        row(full_name="Võ Văn Em", council_role="Phó Chủ tịch Thường trực"),
        row(full_name="Đỗ Thị Phương", council_role=""),
    )
    assert parsed.errors == []
    assert [p.council_role for p in parsed.rows] == [
        "chair",
        "standing",
        "secretary",
        "member",
        "standing",
        "",
    ]


def test_a_good_file_seats_people_on_their_branch_council(tree, users):
    result = import_people(
        actor=users["officer_hcm"],
        file=xlsx(
            row(council_role="Ủy viên"),
            row(full_name="Trần Văn Bình", unit_code="P79", council_role="Chủ tịch"),
            row(full_name="Lê Văn Cường", unit_code="P79-VP", council_role="Thư ký"),
            row(full_name="Phạm Thị Dung"),
        ),
    )
    assert result.ok, result.errors
    seats = dict(Person.objects.values_list("full_name", "council_role"))
    assert seats == {
        "Nguyễn Thị Hồng Nhung": "member",
        "Trần Văn Bình": "chair",
        "Lê Văn Cường": "secretary",
        "Phạm Thị Dung": "",
    }
    councils = set(Person.objects.exclude(council_role="").values_list("council_unit", flat=True))
    assert councils == {tree.hcm.pk}  # the district's and the department's people too
    assert Person.objects.get(council_role="").council_unit is None


def test_a_bad_council_role_saves_nothing_and_names_row_and_column(tree, users):
    result = import_people(
        actor=users["officer_hcm"],
        file=xlsx(
            row(council_role="Ủy viên"),
            row(full_name="Trần Văn Bình", council_role="Phó Giám đốc"),
        ),
    )
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "Vai trò trong HĐTĐKT")]
    assert "Chủ tịch, Thường trực, Thư ký, Ủy viên" in result.errors[0].message
    assert not Person.objects.exists()


def test_vss_council_roles_need_the_right_on_vss(tree, users, make_user):
    from tests.factories import UnitFactory
    from units.models import Role, UnitKind

    bloc = UnitFactory(parent=tree.vss, kind=UnitKind.HQ_BLOC, code="KCQ")
    office = UnitFactory(parent=bloc, kind=UnitKind.VSS_OFFICE, code="KCQ-TDKT")
    bloc_officer = make_user(Role.OFFICER, bloc, username="officer-kcq")
    rows = (row(unit_code="KCQ-TDKT", council_role="Ủy viên"),)
    refused = import_people(actor=bloc_officer, file=xlsx(*rows))
    assert [(e.row, e.column) for e in refused.errors] == [(2, "Vai trò trong HĐTĐKT")]
    assert not Person.objects.exists()
    # VSS's own officer records its council: the HQ bloc's people sit on VSS's.
    vss_officer = make_user(Role.OFFICER, tree.vss, username="officer-vss")
    assert import_people(actor=vss_officer, file=xlsx(*rows)).ok
    assert Person.objects.get(unit=office).council_unit == tree.vss


@pytest.mark.parametrize("role", ["council", "printer", "printer_hcm"])
def test_roles_without_change_right_cannot_import(users, role):
    with pytest.raises(PermissionDenied):
        import_people(actor=users[role], file=xlsx(row()))


def test_people_already_in_the_unit_register_are_duplicates(tree, users):
    PersonFactory(
        unit=tree.hcm_district,
        full_name="Nguyễn Thị Hồng Nhung",
        birth_year=1985,
        birth_date=datetime.date(1985, 3, 5),
    )
    PersonFactory(
        unit=tree.hcm_district, full_name="Trần Văn Bình", birth_year=1970, is_active=False
    )
    PersonFactory(unit=tree.hcm_department, full_name="Lê Văn Cường", birth_year=1975)
    result = import_people(
        actor=users["officer_hcm"],
        file=xlsx(
            row(),  # same name, same date
            row(full_name="TRẦN VĂN BÌNH", gender="Nam", birth="02/02/1970"),  # only a year held
            row(full_name="Lê Văn Cường", gender="Nam", birth=1975),  # another unit: new
        ),
    )
    assert errors_of(result) == {(2, "Họ và tên"), (3, "Họ và tên")}
    assert "chỉ thêm người mới" in result.errors[0].message
    assert "ngừng theo dõi" in result.errors[1].message  # the record is deactivated
    assert Person.objects.count() == 3


def test_converted_cells_are_counted_in_the_result(tree, users):
    result = import_people(
        actor=users["officer_hcm"],
        file=xlsx(row(full_name=encode_legacy("Nguyễn Văn Bình", "vni"), gender="Nam")),
    )
    assert result.ok and result.converted_cells == 1
    assert Person.objects.get().full_name == "Nguyễn Văn Bình"


# -- Template and export ------------------------------------------------------------


def test_template_has_header_guide_and_lists():
    content = write_workbook([], units=[("D760", "BHXH Quận 1")], years=YEARS)
    workbook = load_workbook(BytesIO(content))
    assert workbook.sheetnames == [LIST_SHEET, GUIDE_SHEET, CHOICES_SHEET]
    sheet = workbook[LIST_SHEET]
    assert [cell.value for cell in sheet[1]] == HEADER
    assert sheet.freeze_panes == "C2"
    assert sheet.column_dimensions["B"].width == 28
    lists = {
        str(v.sqref).split(":")[0][:1]: v.formula1 for v in sheet.data_validations.dataValidation
    }
    # gender, rank, field of work, unit code, council role
    assert set(lists) == {"C", "G", "H", "I", "J"}
    assert "Danh mục" in lists["C"]
    choices = workbook[CHOICES_SHEET]
    assert [choices.cell(row=r, column=1).value for r in (2, 3)] == ["Nam", "Nữ"]
    assert choices["D2"].value == "D760"
    assert choices["F1"].value == "Vai trò trong HĐTĐKT"
    assert [choices.cell(row=r, column=6).value for r in range(2, 6)] == [
        "Chủ tịch",
        "Thường trực",
        "Thư ký",
        "Ủy viên",
    ]
    assert "$F$2:$F$5" in lists["J"]
    guide = [[c.value for c in r] for r in workbook[GUIDE_SHEET].iter_rows()]
    assert [r[0] for r in guide[1 : len(HEADER) + 1]] == HEADER
    # The guide's example row, read as an import, is valid.
    example = next(r for r in guide[len(HEADER) + 1 :] if r[1] == "Nguyễn Thị Hồng Nhung")
    parsed = read(example)
    assert parsed.errors == [], parsed.errors


def test_the_empty_template_reads_back_as_an_empty_file():
    content = write_workbook([], units=[], years=YEARS)
    parsed = read_workbook(BytesIO(content), years=YEARS, today=TODAY)
    assert parsed.rows == [] and len(parsed.errors) == 1


def test_export_then_reimport_round_trip(tree, users):
    officer = users["officer_hcm"]
    import_people(
        actor=officer,
        file=xlsx(
            row(),
            row(
                full_name="Trần Văn Bình",
                gender="Nam",
                birth=1970,
                rank="Trưởng phòng",
                unit_code="P79-VP",
                national="2015, 2019",
                grassroots="",
                sector="",
                council_role="Ủy viên",
            ),
        ),
    )
    save_person(
        actor=officer,
        details=PersonDetails(
            unit=tree.hcm_district,
            full_name="Hoàng Thị Mai",
            gender="female",
            birth_date=datetime.date(1990, 1, 2),
            ethnicity="Tày",
        ),
    )
    people = Person.objects.select_related("unit").prefetch_related("titles").order_by("pk")
    snapshot = [export_row(n, p) for n, p in enumerate(people, start=1)]
    content = write_workbook(snapshot, units=[("D760", "BHXH Quận 1")], years=YEARS)

    # Re-imported as is: every person is already there, nothing is added.
    again = import_people(actor=officer, file=BytesIO(content))
    assert [(e.row, e.column) for e in again.errors] == [
        (2, "Họ và tên"),
        (3, "Họ và tên"),
        (4, "Họ và tên"),
    ]
    assert Person.objects.count() == 3

    # Into an empty register: the same people and titles come back.
    fields = (
        "full_name",
        "gender",
        "birth_year",
        "birth_date",
        "ethnicity",
        "position",
        "rank",
        "field_of_work",
        "unit_id",
        "council_role",
        "council_unit_id",
        "handles_emulation",
        "good_person_good_deed",
        "good_solution",
        "works_directly",
    )
    before = sorted(Person.objects.values_list(*fields))
    titles = sorted(EmulationTitle.objects.values_list("person__full_name", "year", "title"))
    EmulationTitle.objects.all().delete()
    Person.objects.all().delete()
    result = import_people(actor=officer, file=BytesIO(content))
    assert result.ok, result.errors
    assert sorted(Person.objects.values_list(*fields)) == before
    assert (
        sorted(EmulationTitle.objects.values_list("person__full_name", "year", "title")) == titles
    )
    reexport = [
        export_row(n, p)
        for n, p in enumerate(
            Person.objects.select_related("unit").prefetch_related("titles").order_by("pk"),
            start=1,
        )
    ]
    assert reexport == snapshot
