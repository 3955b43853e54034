"""Vietnamese text helpers with no database: normalisation and folding."""

import unicodedata

from django.utils.translation import gettext_lazy

# Combining tone marks in dictionary order: ngang (no mark), huyền, hỏi, ngã,
# sắc, nặng. Name ordering and the legacy encodings' tables both follow it.
TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")

_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(text: str) -> str:
    """The canonical (NFC) form in which every Vietnamese string is stored."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case text without diacritics, for search: "Hà Nội" → "ha noi".

    "đ" is a letter of its own, not "d" with a mark, so it is mapped
    explicitly; every other mark is removed by decomposing (NFD) and
    dropping the combining characters.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_TABLE))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


# C0 controls, DEL and C1 controls: never typed on purpose, refused by
# PostgreSQL (NUL) and by Excel files (the rest), so refused at the boundary.
_CONTROL = frozenset(chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)))
# A multi-line field (a Textarea) keeps its line breaks and tabs.
_MULTILINE_ALLOWED = frozenset("\t\n\r")


def control_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The control characters of ``text`` (NUL, C0, DEL, C1), in order and
    without repeats; tab and line breaks are allowed when ``multiline``."""
    allowed = _MULTILINE_ALLOWED if multiline else frozenset()
    found: list[str] = []
    for char in text:
        if char in _CONTROL and char not in allowed and char not in found:
            found.append(char)
    return found


def strip_control_characters(text: str, *, multiline: bool = False) -> str:
    """``text`` without its control characters (for cleaning stored rows)."""
    allowed = _MULTILINE_ALLOWED if multiline else frozenset()
    return "".join(c for c in text if c not in _CONTROL or c in allowed)


CONTROL_CHARACTERS_MESSAGE = gettext_lazy("This field contains invalid control characters.")
