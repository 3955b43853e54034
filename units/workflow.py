"""Every state machine of the domain in one shape: an object with a
``status`` (a ``TextChoices`` field), one table of the moves allowed
between its values, and one service per machine that checks a move here,
makes it and records it.

A ``Workflow`` is the table. ``check`` is the one place that says whether
a user may make a move now: the move exists, the user holds its
permission on the unit, the object is in the move's source status, and a
reason is given where the move needs one. What a move needs beyond its
table (the minutes uploaded before a conference closes, the conference
held before a paper is marked presented) stays in its service, after
``check``. ``available`` gives the buttons a page offers, by the same
rules, so that a page never offers what the service would refuse.

In the base app because every app's machines use it and it needs only
the permission policy.
"""

from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Unit, User
from .permissions import Action, has_permission, require_permission

Text = str | Promise
GIVE_THE_REASON = gettext_lazy("Give the reason.")


class HasStatus(Protocol):
    status: str

    def get_status_display(self) -> str: ...


@dataclass(frozen=True)
class Move:
    """One allowed move: ``name`` (what a form posts), from ``source`` (a
    status, or a tuple of them) to ``target``, for whoever holds
    ``permission`` on the object's unit;
    ``label`` is its button. ``needs_reason``: refused without one (the
    message ``reason_message``). ``backwards``: it undoes progress (shown
    as a secondary button). ``confirm``: what will follow, for a move that
    cannot be undone; its button asks for confirmation first
    (``data-confirm``, static/js/confirm.js)."""

    name: str
    source: str | tuple[str, ...]
    target: str
    permission: Action
    label: Text
    needs_reason: bool = False
    backwards: bool = False
    reason_message: Text = GIVE_THE_REASON
    confirm: Text = ""

    def leaves(self, status: str) -> bool:
        """Whether the move starts from ``status``."""
        return status in self.source if isinstance(self.source, tuple) else status == self.source


class Workflow:
    """The moves of one kind of object. ``refusal`` is the message for a
    move made from another status, with ``%(status)s`` the object's."""

    def __init__(self, *moves: Move, refusal: Text) -> None:
        self.moves = {move.name: move for move in moves}
        self.refusal = refusal

    def __iter__(self):
        return iter(self.moves.values())

    @property
    def confirmations(self) -> dict[str, Text]:
        """Each move's confirmation text by name ("" for none), for pages
        whose buttons are not drawn from ``available``."""
        return {move.name: move.confirm for move in self}

    def between(self, source: str, target: str) -> Move | None:
        """The move from ``source`` to ``target``, if there is one."""
        return next((m for m in self if m.leaves(source) and m.target == target), None)

    def available(self, obj: HasStatus, *, user: User, unit: Unit) -> list[Move]:
        """The moves ``user`` may make on ``obj`` now, in the table's order."""
        return [
            move
            for move in self
            if move.leaves(obj.status) and has_permission(user, move.permission, unit)
        ]

    def check(self, obj: HasStatus, name: str, *, user: User, unit: Unit, reason: str = "") -> Move:
        """The move ``name`` if ``user`` may make it on ``obj`` now:
        ``ValidationError`` for an unknown move, a wrong status or a
        missing reason, ``PermissionDenied`` without the permission."""
        move = self.moves.get(name)
        if move is None:
            raise ValidationError(_("Unknown action."))
        require_permission(user, move.permission, unit)
        if not move.leaves(obj.status):
            raise ValidationError(str(self.refusal) % {"status": obj.get_status_display()})
        if move.needs_reason and not reason.strip():
            raise ValidationError({"reason": str(move.reason_message)})
        return move
