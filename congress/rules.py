"""The tier rules a conference must keep (DOMAIN.md, "The three tiers"),
as plain functions of their inputs: each returns the broken rules as
``{field: message}``, empty when all hold."""

import datetime
from collections.abc import Iterable

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Tier


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
        latest_pilot = max(pilot_dates, default=None)
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
