"""Cleaning stored text of the control characters the forms now refuse
(``units.text.control_characters``), for data migrations: they pass their
historical model and the fields typed by users."""

from collections.abc import Callable, Iterable
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q

from .text import strip_control_characters

# Any C0 control but NUL (PostgreSQL stores none), DEL and C1: rows to look at.
_ANY_CONTROL = "[\x01-\x1f\x7f-\x9f]"


def clean_control_characters(
    model: Any,
    *,
    single_line: Iterable[str] = (),
    multi_line: Iterable[str] = (),
    also: Callable[[Any], Iterable[str]] | None = None,
) -> int:
    """Remove control characters from the ``single_line`` fields of every
    row of ``model``, and from its ``multi_line`` ones but tabs and line
    breaks; ``also`` refreshes fields derived from them on a changed row and
    names them. Returns the number of rows changed."""
    single, multi = tuple(single_line), tuple(multi_line)
    fields = single + multi
    if not fields:
        return 0
    matching = reduce(or_, (Q(**{f"{name}__regex": _ANY_CONTROL}) for name in fields))
    changed, updated = [], set(fields)
    for row in model.objects.filter(matching).only("pk", *fields):
        before = [getattr(row, name) for name in fields]
        for name in fields:
            value = getattr(row, name)
            if value:
                setattr(row, name, strip_control_characters(value, multiline=name in multi))
        if [getattr(row, name) for name in fields] != before:
            if also is not None:
                updated.update(also(row))
            changed.append(row)
    if changed:
        model.objects.bulk_update(changed, sorted(updated), batch_size=500)
    return len(changed)
