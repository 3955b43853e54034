"""Checks an uploaded document by its content, with no database.

Only PDF, DOC and DOCX are accepted, recognised by their first bytes (and,
for DOCX, by the entries of the ZIP it is); the name's extension must agree
with the content, so a program renamed ``.pdf`` is refused. A PDF must
also open as one (pypdf: cross-reference table, trailer, at least one page)
and hold no JavaScript, launch action or embedded file; a DOCX must not
expand beyond ``UPLOAD_MAX_EXPANDED_BYTES`` or ``UPLOAD_MAX_RATIO`` times
its size (a zip bomb), judged before anything is decompressed. The checked
upload carries what is stored with it: the original name, the content type
that matches the content (not what the browser claimed), size and SHA-256.
"""

import hashlib
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from units.unit_import import check_zip_expansion

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class DocumentKind(StrEnum):
    PDF = "pdf"
    DOC = "doc"
    DOCX = "docx"


CONTENT_TYPES: dict[DocumentKind, str] = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.DOC: "application/msword",
    DocumentKind.DOCX: ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
LABELS: dict[DocumentKind, str] = {
    DocumentKind.PDF: "PDF",
    DocumentKind.DOC: "Word (.doc)",
    DocumentKind.DOCX: "Word (.docx)",
}
EXTENSIONS = frozenset(kind.value for kind in DocumentKind)
# For the file input's ``accept``: a hint to the browser, never trusted.
ACCEPT = ",".join([*(f".{kind}" for kind in DocumentKind), *dict.fromkeys(CONTENT_TYPES.values())])

PDF_MAGIC = b"%PDF-"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
# A Word 97–2003 file is an OLE2 compound file holding a "WordDocument"
# stream; other OLE2 files (Excel sheets, MSI installers) have none.
WORD_STREAM_NAME = "WordDocument\0".encode("utf-16-le")
DOCX_REQUIRED_ENTRIES = ("[Content_Types].xml", "word/document.xml")
# Macros make a .docm; Word refuses them under a .docx name anyway.
DOCX_MACRO_ENTRY = "vbaproject.bin"

# What makes a PDF run something when opened: scripts, launch actions,
# attached files. Looked for as dictionary keys and as name values of every
# object reachable from the trailer.
PDF_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles"})
PDF_ACTIVE_NAMES = frozenset({"/JavaScript", "/Launch", "/EmbeddedFile"})
# Past this many objects the walk gives up and refuses the file.
PDF_MAX_OBJECTS = 500_000
# Every Windows program carries this stub; a program with "%PDF-" in front
# of it is still a program.
DOS_STUB = b"This program cannot be run in DOS mode"

# Programs, refused whatever their name: ELF (Linux), MZ (Windows PE),
# Mach-O (macOS, both byte orders and fat binaries), scripts with "#!".
EXECUTABLE_MAGICS = (
    b"\x7fELF",
    b"MZ",
    bytes.fromhex("FEEDFACE"),
    bytes.fromhex("FEEDFACF"),
    bytes.fromhex("CEFAEDFE"),
    bytes.fromhex("CFFAEDFE"),
    bytes.fromhex("CAFEBABE"),
    b"#!",
)

CHUNK_SIZE = 64 * 1024
MAX_NAME_LENGTH = 255


class UploadedDocument(Protocol):
    """What Django's ``UploadedFile`` offers that the checks use."""

    name: str | None
    size: int | None

    def seek(self, offset: int, whence: int = 0) -> int: ...

    def read(self, size: int = -1) -> bytes: ...

    def tell(self) -> int: ...


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed ``check_upload``: only this is ever stored."""

    file: UploadedDocument
    original_name: str
    kind: DocumentKind
    content_type: str
    size: int
    sha256: str


def check_upload(upload: UploadedDocument, *, max_bytes: int = DEFAULT_MAX_BYTES) -> CheckedUpload:
    """Check ``upload`` and describe it, or raise ``ValidationError`` with a
    message for the user (codes: empty, too_large, executable,
    unknown_extension, unknown_content, damaged, macros, too_expanded,
    active_content, extension_mismatch).
    """
    name = clean_name(upload.name or "")
    size = _size_of(upload)
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": format_size(size), "limit": format_size(max_bytes)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(16)
    if head.startswith(EXECUTABLE_MAGICS) or _after_first_line(head).startswith(EXECUTABLE_MAGICS):
        raise _program_error()
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in EXTENSIONS:
        raise ValidationError(
            _("Only PDF, DOC and DOCX documents are accepted; this file's name ends in “.%(ext)s”.")
            % {"ext": extension}
            if extension
            else _(
                "Only PDF, DOC and DOCX documents are accepted; this file's name has no extension."
            ),
            code="unknown_extension",
        )
    kind = _kind_of(upload, head, size)
    if kind is None:
        raise ValidationError(
            _(
                "The content of this file is not a PDF, DOC or DOCX document: it may be "
                "damaged, or another kind of file renamed."
            ),
            code="unknown_content",
        )
    if kind != extension:
        raise ValidationError(
            _(
                "The file's name ends in “.%(ext)s” but its content is a %(kind)s document. "
                "Save it again with the right extension, or choose the right file."
            )
            % {"ext": extension, "kind": LABELS[kind]},
            code="extension_mismatch",
        )
    digest = hashlib.sha256()
    if kind == DocumentKind.DOC:
        # One pass computes the checksum and looks for the Word stream.
        found = False
        tail = b""
        for chunk in _chunks(upload):
            digest.update(chunk)
            window = tail + chunk
            found = found or WORD_STREAM_NAME in window
            tail = window[1 - len(WORD_STREAM_NAME) :]
        if not found:
            raise ValidationError(
                _(
                    "This .doc file is not a Word document (it may be another Office file "
                    "or a program). Save it from Word as .doc, .docx or PDF."
                ),
                code="unknown_content",
            )
    else:
        tail = b""
        for chunk in _chunks(upload):
            digest.update(chunk)
            window = tail + chunk
            if kind == DocumentKind.PDF and DOS_STUB in window:
                raise _program_error()
            tail = window[1 - len(DOS_STUB) :]
        if kind == DocumentKind.PDF:
            _check_pdf(upload)
    upload.seek(0)
    return CheckedUpload(
        file=upload,
        original_name=name,
        kind=kind,
        content_type=CONTENT_TYPES[kind],
        size=size,
        sha256=digest.hexdigest(),
    )


def _program_error() -> ValidationError:
    return ValidationError(
        _(
            "This file is a program, not a document, whatever its name says. "
            "Only PDF, DOC and DOCX documents are accepted."
        ),
        code="executable",
    )


def _after_first_line(head: bytes) -> bytes:
    """What follows a "%PDF-1.4" line: a program with a PDF header put in
    front of it starts there."""
    if not head.startswith(PDF_MAGIC):
        return b""
    for end in (b"\r\n", b"\n", b"\r"):
        if end in head:
            return head.split(end, 1)[1]
    return b""


def _check_pdf(upload: UploadedDocument) -> None:
    """Open the PDF with pypdf and walk every object reachable from its
    trailer; refuse it if it does not open as a PDF with pages, or holds
    JavaScript, a launch action or an embedded file."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    damaged = ValidationError(
        _(
            "This file is damaged: it cannot be opened as a PDF document. "
            "Save or print it to PDF again and upload the new file."
        ),
        code="damaged",
    )
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)  # type: ignore[arg-type]
        root = reader.trailer.get("/Root")
        if root is None or len(reader.pages) == 0:
            raise damaged
        seen: set[tuple[int, int]] = set()
        stack: list[object] = [reader.trailer]
        while stack:
            item = stack.pop()
            if isinstance(item, IndirectObject):
                if (item.idnum, item.generation) in seen:
                    continue
                seen.add((item.idnum, item.generation))
                if len(seen) > PDF_MAX_OBJECTS:
                    raise damaged
                stack.append(item.get_object())
            elif isinstance(item, DictionaryObject):
                if PDF_ACTIVE_KEYS.intersection(item.keys()):
                    raise _active_pdf_error()
                stack.extend(item.values())
            elif isinstance(item, ArrayObject):
                stack.extend(item)
            elif isinstance(item, NameObject) and item in PDF_ACTIVE_NAMES:
                raise _active_pdf_error()
    except ValidationError:
        raise
    except Exception as error:  # pypdf raises many kinds for a file that is no PDF
        raise damaged from error
    finally:
        upload.seek(0)


def _active_pdf_error() -> ValidationError:
    return ValidationError(
        _(
            "This PDF contains JavaScript, a launch action or embedded files, which are "
            "not accepted. Print it to a new PDF (or save it as PDF/A) and upload that."
        ),
        code="active_content",
    )


def _kind_of(upload: UploadedDocument, head: bytes, size: int) -> DocumentKind | None:
    if head.startswith(PDF_MAGIC):
        return DocumentKind.PDF
    if head.startswith(OLE2_MAGIC):
        return DocumentKind.DOC
    if head.startswith(ZIP_MAGIC):
        upload.seek(0)
        try:
            # Only the central directory is read: nothing is decompressed.
            with zipfile.ZipFile(upload) as archive:
                check_zip_expansion(archive, size)
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
            raise ValidationError(
                _("This file is damaged: it cannot be opened as a Word (.docx) document."),
                code="damaged",
            ) from error
        if any(name.lower().endswith(DOCX_MACRO_ENTRY) for name in names):
            raise ValidationError(
                _(
                    "This Word file contains macros, which are not accepted. "
                    "Save it as a plain .docx (or PDF) and upload it again."
                ),
                code="macros",
            )
        if all(entry in names for entry in DOCX_REQUIRED_ENTRIES):
            return DocumentKind.DOCX
    return None


def _size_of(upload: UploadedDocument) -> int:
    if upload.size is not None:
        return upload.size
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(0)
    return size


def _chunks(upload: UploadedDocument) -> Iterator[bytes]:
    upload.seek(0)
    while chunk := upload.read(CHUNK_SIZE):
        yield chunk


def clean_name(name: str) -> str:
    """The name to keep and offer back on download: its last path part
    (some browsers send ``C:\\…\\file.pdf``), NFC, without control
    characters, at most 255 characters with its extension kept."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    if len(name) > MAX_NAME_LENGTH:
        suffix = PurePath(name).suffix[:16]
        name = name[: MAX_NAME_LENGTH - len(suffix)] + suffix
    return name


def format_size(size: int) -> str:
    """Bytes as people read them, with the decimal comma: "20 MB", "1,5 MB"."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            value = f"{size / factor:.1f}".rstrip("0").rstrip(".")
            return f"{value.replace('.', ',')} {unit}"
    return f"{size} B"
