"""Units in and out of Excel: every row checked first, all or nothing,
every error by row and column; the tree's rules (a unit stays where it was
created, one top unit, parents in the hierarchy or the file); predecessors
from the previous hierarchy; demo headcounts; the export read back
unchanged; who may import and export; queries that do not grow with rows."""

import datetime
import unicodedata
import zipfile
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.factories import HierarchyFactory, UnitFactory
from units.encodings import encode_legacy
from units.hierarchy_services import export_units, import_template, import_units
from units.models import Unit, UnitKind
from units.unit_import import (
    CHOICES_SHEET,
    COLUMNS,
    GUIDE_SHEET,
    LIST_SHEET,
    is_xlsx,
    kind_labels,
    read_workbook,
)

HEADER = [header for _key, header, _width in COLUMNS]
LABELS = kind_labels()
CODE, NAME, KIND, PARENT, HEADCOUNT, INACTIVE, PREDECESSORS = HEADER


def row(**values) -> list:
    """A valid row: a new district of HCMC, changed by ``values`` (column keys)."""
    cells = {
        "code": "D770",
        "name": "BHXH Quận 3",
        "kind": LABELS[UnitKind.DISTRICT],
        "parent_code": "P79",
        "headcount": 35,
        "inactive": "",
        "predecessor_codes": "",
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
    buffer.name = "don-vi.xlsx"
    return buffer


def read(*rows, **kwargs):
    return read_workbook(xlsx(*rows, **kwargs))


def cells_of(parsed_or_result) -> list[tuple]:
    return [(e.row, e.column) for e in parsed_or_result.errors]


def snapshot(hierarchy) -> tuple[list, list]:
    """Everything an import may change in a hierarchy, in a comparable form."""
    units = sorted(
        Unit.objects.filter(hierarchy=hierarchy).values_list(
            "pk",
            "code",
            "name",
            "kind",
            "parent__code",
            "path",
            "depth",
            "branch_code",
            "search_name",
            "position",
            "headcount",
            "headcount_is_demo",
            "is_active",
        )
    )
    links = sorted(
        Unit.predecessors.through.objects.filter(from_unit__hierarchy=hierarchy).values_list(
            "from_unit__code", "to_unit__code"
        )
    )
    return units, links


@pytest.fixture
def hierarchy(tree):
    return tree.cycle.hierarchy


@pytest.fixture
def admin(users):
    return users["admin"]


@pytest.fixture
def reformed(tree):
    """A newer hierarchy that replaced the tree's, with its top unit and
    HCMC, which took over HCMC and Hà Nội of the old tree."""
    newer = HierarchyFactory(
        name="BHXH Việt Nam từ 01/07/2025",
        effective_from=datetime.date(2025, 7, 1),
        predecessor=tree.cycle.hierarchy,
    )
    top = UnitFactory(hierarchy=newer, kind=UnitKind.VSS, code="VSS", name="BHXH Việt Nam")
    hcm = UnitFactory(parent=top, kind=UnitKind.PROVINCE, code="P79", name="BHXH TP. Hồ Chí Minh")
    hcm.predecessors.set([tree.hcm, tree.hanoi])
    return newer


# -- Reading, without the database ------------------------------------------------


def test_a_valid_row_is_read_with_every_field():
    parsed = read(row(code="d770", inactive="x", predecessor_codes="p79; P01,D760"))
    assert parsed.errors == []
    (unit,) = parsed.rows
    assert (unit.code, unit.name, unit.kind, unit.parent_code) == (
        "D770",
        "BHXH Quận 3",
        UnitKind.DISTRICT,
        "P79",
    )
    assert (unit.headcount, unit.is_active) == (35, False)
    assert unit.predecessor_codes == ("P79", "P01", "D760")


def test_kind_by_label_or_value_without_case_or_diacritics_and_blanks_take_defaults():
    parsed = read(
        row(kind="bhxh quan/huyen/thi xa", headcount=None),
        row(code="D771", kind="grassroots_office", headcount="", parent_code="D770"),
        row(code="D772", kind="Province department", headcount="12"),
    )
    assert parsed.errors == []
    assert [(u.kind, u.headcount, u.headcount_is_demo, u.is_active) for u in parsed.rows] == [
        (UnitKind.DISTRICT, None, False, True),
        (UnitKind.GRASSROOTS_OFFICE, None, False, True),
        (UnitKind.PROVINCE_DEPARTMENT, 12, False, True),
    ]


def test_a_headcount_with_the_demo_label_is_read_as_a_demo_figure():
    parsed = read(
        row(headcount="25 (số liệu mẫu)"),
        row(code="D771", headcount="7 (SO LIEU MAU)"),
        row(code="D772", headcount="25 (ước tính)"),
    )
    assert [(u.headcount, u.headcount_is_demo) for u in parsed.rows[:2]] == [(25, True), (7, True)]
    assert cells_of(parsed) == [(4, HEADCOUNT)]


@pytest.mark.parametrize(
    ("changes", "column", "words"),
    [
        ({"code": ""}, CODE, ""),
        ({"code": "P 79"}, CODE, "P 79"),
        ({"code": "Đ1"}, CODE, "Đ1"),
        ({"code": "X" * 33}, CODE, "32"),
        ({"name": ""}, NAME, ""),
        ({"name": "B" * 256}, NAME, "255"),
        ({"kind": ""}, KIND, "Danh mục"),
        ({"kind": "Bóng đá"}, KIND, "Bóng đá"),
        ({"parent_code": "D770"}, PARENT, ""),
        ({"headcount": -3}, HEADCOUNT, "-3"),
        ({"headcount": 2.5}, HEADCOUNT, "2.5"),
        ({"headcount": "mười"}, HEADCOUNT, "mười"),
        ({"headcount": 100_001}, HEADCOUNT, "“100001”"),
        ({"inactive": "có lẽ"}, INACTIVE, "“x”"),
        ({"predecessor_codes": "P79; Hà Nội"}, PREDECESSORS, "“Hà”"),
    ],
)
def test_each_kind_of_bad_cell_is_named_by_row_and_column(changes, column, words):
    parsed = read(row(code="D769"), row(**changes))
    # Messages are checked by what they quote: their wording is the catalogue's.
    assert cells_of(parsed) == [(3, column)], parsed.errors
    assert words in parsed.errors[0].message


def test_every_error_of_every_row_is_listed_in_row_then_column_order():
    parsed = read(
        row(kind="?", headcount=-1),
        row(code="D771"),
        [None] * len(HEADER),  # a blank row keeps the numbering
        row(code="D772", name="", inactive="?"),
    )
    assert cells_of(parsed) == [(2, KIND), (2, HEADCOUNT), (5, NAME), (5, INACTIVE)]


def test_a_code_repeated_in_the_file_is_reported_on_the_later_row():
    parsed = read(row(), row(name="BHXH Quận 3 (bản sao)"), row(code="d770"))
    assert cells_of(parsed) == [(3, CODE), (4, CODE)]
    assert "D770" in parsed.errors[0].message and "2" in parsed.errors[0].message


def test_a_header_that_is_not_the_template_is_one_clear_error():
    header = list(HEADER)
    header[1], header[2] = header[2], header[1]
    parsed = read(row(), header=header)
    assert cells_of(parsed) == [(1, HEADER[1])]
    assert HEADER[1] in parsed.errors[0].message
    assert read(row(), header=[header.upper() for header in HEADER]).errors == []


def test_a_file_that_is_no_workbook_or_has_no_rows_is_refused():
    parsed = read_workbook(BytesIO(b"%PDF-1.4 not a workbook"))
    assert cells_of(parsed) == [(None, "")] and ".xlsx" in parsed.errors[0].message
    empty = read()
    assert empty.rows == [] and cells_of(empty) == [(None, "")]


def test_decomposed_and_legacy_text_is_read_as_nfc():
    parsed = read(
        row(name=unicodedata.normalize("NFD", "BHXH huyện Củ Chi")),
        row(code="D771", name=encode_legacy("BHXH huyện Bình Chánh", "tcvn3")),
    )
    assert parsed.errors == []
    assert [u.name for u in parsed.rows] == ["BHXH huyện Củ Chi", "BHXH huyện Bình Chánh"]
    assert parsed.converted_cells == 1


def _zip(entries: dict[str, bytes]) -> BytesIO:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    buffer.seek(0)
    return buffer


def test_an_xlsx_is_recognised_by_its_content():
    assert is_xlsx(xlsx(row()))
    assert not is_xlsx(BytesIO(b"%PDF-1.4"))
    assert not is_xlsx(BytesIO(b"PK\x03\x04 truncated"))
    for main in (
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",  # .xlsm
    ):
        types = b'<Types><Override ContentType="' + main + b'"/></Types>'
        assert not is_xlsx(_zip({"[Content_Types].xml": types, "xl/workbook.xml": b""}))


# -- Importing into a hierarchy -------------------------------------------------------


def test_a_good_file_creates_and_updates_units_and_their_paths(tree, hierarchy, admin):
    tree.hcm_district.headcount_is_demo = True
    tree.hcm_district.save()
    result = import_units(
        actor=admin,
        hierarchy=hierarchy,
        file=xlsx(
            # A grassroots office before the new district it lies in: the
            # service orders the rows parents first.
            row(
                code="CS-770-1",
                name="BHXH cơ sở phường Võ Thị Sáu",
                kind=UnitKind.GRASSROOTS_OFFICE.value,
                parent_code="D770",
                headcount=8,
            ),
            row(),
            row(code="D760", name="BHXH Quận Một", headcount=48, parent_code="P79"),
            row(
                code="D001", name="BHXH quận Ba Đình", parent_code="P01", headcount="", inactive="x"
            ),
            row(
                code="P79-VP",
                name="Văn phòng",
                kind=LABELS[UnitKind.PROVINCE_DEPARTMENT],
                parent_code="P79",
                headcount=20,
            ),
        ),
    )
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 2, 1)
    district = Unit.objects.get(hierarchy=hierarchy, code="D770")
    office = Unit.objects.get(hierarchy=hierarchy, code="CS-770-1")
    assert (district.parent, district.path, district.depth) == (tree.hcm, "/VSS/P79/D770/", 2)
    assert (office.parent, office.path, office.depth, office.branch_code) == (
        district,
        "/VSS/P79/D770/CS-770-1/",
        3,
        "P79",
    )
    assert office.search_name == "bhxh co so phuong vo thi sau cs-770-1"
    assert (district.headcount, district.headcount_is_demo, district.is_active) == (35, False, True)
    # After its sisters, in protocol order.
    assert district.position > max(tree.hcm_district.position, tree.hcm_department.position)
    tree.hcm_district.refresh_from_db()
    assert (tree.hcm_district.name, tree.hcm_district.search_name) == (
        "BHXH Quận Một",
        "bhxh quan mot d760",
    )
    assert (tree.hcm_district.headcount, tree.hcm_district.headcount_is_demo) == (48, False)
    tree.hanoi_district.refresh_from_db()
    assert (tree.hanoi_district.is_active, tree.hanoi_district.headcount) == (False, 20)
    assert Unit.objects.subtree_of(tree.hcm).count() == 5


def test_one_bad_row_saves_nothing_and_names_row_and_column(tree, hierarchy, admin):
    before = snapshot(hierarchy)
    result = import_units(
        actor=admin,
        hierarchy=hierarchy,
        file=xlsx(
            row(),
            row(code="D771", name="BHXH Quận 4", headcount=-2),
            row(code="D760", name="BHXH Quận Một", headcount=50),
            row(code="D772", name="BHXH Quận 5", parent_code="P99"),
            row(code="D773", name="BHXH Quận 6", parent_code="D770"),
        ),
    )
    assert not result.ok
    assert cells_of(result) == [(3, HEADCOUNT), (5, PARENT)]
    assert "P99" in result.errors[1].message
    assert (result.created, result.updated) == (0, 0)
    assert snapshot(hierarchy) == before


def test_an_existing_unit_keeps_its_place_in_the_tree(tree, hierarchy, admin):
    before = snapshot(hierarchy)
    result = import_units(
        actor=admin,
        hierarchy=hierarchy,
        file=xlsx(
            row(code="D760", name="BHXH Quận 1", parent_code="P01"),
            row(code="P79", name="BHXH TP. Hồ Chí Minh", kind="province", parent_code="P01"),
            row(code="VSS", name="BHXH Việt Nam", kind="vss", parent_code="P79"),
        ),
    )
    assert cells_of(result) == [(2, PARENT), (3, PARENT), (4, PARENT)]
    assert "P79 (BHXH TP. Hồ Chí Minh)" in result.errors[0].message
    assert "VSS" in result.errors[2].message
    assert snapshot(hierarchy) == before


def test_a_top_unit_only_while_the_hierarchy_has_none(tree, hierarchy, admin):
    refused = import_units(
        actor=admin,
        hierarchy=hierarchy,
        file=xlsx(row(code="VSS2", name="BHXH Việt Nam (2)", kind="vss", parent_code="")),
    )
    assert cells_of(refused) == [(2, PARENT)] and "VSS" in refused.errors[0].message

    empty = HierarchyFactory(name="Cây mới")
    two_tops = import_units(
        actor=admin,
        hierarchy=empty,
        file=xlsx(
            row(code="P79", name="BHXH TP. Hồ Chí Minh", kind="province", parent_code="VSS"),
            row(code="VSS", name="BHXH Việt Nam", kind="vss", parent_code=""),
            row(code="BQP", name="BHXH Bộ Quốc phòng", kind="sector", parent_code=""),
        ),
    )
    assert cells_of(two_tops) == [(4, PARENT)] and "3" in two_tops.errors[0].message
    assert not empty.units.exists()

    built = import_units(
        actor=admin,
        hierarchy=empty,
        file=xlsx(
            row(code="P79", name="BHXH TP. Hồ Chí Minh", kind="province", parent_code="VSS"),
            row(code="VSS", name="BHXH Việt Nam", kind="vss", parent_code=""),
        ),
    )
    assert built.ok and built.created == 2
    assert sorted(empty.units.values_list("path", "depth")) == [("/VSS/", 0), ("/VSS/P79/", 1)]


def test_rows_that_form_a_loop_are_reported(tree, hierarchy, admin):
    result = import_units(
        actor=admin,
        hierarchy=hierarchy,
        file=xlsx(
            row(code="A1", parent_code="A2"),
            row(code="A2", parent_code="A1"),
            row(code="A3", parent_code="P79"),
        ),
    )
    assert cells_of(result) == [(2, PARENT), (3, PARENT)]
    assert "A1" in result.errors[0].message
    assert not Unit.objects.filter(code__startswith="A").exists()


def test_a_headcount_entered_replaces_the_demo_label_unless_labelled_an_empty_one_keeps_it(
    tree, hierarchy, admin
):
    Unit.objects.filter(
        pk__in=[tree.hcm_district.pk, tree.hcm_department.pk, tree.hanoi_district.pk]
    ).update(headcount=20, headcount_is_demo=True)
    result = import_units(
        actor=admin,
        hierarchy=hierarchy,
        file=xlsx(
            row(code="D760", name="BHXH Quận 1", headcount=20),  # the same figure, now real
            row(
                code="P79-VP",
                name="Văn phòng",
                kind="province_department",
                headcount=None,
            ),
            # A figure that keeps the label stays demo data.
            row(
                code="D001",
                name="BHXH quận Ba Đình",
                parent_code="P01",
                headcount="30 (số liệu mẫu)",
            ),
            row(code="D770", headcount="12 (số liệu mẫu)"),
        ),
    )
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (1, 2, 1)
    figures = dict(
        Unit.objects.filter(hierarchy=hierarchy, code__startswith="D").values_list(
            "code", "headcount"
        )
    )
    demo = set(
        Unit.objects.filter(hierarchy=hierarchy, headcount_is_demo=True).values_list(
            "code", flat=True
        )
    )
    assert figures == {"D760": 20, "D001": 30, "D770": 12}
    assert demo == {"P79-VP", "D001", "D770"}


def test_legacy_tcvn3_name_is_converted_and_counted(tree, hierarchy, admin):
    result = import_units(
        actor=admin,
        hierarchy=hierarchy,
        file=xlsx(row(name=encode_legacy("BHXH huyện Bình Chánh", "tcvn3"))),
    )
    assert result.ok and result.converted_cells == 1
    unit = Unit.objects.get(hierarchy=hierarchy, code="D770")
    assert unit.name == "BHXH huyện Bình Chánh"
    assert unit.search_name == "bhxh huyen binh chanh d770"


def test_predecessors_are_codes_of_the_previous_hierarchy(tree, reformed, admin):
    result = import_units(
        actor=admin,
        hierarchy=reformed,
        file=xlsx(
            row(
                code="P79",
                name="BHXH TP. Hồ Chí Minh",
                kind="province",
                parent_code="VSS",
                predecessor_codes="p79",
            ),
            row(
                code="D760",
                parent_code="P79",
                name="BHXH phường Sài Gòn",
                predecessor_codes="D760; P79-VP",
            ),
        ),
    )
    assert result.ok, result.errors
    assert (result.created, result.updated) == (1, 1)
    new_hcm = reformed.units.get(code="P79")
    assert list(new_hcm.predecessors.all()) == [tree.hcm]  # Hà Nội's link is gone
    new_district = reformed.units.get(code="D760")
    assert set(new_district.predecessors.all()) == {tree.hcm_district, tree.hcm_department}

    before = snapshot(reformed)
    unknown = import_units(
        actor=admin,
        hierarchy=reformed,
        file=xlsx(
            row(
                code="P79",
                name="BHXH TP. Hồ Chí Minh",
                kind="province",
                parent_code="VSS",
                predecessor_codes="P79; P99",
            ),
        ),
    )
    assert cells_of(unknown) == [(2, PREDECESSORS)]
    assert "P99" in unknown.errors[0].message and "P79," not in unknown.errors[0].message
    assert snapshot(reformed) == before


def test_predecessors_are_refused_where_no_hierarchy_was_replaced(tree, hierarchy, admin):
    result = import_units(actor=admin, hierarchy=hierarchy, file=xlsx(row(predecessor_codes="P79")))
    assert cells_of(result) == [(2, PREDECESSORS)]
    assert hierarchy.name in result.errors[0].message
    assert not Unit.objects.filter(code="D770").exists()


@pytest.mark.parametrize("role", ["officer_hcm", "council", "printer", "printer_hcm"])
def test_only_administrators_import(tree, hierarchy, users, role):
    with pytest.raises(PermissionDenied):
        import_units(actor=users[role], hierarchy=hierarchy, file=xlsx(row()))
    assert not Unit.objects.filter(code="D770").exists()


# -- Template and export ------------------------------------------------------------


def test_template_has_header_guide_example_and_lists(tree, reformed):
    workbook = load_workbook(BytesIO(import_template(hierarchy=reformed)))
    assert workbook.sheetnames == [LIST_SHEET, GUIDE_SHEET, CHOICES_SHEET]
    sheet = workbook[LIST_SHEET]
    assert [cell.value for cell in sheet[1]] == HEADER
    assert sheet.max_row == 1
    (kinds,) = sheet.data_validations.dataValidation
    assert str(kinds.sqref).startswith("C2:") and CHOICES_SHEET in kinds.formula1
    choices = [[c.value for c in r] for r in workbook[CHOICES_SHEET].iter_rows()]
    assert [r[0] for r in choices[1 : len(UnitKind) + 1]] == list(LABELS.values())
    assert [r[2] for r in choices[1:3]] == ["VSS", "P79"]  # this hierarchy's codes
    assert [r[5] for r in choices[1:4]] == ["VSS", "P01", "D001"]  # the previous one's
    guide = [[c.value for c in r] for r in workbook[GUIDE_SHEET].iter_rows()]
    assert reformed.name in guide[0][0]
    assert [r[0] for r in guide[3 : 3 + len(HEADER)]] == HEADER
    # The guide's example row, read as an import, is valid.
    example = next(r for r in guide[3 + len(HEADER) :] if r[1] == "BHXH huyện Ví Dụ")
    parsed = read(example)
    assert parsed.errors == [], parsed.errors


def test_the_empty_template_reads_back_as_an_empty_file(tree, hierarchy):
    parsed = read_workbook(BytesIO(import_template(hierarchy=hierarchy)))
    assert parsed.rows == [] and cells_of(parsed) == [(None, "")]


def test_export_lists_parents_before_children_and_imports_back_unchanged(tree, reformed, admin):
    district = UnitFactory(
        parent=reformed.units.get(code="P79"),
        code="D760",
        name="BHXH phường Sài Gòn",
        headcount=33,
        headcount_is_demo=True,
    )
    district.predecessors.set([tree.hcm_district])
    UnitFactory(
        parent=district,
        code="CS1",
        name="BHXH cơ sở 1",
        kind="grassroots_office",
        is_active=False,
        headcount=0,
    )
    content = export_units(hierarchy=reformed)
    sheet = load_workbook(BytesIO(content))[LIST_SHEET]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert [(r[0], r[3]) for r in rows] == [
        ("VSS", None),
        ("P79", "VSS"),
        ("D760", "P79"),
        ("CS1", "D760"),
    ]
    assert rows[1][6] == "P01; P79"  # predecessors in tree order of the old hierarchy
    assert rows[2][4] == "33 (số liệu mẫu)"  # a demo figure is not exported as a real one
    assert rows[3][5] == "x"

    before = snapshot(reformed)
    result = import_units(actor=admin, hierarchy=reformed, file=BytesIO(content))
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert snapshot(reformed) == before
    assert _rows(export_units(hierarchy=reformed)) == rows


def _rows(content: bytes) -> list[list]:
    sheet = load_workbook(BytesIO(content))[LIST_SHEET]
    return [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]


def test_an_export_builds_the_same_tree_in_an_empty_hierarchy(tree, hierarchy, admin):
    copy = HierarchyFactory(name="Bản sao")
    result = import_units(
        actor=admin, hierarchy=copy, file=BytesIO(export_units(hierarchy=hierarchy))
    )
    assert result.ok and result.created == 6

    def shape(h):
        return sorted(
            Unit.objects.filter(hierarchy=h).values_list(
                "code", "name", "kind", "parent__code", "path", "depth", "headcount", "is_active"
            )
        )

    assert shape(copy) == shape(hierarchy)
    assert _rows(export_units(hierarchy=copy)) == _rows(export_units(hierarchy=hierarchy))


# -- Pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("officer_hcm", 403), ("council", 403), ("printer", 403)],
)
def test_import_page_and_template_are_for_administrators(client, hierarchy, users, role, status):
    client.force_login(users[role])
    assert client.get(reverse("units:unit_import")).status_code == status
    assert client.get(reverse("units:unit_template")).status_code == status
    response = client.post(
        reverse("units:unit_import"), {"hierarchy": hierarchy.pk, "file": xlsx(row())}
    )
    assert response.status_code == status
    assert Unit.objects.filter(code="D770").exists() == (status == 200)


def test_import_page_defaults_to_the_working_hierarchy_and_imports(client, tree, hierarchy, users):
    client.force_login(users["admin"])
    page = client.get(reverse("units:unit_import"))
    assert page.context["form"].initial["hierarchy"] == hierarchy.pk
    response = client.post(
        reverse("units:unit_import"), {"hierarchy": hierarchy.pk, "file": xlsx(row())}
    )
    assert response.status_code == 200
    assert 'data-testid="import-done"' in response.text
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    assert Unit.objects.filter(hierarchy=hierarchy, code="D770").exists()


def test_import_page_lists_every_error_and_saves_nothing(client, tree, hierarchy, users):
    client.force_login(users["admin"])
    before = snapshot(hierarchy)
    response = client.post(
        reverse("units:unit_import"),
        {
            "hierarchy": hierarchy.pk,
            "file": xlsx(
                row(), row(code="D771", headcount=-1), row(code="D772", parent_code="NOPE")
            ),
        },
    )
    assert response.status_code == 400
    assert "Chưa lưu dòng nào" in response.text
    errors = response.text[response.text.index('data-testid="import-errors"') :]
    assert HEADCOUNT in errors and PARENT in errors and "NOPE" in errors
    assert "D771" in errors and "D772" in errors  # each error names its row's unit
    assert snapshot(hierarchy) == before


def test_an_upload_that_is_no_xlsx_is_refused_by_its_content(client, tree, hierarchy, users):
    client.force_login(users["admin"])
    fake = BytesIO(b"%PDF-1.4 pretending")
    fake.name = "don-vi.xlsx"
    response = client.post(reverse("units:unit_import"), {"hierarchy": hierarchy.pk, "file": fake})
    assert response.status_code == 200  # the form again, with its error
    assert "không phải bảng tính Excel" in response.text


def test_an_upload_over_the_limit_is_refused(client, tree, hierarchy, users, settings):
    settings.UPLOAD_MAX_BYTES = 100
    client.force_login(users["admin"])
    response = client.post(
        reverse("units:unit_import"), {"hierarchy": hierarchy.pk, "file": xlsx(row())}
    )
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert not Unit.objects.filter(code="D770").exists()


def _exported_codes(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return [r[0] for r in _rows(response.content)]


def test_export_holds_only_the_units_the_user_may_see(client, tree, hierarchy, users, reformed):
    client.force_login(users["officer_hcm"])
    assert _exported_codes(client.get(reverse("units:unit_export"))) == ["P79", "D760", "P79-VP"]
    # Another hierarchy than the one worked in is not the officer's to ask for.
    other = client.get(reverse("units:unit_export"), {"hierarchy": reformed.pk})
    assert other.status_code == 404

    client.force_login(users["officer_hanoi"])
    assert _exported_codes(client.get(reverse("units:unit_export"))) == ["P01", "D001"]

    client.force_login(users["admin"])
    assert len(_exported_codes(client.get(reverse("units:unit_export")))) == 6
    assert _exported_codes(
        client.get(reverse("units:unit_export"), {"hierarchy": reformed.pk})
    ) == ["VSS", "P79"]


def test_list_and_tree_link_to_excel_and_label_demo_headcounts(client, tree, users):
    Unit.objects.filter(pk=tree.hcm_district.pk).update(headcount_is_demo=True)
    client.force_login(users["officer_hcm"])
    for name in ("units:unit_list", "units:unit_tree"):
        page = client.get(reverse(name)).text
        assert reverse("units:unit_export") in page and reverse("units:unit_import") not in page
    tree_page = client.get(reverse("units:unit_tree")).text
    # The district's own figure, and the province's total that includes it.
    assert tree_page.count('data-testid="demo-headcount"') == 2
    client.force_login(users["admin"])
    for name in ("units:unit_list", "units:unit_tree"):
        assert reverse("units:unit_import") in client.get(reverse(name)).text


# -- Queries do not grow with the rows -----------------------------------------------


def _file_of(count: int) -> BytesIO:
    """A new department of HCMC, ``count - 2`` districts under it, and
    one existing district updated, all with predecessors."""
    rows = [
        row(
            code="P79-KT", name="Phòng Kế toán", kind="province_department", predecessor_codes="P79"
        )
    ]
    rows += [
        row(
            code=f"D9{n:03d}",
            name=f"BHXH cơ sở {n}",
            parent_code="P79-KT",
            predecessor_codes="D760",
        )
        for n in range(count - 2)
    ]
    rows.append(
        row(
            code="P79",
            name="BHXH Thành phố Hồ Chí Minh",
            kind="province",
            parent_code="VSS",
            predecessor_codes="P79",
        )
    )
    return xlsx(*rows)


def _reformed_again(tree, n: int):
    newer = HierarchyFactory(
        name=f"Cây thử số truy vấn {n}",
        effective_from=datetime.date(2025, 7, 1),
        predecessor=tree.cycle.hierarchy,
    )
    top = UnitFactory(hierarchy=newer, kind=UnitKind.VSS, code="VSS", name="BHXH Việt Nam")
    hcm = UnitFactory(parent=top, kind=UnitKind.PROVINCE, code="P79", name="BHXH TP. Hồ Chí Minh")
    hcm.predecessors.set([tree.hcm, tree.hanoi])
    return newer


def test_import_queries_do_not_grow_with_the_rows(tree, admin):
    counts = []
    for size in (5, 200):
        newer = _reformed_again(tree, size)
        with CaptureQueriesContext(connection) as queries:
            result = import_units(actor=admin, hierarchy=newer, file=_file_of(size))
        assert result.ok, result.errors
        assert (result.created, result.updated) == (size - 1, 1)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert newer.units.get(code="D9197").predecessors.get() == tree.hcm_district
    assert newer.units.get(code="D9197").path == "/VSS/P79/P79-KT/D9197/"


def test_export_queries_do_not_grow_with_the_units(tree, admin):
    counts = []
    for size in (5, 200):
        newer = _reformed_again(tree, size)
        import_units(actor=admin, hierarchy=newer, file=_file_of(size))
        with CaptureQueriesContext(connection) as queries:
            content = export_units(hierarchy=newer)
        assert len(_rows(content)) == size + 1
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 2, counts
