"""Documents built in the tests (no fixture files), conferences to attach
them to, and what each role may do on the hand-built tree."""

import datetime
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from congress.models import Conference
from tests.factories import ConferenceFactory

ROLES = ["admin", "council", "officer_hcm", "officer_hanoi", "printer_hcm", "printer"]

# Who may see, and who may change, what belongs to each province.
SEES = {
    "hcm": {"admin", "council", "officer_hcm", "printer_hcm", "printer"},
    "hanoi": {"admin", "council", "officer_hanoi", "printer"},
}
CHANGES = {"hcm": {"admin", "officer_hcm"}, "hanoi": {"admin", "officer_hanoi"}}
REVIEWS = {"admin", "council"}


def expected_change_status(role: str, province: str, ok: int = 302) -> int:
    """A change: done (``ok``) by who may change, 403 for who only sees,
    404 for who cannot see the unit at all."""
    if role in CHANGES[province]:
        return ok
    return 403 if role in SEES[province] else 404


def expected_view_status(role: str, province: str) -> int:
    return 200 if role in SEES[province] else 404


# -- Files -------------------------------------------------------------------


def pdf(
    *, catalog_extra: bytes = b"", extra_objects: tuple[bytes, ...] = (), pages: int = 1
) -> bytes:
    """A small PDF with a true cross-reference table: a catalog (with
    ``catalog_extra`` in its dictionary), ``pages`` blank pages, and
    ``extra_objects`` numbered from 3 + pages on."""
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        *(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>" for _ in range(pages)),
        *extra_objects,
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


PDF = pdf()
CONTENT_TYPES_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Kế hoạch tổ chức Hội nghị</w:t></w:r></w:p></w:body></w:document>"
).encode()
# Programs: a Linux ELF header, a Windows "MZ" header with its PE signature.
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"\x00" * 64
MZ = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(52) + b"\x80\x00\x00\x00" + bytes(64) + b"PE\x00\x00"


def docx(entries: dict[str, bytes] | None = None, *, without: tuple[str, ...] = ()) -> bytes:
    """A minimal DOCX: a ZIP with ``[Content_Types].xml`` and
    ``word/document.xml`` (plus ``entries``, minus ``without``)."""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES_XML,
        "word/document.xml": DOCUMENT_XML,
        **(entries or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if name not in without:
                archive.writestr(name, data)
    return buffer.getvalue()


def ole2(stream_name: str = "WordDocument") -> bytes:
    """A minimal OLE2 compound file: the header, then one directory sector
    naming the root and one stream (a .doc has "WordDocument")."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    header = header.ljust(512, b"\x00")

    def entry(name: str, kind: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\x00")
            + len(encoded).to_bytes(2, "little")
            + bytes([kind])
            + bytes(61)
        )

    directory = (entry("Root Entry", 5) + entry(stream_name, 2)).ljust(512, b"\x00")
    return header + directory


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# -- Conferences -------------------------------------------------------------


def make_conference(tier, unit, status: str = Conference.Status.DRAFT, **fields) -> Conference:
    """A conference of ``unit``; a held or closed one has its attendance."""
    if status in (Conference.Status.HELD, Conference.Status.CLOSED):
        fields.setdefault("held_on", tier.window_start + datetime.timedelta(days=30))
        fields.setdefault("actual_attendance", 120)
    return ConferenceFactory(tier=tier, unit=unit, status=status, **fields)
