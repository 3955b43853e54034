"""Template helpers of printed documents: the embedded serif, QR codes,
and dates written as Decree 30/2020 writes them."""

import datetime

import segno
from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reports.pdf import FONT_FAMILY, font_face_css

register = template.Library()


@register.simple_tag
def document_fonts() -> SafeString:
    """The ``@font-face`` rules of the document serif (inside ``<style>``)."""
    return mark_safe(font_face_css())  # noqa: S308 (built from package paths only)


@register.simple_tag
def document_font_family() -> str:
    return FONT_FAMILY


@register.filter
def qr_code(data: str) -> SafeString:
    """``data`` as a QR code image (medium error correction), sized by CSS.

    A tiny PNG (one pixel a module, drawn without smoothing) rather than
    SVG: WeasyPrint draws it in a fraction of the time, and the PDF is half
    the size. The mask is fixed: segno's search for the best one costs more
    than the rest of the page, and any mask scans."""
    qr = segno.make(data, error="m", micro=False, mask=0)
    return format_html('<img class="qr" src="{}" alt="QR">', qr.png_data_uri(scale=1, border=2))


@register.filter
def long_date(day: datetime.date | None) -> str:
    """“ngày 05 tháng 02 năm 2026”: Decree 30 writes a zero before days
    below 10 and before months 1 and 2."""
    if day is None:
        return _("day %(day)s month %(month)s year %(year)s") % dict.fromkeys(
            ("day", "month", "year"), "…"
        )
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return _("day %(day)s month %(month)s year %(year)s") % {
        "day": f"{day.day:02d}",
        "month": month,
        "year": day.year,
    }


@register.simple_tag
def check_box(checked: bool) -> SafeString:
    return format_html('<span class="box">{}</span>', "✓" if checked else "")
