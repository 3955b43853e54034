"""PDF rendering: a Django template's HTML → WeasyPrint → bytes, in the
serif of Decree 30/2020 documents.

The typeface is TeX Gyre Termes (Times-metric, every Vietnamese letter),
installed from PyPI (``rinoh-typeface-texgyretermes``); its ``.otf`` files
are loaded by ``@font-face`` from the installed package and embedded,
subset, in every PDF. WeasyPrint is imported inside the functions: it
costs about half a second, which only workers should pay.
"""

import importlib.util
import io
from functools import cache
from pathlib import Path

FONT_PACKAGE = "rinoh_typeface_texgyretermes"
FONT_FAMILY = "TeX Gyre Termes"
FONT_FILES = {
    ("normal", "normal"): "texgyretermes-regular.otf",
    ("bold", "normal"): "texgyretermes-bold.otf",
    ("normal", "italic"): "texgyretermes-italic.otf",
    ("bold", "italic"): "texgyretermes-bolditalic.otf",
}
PDF = "application/pdf"


@cache
def font_directory() -> Path:
    """Where the package keeps its fonts, found without importing it."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"The font package {FONT_PACKAGE!r} is not installed.")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def font_face_css() -> str:
    """``@font-face`` rules for the four styles of the document serif."""
    directory = font_directory()
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; '
        f'font-style: {style}; src: url("{(directory / name).as_uri()}"); }}'
        for (weight, style), name in FONT_FILES.items()
    )


def render_pdf(html: str) -> bytes:
    """One HTML document (fonts declared in it) as one PDF."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    document = HTML(string=html, base_url=str(font_directory())).render(font_config=font_config)
    return document.write_pdf()


def merge_pdfs(pieces: list[bytes]) -> bytes:
    """The PDFs one after the other, in order, as one PDF."""
    if len(pieces) == 1:
        return pieces[0]
    from pypdf import PdfWriter

    writer = PdfWriter()
    for piece in pieces:
        writer.append(io.BytesIO(piece))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def page_count(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def check_pdf(data: bytes, *, pages: int | None = None) -> int:
    """The page count of ``data`` if it is a whole PDF: it ends with its
    end-of-file marker, parses with pypdf, and has ``pages`` pages (at
    least one when not known). ``ValueError`` otherwise."""
    from pypdf import PdfReader

    # pypdf repairs what it can, so a file cut short may still parse: the
    # marker a writer puts last is what tells it was written to the end.
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise ValueError("not a whole PDF")
    try:
        count = len(PdfReader(io.BytesIO(data)).pages)
    except Exception as error:  # pypdf raises many kinds for a damaged file
        raise ValueError(f"not a readable PDF: {error}") from error
    if count < 1 or (pages is not None and count != pages):
        raise ValueError(f"{count} pages instead of {pages if pages is not None else '1 or more'}")
    return count
