"""The .xlsx imports (units, people) refuse a zip bomb before openpyxl
decompresses it, with the same bound as document uploads."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from delegates.forms.people import PeopleImportForm
from units.models import Unit
from units.unit_import import is_xlsx

WORKBOOK_TYPES = (
    b'<Types><Override PartName="/xl/workbook.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)


def xlsx_bomb(member_bytes: int = 120 * 1024 * 1024) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", WORKBOOK_TYPES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = bytes(1024 * 1024)
            for _ in range(member_bytes // len(block)):
                member.write(block)
    return buffer.getvalue()


def bomb_message() -> str:
    with pytest.raises(ValidationError) as caught:
        is_xlsx(io.BytesIO(xlsx_bomb()))
    assert caught.value.code == "too_expanded"
    return caught.value.messages[0]


def test_is_xlsx_refuses_a_zip_bomb_and_accepts_a_workbook():
    bomb_message()
    small = io.BytesIO()
    with zipfile.ZipFile(small, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", WORKBOOK_TYPES)
    assert is_xlsx(small)


def test_unit_import_refuses_a_zip_bomb_and_saves_nothing(client, tree, users):
    client.force_login(users["admin"])
    before = Unit.objects.count()
    response = client.post(
        reverse("units:unit_import"),
        {
            "hierarchy": tree.cycle.hierarchy.pk,
            "file": SimpleUploadedFile("don-vi.xlsx", xlsx_bomb()),
        },
    )
    assert escape(bomb_message()) in response.text
    assert Unit.objects.count() == before


def test_people_import_form_refuses_a_zip_bomb(db):
    form = PeopleImportForm(files={"file": SimpleUploadedFile("nhan-su.xlsx", xlsx_bomb())})
    assert not form.is_valid()
    assert form.errors["file"] == [bomb_message()]
