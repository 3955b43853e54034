"""Uploads checked for what they are: a PDF must open as one with pages
and run nothing; a DOCX must not be a zip bomb or hold macros. Each probe
is refused with its message and nothing is saved."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from congress import uploads
from congress.models import OrganisationPlan
from tests.congress.documents_support import MZ, PDF, docx, pdf, upload

# A Windows program as it is on disk: its DOS stub says what it is.
PE = MZ + b"This program cannot be run in DOS mode.\r\r\n$" + bytes(512)
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(120)

JAVASCRIPT_PDF = pdf(
    catalog_extra=b"/OpenAction 4 0 R",
    extra_objects=(b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>",),
)
LAUNCH_PDF = pdf(
    catalog_extra=b"/OpenAction 4 0 R",
    extra_objects=(b"<< /Type /Action /S /Launch /F (cmd.exe) >>",),
)
# An attached file in the names tree, reached only through the catalog.
ATTACHMENT_PDF = pdf(
    catalog_extra=b"/Names << /EmbeddedFiles 4 0 R >>",
    extra_objects=(b"<< /Names [(a.exe) 5 0 R] >>", b"<< /Type /Filespec /F (a.exe) >>"),
)


def refused(name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        uploads.check_upload(upload(name, content))
    return caught.value


@pytest.mark.parametrize(
    ("content", "header"),
    [(PE, b"%PDF-1.4\n"), (PE, b"%PDF-1.4\r\n"), (ELF, b"%PDF-1.7\n"), (PE, b"%PDF-1.4\n%\n")],
)
def test_program_with_a_pdf_header_is_refused_as_a_program(content, header):
    error = refused("bao-cao.pdf", header + content)
    assert error.code in {"executable", "damaged"}
    if header.count(b"\n") == 1:
        assert error.code == "executable"


def test_pe_with_pdf_header_and_a_valid_pdf_after_it_is_refused():
    # A real PDF body appended after the program: it would open in a viewer.
    body = PDF.split(b"\n", 2)[2]
    error = refused("bao-cao.pdf", b"%PDF-1.4\n%" + PE + b"\n" + body)
    assert error.code in {"executable", "damaged"}


@pytest.mark.parametrize("content", [JAVASCRIPT_PDF, LAUNCH_PDF, ATTACHMENT_PDF])
def test_pdf_that_runs_or_carries_something_is_refused(content):
    error = refused("bao-cao.pdf", content)
    assert error.code == "active_content"
    assert "JavaScript" in error.messages[0]


def test_pdf_without_pages_is_refused():
    assert refused("bao-cao.pdf", pdf(pages=0)).code == "damaged"


def test_pdf_header_on_other_text_is_refused():
    assert refused("bao-cao.pdf", b"%PDF-1.4\nnot a document at all\n").code == "damaged"


def test_good_pdf_and_docx_are_accepted():
    assert uploads.check_upload(upload("bao-cao.pdf", pdf(pages=2))).kind == "pdf"
    assert uploads.check_upload(upload("bao-cao.docx", docx())).kind == "docx"


def zip_bomb(member_bytes: int) -> bytes:
    """A DOCX whose one extra member is ``member_bytes`` zeros, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as member:
            block = bytes(1024 * 1024)
            for _ in range(member_bytes // len(block)):
                member.write(block)
    return buffer.getvalue()


def test_docx_zip_bomb_is_refused_before_it_is_decompressed(settings):
    bomb = zip_bomb(120 * 1024 * 1024)
    assert len(bomb) < settings.UPLOAD_MAX_BYTES
    assert refused("ke-hoach.docx", bomb).code == "too_expanded"


def test_docx_beyond_the_ratio_is_refused_under_the_size_bound(settings):
    settings.UPLOAD_MAX_RATIO = 100
    bomb = zip_bomb(8 * 1024 * 1024)  # about 8 KB expanding 1000 times
    assert refused("ke-hoach.docx", bomb).code == "too_expanded"
    settings.UPLOAD_MAX_RATIO = 10_000
    assert uploads.check_upload(upload("ke-hoach.docx", bomb)).kind == "docx"


def test_docm_with_macros_is_refused():
    macro_doc = docx({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macros"})
    assert refused("ke-hoach.docx", macro_doc).code == "macros"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("ke-hoach.pdf", b"%PDF-1.4\n" + PE, "executable"),
        ("ke-hoach.pdf", JAVASCRIPT_PDF, "active_content"),
        ("ke-hoach.pdf", LAUNCH_PDF, "active_content"),
        ("ke-hoach.docx", None, "too_expanded"),
        ("ke-hoach.docx", docx({"word/vbaProject.bin": b"macros"}), "macros"),
    ],
)
def test_plan_upload_probe_is_refused_with_its_message_and_nothing_saved(
    client, tree, tiers, users, settings, tmp_path, name, content, code
):
    settings.MEDIA_ROOT = tmp_path / "media"
    if content is None:
        content = zip_bomb(120 * 1024 * 1024)
    with pytest.raises(ValidationError) as expected:
        uploads.check_upload(upload(name, content))
    assert expected.value.code == code
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("plans:plan_upload", args=[tree.hcm.pk]), {"file": upload(name, content)}
    )
    assert response.status_code == 400
    assert escape(expected.value.messages[0]) in response.text
    assert not OrganisationPlan.objects.exists()
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.*"))


def test_plan_upload_of_a_good_pdf_is_saved(client, tree, tiers, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("plans:plan_upload", args=[tree.hcm.pk]), {"file": upload("ke-hoach.pdf", PDF)}
    )
    assert response.status_code == 302
    assert OrganisationPlan.objects.filter(unit=tree.hcm).count() == 1
