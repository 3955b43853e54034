"""Elections of delegates to the conference above (DOMAIN.md: "Electing …
delegates to the tier above").

A held tier-1 conference elects delegates to its tier-2 organiser's
conference; a held tier-2 conference elects delegates to the Congress.
Each election is bounded by the seats the approved allocation of the
conference above gives the electing unit, and confirming it makes the
elected people elected delegates of the conference above, all or nothing.

Writes here follow delegates/services.py: keyword-only with ``actor``, one
transaction each, the election row locked; the few reads the election page
needs live at the end of this module.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from congress.models import Conference, Tier
from units.models import Unit, User
from units.permissions import Action, require_permission
from units.text import fold

from . import selectors
from .election_count import (
    DEFAULT_THRESHOLD,
    Count,
    ElectionCountError,
    check_threshold,
    count_votes,
)
from .models import Candidate, Category, Delegate, Election, Person
from .names import name_sort_key
from .services import add_delegate

# The threshold is stored in two small integer columns.
MAX_THRESHOLD_TERM = 1000


class StaleElectionError(Exception):
    """The election changed since the page was loaded; the change is refused."""


# -- The conference above -----------------------------------------------------


def target_conference(conference: Conference) -> Conference:
    """The conference ``conference`` elects delegates to. For a tier-1
    conference: the tier-2 conference of the nearest ancestor that organises
    tier 2 (the province for a district or a department, the HQ bloc for a
    unit directly under VSS); for a tier-2 conference: the Congress (the
    tier-3 conference of the cycle). A ``ValidationError`` says why there
    is none (the Congress itself, or the conference above not registered)."""
    level = conference.tier.level
    if level not in (Tier.Level.GRASSROOTS, Tier.Level.UPPER_GRASSROOTS):
        raise ValidationError(_("The Congress elects no delegates to a conference above it."))
    upper_tier = Tier.objects.filter(cycle_id=conference.tier.cycle_id, level=level + 1).first()
    if upper_tier is None:
        raise ValidationError(_("The cycle has no tier above this conference's."))
    conferences = Conference.objects.filter(tier=upper_tier).select_related("tier", "unit")
    if level == Tier.Level.UPPER_GRASSROOTS:
        target = conferences.order_by("pk").first()
        if target is None:
            raise ValidationError(
                _(
                    "The Congress (%(tier)s) is not registered yet: it must be registered "
                    "before delegates can be elected to it."
                )
                % {"tier": upper_tier.name}
            )
        return target
    organiser = (
        Unit.objects.filter(
            hierarchy_id=conference.unit.hierarchy_id,
            path__in=conference.unit.ancestor_paths,
            kind__in=upper_tier.organiser_kinds,
        )
        .order_by("-depth")
        .first()
    )
    if organiser is None:
        raise ValidationError(_("No unit above this one organises a conference of the tier above."))
    target = conferences.filter(unit=organiser).first()
    if target is None:
        raise ValidationError(
            _(
                "The conference above (%(tier)s of %(unit)s) is not registered yet: "
                "it must be registered before delegates can be elected to it."
            )
            % {"tier": upper_tier.name, "unit": organiser.name}
        )
    return target


# -- Writes -------------------------------------------------------------------


def _locked(election: Election) -> Election:
    return (
        Election.objects.select_for_update()
        .select_related("conference__tier", "conference__unit", "target__tier", "target__unit")
        .get(pk=election.pk)
    )


def _check_draft(election: Election) -> None:
    if election.status == Election.Status.CONFIRMED:
        raise ValidationError(_("The election is confirmed: its result can no longer change."))


def _check_version(election: Election, expected_lock_version: int | None) -> None:
    if expected_lock_version is not None and election.lock_version != expected_lock_version:
        raise StaleElectionError


@transaction.atomic
def open_election(*, actor: User, conference: Conference) -> Election:
    """Start recording the election of a held conference (held or closed)
    to the conference above; opening it again returns the same election."""
    require_permission(actor, Action.CHANGE, conference.unit)
    conference = (
        Conference.objects.select_for_update().select_related("tier", "unit").get(pk=conference.pk)
    )
    existing = Election.objects.filter(conference=conference).first()
    if existing is not None:
        return existing
    if not conference.is_held:
        raise ValidationError(
            _("Delegates are elected at the conference: record it as held first.")
        )
    target = target_conference(conference)
    return Election.objects.create(conference=conference, target=target)


def candidates_register(election: Election) -> QuerySet[Person]:
    """Who may stand: active people of the electing unit's subtree."""
    unit = election.conference.unit
    return Person.objects.filter(
        unit__hierarchy_id=unit.hierarchy_id, unit__path__startswith=unit.path, is_active=True
    )


@transaction.atomic
def set_candidates(
    *,
    actor: User,
    election: Election,
    persons: Iterable[Person],
    expected_lock_version: int | None = None,
) -> Election:
    """Make ``persons`` the candidates: those kept keep their votes, new
    ones start at 0, the others are removed. Candidates come from the
    register of the electing unit's subtree. Bumps the lock version, so a
    votes form loaded before the change is refused."""
    require_permission(actor, Action.CHANGE, election.conference.unit)
    election = _locked(election)
    _check_draft(election)
    _check_version(election, expected_lock_version)
    wanted = {person.pk: person for person in persons}
    allowed = set(candidates_register(election).filter(pk__in=wanted).values_list("pk", flat=True))
    outside = [person.full_name for pk, person in wanted.items() if pk not in allowed]
    if outside:
        raise ValidationError(
            {
                "person": _(
                    "Not in the register of the electing unit (or no longer active): %(names)s."
                )
                % {"names": ", ".join(outside)}
            }
        )
    current = set(election.candidates.values_list("person_id", flat=True))
    election.candidates.exclude(person_id__in=wanted).delete()
    Candidate.objects.bulk_create(
        [Candidate(election=election, person_id=pk) for pk in wanted if pk not in current]
    )
    election.lock_version += 1
    election.save(update_fields=["lock_version"])
    return election


def _translated_count_error(error: ElectionCountError) -> ValidationError:
    key = error.params.get("key")
    field = f"votes_{key}" if key is not None else error.code
    messages = {
        "valid_ballots": _("There must be at least one valid ballot."),
        "threshold": _("The threshold must be a fraction from 0 to less than 1, such as 1/2."),
        "negative": _("Votes cannot be negative."),
        "too_many_votes": _("More votes (%(votes)s) than valid ballots (%(valid)s).")
        % {"votes": error.params.get("votes"), "valid": error.params.get("valid")},
    }
    return ValidationError({field: messages.get(error.code, str(error))})


@transaction.atomic
def record_votes(
    *,
    actor: User,
    election: Election,
    valid_ballots: int,
    votes: Mapping[int, int],
    threshold: Fraction = DEFAULT_THRESHOLD,
    expected_lock_version: int,
) -> Election:
    """Record the valid ballots, each candidate's votes (keyed by person
    id, one for every candidate) and the threshold. Checked as the count
    checks them: at least one valid ballot, no negative number, no one with
    more votes than valid ballots. A page loaded before another change is
    refused with ``StaleElectionError``."""
    require_permission(actor, Action.CHANGE, election.conference.unit)
    election = _locked(election)
    _check_draft(election)
    _check_version(election, expected_lock_version)
    threshold = Fraction(threshold)
    if threshold.denominator > MAX_THRESHOLD_TERM:
        raise ValidationError({"threshold": _("Use a simpler fraction, such as 1/2 or 2/3.")})
    candidates = {c.person_id: c for c in election.candidates.all()}
    missing = set(candidates) - set(votes)
    unknown = set(votes) - set(candidates)
    if missing or unknown:
        raise ValidationError(_("The votes do not match the candidates: reload the page."))
    try:
        check_threshold(threshold)
        count_votes(votes.items(), valid_ballots=valid_ballots, quota=None, threshold=threshold)
    except ElectionCountError as error:
        raise _translated_count_error(error) from error
    for person_id, candidate in candidates.items():
        candidate.votes = votes[person_id]
    Candidate.objects.bulk_update(candidates.values(), ["votes"])
    election.valid_ballots = valid_ballots
    election.threshold_numerator = threshold.numerator
    election.threshold_denominator = threshold.denominator
    election.lock_version += 1
    election.save(
        update_fields=[
            "valid_ballots",
            "threshold_numerator",
            "threshold_denominator",
            "lock_version",
        ]
    )
    return election


@dataclass(frozen=True)
class Confirmation:
    """What confirming did: the delegates added to the conference above,
    and the elected people who were already delegates of it (flagged, not
    added twice)."""

    election: Election
    added: list[Delegate]
    already_delegates: list[Person]


@transaction.atomic
def confirm_election(
    *, actor: User, election: Election, expected_lock_version: int | None = None
) -> Confirmation:
    """Confirm the result: each elected person becomes an elected delegate
    of the conference above (``elected_at`` the electing conference, from
    its unit), within that conference's cap, all or nothing.

    Needs the approved quota of the electing unit and a decided count (no
    tie at the cut). Someone already a delegate of the conference above
    (elected elsewhere too, or official there) is flagged, not duplicated.
    A confirmed election is frozen.
    """
    require_permission(actor, Action.CHANGE, election.conference.unit)
    election = _locked(election)
    _check_draft(election)
    _check_version(election, expected_lock_version)
    quota = selectors.approved_quota(target=election.target, unit=election.conference.unit)
    if quota is None:
        raise ValidationError(missing_quota_reason(election.target, election.conference.unit))
    candidates = list(election.candidates.select_related("person__unit"))
    if not candidates:
        raise ValidationError(_("Add the candidates and record their votes first."))
    if election.valid_ballots <= 0:
        raise ValidationError(_("Record the valid ballots and the votes first."))
    count = count_of(election, candidates, quota)
    if count.has_tie:
        raise ValidationError(
            _(
                "A tie at the last seat is unresolved: hold a run-off among the tied "
                "candidates and record its votes, or remove the candidates who withdraw."
            )
        )
    by_person = {c.person_id: c.person for c in candidates}
    elected = [by_person[pk] for pk in count.elected]
    present = set(
        Delegate.objects.filter(
            conference=election.target, person_id__in=count.elected
        ).values_list("person_id", flat=True)
    )
    added: list[Delegate] = []
    flagged: list[Person] = []
    for person in elected:
        if person.pk in present:
            flagged.append(person)
            continue
        try:
            added.append(
                add_delegate(
                    actor=actor,
                    conference=election.target,
                    category=Category.ELECTED,
                    person=person,
                    elected_at=election.conference,
                    check_permission=False,
                )
            )
        except ValidationError as error:
            # Raising rolls the whole confirmation back: nobody is added.
            raise ValidationError(
                _("Nothing is confirmed: %(name)s could not be added to %(target)s: %(reason)s")
                % {
                    "name": person.full_name,
                    "target": election.target,
                    "reason": " ".join(error.messages),
                }
            ) from error
    election.status = Election.Status.CONFIRMED
    election.confirmed_by = actor
    election.confirmed_at = timezone.now()
    election.lock_version += 1
    election.save(update_fields=["status", "confirmed_by", "confirmed_at", "lock_version"])
    return Confirmation(election=election, added=added, already_delegates=flagged)


# -- Reads for the election page ------------------------------------------------


def missing_quota_reason(target: Conference, unit: Unit) -> str:
    """Why ``unit`` has no quota for ``target``: no approved allocation yet,
    or an approved one without a line for the unit."""
    if selectors.approved_allocation(target) is None:
        return _(
            "The allocation of delegates to %(target)s is not approved yet: "
            "the quota of %(unit)s is unknown."
        ) % {"target": target, "unit": unit.name}
    return _("The approved allocation of delegates to %(target)s gives no seats to %(unit)s.") % {
        "target": target,
        "unit": unit.name,
    }


def threshold_of(election: Election) -> Fraction:
    return Fraction(election.threshold_numerator, election.threshold_denominator)


def count_of(election: Election, candidates: Iterable[Candidate], quota: int | None) -> Count[int]:
    """The live count, keyed by person id (``valid_ballots`` must be > 0)."""
    return count_votes(
        [(c.person_id, c.votes) for c in candidates],
        valid_ballots=election.valid_ballots,
        quota=quota,
        threshold=threshold_of(election),
    )


def election_candidates(election: Election) -> list[Candidate]:
    """The candidates with their person and unit: by unit (tree order),
    rank, then Vietnamese name order (given name first)."""
    return sorted(
        election.candidates.select_related("person__unit"),
        key=lambda c: (
            c.person.unit.path,
            c.person.rank,
            name_sort_key(c.person.full_name),
            c.pk,
        ),
    )


def delegates_of_target(election: Election, person_ids: Iterable[int]) -> dict[int, Delegate]:
    """Which of these people are delegates of the conference above, and how
    (one query)."""
    return {
        delegate.person_id: delegate
        for delegate in Delegate.objects.filter(
            conference_id=election.target_id, person_id__in=list(person_ids)
        ).select_related("elected_at__unit")
        if delegate.person_id is not None
    }


def register_search(election: Election, query: str, *, limit: int = 20) -> list[Person]:
    """People of the register who may stand and are not candidates yet,
    matching every word of ``query`` with or without diacritics, by unit,
    rank and name; at most ``limit``. Two queries."""
    if not fold(query).split():
        return []
    people = candidates_register(election).exclude(candidacies__election=election)
    found = selectors.matching_name(people, query).select_related("unit")
    return sorted(
        found.order_by("unit__path", "rank", "full_name")[:limit],
        key=lambda p: (p.unit.path, p.rank, name_sort_key(p.full_name)),
    )
