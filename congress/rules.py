"""The tier rules a conference must keep (DOMAIN.md, "The three tiers"),
as plain functions of their inputs: each returns the broken rules as
``{field: message}``, empty when all hold."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Tier

# The code of the errors that a confirmation with a reason lifts
# (``unusual_figures``); every other broken rule is a refusal.
UNUSUAL = "unusual_figures"


def _short(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def pilot_bound(pilot_dates: Iterable[datetime.date]) -> datetime.date | None:
    """The day before which no other unit's conference of the tier may come:
    the last of the pilot units' conferences (every pilot goes first), or
    ``None`` while no pilot has registered one."""
    return max(pilot_dates, default=None)


def schedule_errors(
    *,
    tier: Tier,
    date: datetime.date | None,
    length: str | None,
    combined_with: str,
    expected_attendance: int | None,
    cap: int | None,
    is_pilot: bool,
    pilot_dates: Iterable[datetime.date],
) -> dict[str, str]:
    """Rules checked when a conference is registered or changed:

    - the date lies inside the tier's window (tier 1 by 30/01/2020 …);
    - the length is one the tier allows (tier 1: half a day only);
    - tier 1 alone may be combined, and only with what the tier lists;
    - the expected attendance stays within the unit's cap, where there is one;
    - pilot units go first: another unit's conference of the same tier may
      not come before a registered pilot conference.
    """
    errors: dict[str, str] = {}
    if date is not None and not tier.window_start <= date <= tier.deadline:
        errors["date"] = _("The %(tier)s must be held between %(start)s and %(end)s.") % {
            "tier": tier.name,
            "start": date_format(tier.window_start, "SHORT_DATE_FORMAT"),
            "end": date_format(tier.deadline, "SHORT_DATE_FORMAT"),
        }
    if length and length not in tier.allowed_lengths:
        errors["length"] = _("This tier allows only: %(lengths)s.") % {
            "lengths": ", ".join(str(choice.label) for choice in tier.allowed_lengths)
        }
    if combined_with and combined_with not in tier.combinable_with:
        if tier.combinable_with:
            errors["combined_with"] = _("This tier may only be combined with: %(options)s.") % {
                "options": "; ".join(str(option.label) for option in tier.combinable_with)
            }
        else:
            errors["combined_with"] = _("A conference of this tier is held on its own.")
    if cap is not None and expected_attendance is not None and expected_attendance > cap:
        errors["expected_attendance"] = _(
            "At most %(cap)s delegates may attend this conference."
        ) % {"cap": cap}
    if date is not None and not is_pilot:
        latest_pilot = pilot_bound(pilot_dates)
        if latest_pilot is not None and date < latest_pilot:
            errors.setdefault(
                "date",
                _(
                    "The pilot units hold their conferences first, so that others learn "
                    "from them: choose a date on or after %(date)s."
                )
                % {"date": date_format(latest_pilot, "SHORT_DATE_FORMAT")},
            )
    return errors


def attendance_errors(
    *, held_on: datetime.date | None, attendance: int | None, cap: int | None, today: datetime.date
) -> dict[str, str]:
    """Rules for recording a conference as held: a real past date and an
    attendance within the cap (when the tier has one)."""
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = _("Enter the date the conference was held.")
    elif held_on > today:
        errors["held_on"] = _("A conference cannot be recorded as held on a future date.")
    if attendance is None or attendance < 1:
        errors["actual_attendance"] = _("Enter how many people attended.")
    elif cap is not None and attendance > cap:
        errors["actual_attendance"] = _("At most %(cap)s delegates may attend this conference.") % {
            "cap": cap
        }
    return errors


@dataclass(frozen=True)
class Neighbour:
    """A conference of the tier above or below, as the order rule names it."""

    unit: str
    tier: str
    date: datetime.date  # the day it is held (or was: its held date)


def tier_order_errors(
    *,
    date: datetime.date | None,
    upper: Neighbour | None,
    lower: Neighbour | None,
    field: str = "date",
) -> dict[str, str]:
    """The tiers run in order (DOMAIN.md, "Between the tiers"): a
    conference comes on or before the conference it elects delegates to
    (``upper``: the tier-2 conference of its province, the Congress for a
    tier-2 one) and on or after the last of those that elect delegates to
    it (``lower``). Whichever is dated second is refused, told the other's
    date; the same day is allowed."""
    if date is None:
        return {}
    if upper is not None and date > upper.date:
        return {
            field: _(
                "%(unit)s holds the %(tier)s on %(date)s, and this conference elects "
                "delegates to it: choose a date on or before %(date)s."
            )
            % {"unit": upper.unit, "tier": upper.tier, "date": _short(upper.date)}
        }
    if lower is not None and date < lower.date:
        return {
            field: _(
                "%(unit)s holds its %(tier)s on %(date)s, and elects delegates to this "
                "conference: choose a date on or after %(date)s."
            )
            % {"unit": lower.unit, "tier": lower.tier, "date": _short(lower.date)}
        }
    return {}


# How many units a refusal names before "and n more".
NAMED_UNITS = 10


def units_yet_to_hold_errors(*, lower_tier: str, units: Sequence[str]) -> dict[str, str]:
    """A conference of tier 2 (or the Congress) is recorded as held only
    once every unit below that organises the tier beneath has held its
    conference (or been exempted by the council): their attendance decides
    the quotas. ``units`` are the names of those left."""
    if not units:
        return {}
    names = ", ".join(units[:NAMED_UNITS])
    more = len(units) - NAMED_UNITS
    if more > 0:
        names += " " + ngettext("and %(count)s more unit", "and %(count)s more units", more) % {
            "count": more
        }
    return {
        "__all__": ngettext(
            "%(count)s unit has not held its %(tier)s yet: %(units)s. Record this "
            "conference as held once it has, or once the council exempts a unit that "
            "cannot hold it.",
            "%(count)s units have not held their %(tier)s yet: %(units)s. Record this "
            "conference as held once they have, or once the council exempts a unit that "
            "cannot hold it.",
            len(units),
        )
        % {"count": len(units), "tier": lower_tier, "units": names}
    }


def attendance_limit(*, headcount: int, multiple: Decimal) -> int:
    """The largest plausible attendance: ``multiple`` × ``headcount``, down
    to a whole person."""
    return int((Decimal(multiple) * headcount).to_integral_value(rounding=ROUND_FLOOR))


def unusual_figures(
    *,
    tier: Tier,
    attendance: int | None,
    attendance_field: str,
    headcount: int,
    multiple: Decimal,
    held_on: datetime.date | None = None,
) -> dict[str, str]:
    """Plausibility, one rule for registering, changing, recording as held
    and correcting: figures a confirmation with a reason must back
    (``Conference.unusual_figures_reason``), each named with its limit.

    - The attendance (expected before the conference, actual after it)
      above ``multiple`` (``Cycle.attendance_headcount_multiple``) × the
      headcount. The basis, per tier: a tier *without a cap* is attended by
      all the staff of the organising unit (tier 1 in cycle V: a district,
      a department, a unit under VSS), so ``headcount`` is the headcount of
      the unit's whole subtree (the unit and the units under it). A tier
      *with a cap* (tiers 2 and 3: delegates, not staff) is held to its cap,
      a hard rule checked by ``schedule_errors`` / ``attendance_errors``,
      and gets no headcount check: a province's thousands of staff would
      never bind. A headcount of 0 was never entered (a hierarchy loaded
      without headcounts): nothing to compare with, no check.
    - A held date outside the tier's window (before it opens, after its
      deadline).
    """
    errors: dict[str, str] = {}
    if tier.cap is None and headcount > 0 and attendance is not None:
        limit = attendance_limit(headcount=headcount, multiple=multiple)
        if attendance > limit:
            figure = {
                "expected_attendance": _("Expected attendance"),
                "actual_attendance": _("Actual attendance"),
            }.get(attendance_field, attendance_field)
            errors[attendance_field] = _(
                "%(figure)s: %(value)s is more than %(limit)s, %(multiple)s × the %(headcount)s "
                "staff of the unit and the units under it. Check the figure, or confirm it "
                "with a reason."
            ) % {
                "figure": figure,
                "value": attendance,
                "limit": limit,
                "multiple": number_format(Decimal(format(Decimal(multiple).normalize(), "f"))),
                "headcount": headcount,
            }
    if held_on is not None and not tier.window_start <= held_on <= tier.deadline:
        errors["held_on"] = _(
            "Held on %(date)s, outside the window of the %(tier)s (%(start)s – %(end)s). "
            "Check the date, or confirm it with a reason."
        ) % {
            "date": _short(held_on),
            "tier": tier.name,
            "start": _short(tier.window_start),
            "end": _short(tier.deadline),
        }
    return errors
