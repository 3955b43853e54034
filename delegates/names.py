"""Vietnamese name order for lists of people, with no database.

People are ordered by their given name (the last word), then the family
name, then the middle names, each word in the Vietnamese dictionary order of
``units.collation`` (letters before tones, syllable by syllable).
``sortable_name`` is the same order as a string the database can sort by,
stored as ``Person.name_key``.
"""

from units.collation import ALPHABET, SortKey, WordKey, sortable, vietnamese_sort_key, word_key
from units.text import nfc

__all__ = ["ALPHABET", "given_name", "name_sort_key", "sortable_name", "vietnamese_sort_key"]

NameSortKey = tuple[WordKey, WordKey, tuple[WordKey, ...], SortKey]


def given_name(full_name: str) -> str:
    """The given name: the last word of a Vietnamese full name ("" if empty)."""
    words = nfc(full_name).split()
    return words[-1] if words else ""


def name_sort_key(full_name: str) -> NameSortKey:
    """Order by given name, then family name, then middle names, then the whole.

    Vietnamese lists order people by the given name (the last word); among
    equal given names, by the family name (the first word), then the middle
    names in order. Each word is compared by letters then tone, ignoring
    case; the full name's own key breaks the remaining ties.
    """
    words = nfc(full_name).split()
    given = words[-1] if words else ""
    family = words[0] if len(words) > 1 else ""
    middle = tuple(word_key(word) for word in words[1:-1])
    return word_key(given), word_key(family), middle, vietnamese_sort_key(full_name)


def sortable_name(full_name: str) -> str:
    """``name_sort_key`` as a string the database sorts in the same order
    (without the whole name's own key: the database breaks the last ties)."""
    given, family, middle, _whole = name_sort_key(full_name)
    return sortable((given, family, middle))
