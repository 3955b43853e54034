"""The terms of a quota allocation, without the database: the tie rules
offered, the council's decisions and the table of a version's moves
(``ALLOCATION_WORKFLOW``, checked by ``units.workflow``), the warning of a
computation made before the official delegates are listed, and fractions
as text or rounded decimals (for reading only: the arithmetic is
``delegates.apportionment``'s, exact)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from delegates import apportionment
from delegates.models.quotas import Allocation
from units.permissions import Action
from units.workflow import Move, Workflow


class TieRule(StrEnum):
    """The tie rules offered, with the label the council sees."""

    LARGER_ATTENDANCE_THEN_ORDER = apportionment.TieBreak.LARGER_ATTENDANCE_THEN_ORDER.value
    ORDER = apportionment.TieBreak.ORDER.value
    LOT = apportionment.TieBreak.LOT.value

    @property
    def label(self) -> str:
        return str(TIE_RULE_LABELS[self])


TIE_RULE_LABELS = {
    TieRule.LARGER_ATTENDANCE_THEN_ORDER: gettext_lazy(
        "Larger attendance first, then protocol order"
    ),
    TieRule.ORDER: gettext_lazy("Protocol order (the order of the list)"),
    TieRule.LOT: gettext_lazy("Drawing lots with a seed fixed beforehand"),
}


class Decision(StrEnum):
    APPROVE = "approve"
    RETURN = "return"


A = Allocation.Status
# The life of an allocation version; any other move is refused. A draft or
# returned version is also the one that may be adjusted (``EDITABLE``),
# while it is the conference's newest. Approving a version sets the one
# approved before back to "returned" (the service's side move, not a
# user's).
ALLOCATION_WORKFLOW = Workflow(
    Move("submit", (A.DRAFT, A.RETURNED), A.SUBMITTED, Action.CHANGE, gettext_lazy("Submit")),
    Move(Decision.APPROVE, A.SUBMITTED, A.APPROVED, Action.REVIEW, gettext_lazy("Approve")),
    Move(
        Decision.RETURN,
        A.SUBMITTED,
        A.RETURNED,
        Action.REVIEW,
        gettext_lazy("Return for changes"),
        needs_reason=True,
        backwards=True,
        reason_message=gettext_lazy("Give the reason for returning the allocation."),
    ),
    # The officer takes a submitted version back before the council decides.
    Move(
        "withdraw",
        A.SUBMITTED,
        A.DRAFT,
        Action.CHANGE,
        gettext_lazy("Withdraw to draft"),
        needs_reason=True,
        backwards=True,
        reason_message=gettext_lazy("Give the reason for withdrawing the allocation."),
    ),
    refusal=gettext_lazy("A version that is “%(status)s” cannot be moved this way."),
)
EDITABLE = ALLOCATION_WORKFLOW.moves["submit"].source


def official_warning(official: int) -> str:
    """Computing before the conference's official delegates are listed is
    allowed (the officer may need a first picture), with this warning:
    the elected seats are the cap minus the official delegates, so they
    shrink once these are listed. Empty when some are listed."""
    if official:
        return ""
    return _(
        "No official delegate of this conference is listed yet: the elected seats will "
        "shrink when they are, and the allocation will need a new version."
    )


def tie_rule_label(value: str) -> str:
    try:
        return TieRule(value).label
    except ValueError:
        return value


def parse_fraction(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


def fraction_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def to_decimal(value: Fraction, places: int = 2) -> Decimal:
    """For reading only: the exact value rounded half up to ``places``."""
    exponent = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        exponent, rounding=ROUND_HALF_UP
    )
