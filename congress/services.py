"""Writes to cycles, tiers and conferences: every change of a conference
goes through here, is checked against the policy and the tier's rules, and
leaves a ``ConferenceTransition`` row."""

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Model, Prefetch, TextChoices
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.audit import audited
from units.locking import StaleEditError, check_lock_version
from units.models import Hierarchy, Unit, UnitKind, User
from units.permissions import (
    MAX_SUCCESSION,
    Action,
    may_configure,
    require_permission,
)
from units.services import LoadResult, load_known_hierarchy
from units.text import nfc
from units.workflow import Move, Workflow

from . import notices, policy, rules, selectors
from .data.cycles import CycleSpec
from .models import (
    CommunicationActivity,
    Conference,
    ConferenceDocument,
    ConferenceTransition,
    Cycle,
    FieldOfWork,
    OrganisationPlan,
    Paper,
    StoredFile,
    Tier,
    TierCapException,
    TierExemption,
)
from .policy import refuse_if_closed
from .uploads import CheckedUpload

if TYPE_CHECKING:
    pass


@transaction.atomic
def load_cycle(*, spec: CycleSpec, with_demo_headcounts: bool = True) -> tuple[Cycle, LoadResult]:
    """Create the cycle of ``spec`` with its tiers, hierarchy, pilots and cap
    exceptions, or complete it: what exists already is kept as edited.

    The first cycle loaded becomes the current one.
    """
    hierarchy, units = load_known_hierarchy(
        key=spec.hierarchy_key, with_demo_headcounts=with_demo_headcounts
    )
    cycle, created = Cycle.objects.get_or_create(
        number=spec.number,
        defaults={
            "hierarchy": hierarchy,
            "name": spec.name,
            "congress_name": spec.congress_name,
            "period_start_year": spec.period_start_year,
            "period_end_year": spec.period_end_year,
            "is_current": not Cycle.objects.filter(is_current=True).exists(),
        },
    )
    by_code = {unit.code: unit for unit in Unit.objects.filter(hierarchy=cycle.hierarchy_id)}
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
    # The confirmation of figures outside the plausible range (``rules.unusual_figures``).
    unusual_figures_reason: str = ""


def _schedule_errors(
    *, tier: Tier, unit: Unit, details: ConferenceDetails, check_pilots: bool = True
) -> dict[str, str]:
    """The tier's rules (``rules.schedule_errors``, pilots first unless
    ``check_pilots`` is off) and the order of the tiers
    (``rules.tier_order_errors``) for a conference of ``unit`` at ``tier``."""
    pilot = selectors.is_pilot(cycle=tier.cycle, unit=unit)
    errors = rules.schedule_errors(
        tier=tier,
        date=details.date,
        length=details.length,
        combined_with=details.combined_with,
        expected_attendance=details.expected_attendance,
        cap=selectors.cap_for(tier=tier, unit=unit) if tier.cap_counts_guests else None,
        is_pilot=pilot,
        pilot_dates=[]
        if pilot or not check_pilots
        else selectors.pilot_conference_dates(tier=tier),
    )
    if "date" not in errors:
        upper, lower = selectors.order_neighbours(tier=tier, unit=unit)
        errors.update(rules.tier_order_errors(date=details.date, upper=upper, lower=lower))
    return errors


def _unusual_figures(
    *,
    tier: Tier,
    unit: Unit,
    attendance: int | None,
    attendance_field: str,
    held_on: datetime.date | None = None,
) -> dict[str, str]:
    """``rules.unusual_figures`` fed with the unit's subtree headcount and
    the cycle's plausible multiple."""
    return rules.unusual_figures(
        tier=tier,
        attendance=attendance,
        attendance_field=attendance_field,
        # A capped tier gets no headcount check (see the rule): no need to count.
        headcount=selectors.subtree_headcount(unit) if tier.cap is None else 0,
        multiple=tier.cycle.attendance_headcount_multiple,
        held_on=held_on,
    )


def _refuse_or_confirm(*, errors: dict[str, str], unusual: dict[str, str], reason: str) -> str:
    """Raise the broken rules; unusual figures count as broken unless
    confirmed with a reason (their errors carry the code
    ``rules.UNUSUAL``, for the form to ask for it). Returns the reason to
    store: empty when the figures are plausible."""
    reason = nfc(reason.strip())
    combined: dict[str, list[ValidationError]] = {
        field: [ValidationError(message)] for field, message in errors.items()
    }
    if unusual and not reason:
        for field, message in unusual.items():
            # A figure already refused needs no confirmation asked for.
            if field not in combined:
                combined[field] = [ValidationError(message, code=rules.UNUSUAL)]
    if combined:
        raise ValidationError(combined)
    return reason if unusual else ""


def _record_held(
    conference: Conference,
    *,
    held_on: datetime.date | None,
    actual_attendance: int | None,
    errors: dict[str, str],
    reason: str,
) -> None:
    """Put the held date and attendance on ``conference`` (not saved):
    refused with ``errors``, or with unusual figures not confirmed by
    ``reason`` (``rules.unusual_figures``), which is then kept with them."""
    conference.unusual_figures_reason = _refuse_or_confirm(
        errors=errors,
        unusual=_unusual_figures(
            tier=conference.tier,
            unit=conference.unit,
            attendance=actual_attendance,
            attendance_field="actual_attendance",
            held_on=held_on,
        ),
        reason=reason,
    )
    conference.held_on = held_on
    conference.actual_attendance = actual_attendance


@audited
@transaction.atomic
def register_conference(
    *, actor: User, tier: Tier, unit: Unit, details: ConferenceDetails
) -> Conference:
    """Register ``unit``'s conference of ``tier`` as a draft.

    Refused unless the actor may change the unit, the unit's kind organises
    this tier, the tier's rules hold (``congress.rules``: window, length,
    cap, pilots first) and the tiers stay in order
    (``rules.tier_order_errors``); an expected attendance outside the
    plausible range (``rules.unusual_figures``) needs a reason. One
    conference per unit and tier: the database constraint backs the check.
    """
    require_permission(actor, Action.CHANGE, unit)
    if unit.hierarchy_id != tier.cycle.hierarchy_id or unit.kind not in tier.organiser_kinds:
        raise ValidationError(_("This unit does not organise a conference of this tier."))
    if Conference.objects.filter(tier=tier, unit=unit).exists():
        raise ValidationError(_("This unit has already registered its conference of this tier."))
    if selectors.is_exempted(tier=tier, unit=unit):
        raise ValidationError(
            _(
                "The council exempted this unit from the %(tier)s: it registers no conference "
                "of it unless the exemption is lifted."
            )
            % {"tier": tier.name}
        )
    reason = _refuse_or_confirm(
        errors=_schedule_errors(tier=tier, unit=unit, details=details),
        unusual=_unusual_figures(
            tier=tier,
            unit=unit,
            attendance=details.expected_attendance,
            attendance_field="expected_attendance",
        ),
        reason=details.unusual_figures_reason,
    )
    conference = Conference(tier=tier, unit=unit, created_by=actor, **asdict(details))
    conference.unusual_figures_reason = reason
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


def _lock(conference: Conference, expected_lock_version: int | None) -> Conference:
    """Reload the conference under a row lock and check nobody changed it."""
    locked = (
        Conference.objects.select_for_update()
        .select_related("tier__cycle", "unit")
        .get(pk=conference.pk)
    )
    check_lock_version(locked, expected_lock_version)
    return locked


@audited
@transaction.atomic
def update_conference(
    *, actor: User, conference: Conference, details: ConferenceDetails, expected_lock_version: int
) -> Conference:
    """Change a draft's details, under the rules of ``register_conference``;
    a conference edited meanwhile by someone else (its lock version moved on) is
    refused with ``StaleEditError``.

    The council's acceptance of a date before the pilot units
    (``accept_before_pilots``) is of that date: a new date drops it and is
    checked again."""
    require_permission(actor, Action.CHANGE, conference.unit)
    conference = _lock(conference, expected_lock_version)
    if not policy.may_edit_details(actor, conference):
        raise ValidationError(_("Only a draft can be changed; reopen the conference first."))
    keeps_acceptance = bool(conference.order_accepted_reason) and details.date == conference.date
    reason = _refuse_or_confirm(
        errors=_schedule_errors(
            tier=conference.tier,
            unit=conference.unit,
            details=details,
            check_pilots=not keeps_acceptance,
        ),
        unusual=_unusual_figures(
            tier=conference.tier,
            unit=conference.unit,
            attendance=details.expected_attendance,
            attendance_field="expected_attendance",
        ),
        reason=details.unusual_figures_reason,
    )
    for field, value in asdict(details).items():
        setattr(conference, field, value)
    conference.unusual_figures_reason = reason
    if not keeps_acceptance:
        conference.order_accepted_reason = ""
        conference.order_accepted_by = None
        conference.order_accepted_at = None
    conference.lock_version += 1
    conference.save()
    return conference


S = Conference.Status
# The life of a conference; any move not in this table is refused.
CONFERENCE_WORKFLOW = Workflow(
    Move(
        "submit",
        S.DRAFT,
        S.SUBMITTED,
        Action.CHANGE,
        gettext_lazy("Submit to the council"),
        confirm=gettext_lazy(
            "The conference goes to the council for review. Its details cannot be changed "
            "meanwhile; until the council decides, you may only withdraw it, with a reason."
        ),
    ),
    Move(
        "accept",
        S.SUBMITTED,
        S.ACCEPTED,
        Action.REVIEW,
        gettext_lazy("Accept"),
        confirm=gettext_lazy(
            "The conference is accepted: its unit may hold it. The unit's officers see the "
            "decision on the conference's page."
        ),
    ),
    # The officer takes a submission back before the council decides (a
    # figure typed wrong): once accepted or returned, it is no longer there.
    Move(
        "withdraw",
        S.SUBMITTED,
        S.DRAFT,
        Action.CHANGE,
        gettext_lazy("Withdraw to draft"),
        needs_reason=True,
        backwards=True,
        reason_message=gettext_lazy("Give the reason for withdrawing the conference."),
    ),
    Move(
        "return",
        S.SUBMITTED,
        S.DRAFT,
        Action.REVIEW,
        gettext_lazy("Return for changes"),
        needs_reason=True,
        backwards=True,
        confirm=gettext_lazy(
            "The conference goes back to its unit as a draft, with your reason. The unit's "
            "officers correct it and submit it again."
        ),
    ),
    Move(
        "reopen",
        S.ACCEPTED,
        S.DRAFT,
        Action.CHANGE,
        gettext_lazy("Reopen to change"),
        needs_reason=True,
        backwards=True,
    ),
    Move("hold", S.ACCEPTED, S.HELD, Action.CHANGE, gettext_lazy("Record as held")),
    Move(
        "close",
        S.HELD,
        S.CLOSED,
        Action.CHANGE,
        gettext_lazy("Close the conference"),
        confirm=gettext_lazy(
            "The conference is closed for good: its documents, papers, delegates and "
            "check-ins can no longer change."
        ),
    ),
    refusal=gettext_lazy("A conference that is “%(status)s” cannot be moved this way."),
)


def available_transitions(*, user: User, conference: Conference) -> list[Move]:
    """The moves this user may make now, for the conference page's buttons."""
    return CONFERENCE_WORKFLOW.available(conference, user=user, unit=conference.unit)


@audited
@transaction.atomic
def transition_conference(
    *,
    actor: User,
    conference: Conference,
    name: str,
    reason: str = "",
    held_on: datetime.date | None = None,
    actual_attendance: int | None = None,
    expected_lock_version: int | None = None,
    today: datetime.date | None = None,
    unusual_figures_reason: str = "",
) -> Conference:
    """Move a conference along ``CONFERENCE_WORKFLOW`` and record who,
    when and why.

    "hold" records the date and the attendance (tier 1: the figure quotas
    are computed from): a past date, within the cap, the tiers in order
    (``rules.tier_order_errors`` on the held date) and, for tier 2 and the
    Congress, every unit below held or exempted
    (``selectors.units_yet_to_hold``); figures outside the plausible range
    need ``unusual_figures_reason``. "close" needs the minutes uploaded
    first.
    """
    if name in CONFERENCE_WORKFLOW.moves:  # the permission before the lock
        require_permission(actor, CONFERENCE_WORKFLOW.moves[name].permission, conference.unit)
    conference = _lock(conference, expected_lock_version)
    move = CONFERENCE_WORKFLOW.check(
        conference, name, user=actor, unit=conference.unit, reason=reason
    )
    reason = reason.strip()
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
        if "held_on" not in errors:
            upper, lower = selectors.order_neighbours(tier=tier, unit=conference.unit)
            errors.update(
                rules.tier_order_errors(date=held_on, upper=upper, lower=lower, field="held_on")
            )
        below = selectors.lower_tier(tier)
        if below is not None:
            errors.update(
                rules.units_yet_to_hold_errors(
                    lower_tier=below.name,
                    units=[unit.name for unit in selectors.units_yet_to_hold(conference)],
                )
            )
        _record_held(
            conference,
            held_on=held_on,
            actual_attendance=actual_attendance,
            errors=errors,
            reason=unusual_figures_reason,
        )
    if (
        name == "close"
        and not conference.documents.filter(kind=ConferenceDocument.Kind.MINUTES).exists()
    ):
        raise ValidationError(_("Upload the minutes or closing report before closing."))
    source = conference.status
    conference.status = move.target
    conference.lock_version += 1
    conference.save()
    step = ConferenceTransition.objects.create(
        conference=conference,
        from_status=source,
        to_status=conference.status,
        action=name,
        actor=actor,
        reason=reason,
    )
    notices.conference_moved(actor=actor, conference=conference, step=step)
    return conference


def _shown(value: object) -> object:
    """A figure as the page shows it, for a correction's record."""
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return value


@audited
@transaction.atomic
def correct_held_figures(
    *,
    actor: User,
    conference: Conference,
    held_on: datetime.date | None,
    actual_attendance: int | None,
    reason: str,
    expected_lock_version: int,
    unusual_figures_reason: str = "",
    today: datetime.date | None = None,
) -> Conference:
    """Correct a held (or closed) conference's held date and actual
    attendance, with the reason: whoever may change the conference does it
    (DOMAIN.md: "a correction keeps who, when and why"). The new figures
    keep the rules of recording as held (a past date, within the cap) and
    the plausibility rule (``rules.unusual_figures``: a reason confirms
    unusual ones). A ``ConferenceTransition`` (action "correct") records
    each changed figure as ``changes`` {field: [old, new]}, as shown.
    Refused with ``StaleEditError`` if the conference changed since
    ``expected_lock_version``; a quota allocation computed from the old attendance is
    then shown out of date by the allocation pages.
    """
    require_permission(actor, Action.CHANGE, conference.unit)
    conference = _lock(conference, expected_lock_version)
    if not conference.is_held:
        raise ValidationError(_("Only the figures of a held conference can be corrected."))
    tier = conference.tier
    reason = nfc(reason.strip())
    errors = rules.attendance_errors(
        held_on=held_on,
        attendance=actual_attendance,
        cap=selectors.cap_for(tier=tier, unit=conference.unit) if tier.cap_counts_guests else None,
        today=today or timezone.localdate(),
    )
    if not reason:
        errors["reason"] = _("Give the reason for the correction.")
    changes = {
        field: [_shown(old), _shown(new)]
        for field, old, new in (
            ("held_on", conference.held_on, held_on),
            ("actual_attendance", conference.actual_attendance, actual_attendance),
        )
        if old != new
    }
    if not changes and not errors:
        errors[NON_FIELD_ERRORS] = _("These are the figures already recorded: nothing to correct.")
    _record_held(
        conference,
        held_on=held_on,
        actual_attendance=actual_attendance,
        errors=errors,
        reason=unusual_figures_reason,
    )
    conference.lock_version += 1
    conference.save()
    ConferenceTransition.objects.create(
        conference=conference,
        from_status=conference.status,
        to_status=conference.status,
        action=ConferenceTransition.Action.CORRECT,
        actor=actor,
        reason=reason,
        changes=changes,
    )
    return conference


@audited
@transaction.atomic
def accept_before_pilots(
    *, actor: User, conference: Conference, reason: str, expected_lock_version: int | None = None
) -> Conference:
    """The council accepts, with a reason, a conference that comes before
    the pilot units of its tier (``selectors.pilot_position``): it is no
    longer flagged. Recorded as a ``ConferenceTransition`` (action
    "accept_order"); a new date drops the acceptance
    (``update_conference``)."""
    require_permission(actor, Action.REVIEW, conference.unit)
    conference = _lock(conference, expected_lock_version)
    reason = nfc(reason.strip())
    if not reason:
        raise ValidationError({"reason": _("Give the reason it may come before the pilot units.")})
    if not selectors.pilot_position(conference).before:
        raise ValidationError(
            _("This conference does not come before the pilot units: there is nothing to accept.")
        )
    conference.order_accepted_reason = reason
    conference.order_accepted_by = actor
    conference.order_accepted_at = timezone.now()
    conference.lock_version += 1
    conference.save()
    ConferenceTransition.objects.create(
        conference=conference,
        from_status=conference.status,
        to_status=conference.status,
        action=ConferenceTransition.Action.ACCEPT_ORDER,
        actor=actor,
        reason=reason,
    )
    return conference


@audited
@transaction.atomic
def exempt_unit(*, actor: User, tier: Tier, unit: Unit, reason: str) -> TierExemption:
    """The council records that ``unit`` truly cannot hold its conference of
    ``tier``, with the reason: the conference above it may then be recorded
    as held without it (``selectors.units_yet_to_hold``), and the order of
    the tiers leaves it out. A unit that held its conference needs none."""
    require_permission(actor, Action.REVIEW, unit)
    if unit.hierarchy_id != tier.cycle.hierarchy_id or unit.kind not in tier.organiser_kinds:
        raise ValidationError(_("This unit does not organise a conference of this tier."))
    if not Tier.objects.filter(cycle_id=tier.cycle_id, level=tier.level + 1).exists():
        raise ValidationError(
            _("No conference comes after the %(tier)s: there is nothing to exempt it from.")
            % {"tier": tier.name}
        )
    reason = nfc(reason.strip())
    if not reason:
        raise ValidationError({"reason": _("Give the reason the unit cannot hold its conference.")})
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    held = Conference.objects.filter(
        tier=tier, unit=unit, status__in=[Conference.Status.HELD, Conference.Status.CLOSED]
    )
    names = {"unit": unit.name, "tier": tier.name}
    if held.exists():
        raise ValidationError(_("%(unit)s has held its %(tier)s: it needs no exemption.") % names)
    if TierExemption.objects.filter(tier=tier, unit=unit).exists():
        raise ValidationError(_("%(unit)s is already exempted from the %(tier)s.") % names)
    try:
        with transaction.atomic():
            return TierExemption.objects.create(
                tier=tier, unit=unit, reason=reason, recorded_by=actor
            )
    except IntegrityError as error:
        raise ValidationError(
            _("%(unit)s is already exempted from the %(tier)s.") % names
        ) from error


@audited
@transaction.atomic
def lift_exemption(*, actor: User, exemption: TierExemption) -> None:
    """The council lifts an exemption: the unit must hold its conference
    again before the one above it is recorded as held. Refused once that
    conference was recorded as held without it (under its row lock, so
    that the two cannot cross)."""
    require_permission(actor, Action.REVIEW, exemption.unit)
    upper = selectors.upper_conference(tier=exemption.tier, unit=exemption.unit)
    if upper is not None and _lock(upper, None).is_held:
        raise ValidationError(
            _(
                "%(unit)s has recorded its %(tier)s as held without this unit: "
                "the exemption can no longer be lifted."
            )
            % {"unit": upper.unit.name, "tier": upper.tier.name}
        )
    TierExemption.objects.filter(pk=exemption.pk).delete()


# -- Stored documents: organisation plans and conference documents ---------


def _stored_fields(upload: CheckedUpload) -> dict:
    """The columns of a ``StoredFile`` from a checked upload; the file gets
    a random name on save (``models.upload_path``), its own is kept."""
    return {
        "file": upload.file,
        "original_name": upload.original_name,
        "content_type": upload.content_type,
        "size": upload.size,
        "sha256": upload.sha256,
    }


def _save_new_version(document: StoredFile) -> None:
    """Insert a new version; if another upload took the same number (the
    unique constraint backs the lock), remove the file just written."""
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError as error:
        if document.file.name:
            document.file.delete(save=False)
        raise ValidationError(
            _("Someone uploaded another version at the same moment. Upload yours again.")
        ) from error


def _next_version(versions) -> int:
    return (versions.aggregate(latest=Max("version"))["latest"] or 0) + 1


@audited
@transaction.atomic
def upload_organisation_plan(*, actor: User, unit: Unit, upload: CheckedUpload) -> OrganisationPlan:
    """File a new version of ``unit``'s organisation plan (kế hoạch tổ chức).

    Each tier-2 organiser (a province, the HQ bloc) files one; whoever may
    change the unit uploads it. The version is the previous one + 1, taken
    under a lock on the unit's row. A new version supersedes the previous
    one, returned or not, and waits for the council's review.
    """
    require_permission(actor, Action.CHANGE, unit)
    cycle = selectors.cycle_for_user(actor)
    tier = selectors.plan_tier_for(unit, cycle) if cycle is not None else None
    if tier is None:
        raise ValidationError(_("This unit does not file an organisation plan."))
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    plan = OrganisationPlan(
        tier=tier,
        unit=unit,
        version=_next_version(OrganisationPlan.objects.filter(tier=tier, unit=unit)),
        uploaded_by=actor,
        **_stored_fields(upload),
    )
    _save_new_version(plan)
    notices.plan_filed(actor=actor, plan=plan)
    return plan


class PlanDecision(TextChoices):
    ACCEPT = "accept", gettext_lazy("Accept the plan")
    RETURN = "return", gettext_lazy("Return the plan for changes")


PS = OrganisationPlan.Status
# The life of a plan's version: filed, then accepted or returned, once (a
# returned plan is superseded by the unit's next upload).
PLAN_WORKFLOW = Workflow(
    Move(
        PlanDecision.ACCEPT,
        PS.SUBMITTED,
        PS.ACCEPTED,
        Action.REVIEW,
        PlanDecision.ACCEPT.label,
        confirm=gettext_lazy(
            "This version of the plan is accepted; the review of a version cannot be changed."
        ),
    ),
    Move(
        PlanDecision.RETURN,
        PS.SUBMITTED,
        PS.RETURNED,
        Action.REVIEW,
        PlanDecision.RETURN.label,
        needs_reason=True,
        backwards=True,
        reason_message=gettext_lazy("Give the reason for returning the plan."),
        confirm=gettext_lazy(
            "The plan goes back to its unit with your reason; the unit files a new version, "
            "reviewed in its turn."
        ),
    ),
    # The unit takes its filed version back before the council decides; it
    # then files a new one (a plan has no draft: ``withdraw_organisation_plan``).
    Move(
        "withdraw",
        PS.SUBMITTED,
        PS.WITHDRAWN,
        Action.CHANGE,
        gettext_lazy("Withdraw the plan"),
        needs_reason=True,
        backwards=True,
        reason_message=gettext_lazy("Give the reason for withdrawing the plan."),
    ),
    refusal=gettext_lazy("This version has already been reviewed: “%(status)s”."),
)


@audited
@transaction.atomic
def review_organisation_plan(
    *, actor: User, plan: OrganisationPlan, decision: str, reason: str = ""
) -> OrganisationPlan:
    """The council accepts a filed plan, or returns it with a reason.

    Only the latest version is reviewed, once: a returned plan is
    superseded by the unit's next upload, which is reviewed in its turn.
    """
    require_permission(actor, Action.REVIEW, plan.unit)
    if decision not in PlanDecision.values:  # the council's moves of PLAN_WORKFLOW
        raise ValidationError(_("Unknown decision."))
    # The unit's lock orders this review after any upload in progress.
    Unit.objects.select_for_update().filter(pk=plan.unit_id).first()
    plan = OrganisationPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PS.SUBMITTED:
        raise ValidationError(
            _("Version %(version)s has already been reviewed: “%(status)s”.")
            % {"version": plan.version, "status": plan.get_status_display()}
        )
    latest = _next_version(OrganisationPlan.objects.filter(tier=plan.tier_id, unit=plan.unit_id))
    if plan.version != latest - 1:
        raise ValidationError(
            _("A newer version (%(version)s) has been filed since: review that one.")
            % {"version": latest - 1}
        )
    move = PLAN_WORKFLOW.check(plan, decision, user=actor, unit=plan.unit, reason=reason)
    reason = nfc(reason.strip())
    plan.status = move.target
    plan.reviewed_by = actor
    plan.reviewed_at = timezone.now()
    plan.review_reason = reason
    plan.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason"])
    notices.plan_moved(actor=actor, plan=plan, name=decision, reason=reason)
    return plan


def plan_reviews(*, user: User, plan: OrganisationPlan) -> list[Move]:
    """The council's moves this user may make on ``plan`` now."""
    return [
        move
        for move in PLAN_WORKFLOW.available(plan, user=user, unit=plan.unit)
        if move.name in PlanDecision.values
    ]


@transaction.atomic
def withdraw_organisation_plan(
    *, actor: User, plan: OrganisationPlan, reason: str
) -> OrganisationPlan:
    """The unit takes its filed version back, with a reason, before the
    council has decided on it (``PLAN_WORKFLOW``'s "withdraw"): the council
    no longer reviews it, and the unit files a new version when ready.
    Recorded on the version (who, when, why)."""
    require_permission(actor, Action.CHANGE, plan.unit)
    Unit.objects.select_for_update().filter(pk=plan.unit_id).first()
    plan = OrganisationPlan.objects.select_for_update().select_related("unit").get(pk=plan.pk)
    move = PLAN_WORKFLOW.check(plan, "withdraw", user=actor, unit=plan.unit, reason=reason)
    reason = nfc(reason.strip())
    plan.status = move.target
    plan.withdrawn_by = actor
    plan.withdrawn_at = timezone.now()
    plan.withdrawal_reason = reason
    plan.save(update_fields=["status", "withdrawn_by", "withdrawn_at", "withdrawal_reason"])
    notices.plan_moved(actor=actor, plan=plan, name="withdraw", reason=reason)
    return plan


@audited
@transaction.atomic
def upload_conference_document(
    *, actor: User, conference: Conference, kind: str, upload: CheckedUpload
) -> ConferenceDocument:
    """Upload a new version of a conference's summary report or minutes.

    The minutes exist once the conference is held; uploading them is what
    lets it be closed (``transition_conference``). Nothing changes once
    the conference is closed. Versions count up per kind under a lock on
    the conference's row.
    """
    require_permission(actor, Action.CHANGE, conference.unit)
    if kind not in ConferenceDocument.Kind.values:
        raise ValidationError({"kind": _("Choose which document this is.")})
    conference = _lock(conference, None)
    refuse_if_closed(conference)
    if kind == ConferenceDocument.Kind.MINUTES and conference.status != Conference.Status.HELD:
        raise ValidationError(
            {"kind": _("Upload the minutes once the conference is recorded as held.")}
        )
    document = ConferenceDocument(
        conference=conference,
        kind=kind,
        version=_next_version(conference.documents.filter(kind=kind)),
        uploaded_by=actor,
        **_stored_fields(upload),
    )
    _save_new_version(document)
    return document


# -- Papers (tham luận) and communication activities of a conference -------


@dataclass(frozen=True)
class PaperDetails:
    """What an officer types for a paper."""

    title: str
    presenter_kind: str
    presenter_unit: Unit
    field_of_work: str
    presenter_name: str = ""


def _one_line(text: str) -> str:
    """NFC, with runs of spaces (and stray line breaks) made one space."""
    return " ".join(nfc(text).split())


def _paper_fields(conference: Conference, details: PaperDetails) -> dict:
    """Check a paper's details against its conference and normalise them:
    the presenter's unit lies in the organising unit's subtree, an
    individual is named (NFC), a collective has no name."""
    fields = {
        "title": _one_line(details.title),
        "presenter_kind": details.presenter_kind,
        "presenter_unit": details.presenter_unit,
        "field_of_work": details.field_of_work,
        "presenter_name": _one_line(details.presenter_name)
        if details.presenter_kind == Paper.PresenterKind.INDIVIDUAL
        else "",
    }
    errors: dict[str, str] = {}
    if not fields["title"]:
        errors["title"] = _("Enter the paper's title.")
    if details.presenter_kind not in Paper.PresenterKind.values:
        errors["presenter_kind"] = _("Choose a collective or an individual.")
    elif details.presenter_kind == Paper.PresenterKind.INDIVIDUAL and not fields["presenter_name"]:
        errors["presenter_name"] = _("Enter the full name of the individual who presents.")
    if not details.presenter_unit.is_within(conference.unit):
        errors["presenter_unit"] = _("Choose %(unit)s or a unit under it.") % {
            "unit": conference.unit.name
        }
    if details.field_of_work not in FieldOfWork.values:
        errors["field_of_work"] = _("Choose a field of work.")
    if errors:
        raise ValidationError(errors)
    return fields


@audited
@transaction.atomic
def add_paper(*, actor: User, conference: Conference, details: PaperDetails) -> Paper:
    """Propose a paper for a conference; it goes last in the programme."""
    require_permission(actor, Action.CHANGE, conference.unit)
    conference = _lock(conference, None)
    refuse_if_closed(conference)
    fields = _paper_fields(conference, details)
    position = (conference.papers.aggregate(last=Max("position"))["last"] or 0) + 1
    return Paper.objects.create(conference=conference, position=position, **fields)


@audited
@transaction.atomic
def update_paper(*, actor: User, paper: Paper, details: PaperDetails) -> Paper:
    """Change a paper's title, presenter or field; its status and place stay."""
    require_permission(actor, Action.CHANGE, paper.conference.unit)
    conference = _lock(paper.conference, None)
    refuse_if_closed(conference)
    for field, value in _paper_fields(conference, details).items():
        setattr(paper, field, value)
    paper.save()
    return paper


@audited
@transaction.atomic
def delete_paper(*, actor: User, paper: Paper) -> None:
    """Remove a paper that was not presented (a presented one is part of
    the conference's record)."""
    require_permission(actor, Action.CHANGE, paper.conference.unit)
    refuse_if_closed(_lock(paper.conference, None))
    if paper.status == Paper.Status.PRESENTED:
        raise ValidationError(_("A paper already presented cannot be removed."))
    paper.delete()


P = Paper.Status
# The life of a paper; any other move is refused. "Presented" (and undoing
# it) also needs the conference recorded as held (``_presented_allowed``).
PAPER_WORKFLOW = Workflow(
    Move("select", P.PROPOSED, P.SELECTED, Action.CHANGE, gettext_lazy("Select the paper")),
    Move(
        "unselect",
        P.SELECTED,
        P.PROPOSED,
        Action.CHANGE,
        gettext_lazy("Unselect the paper"),
        backwards=True,
    ),
    Move("present", P.SELECTED, P.PRESENTED, Action.CHANGE, gettext_lazy("Mark as presented")),
    # Undoes a wrong "presented" while the conference's record is still open.
    Move(
        "unpresent",
        P.PRESENTED,
        P.SELECTED,
        Action.CHANGE,
        gettext_lazy("Undo “presented”"),
        backwards=True,
    ),
    refusal=gettext_lazy("A paper that is “%(status)s” cannot be moved this way."),
)


def _presented_allowed(move: Move, conference: Conference) -> bool:
    return P.PRESENTED not in (move.source, move.target) or (
        conference.status == Conference.Status.HELD
    )


def paper_moves(*, user: User, conference: Conference, paper: Paper) -> list[Move]:
    """The status moves offered for a paper now, by the same rules as
    ``set_paper_status``."""
    if conference.status == Conference.Status.CLOSED:
        return []
    return [
        move
        for move in PAPER_WORKFLOW.available(paper, user=user, unit=conference.unit)
        if _presented_allowed(move, conference)
    ]


@audited
@transaction.atomic
def set_paper_status(*, actor: User, paper: Paper, status: str) -> Paper:
    """Move a paper along ``PAPER_WORKFLOW`` to ``status`` (proposed →
    selected → presented; selected → proposed to unselect). "Presented"
    (and undoing it) only once the conference is recorded as held."""
    require_permission(actor, Action.CHANGE, paper.conference.unit)
    conference = _lock(paper.conference, None)
    refuse_if_closed(conference)
    paper = Paper.objects.select_for_update().get(pk=paper.pk)
    move = PAPER_WORKFLOW.between(paper.status, status)
    if move is None:
        raise ValidationError(str(PAPER_WORKFLOW.refusal) % {"status": paper.get_status_display()})
    PAPER_WORKFLOW.check(paper, move.name, user=actor, unit=conference.unit)
    if not _presented_allowed(move, conference):
        raise ValidationError(
            _("A paper is marked as presented only once the conference is recorded as held.")
        )
    paper.status = move.target
    paper.save(update_fields=["status"])
    return paper


@audited
@transaction.atomic
def move_paper(*, actor: User, paper: Paper, offset: int) -> None:
    """Move a paper up (``offset`` −1) or down (+1) in the programme; the
    positions are renumbered 1…n."""
    require_permission(actor, Action.CHANGE, paper.conference.unit)
    conference = _lock(paper.conference, None)
    refuse_if_closed(conference)
    papers = list(conference.papers.select_for_update().order_by("position", "pk"))
    index = next(i for i, other in enumerate(papers) if other.pk == paper.pk)
    target = index + offset
    if 0 <= target < len(papers):
        papers[index], papers[target] = papers[target], papers[index]
    for position, other in enumerate(papers, start=1):
        other.position = position
    Paper.objects.bulk_update(papers, ["position"])


@dataclass(frozen=True)
class CommunicationDetails:
    kind: str
    date: datetime.date
    channel: str
    description: str = ""


def _communication_fields(details: CommunicationDetails) -> dict:
    fields = {
        "kind": details.kind,
        "date": details.date,
        "channel": _one_line(details.channel),
        "description": nfc(details.description.strip()),
    }
    errors: dict[str, str] = {}
    if details.kind not in CommunicationActivity.Kind.values:
        errors["kind"] = _("Choose the kind of activity.")
    if not fields["channel"]:
        errors["channel"] = _("Enter where it was published or held.")
    if errors:
        raise ValidationError(errors)
    return fields


@audited
@transaction.atomic
def add_communication_activity(
    *, actor: User, conference: Conference, details: CommunicationDetails
) -> CommunicationActivity:
    """Record a communication activity before or during a conference."""
    require_permission(actor, Action.CHANGE, conference.unit)
    refuse_if_closed(_lock(conference, None))
    return CommunicationActivity.objects.create(
        conference=conference, **_communication_fields(details)
    )


@audited
@transaction.atomic
def update_communication_activity(
    *, actor: User, activity: CommunicationActivity, details: CommunicationDetails
) -> CommunicationActivity:
    require_permission(actor, Action.CHANGE, activity.conference.unit)
    refuse_if_closed(_lock(activity.conference, None))
    for field, value in _communication_fields(details).items():
        setattr(activity, field, value)
    activity.save()
    return activity


@audited
@transaction.atomic
def delete_communication_activity(*, actor: User, activity: CommunicationActivity) -> None:
    require_permission(actor, Action.CHANGE, activity.conference.unit)
    refuse_if_closed(_lock(activity.conference, None))
    activity.delete()


# -- Setting up cycles (administrators) ---------------------------------------
#
# A cycle is configuration (DOMAIN.md): an administrator copies the last one,
# moves it onto another hierarchy and another period, and edits its tiers in
# the browser. Every write below refuses anyone but an administrator, keeps
# the rules the loader and the models keep, and saves nothing when one breaks.


@dataclass(frozen=True)
class DroppedCapException:
    """A cap exception of the source cycle whose unit has no counterpart in
    the target hierarchy."""

    tier: str  # the tier's name
    unit: Unit  # the unit of the source's hierarchy
    cap: int


@dataclass(frozen=True)
class ReplacedKind:
    tier: str
    old: str
    new: str


@dataclass(frozen=True)
class MissingKind:
    """An organiser kind of a tier that the hierarchy has no unit of."""

    tier: str
    kind: str


@dataclass(frozen=True)
class CycleSetupReport:
    """What could not be carried over to another hierarchy as it was, for the
    page to say: units without a successor there, organiser kinds replaced
    or without any unit there."""

    dropped_cap_exceptions: tuple[DroppedCapException, ...] = ()
    dropped_pilots: tuple[Unit, ...] = ()
    replaced_kinds: tuple[ReplacedKind, ...] = ()
    missing_kinds: tuple[MissingKind, ...] = ()

    @property
    def complete(self) -> bool:
        return not (
            self.dropped_cap_exceptions
            or self.dropped_pilots
            or self.replaced_kinds
            or self.missing_kinds
        )


@dataclass(frozen=True)
class CycleDetails:
    """What an administrator types for a cycle."""

    number: str
    name: str
    congress_name: str
    period_start_year: int
    period_end_year: int
    hierarchy: Hierarchy
    women_target_percent: int = 30
    minority_target_percent: int = 5
    is_demo: bool = False


@dataclass(frozen=True)
class TierDetails:
    """What an administrator types for a tier."""

    name: str
    organiser_kinds: tuple[str, ...]
    window_start: datetime.date
    deadline: datetime.date
    allows_half_day: bool = True
    allows_full_day: bool = False
    cap: int | None = None
    cap_counts_guests: bool = True
    may_combine_with_year_end_review: bool = False
    may_combine_with_staff_conference: bool = False
    papers_half_day: int = 5
    papers_full_day: int = 10


TIER_FIELDS = tuple(TierDetails.__dataclass_fields__)


def _require_configure(actor: User) -> None:
    if not may_configure(actor):
        raise PermissionDenied


# Optimistic locking without a version column: a form carries a fingerprint
# of the rows as they were shown, the service compares it under a lock.


def _fingerprint(*parts: object) -> str:
    payload = json.dumps(parts, default=str, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _row(obj: Model, *, skip: tuple[str, ...] = ()) -> dict:
    return {
        f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in skip
    }


def cycle_fingerprint(cycle: Cycle) -> str:
    """What the cycle form carries to detect a change made meanwhile: the
    cycle's fields as stored (which cycle is current does not count)."""
    return _fingerprint(_row(cycle, skip=("is_current",)))


def tier_fingerprint(tier: Tier) -> str:
    """The tier's fields and its cap exceptions, as stored."""
    exceptions = sorted(tier.cap_exceptions.values_list("unit_id", "cap"))
    return _fingerprint(_row(tier), exceptions)


def pilots_fingerprint(cycle: Cycle) -> str:
    return _fingerprint(sorted(cycle.pilot_units.values_list("pk", flat=True)))


def _lock_cycle(cycle: Cycle, expected_fingerprint: str | None = None) -> Cycle:
    """Reload the cycle under a row lock: every change of a cycle's setup
    (its tiers' order is checked across them) waits for the one before."""
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if expected_fingerprint is not None and cycle_fingerprint(locked) != expected_fingerprint:
        raise StaleEditError
    return locked


def shift_date(day: datetime.date, years: int) -> datetime.date:
    """The same day and month ``years`` later (or earlier); 29/02 becomes
    28/02 in a common year. ``ValueError`` outside the calendar."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        if day.month == 2 and day.day == 29:
            return day.replace(year=day.year + years, day=28)
        raise


def counterparts_in(units: Iterable[Unit], hierarchy_id: int) -> dict[int, list[Unit]]:
    """Each unit's counterpart(s) in a hierarchy, by the unit's pk: the unit
    itself when it lies there; otherwise the units there whose predecessors
    include it, following the reforms forward as the permission policy does
    (2019 → 2025 → …). A unit split among several successors has them all;
    a unit with none there is missing from the result. One query per reform
    followed."""
    result: dict[int, list[Unit]] = {}
    frontier: dict[int, set[int]] = {}
    for unit in units:
        if unit.hierarchy_id == hierarchy_id:
            result[unit.pk] = [unit]
        else:
            frontier[unit.pk] = {unit.pk}
    through = Unit.predecessors.through
    for _step in range(MAX_SUCCESSION):
        if not frontier:
            break
        successors: dict[int, list[Unit]] = {}
        links = through.objects.filter(
            to_unit_id__in=set().union(*frontier.values())
        ).select_related("from_unit")
        for link in links:
            successors.setdefault(link.to_unit_id, []).append(link.from_unit)
        next_frontier: dict[int, set[int]] = {}
        for source_pk, pks in frontier.items():
            found = {s.pk: s for pk in pks for s in successors.get(pk, [])}
            there = [s for s in found.values() if s.hierarchy_id == hierarchy_id]
            if there:
                result[source_pk] = sorted(there, key=lambda s: s.path)
            elif found:
                next_frontier[source_pk] = set(found)
        frontier = next_frontier
    return result


def _kinds_present(hierarchy_id: int) -> set[str]:
    return set(
        Unit.objects.filter(hierarchy_id=hierarchy_id)
        .order_by()
        .values_list("kind", flat=True)
        .distinct()
    )


def _kinds_for(
    tier_name: str, kinds: Iterable[str], present: set[str]
) -> tuple[list[str], list[ReplacedKind], list[MissingKind]]:
    """A tier's organiser kinds on a hierarchy whose units are of the kinds
    ``present``: kept as they are, except "district" in a hierarchy without
    districts but with grassroots offices, which becomes
    "grassroots_office" (the 2025 reform's BHXH cơ sở took over the
    district offices). Also returns what was replaced, and the kinds kept
    that no unit there has (said only when the hierarchy has units)."""
    mapped: list[str] = []
    replaced: list[ReplacedKind] = []
    for kind in kinds:
        if (
            kind == UnitKind.DISTRICT
            and kind not in present
            and UnitKind.GRASSROOTS_OFFICE in present
        ):
            replaced.append(
                ReplacedKind(
                    tier=tier_name,
                    old=_kind_label(kind),
                    new=_kind_label(UnitKind.GRASSROOTS_OFFICE),
                )
            )
            kind = UnitKind.GRASSROOTS_OFFICE.value
        if kind not in mapped:
            mapped.append(kind)
    missing = [
        MissingKind(tier=tier_name, kind=_kind_label(kind))
        for kind in mapped
        if present and kind not in present
    ]
    return mapped, replaced, missing


def _kind_label(kind: str) -> str:
    return str(dict(UnitKind.choices).get(kind, kind))


def _model_errors(obj: Model, *, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """The model's own field checks and ``clean()`` (lengths, blanks,
    positive numbers, known organiser kinds), first message per field."""
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return {key: str(messages[0]) for key, messages in error.message_dict.items()}
    return {}


def _cycle_errors(cycle: Cycle) -> dict[str, str]:
    """The rules of a cycle: a number no other cycle has (whatever the case:
    "vi" and "VI" would be confused), a period that does not end before it
    starts (the model's constraint), shares of at most 100 %."""
    errors: dict[str, str] = {}
    if cycle.number and (
        Cycle.objects.filter(number__iexact=cycle.number).exclude(pk=cycle.pk).exists()
    ):
        errors["number"] = _("There is already a cycle numbered %(number)s.") % {
            "number": cycle.number
        }
    if (
        cycle.period_start_year is not None
        and cycle.period_end_year is not None
        and cycle.period_start_year > cycle.period_end_year
    ):
        errors["period_end_year"] = _("The period cannot end before it starts (%(year)s).") % {
            "year": cycle.period_start_year
        }
    for name in ("women_target_percent", "minority_target_percent"):
        if (getattr(cycle, name) or 0) > 100:
            errors[name] = _("A share is at most 100 %.")
    return {**_model_errors(cycle, exclude=("hierarchy", "pilot_units")), **errors}


def _save_cycle(cycle: Cycle) -> None:
    """Save; a number taken meanwhile by another administrator (the unique
    constraint) is the same error as one taken before."""
    try:
        with transaction.atomic():
            cycle.save()
    except IntegrityError as error:
        raise ValidationError(
            {
                "number": _("There is already a cycle numbered %(number)s.")
                % {"number": cycle.number}
            }
        ) from error


def _short(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _tier_errors(tier: Tier, others: Iterable[Tier]) -> dict[str, str]:
    """The rules of a tier, keyed by field:

    - its window opens on or before its deadline, and at least one length
      is allowed (the model's constraints);
    - it is organised by at least one kind of unit, each known
      (``Tier.clean``);
    - the tiers run in order (DOMAIN.md, "Between the tiers"): a tier's
      window may not end before the lower tier's, whose conferences elect
      its delegates.
    """
    errors: dict[str, str] = {}
    if tier.window_start and tier.deadline and tier.window_start > tier.deadline:
        errors["deadline"] = _(
            "The deadline (%(deadline)s) comes before the window opens (%(start)s)."
        ) % {"deadline": _short(tier.deadline), "start": _short(tier.window_start)}
    if not (tier.allows_half_day or tier.allows_full_day):
        errors["allows_half_day"] = _("Allow at least one length: half a day or one day.")
    if not tier.organiser_kinds:
        errors["organiser_kinds"] = _("Choose at least one kind of unit that organises this tier.")
    if "deadline" not in errors and tier.deadline:
        for other in sorted(others, key=lambda t: t.level):
            if other.pk is not None and other.pk == tier.pk:
                continue
            if other.level < tier.level and tier.deadline < other.deadline:
                errors["deadline"] = _(
                    "This tier may not end before the %(tier)s (%(date)s), "
                    "whose conferences elect its delegates."
                ) % {"tier": other.name, "date": _short(other.deadline)}
                break
            if other.level > tier.level and tier.deadline > other.deadline:
                errors["deadline"] = _(
                    "This tier must end by %(date)s, when the %(tier)s ends: "
                    "its conferences elect that tier's delegates."
                ) % {"tier": other.name, "date": _short(other.deadline)}
                break
    return {**_model_errors(tier, exclude=("cycle",)), **errors}


def _cap_exception_errors(*, hierarchy_id: int, exceptions: dict[Unit, int]) -> list[str]:
    """Each unit lies in the cycle's hierarchy (``TierCapException.clean``)
    and is allowed at least one person."""
    errors = []
    for unit, cap in exceptions.items():
        if unit.hierarchy_id != hierarchy_id:
            errors.append(
                _("%(unit)s belongs to another hierarchy than the cycle's.") % {"unit": unit.name}
            )
        if cap is None or cap < 1:
            errors.append(_("%(unit)s: the maximum is at least 1.") % {"unit": unit.name})
    return errors


def _carry_over(
    *,
    cycle: Cycle,
    tiers: list[tuple[Tier, list[TierCapException]]],
    pilots: list[Unit],
) -> tuple[list[DroppedCapException], list[Unit]]:
    """Put ``tiers``' cap exceptions and ``pilots`` (units of any hierarchy)
    on ``cycle``'s hierarchy: each unit becomes its counterpart(s) there; a
    unit without one is dropped and returned. Where several units merged
    into one, it keeps the highest of their caps."""
    hierarchy_id = cycle.hierarchy_id
    units = [e.unit for _tier, exceptions in tiers for e in exceptions] + list(pilots)
    counterparts = counterparts_in(units, hierarchy_id)
    dropped_caps: list[DroppedCapException] = []
    new_exceptions: list[TierCapException] = []
    for tier, exceptions in tiers:
        caps: dict[Unit, int] = {}
        for exception in exceptions:
            targets = counterparts.get(exception.unit.pk, [])
            if not targets:
                dropped_caps.append(
                    DroppedCapException(tier=tier.name, unit=exception.unit, cap=exception.cap)
                )
            for unit in targets:
                caps[unit] = max(caps.get(unit, 0), exception.cap)
        new_exceptions += [TierCapException(tier=tier, unit=u, cap=c) for u, c in caps.items()]
    TierCapException.objects.bulk_create(new_exceptions)
    dropped_pilots = [unit for unit in pilots if not counterparts.get(unit.pk)]
    cycle.pilot_units.set({target for unit in pilots for target in counterparts.get(unit.pk, [])})
    return dropped_caps, dropped_pilots


@audited
@transaction.atomic
def create_cycle_from(
    *,
    actor: User,
    source: Cycle,
    hierarchy: Hierarchy,
    number: str,
    name: str,
    congress_name: str,
    period_start_year: int,
    period_end_year: int,
    shift_years: int = 0,
    is_demo: bool = False,
) -> Cycle:
    """A new cycle on ``hierarchy``, copied from ``source``: its targets
    (women, minorities), its tiers (every field; windows and deadlines
    moved by ``shift_years``, keeping day and month, 29/02 → 28/02; a tier
    named after the source's Congress takes the new Congress's name), the
    tiers' cap exceptions and the pilot units.

    Units are carried over to ``hierarchy``: the same unit on the same
    hierarchy, else its successor(s) there (``counterparts_in``); a unit
    without one is dropped. Organiser kinds are copied, except that
    "district" becomes "grassroots_office" on a hierarchy that has
    grassroots offices and no districts: the 2025 reform's BHXH cơ sở took
    over the district offices. What was dropped or replaced, and the kinds
    no unit of the hierarchy has, are on the returned cycle's
    ``setup_report`` (a ``CycleSetupReport``).

    Administrators only. The new cycle is not the current one. Checked as
    the loader and the models check (``_cycle_errors``, ``_tier_errors``):
    any broken rule raises ``ValidationError`` keyed by field and saves
    nothing.
    """
    _require_configure(actor)
    source = Cycle.objects.get(pk=source.pk)
    congress_name = _one_line(congress_name)
    cycle = Cycle(
        hierarchy=hierarchy,
        number=_one_line(number),
        name=_one_line(name),
        congress_name=congress_name,
        period_start_year=period_start_year,
        period_end_year=period_end_year,
        is_demo=is_demo,
        is_current=False,
        women_target_percent=source.women_target_percent,
        minority_target_percent=source.minority_target_percent,
    )
    errors: dict[str, str | list[str]] = dict(_cycle_errors(cycle))
    present = _kinds_present(hierarchy.pk)
    source_tiers = list(
        source.tiers.prefetch_related(
            Prefetch("cap_exceptions", queryset=TierCapException.objects.select_related("unit"))
        ).order_by("level")
    )
    tiers: list[tuple[Tier, list[TierCapException]]] = []
    replaced: list[ReplacedKind] = []
    missing: list[MissingKind] = []
    for old in source_tiers:
        tier = Tier(**{f: getattr(old, f) for f in TIER_FIELDS}, level=old.level)
        if old.name == source.congress_name and congress_name:
            tier.name = congress_name
        tier.organiser_kinds, tier_replaced, tier_missing = _kinds_for(
            tier.name, old.organiser_kinds, present
        )
        replaced += tier_replaced
        missing += tier_missing
        try:
            tier.window_start = shift_date(old.window_start, shift_years)
            tier.deadline = shift_date(old.deadline, shift_years)
        except (ValueError, OverflowError):
            errors["shift_years"] = _("Moved by %(years)s years, the dates leave the calendar.") % {
                "years": shift_years
            }
            break
        tiers.append((tier, list(old.cap_exceptions.all())))
    if "shift_years" not in errors:
        problems = [
            _("%(tier)s: %(error)s") % {"tier": tier.name, "error": message}
            for tier, _exceptions in tiers
            for message in _tier_errors(tier, [t for t, _e in tiers]).values()
        ]
        if problems:
            errors[NON_FIELD_ERRORS] = problems
    if errors:
        raise ValidationError(errors)
    _save_cycle(cycle)
    for tier, _exceptions in tiers:
        tier.cycle = cycle
        tier.save()
    dropped_caps, dropped_pilots = _carry_over(
        cycle=cycle, tiers=tiers, pilots=list(source.pilot_units.all())
    )
    cycle.setup_report = CycleSetupReport(  # type: ignore[attr-defined]
        dropped_cap_exceptions=tuple(dropped_caps),
        dropped_pilots=tuple(dropped_pilots),
        replaced_kinds=tuple(replaced),
        missing_kinds=tuple(missing),
    )
    return cycle


def _move_to_hierarchy(cycle: Cycle) -> CycleSetupReport:
    """Carry a cycle's tiers (kinds), cap exceptions and pilots from the
    hierarchy it ran on to its new one, as ``create_cycle_from`` does."""
    present = _kinds_present(cycle.hierarchy_id)
    replaced: list[ReplacedKind] = []
    missing: list[MissingKind] = []
    tiers = list(cycle.tiers.prefetch_related("cap_exceptions__unit").order_by("level"))
    for tier in tiers:
        kinds, tier_replaced, tier_missing = _kinds_for(tier.name, tier.organiser_kinds, present)
        replaced += tier_replaced
        missing += tier_missing
        if kinds != tier.organiser_kinds:
            tier.organiser_kinds = kinds
            tier.save(update_fields=["organiser_kinds"])
    with_exceptions = [(tier, list(tier.cap_exceptions.all())) for tier in tiers]
    pilots = list(cycle.pilot_units.all())
    TierCapException.objects.filter(tier__cycle=cycle).delete()
    dropped_caps, dropped_pilots = _carry_over(cycle=cycle, tiers=with_exceptions, pilots=pilots)
    return CycleSetupReport(
        dropped_cap_exceptions=tuple(dropped_caps),
        dropped_pilots=tuple(dropped_pilots),
        replaced_kinds=tuple(replaced),
        missing_kinds=tuple(missing),
    )


@audited
@transaction.atomic
def update_cycle(
    *,
    actor: User,
    cycle: Cycle,
    details: CycleDetails,
    expected_fingerprint: str | None = None,
) -> Cycle:
    """Change a cycle's number, names, period, targets, demo mark or
    hierarchy. Refused with ``StaleEditError`` if it changed since the
    form was shown (``cycle_fingerprint``).

    The hierarchy changes only while no conference or organisation plan is
    registered in the cycle: they belong to units of the old one. When it
    changes, cap exceptions and pilots move to the units' successors as in
    ``create_cycle_from``; what could not is on ``setup_report``.
    """
    _require_configure(actor)
    locked = _lock_cycle(cycle, expected_fingerprint)
    old_hierarchy_id = locked.hierarchy_id
    locked.number = _one_line(details.number)
    locked.name = _one_line(details.name)
    locked.congress_name = _one_line(details.congress_name)
    locked.period_start_year = details.period_start_year
    locked.period_end_year = details.period_end_year
    locked.women_target_percent = details.women_target_percent
    locked.minority_target_percent = details.minority_target_percent
    locked.is_demo = details.is_demo
    locked.hierarchy = details.hierarchy
    errors = _cycle_errors(locked)
    moving = locked.hierarchy_id != old_hierarchy_id
    if moving and (
        Conference.objects.filter(tier__cycle=locked).exists()
        or OrganisationPlan.objects.filter(tier__cycle=locked).exists()
    ):
        errors["hierarchy"] = _(
            "The hierarchy cannot change: conferences or organisation plans are "
            "already registered in this cycle on its units."
        )
    if errors:
        raise ValidationError(errors)
    _save_cycle(locked)
    report = _move_to_hierarchy(locked) if moving else CycleSetupReport()
    locked.setup_report = report  # type: ignore[attr-defined]
    return locked


def _replace_cap_exceptions(tier: Tier, exceptions: dict[Unit, int]) -> None:
    TierCapException.objects.filter(tier=tier).delete()
    TierCapException.objects.bulk_create(
        TierCapException(tier=tier, unit=unit, cap=cap) for unit, cap in exceptions.items()
    )


def _lock_tier(tier: Tier, expected_fingerprint: str | None) -> tuple[Cycle, Tier]:
    cycle = _lock_cycle(tier.cycle)
    locked = Tier.objects.get(pk=tier.pk)
    if expected_fingerprint is not None and tier_fingerprint(locked) != expected_fingerprint:
        raise StaleEditError
    return cycle, locked


@audited
@transaction.atomic
def update_tier(
    *,
    actor: User,
    tier: Tier,
    details: TierDetails,
    cap_exceptions: dict[Unit, int] | None = None,
    expected_fingerprint: str | None = None,
) -> Tier:
    """Change a tier's rules (organisers, lengths, window, cap, what it may
    be combined with, room for papers) and, when given, replace its cap
    exceptions, in one transaction. Checked by ``_tier_errors`` against the
    other tiers of the cycle; refused with ``StaleEditError`` if the
    tier or its exceptions changed since the form was shown
    (``tier_fingerprint``)."""
    _require_configure(actor)
    cycle, locked = _lock_tier(tier, expected_fingerprint)
    for name in TIER_FIELDS:
        setattr(locked, name, getattr(details, name))
    locked.name = _one_line(details.name)
    locked.organiser_kinds = list(dict.fromkeys(details.organiser_kinds))
    errors: dict[str, str | list[str]] = dict(
        _tier_errors(locked, list(cycle.tiers.exclude(pk=locked.pk)))
    )
    if cap_exceptions is not None:
        problems = _cap_exception_errors(hierarchy_id=cycle.hierarchy_id, exceptions=cap_exceptions)
        if problems:
            errors["cap_exceptions"] = problems
    if errors:
        raise ValidationError(errors)
    locked.save()
    if cap_exceptions is not None:
        _replace_cap_exceptions(locked, cap_exceptions)
    return locked


@audited
@transaction.atomic
def set_cap_exceptions(
    *,
    actor: User,
    tier: Tier,
    exceptions: dict[Unit, int],
    expected_fingerprint: str | None = None,
) -> Tier:
    """Replace the units of a tier allowed another maximum (cycle V, tier 2:
    350 for the HQ bloc, HCMC and Hà Nội). Each unit lies in the cycle's
    hierarchy; a maximum is at least 1."""
    _require_configure(actor)
    cycle, locked = _lock_tier(tier, expected_fingerprint)
    problems = _cap_exception_errors(hierarchy_id=cycle.hierarchy_id, exceptions=exceptions)
    if problems:
        raise ValidationError({"cap_exceptions": problems})
    _replace_cap_exceptions(locked, exceptions)
    return locked


@audited
@transaction.atomic
def set_pilot_units(
    *,
    actor: User,
    cycle: Cycle,
    units: Iterable[Unit],
    expected_fingerprint: str | None = None,
) -> Cycle:
    """Replace the cycle's pilot units (đơn vị điểm: they hold their
    conferences first). Each lies in the cycle's hierarchy; refused with
    ``StaleEditError`` if the pilots changed since the form was shown
    (``pilots_fingerprint``)."""
    _require_configure(actor)
    locked = _lock_cycle(cycle)
    if expected_fingerprint is not None and pilots_fingerprint(locked) != expected_fingerprint:
        raise StaleEditError
    units = list(units)
    outside = [unit.name for unit in units if unit.hierarchy_id != locked.hierarchy_id]
    if outside:
        raise ValidationError(
            {
                "pilot_units": _("Not in the cycle's hierarchy: %(units)s.")
                % {"units": ", ".join(outside)}
            }
        )
    locked.pilot_units.set(units)
    return locked


@audited
@transaction.atomic
def mark_current(*, actor: User, cycle: Cycle) -> Cycle:
    """Make ``cycle`` the current one (what users work in until they choose
    another) and no other: every cycle's row is locked, the others unset,
    this one set, in one transaction; the unique constraint backs it."""
    _require_configure(actor)
    list(Cycle.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    Cycle.objects.filter(is_current=True).exclude(pk=cycle.pk).update(is_current=False)
    Cycle.objects.filter(pk=cycle.pk).update(is_current=True)
    return Cycle.objects.get(pk=cycle.pk)
