"""Writes to cycles, tiers and conferences: every change of a conference
goes through here, is checked against the policy and the tier's rules, and
leaves a ``ConferenceTransition`` row."""

import datetime
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.models import Unit, User
from units.permissions import Action, has_permission, require_permission
from units.services import LoadResult, load_vss_hierarchy
from units.text import nfc

from . import rules, selectors
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
)
from .uploads import CheckedUpload

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
    require_permission(actor, Action.CHANGE, unit)
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
    require_permission(actor, Action.CHANGE, conference.unit)
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
    require_permission(actor, transition.permission, conference.unit)
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


@transaction.atomic
def upload_organisation_plan(*, actor: User, unit: Unit, upload: CheckedUpload) -> OrganisationPlan:
    """File a new version of ``unit``'s organisation plan (kế hoạch tổ chức).

    Each tier-2 organiser (a province, the HQ bloc) files one; whoever may
    change the unit uploads it. The version is the previous one + 1, taken
    under a lock on the unit's row. A new version supersedes the previous
    one, returned or not, and waits for the council's review.
    """
    require_permission(actor, Action.CHANGE, unit)
    tier = selectors.plan_tier_for(unit)
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
    return plan


class PlanDecision(TextChoices):
    ACCEPT = "accept", gettext_lazy("Accept the plan")
    RETURN = "return", gettext_lazy("Return the plan for changes")


@transaction.atomic
def review_organisation_plan(
    *, actor: User, plan: OrganisationPlan, decision: str, reason: str = ""
) -> OrganisationPlan:
    """The council accepts a filed plan, or returns it with a reason.

    Only the latest version is reviewed, once: a returned plan is
    superseded by the unit's next upload, which is reviewed in its turn.
    """
    require_permission(actor, Action.REVIEW, plan.unit)
    if decision not in PlanDecision.values:
        raise ValidationError(_("Unknown decision."))
    # The unit's lock orders this review after any upload in progress.
    Unit.objects.select_for_update().filter(pk=plan.unit_id).first()
    plan = OrganisationPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != OrganisationPlan.Status.SUBMITTED:
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
    reason = nfc(reason.strip())
    if decision == PlanDecision.RETURN and not reason:
        raise ValidationError({"reason": _("Give the reason for returning the plan.")})
    plan.status = (
        OrganisationPlan.Status.ACCEPTED
        if decision == PlanDecision.ACCEPT
        else OrganisationPlan.Status.RETURNED
    )
    plan.reviewed_by = actor
    plan.reviewed_at = timezone.now()
    plan.review_reason = reason
    plan.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason"])
    return plan


def _check_not_closed(conference: Conference) -> None:
    if conference.status == Conference.Status.CLOSED:
        raise ValidationError(_("The conference is closed: its records can no longer change."))


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
    _check_not_closed(conference)
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


@transaction.atomic
def add_paper(*, actor: User, conference: Conference, details: PaperDetails) -> Paper:
    """Propose a paper for a conference; it goes last in the programme."""
    require_permission(actor, Action.CHANGE, conference.unit)
    conference = _lock(conference, None)
    _check_not_closed(conference)
    fields = _paper_fields(conference, details)
    position = (conference.papers.aggregate(last=Max("position"))["last"] or 0) + 1
    return Paper.objects.create(conference=conference, position=position, **fields)


@transaction.atomic
def update_paper(*, actor: User, paper: Paper, details: PaperDetails) -> Paper:
    """Change a paper's title, presenter or field; its status and place stay."""
    require_permission(actor, Action.CHANGE, paper.conference.unit)
    conference = _lock(paper.conference, None)
    _check_not_closed(conference)
    for field, value in _paper_fields(conference, details).items():
        setattr(paper, field, value)
    paper.save()
    return paper


@transaction.atomic
def delete_paper(*, actor: User, paper: Paper) -> None:
    """Remove a paper that was not presented (a presented one is part of
    the conference's record)."""
    require_permission(actor, Action.CHANGE, paper.conference.unit)
    _check_not_closed(_lock(paper.conference, None))
    if paper.status == Paper.Status.PRESENTED:
        raise ValidationError(_("A paper already presented cannot be removed."))
    paper.delete()


P = Paper.Status
# The life of a paper; any other move is refused.
PAPER_MOVES: dict[tuple[str, str], "StrOrPromise"] = {
    (P.PROPOSED, P.SELECTED): gettext_lazy("Select the paper"),
    (P.SELECTED, P.PROPOSED): gettext_lazy("Unselect the paper"),
    (P.SELECTED, P.PRESENTED): gettext_lazy("Mark as presented"),
    # Undoes a wrong "presented" while the conference's record is still open.
    (P.PRESENTED, P.SELECTED): gettext_lazy("Undo “presented”"),
}


def paper_moves(*, conference: Conference, paper: Paper) -> list[tuple[str, "StrOrPromise"]]:
    """The status moves offered for a paper now: (target status, button)."""
    if conference.status == Conference.Status.CLOSED:
        return []
    return [
        (target, label)
        for (source, target), label in PAPER_MOVES.items()
        if source == paper.status
        and (P.PRESENTED not in (source, target) or conference.status == Conference.Status.HELD)
    ]


@transaction.atomic
def set_paper_status(*, actor: User, paper: Paper, status: str) -> Paper:
    """Move a paper along ``PAPER_MOVES``: proposed → selected → presented,
    selected → proposed to unselect. "Presented" (and undoing it) only
    once the conference is recorded as held."""
    require_permission(actor, Action.CHANGE, paper.conference.unit)
    conference = _lock(paper.conference, None)
    _check_not_closed(conference)
    paper = Paper.objects.select_for_update().get(pk=paper.pk)
    if (paper.status, status) not in PAPER_MOVES:
        raise ValidationError(
            _("A paper that is “%(status)s” cannot be moved this way.")
            % {"status": paper.get_status_display()}
        )
    if P.PRESENTED in (paper.status, status) and conference.status != Conference.Status.HELD:
        raise ValidationError(
            _("A paper is marked as presented only once the conference is recorded as held.")
        )
    paper.status = status
    paper.save(update_fields=["status"])
    return paper


@transaction.atomic
def move_paper(*, actor: User, paper: Paper, offset: int) -> None:
    """Move a paper up (``offset`` −1) or down (+1) in the programme; the
    positions are renumbered 1…n."""
    require_permission(actor, Action.CHANGE, paper.conference.unit)
    conference = _lock(paper.conference, None)
    _check_not_closed(conference)
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


@transaction.atomic
def add_communication_activity(
    *, actor: User, conference: Conference, details: CommunicationDetails
) -> CommunicationActivity:
    """Record a communication activity before or during a conference."""
    require_permission(actor, Action.CHANGE, conference.unit)
    _check_not_closed(_lock(conference, None))
    return CommunicationActivity.objects.create(
        conference=conference, **_communication_fields(details)
    )


@transaction.atomic
def update_communication_activity(
    *, actor: User, activity: CommunicationActivity, details: CommunicationDetails
) -> CommunicationActivity:
    require_permission(actor, Action.CHANGE, activity.conference.unit)
    _check_not_closed(_lock(activity.conference, None))
    for field, value in _communication_fields(details).items():
        setattr(activity, field, value)
    activity.save()
    return activity


@transaction.atomic
def delete_communication_activity(*, actor: User, activity: CommunicationActivity) -> None:
    require_permission(actor, Action.CHANGE, activity.conference.unit)
    _check_not_closed(_lock(activity.conference, None))
    activity.delete()
