"""Uploads are checked by their content, not their name (congress.uploads)."""

import hashlib
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from congress import uploads
from congress.forms import ConferenceDocumentForm, PlanUploadForm
from tests.congress.documents_support import ELF, MZ, PDF, docx, ole2, upload


def refused(name: str, content: bytes, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        uploads.check_upload(upload(name, content), **kwargs)
    return caught.value


def test_pdf_is_accepted_with_its_type_size_and_checksum():
    checked = uploads.check_upload(upload("Kế hoạch.pdf", PDF, content_type="text/html"))
    assert checked.kind == "pdf"
    # The type comes from the content, never from what the browser claimed.
    assert checked.content_type == "application/pdf"
    assert checked.size == len(PDF)
    assert checked.sha256 == hashlib.sha256(PDF).hexdigest()
    assert checked.original_name == "Kế hoạch.pdf"


def test_docx_made_with_zipfile_is_accepted():
    content = docx()
    checked = uploads.check_upload(upload("bao-cao.docx", content))
    assert checked.kind == "docx"
    assert checked.content_type.endswith("wordprocessingml.document")
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


def test_doc_ole2_with_a_word_stream_is_accepted():
    checked = uploads.check_upload(upload("bien-ban.doc", ole2()))
    assert checked.kind == "doc"
    assert checked.content_type == "application/msword"


def test_extension_case_does_not_matter():
    assert uploads.check_upload(upload("KE-HOACH.PDF", PDF)).kind == "pdf"


def test_file_is_rewound_after_the_check():
    checked = uploads.check_upload(upload("a.pdf", PDF))
    assert checked.file.read() == PDF


@pytest.mark.parametrize("program", [ELF, MZ], ids=["elf", "windows-mz"])
@pytest.mark.parametrize("name", ["ke-hoach.pdf", "ke-hoach.docx", "ke-hoach.doc"])
def test_executable_renamed_as_document_is_refused(program, name):
    error = refused(name, program)
    assert error.code == "executable"
    assert "là một chương trình, không phải văn bản" in error.messages[0]


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("bao-cao.docx", PDF, "PDF"),
        ("bao-cao.pdf", docx(), "Word (.docx)"),
        ("bao-cao.docx", ole2(), "Word (.doc)"),
        ("bao-cao.doc", PDF, "PDF"),
    ],
)
def test_extension_must_agree_with_content(name, content, kind):
    error = refused(name, content)
    assert error.code == "extension_mismatch"
    assert kind in error.messages[0]


@pytest.mark.parametrize("name", ["ke-hoach.txt", "ke-hoach.exe", "ke-hoach", "ke-hoach.pdf.html"])
def test_other_extensions_are_refused_even_with_pdf_content(name):
    assert refused(name, PDF).code == "unknown_extension"


def test_html_renamed_pdf_is_refused():
    error = refused("trang.pdf", b"<!doctype html><script>alert(1)</script>")
    assert error.code == "unknown_content"


def test_zip_without_word_document_is_not_a_docx():
    # An Excel workbook, or any archive, renamed .docx.
    content = docx({"xl/workbook.xml": b"<workbook/>"}, without=("word/document.xml",))
    assert refused("so-lieu.docx", content).code == "unknown_content"


def test_zip_without_content_types_is_not_a_docx():
    assert refused("a.docx", docx(without=("[Content_Types].xml",))).code == "unknown_content"


def test_damaged_zip_is_refused():
    assert refused("a.docx", b"PK\x03\x04" + b"\x00" * 200).code == "damaged"


def test_word_file_with_macros_is_refused():
    content = docx({"word/vbaProject.bin": b"\x00macro"})
    assert refused("a.docx", content).code == "macros"


def test_ole2_file_without_word_stream_is_not_a_doc():
    # An Excel 97 workbook or an MSI installer is OLE2 too.
    assert refused("a.doc", ole2("Workbook")).code == "unknown_content"


def test_word_stream_name_split_across_chunks_is_found(monkeypatch):
    monkeypatch.setattr(uploads, "CHUNK_SIZE", 7)
    assert uploads.check_upload(upload("a.doc", ole2())).kind == "doc"


def test_empty_file_is_refused():
    assert refused("a.pdf", b"").code == "empty"


def test_size_limit_is_inclusive():
    assert uploads.check_upload(upload("a.pdf", PDF), max_bytes=len(PDF)).size == len(PDF)
    error = refused("a.pdf", PDF, max_bytes=len(PDF) - 1)
    assert error.code == "too_large"


def test_default_limit_is_20_mb(settings):
    assert uploads.DEFAULT_MAX_BYTES == 20 * 1024 * 1024
    assert settings.UPLOAD_MAX_BYTES == 20 * 1024 * 1024


def test_original_name_is_nfc_without_path_or_control_characters():
    decomposed = unicodedata.normalize("NFD", "Kế hoạch tổ chức.pdf")
    checked = uploads.check_upload(upload(f"C:\\Users\\cb\\{decomposed}\x07", PDF))
    # The control character was after the extension: the name ends in ".pdf".
    assert checked.original_name == "Kế hoạch tổ chức.pdf"
    assert unicodedata.is_normalized("NFC", checked.original_name)


def test_long_name_keeps_its_extension():
    name = uploads.clean_name("a" * 300 + ".docx")
    assert len(name) == 255 and name.endswith(".docx")


@pytest.mark.parametrize(
    ("size", "text"),
    [(20 * 1024 * 1024, "20 MB"), (1536 * 1024, "1,5 MB"), (2048, "2 KB"), (10, "10 B")],
)
def test_size_is_written_with_the_decimal_comma(size, text):
    assert uploads.format_size(size) == text


# -- On the form field, in Vietnamese ----------------------------------------


def test_form_puts_a_vietnamese_message_on_the_file_field():
    form = PlanUploadForm(data={}, files={"file": upload("ke-hoach.pdf", ELF)})
    assert not form.is_valid()
    assert form.errors["file"] == [
        "Tệp này là một chương trình, không phải văn bản, dù tên tệp ghi gì. "
        "Chỉ nhận văn bản PDF, DOC và DOCX."
    ]


def test_form_requires_a_file_with_a_vietnamese_message():
    form = PlanUploadForm(data={}, files={})
    assert not form.is_valid()
    assert form.errors["file"] == ["Hãy chọn tệp để tải lên."]


def test_form_limit_comes_from_the_setting(settings):
    settings.UPLOAD_MAX_BYTES = 100
    form = ConferenceDocumentForm(
        data={"kind": "summary_report"}, files={"file": upload("a.pdf", PDF)}
    )
    assert not form.is_valid()
    assert form.errors["file"] == [f"Tệp quá lớn ({len(PDF)} B); giới hạn là 100 B."]
    assert "100 B" in form.fields["file"].help_text


def test_form_cleans_to_a_checked_upload():
    form = PlanUploadForm(data={}, files={"file": upload("ke-hoach.docx", docx())})
    assert form.is_valid(), form.errors
    assert isinstance(form.cleaned_data["file"], uploads.CheckedUpload)
    assert 'accept=".pdf,.doc,.docx' in str(form["file"])
