"""Check-in codes and times as text, without the database: a code typed or
scanned (a whole check-in URL from a hand scanner) read as printed, its
form checked, the time of a check-in as the door shows it."""

import datetime
import re
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone

from delegates.models import CHECK_IN_ALPHABET, CHECK_IN_CODE_LENGTH

# What a typed code may hold besides its characters: spaces and dashes
# (printed as "ABC-DEF" or read aloud in groups).
_SEPARATORS = re.compile("[\\s\\-\u2010-\u2015\u2212]+")
_CODE = re.compile(f"[{CHECK_IN_ALPHABET}]{{{CHECK_IN_CODE_LENGTH}}}")


def check_in_time_label(moment: datetime.datetime | None) -> str:
    """The time as "08:05", in the conference's local time (the site's
    zone, Asia/Ho_Chi_Minh); with the date when it was not today."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    if local.date() != timezone.localdate():
        return local.strftime("%H:%M %d/%m/%Y")
    return local.strftime("%H:%M")


def normalise_code(text: str) -> str:
    """The code as printed: upper-case, without spaces or dashes. A whole
    check-in URL (a hand scanner typing the QR's content) gives its
    ``code`` parameter."""
    text = (text or "").strip()
    if "code=" in text:
        values = parse_qs(urlsplit(text).query or text).get("code")
        if values:
            text = values[0]
    return _SEPARATORS.sub("", text).upper()[:64]


def is_well_formed(code: str) -> bool:
    return bool(_CODE.fullmatch(code))
