"""One spelling convention for unit names: traditional tone placement.

The official divisions mix the two conventions that Vietnamese writing
allows ("Tỉnh Hoà Bình" beside "Tỉnh Thanh Hóa"), so that the same place
could be stored twice, sort apart and be missed by a search. The sector's
documents write the traditional ("old") placement, so every unit name is
brought to it: in a syllable that ends in the open diphthong oa, oe or uy,
the tone mark sits on the first vowel ("Hòa", "Khỏe", "Thủy"). Nothing else
moves: with a final consonant the tone is on the second vowel in both
conventions ("Hoàng", "Thuận"), and in "qu" + y the u belongs to the
consonant, so y is the only vowel ("Quý", "Quỳ Hợp").
"""

import re
import unicodedata

# The five tone marks as combining characters; the other marks (circumflex,
# breve, horn) shape the vowel and never move.
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VOWELS = frozenset("aăâeêioôơuưy")
_OPEN_DIPHTHONGS = frozenset({("o", "a"), ("o", "e"), ("u", "y")})
_WORD = re.compile(r"[^\W\d_]+")


def traditional_tone_placement(text: str) -> str:
    """``text`` in NFC with every oa/oe/uy tone on the first vowel.

    "tỉnh Hoà Bình" → "tỉnh Hòa Bình", "Thuỵ" → "Thụy", "HOÀ" → "HÒA";
    "Hoàng", "Quý", "Huế" and "Khoái" are left as they are. Applying it twice
    changes nothing.
    """
    # Words are found in the composed form, where every Vietnamese letter
    # is one alphabetic character (a lone combining mark is not a letter).
    composed = unicodedata.normalize("NFC", text)
    return _WORD.sub(lambda match: _place_tone(match.group()), composed)


def _place_tone(word: str) -> str:
    """One composed word, its tone moved if it ends in an open diphthong."""
    letters = _letters(unicodedata.normalize("NFD", word))
    if len(letters) < 2:
        return word
    first, second = letters[-2], letters[-1]
    pair = (_shape(first), _shape(second))
    if pair not in _OPEN_DIPHTHONGS:
        return word
    before = _shape(letters[-3]) if len(letters) >= 3 else ""
    # The pair must be the whole vowel run: after "qu" the u is part of the
    # consonant ("Quý"), and a run of three is no open diphthong.
    if before in _VOWELS or (pair == ("u", "y") and before == "q"):
        return word
    tones = [mark for mark in second[1:] if mark in _TONE_MARKS]
    if not tones or any(mark in _TONE_MARKS for mark in first[1:]):
        return word
    new_second = "".join(c for c in second if c not in _TONE_MARKS)
    moved = "".join(letters[:-2]) + first + "".join(tones) + new_second
    return unicodedata.normalize("NFC", moved)


def _letters(word: str) -> list[str]:
    """A decomposed word split into base letters, each with its marks."""
    letters: list[str] = []
    for char in word:
        if unicodedata.combining(char) and letters:
            letters[-1] += char
        else:
            letters.append(char)
    return letters


def _shape(letter: str) -> str:
    """The lower-case letter with its shape marks but without its tone:
    "À" → "a", "ộ" → "ô"; "đ" stays "đ"."""
    bare = "".join(c for c in letter if c not in _TONE_MARKS)
    return unicodedata.normalize("NFC", bare).lower()
