"""Reading generated PDFs back in tests, with poppler's ``pdftotext``."""

import subprocess


def pdf_text(data: bytes, *, page: int | None = None) -> str:
    """The text laid out as printed (``-layout``), of one page or all."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", "-layout", *pages, "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def flowing_text(data: bytes) -> str:
    """The text in the order it was drawn, whitespace collapsed: a cell's
    words wrapped over several lines read as one phrase."""
    text = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.split())


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page, whitespace collapsed (justified lines are
    spread by ``-layout``)."""
    pages = pdf_text(data).split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return [" ".join(page.split()) for page in pages]
