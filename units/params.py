"""Reading a request's parameters outside a form: the one place a view
turns ``request.GET`` or ``request.POST`` values into numbers, ids, choices
and search text.

Forms clean what users type (``units.forms.CleanFormMixin``); a filter in
the address bar, a hidden id, a lock version or a return address is input
too, and a value that cannot be stored or compared (a NUL, ``"²"``, which
``str.isdigit`` accepts, or ten thousand digits) must come out as "absent",
never reach the database or ``int()`` unchecked. A search box tolerates
what it cannot search for: control characters are dropped, the text cut to
its length.
"""

import re
from collections.abc import Collection, Mapping
from typing import Any

from django.http import QueryDict

from .text import nfc, strip_control_characters

# PostgreSQL's bigint, the widest integer column here.
MAX_ID = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")

Params = Mapping[str, Any]  # a QueryDict, or a job's stored parameters


def as_int(value: object) -> int | None:
    """``value`` as a non-negative integer, if it is one written in ASCII
    digits within the range of a database id; ``None`` otherwise."""
    if not isinstance(value, str) or not _ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if number <= MAX_ID else None


def int_param(data: Params, name: str) -> int | None:
    """The parameter ``name`` as a non-negative integer, or ``None``."""
    return as_int(data.get(name, ""))


def int_list(data: QueryDict, name: str) -> list[int]:
    """Every value of ``name`` that is such an integer, in order, once."""
    numbers = (as_int(value) for value in data.getlist(name))
    return list(dict.fromkeys(number for number in numbers if number is not None))


def choice_param(data: Params, name: str, choices: Collection[str]) -> str:
    """The parameter ``name`` if it is one of ``choices``, else ``""``."""
    value = data.get(name, "")
    return value if value in choices else ""


def search_param(data: Params, name: str, *, max_length: int = 100) -> str:
    """Search text: NFC, without control characters, stripped and cut to
    ``max_length``."""
    value = data.get(name, "") or ""
    return nfc(strip_control_characters(value)).strip()[:max_length]
