"""Vietnamese text helpers with no database: normalisation and folding."""

import unicodedata

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
