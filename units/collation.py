"""Vietnamese alphabetical order, with no database.

The order is the dictionary convention of the Vietnam Lexicography Centre
(Vũ Xuân Lương, "Quy tắc sắp xếp theo thứ tự ABC"):

* letters: a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z
  (f, j, w, z are not Vietnamese letters; they keep their Latin places);
* tones: ngang, huyền, hỏi, ngã, sắc, nặng, i.e. a à ả ã á ạ. Another order
  (Nguyễn Đình Hòa's: ngang, sắc, huyền, hỏi, ngã, nặng) is found in some
  textbooks; the dictionaries, and this module, use the first;
* letters before tones, syllable by syllable: a syllable (a word between
  spaces) is compared by its letters first, and its tone only breaks a tie
  between syllables with the same letters ("áng" < "anh" < "ảnh" < "ánh");
  only then is the next syllable compared ("an bình" < "àn an");
* case last: ignored until everything else is equal, then lower before upper;
* digraphs and trigraphs (ch, gh, gi, kh, ng, ngh, nh, ph, qu, th, tr) are
  not letters of their own in this convention: they are compared letter by
  letter, so "Chi" < "Cường" (h < ư).

Letters of other alphabets' accents fall on their base letter ("ü" as "u"),
digits come before letters, punctuation and symbols before digits. Each key
ends with the NFC text itself, so the order is total: two strings compare
equal only when their NFC forms are identical.

A database cannot sort by such a key, so ``sortable`` writes any key as a
string of hexadecimal digits whose plain order is the key's: stored beside
a name (``Unit.name_key``, ``Person.name_key``), it lets the database order
and paginate in Vietnamese order under any collation.
"""

import unicodedata
from collections.abc import Iterator

from .text import TONES, nfc

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"

# TONES (units.text): the combining marks in collation order: ngang (no mark),
# huyền, hỏi, ngã, sắc, nặng.

# Breve, circumflex and horn make a letter of their own (ă â ê ô ơ ư);
# they are compared with the letters, not with the tones.
_LETTER_MARKS = frozenset("\u0306\u0302\u031b")

_LETTER_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}
_TONE_RANK = {mark: rank for rank, mark in enumerate(TONES) if mark}

# Weight classes, ascending: punctuation and symbols (by code point), digits,
# the alphabet above, other letters (by code point).
_DIGITS = 0x110000
_LETTERS = _DIGITS + 10
_OTHER_LETTERS = _LETTERS + len(ALPHABET)

WordKey = tuple[tuple[int, ...], tuple[int, ...]]
SortKey = tuple[tuple[WordKey, ...], tuple[bool, ...], str]
NameSortKey = tuple[WordKey, WordKey, tuple[WordKey, ...], SortKey]


def _clusters(text: str) -> Iterator[str]:
    """Each base character of the NFD text with the combining marks after it."""
    cluster = ""
    for char in unicodedata.normalize("NFD", text):
        if cluster and unicodedata.combining(char):
            cluster += char
            continue
        if cluster:
            yield cluster
        cluster = char
    if cluster:
        yield cluster


def _letter_weight(base: str, marks: str) -> int:
    letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _LETTER_MARKS))
    if letter in _LETTER_RANK:
        return _LETTERS + _LETTER_RANK[letter]
    if base in _LETTER_RANK:  # "ü", "ĕ", "ç": foreign marks do not make a new letter
        return _LETTERS + _LETTER_RANK[base]
    digit = unicodedata.digit(base, None)
    if digit is not None:
        return _DIGITS + digit
    if base.isalpha():
        return _OTHER_LETTERS + ord(base)
    return ord(base)


def word_key(word: str) -> WordKey:
    """(letters, tones) of one syllable, case ignored.

    The tones are those of the whole syllable, wherever the mark sits, so
    "hoà" and "hòa" (old and new mark placement) compare equal here.
    """
    letters: list[int] = []
    tones: list[int] = []
    for cluster in _clusters(word.lower()):
        base, marks = cluster[0], cluster[1:]
        letters.append(_letter_weight(base, marks))
        tones.extend(_TONE_RANK[mark] for mark in marks if mark in _TONE_RANK)
    return tuple(letters), tuple(tones)


def vietnamese_sort_key(text: str) -> SortKey:
    """A `sorted` key in Vietnamese dictionary order (see the module docstring).

    Levels: each word's letters then tone, word by word; then case (lower
    first); then the NFC text, so NFD and NFC input give the same key.
    """
    text = nfc(text)
    words = tuple(word_key(word) for word in text.split())
    case = tuple(char.isupper() for char in unicodedata.normalize("NFD", text) if char.isalpha())
    return words, case, text


# ``sortable``: every number is "1" and six hex digits (weights stay below
# 0x1000000), and a sequence ends with "0", which sorts before any element:
# so a sequence that is a prefix of another sorts first, as tuples do.
_END = "0"


def sortable(key: object) -> str:
    """``key`` (nested tuples of ints, bools and strings, as the keys of this
    module) as hex digits whose string order is the key's order."""
    if isinstance(key, bool | int):
        return f"1{int(key):06x}"
    if isinstance(key, str):
        return "".join(f"1{ord(char):06x}" for char in key) + _END
    if isinstance(key, tuple):
        return "".join(sortable(part) for part in key) + _END
    raise TypeError(f"Cannot make {key!r} sortable")


def name_key(text: str) -> str:
    """The stored sort key of a unit's name: Vietnamese dictionary order."""
    words, case, _text = vietnamese_sort_key(text)
    # Without the text itself: the database breaks the last ties (by pk).
    return sortable((words, case))
