"""Writes to cycles, tiers and conferences: every change of a conference
goes through here, is checked against the policy and the tier's rules, and
leaves a ``ConferenceTransition`` row."""

import datetime
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.models import Unit, User
from units.permissions import Action, has_permission
from units.services import LoadResult, load_vss_hierarchy

from . import rules, selectors
from .data.cycles import CycleSpec
from .models import (
    Conference,
    ConferenceDocument,
    ConferenceTransition,
    Cycle,
    Tier,
    TierCapException,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@transaction.atomic
def load_cycle(*, spec: CycleSpec, with_demo_headcounts: bool = True) -> tuple[Cycle, LoadResult]:
    """Create the cycle of ``spec`` with its tiers, hierarchy, pilots and cap
    exceptions, or complete it: what exists already is kept as edited.

    The first cycle loaded becomes the current one.
    """
    cycle, created = Cycle.objects.get_or_create(
        number=spec.number,
        defaults={
            "name": spec.name,
            "congress_name": spec.congress_name,
            "period_start_year": spec.period_start_year,
            "period_end_year": spec.period_end_year,
            "is_current": not Cycle.objects.filter(is_current=True).exists(),
        },
    )
    units = load_vss_hierarchy(cycle=cycle, with_demo_headcounts=with_demo_headcounts)
    by_code = {unit.code: unit for unit in Unit.objects.filter(cycle=cycle)}
    for tier_spec in spec.tiers:
        tier, tier_created = Tier.objects.get_or_create(
            cycle=cycle,
            level=tier_spec.level,
            defaults={
                "name": tier_spec.name,
                "organiser_kinds": [str(kind) for kind in tier_spec.organiser_kinds],
                "allows_half_day": tier_spec.allows_half_day,
                "allows_full_day": tier_spec.allows_full_day,
                "window_start": tier_spec.window_start,
                "deadline": tier_spec.deadline,
                "cap": tier_spec.cap,
                "cap_counts_guests": tier_spec.cap_counts_guests,
                "may_combine_with_year_end_review": tier_spec.may_combine_with_year_end_review,
                "may_combine_with_staff_conference": tier_spec.may_combine_with_staff_conference,
            },
        )
        if tier_created:
            TierCapException.objects.bulk_create(
                TierCapException(tier=tier, unit=by_code[code], cap=cap)
                for code, cap in tier_spec.cap_exceptions.items()
            )
    if created:
        cycle.pilot_units.set([by_code[code] for code in spec.pilot_unit_codes])
    return cycle, units


class ConcurrentEditError(Exception):
    """The object changed since the user loaded it; their change is refused."""


@dataclass(frozen=True)
class ConferenceDetails:
    """What an officer types when registering or changing a conference."""

    date: datetime.date
    start_time: datetime.time
    venue: str
    length: str
    combined_with: str
    expected_attendance: int
    note: str = ""


def _check_may(user: User, action: Action, unit: Unit) -> None:
    if not has_permission(user, action, unit):
        raise PermissionDenied


def _schedule_errors(*, tier: Tier, unit: Unit, details: ConferenceDetails) -> dict[str, str]:
    pilot = selectors.is_pilot(cycle=tier.cycle, unit=unit)
    return rules.schedule_errors(
        tier=tier,
        date=details.date,
        length=details.length,
        combined_with=details.combined_with,
        expected_attendance=details.expected_attendance,
        cap=selectors.cap_for(tier=tier, unit=unit) if tier.cap_counts_guests else None,
        is_pilot=pilot,
        pilot_dates=[] if pilot else selectors.pilot_conference_dates(tier=tier),
    )


@transaction.atomic
def register_conference(
    *, actor: User, tier: Tier, unit: Unit, details: ConferenceDetails
) -> Conference:
    """Register ``unit``'s conference of ``tier`` as a draft.

    Refused unless the actor may change the unit, the unit's kind organises
    this tier, and the tier's rules hold (``congress.rules``). One
    conference per unit and tier: the database constraint backs the check.
    """
    _check_may(actor, Action.CHANGE, unit)
    if unit.cycle_id != tier.cycle_id or unit.kind not in tier.organiser_kinds:
        raise ValidationError(_("This unit does not organise a conference of this tier."))
    if Conference.objects.filter(tier=tier, unit=unit).exists():
        raise ValidationError(_("This unit has already registered its conference of this tier."))
    errors = _schedule_errors(tier=tier, unit=unit, details=details)
    if errors:
        raise ValidationError(errors)
    conference = Conference(tier=tier, unit=unit, created_by=actor, **asdict(details))
    try:
        with transaction.atomic():
            conference.save()
    except IntegrityError as error:
        raise ValidationError(
            _("This unit has already registered its conference of this tier.")
        ) from error
    ConferenceTransition.objects.create(
        conference=conference, to_status=conference.status, action="register", actor=actor
    )
    return conference


def _lock(conference: Conference, expected_version: int | None) -> Conference:
    """Reload the conference under a row lock and check nobody changed it."""
    locked = (
        Conference.objects.select_for_update()
        .select_related("tier__cycle", "unit")
        .get(pk=conference.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError
    return locked


@transaction.atomic
def update_conference(
    *, actor: User, conference: Conference, details: ConferenceDetails, expected_version: int
) -> Conference:
    """Change a draft's details; a conference edited meanwhile by someone
    else (its version moved on) is refused with ``ConcurrentEditError``."""
    _check_may(actor, Action.CHANGE, conference.unit)
    conference = _lock(conference, expected_version)
    if conference.status != Conference.Status.DRAFT:
        raise ValidationError(_("Only a draft can be changed; reopen the conference first."))
    errors = _schedule_errors(tier=conference.tier, unit=conference.unit, details=details)
    if errors:
        raise ValidationError(errors)
    for field, value in asdict(details).items():
        setattr(conference, field, value)
    conference.version += 1
    conference.save()
    return conference


@dataclass(frozen=True)
class Transition:
    name: str
    source: str
    target: str
    permission: Action
    label: "StrOrPromise"  # the button that makes the move
    needs_reason: bool = False
    backwards: bool = False


S = Conference.Status
# The life of a conference; any move not in this table is refused.
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "submit", S.DRAFT, S.SUBMITTED, Action.CHANGE, gettext_lazy("Submit to the council")
        ),
        Transition("accept", S.SUBMITTED, S.ACCEPTED, Action.REVIEW, gettext_lazy("Accept")),
        Transition(
            "return",
            S.SUBMITTED,
            S.DRAFT,
            Action.REVIEW,
            gettext_lazy("Return for changes"),
            needs_reason=True,
            backwards=True,
        ),
        Transition(
            "reopen",
            S.ACCEPTED,
            S.DRAFT,
            Action.CHANGE,
            gettext_lazy("Reopen to change"),
            needs_reason=True,
            backwards=True,
        ),
        Transition("hold", S.ACCEPTED, S.HELD, Action.CHANGE, gettext_lazy("Record as held")),
        Transition("close", S.HELD, S.CLOSED, Action.CHANGE, gettext_lazy("Close the conference")),
    )
}


def available_transitions(*, user: User, conference: Conference) -> list[Transition]:
    """The moves this user may make now, for the conference page's buttons."""
    return [
        t
        for t in TRANSITIONS.values()
        if t.source == conference.status and has_permission(user, t.permission, conference.unit)
    ]


@transaction.atomic
def transition_conference(
    *,
    actor: User,
    conference: Conference,
    name: str,
    reason: str = "",
    held_on: datetime.date | None = None,
    actual_attendance: int | None = None,
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> Conference:
    """Move a conference along ``TRANSITIONS`` and record who, when and why.

    "hold" records the date and the attendance (tier 1: the figure quotas
    are computed from); "close" needs the minutes uploaded first.
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise ValidationError(_("Unknown action."))
    _check_may(actor, transition.permission, conference.unit)
    conference = _lock(conference, expected_version)
    if conference.status != transition.source:
        raise ValidationError(
            _("A conference that is “%(status)s” cannot be moved this way.")
            % {"status": conference.get_status_display()}
        )
    reason = reason.strip()
    if transition.needs_reason and not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    if name == "hold":
        tier = conference.tier
        errors = rules.attendance_errors(
            held_on=held_on,
            attendance=actual_attendance,
            cap=selectors.cap_for(tier=tier, unit=conference.unit)
            if tier.cap_counts_guests
            else None,
            today=today or timezone.localdate(),
        )
        if errors:
            raise ValidationError(errors)
        conference.held_on = held_on
        conference.actual_attendance = actual_attendance
    if (
        name == "close"
        and not conference.documents.filter(kind=ConferenceDocument.Kind.MINUTES).exists()
    ):
        raise ValidationError(_("Upload the minutes or closing report before closing."))
    source = conference.status
    conference.status = transition.target
    conference.version += 1
    conference.save()
    ConferenceTransition.objects.create(
        conference=conference,
        from_status=source,
        to_status=conference.status,
        action=name,
        actor=actor,
        reason=reason,
    )
    return conference
