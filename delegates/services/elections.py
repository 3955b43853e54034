"""Elections of delegates to the conference above (DOMAIN.md: "Electing …
delegates to the tier above").

A held tier-1 conference elects delegates to its tier-2 organiser's
conference; a held tier-2 conference elects delegates to the Congress.
Each election is bounded by the seats the approved allocation of the
conference above gives the electing unit, and confirming it makes the
elected people elected delegates of the conference above, all or nothing.

Writes here follow delegates/services/delegates.py: keyword-only with
``actor``, one transaction each, the election row locked; the reads the
election page needs are in ``delegates.selectors.elections``.

Locks, in one order everywhere (delegates/services/quotas.py keeps the same):
first the row of the conference above (``Conference``, whose seats and
allocation are at stake; ``select_for_update``), then the allocation rows,
then the election row, then the delegates. ``confirm_election`` and
``resolve_excess`` lock the conference above before the election, and
read the approved allocation only under that lock: the council's review
locks the same conference first, so a confirmation and a review are
serialised and cannot deadlock. Each lock takes its own row only
(``select_for_update(of=("self",))``): with ``select_related`` a lock
would also take every joined row (tier, units, the other conference), in
an order the query plan decides. Writes that touch only the election (the
candidates, the votes) lock its row alone.

Bound to the quota it used: a confirmed election keeps the approved
version that gave its unit's quota (``Election.allocation``); its page and
its count read that version, never "the approved one now". When a newer
version gives the unit fewer seats than the election elected, the
election is flagged (``excess_of``) with the delegates concerned, until
the officer removes enough of them (``resolve_excess``). The election's
result and binding stay as confirmed (the removed show as no longer in the
list); nothing changes by itself.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from congress.models import Conference
from congress.policy import refuse_if_closed
from delegates.election_count import (
    DEFAULT_THRESHOLD,
    ElectionCountError,
    check_threshold,
    count_votes,
)
from delegates.models import Candidate, Category, Delegate, Election, Person
from delegates.selectors import quotas as quota_selectors
from delegates.selectors.elections import (
    candidates_register,
    count_of,
    excess_of,
    missing_quota_reason,
    seats_in,
    target_conference,
)
from delegates.services.delegates import add_delegate
from units.audit import audited, record_created, record_updated
from units.locking import check_lock_version
from units.models import User
from units.permissions import Action, require_permission
from units.workflow import Move, Workflow

# The threshold is stored in two small integer columns.
MAX_THRESHOLD_TERM = 1000


def _lock_target(election: Election) -> Conference:
    """Lock the conference above: the first lock of every write that reads
    its allocation (the module's lock order)."""
    return (
        Conference.objects.select_for_update(of=("self",))
        .select_related("tier", "unit")
        .get(pk=election.target_id)
    )


def _locked(election: Election) -> Election:
    return (
        Election.objects.select_for_update(of=("self",))
        .select_related("conference__tier", "conference__unit", "target__tier", "target__unit")
        .get(pk=election.pk)
    )


ES = Election.Status
# The life of an election: recorded (candidates, ballots, votes) while a
# draft, then confirmed once, which adds the elected to the conference
# above; nothing moves it back.
ELECTION_WORKFLOW = Workflow(
    Move("confirm", ES.DRAFT, ES.CONFIRMED, Action.CHANGE, gettext_lazy("Confirm the result")),
    refusal=gettext_lazy("The election is confirmed: its result can no longer change."),
)


def _check_draft(election: Election) -> None:
    """Its record may change only while the confirmation is still ahead."""
    if not ELECTION_WORKFLOW.moves["confirm"].leaves(election.status):
        raise ValidationError(_("The election is confirmed: its result can no longer change."))


@audited
@transaction.atomic
def open_election(*, actor: User, conference: Conference) -> Election:
    """Start recording the election of a held conference (held or closed)
    to the conference above; opening it again returns the same election."""
    require_permission(actor, Action.CHANGE, conference.unit)
    conference = (
        Conference.objects.select_for_update(of=("self",))
        .select_related("tier", "unit")
        .get(pk=conference.pk)
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


@audited
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
    check_lock_version(election, expected_lock_version)
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
    added = Candidate.objects.bulk_create(
        [Candidate(election=election, person_id=pk) for pk in wanted if pk not in current]
    )
    record_created(added)
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


@audited
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
    refused with ``StaleEditError``."""
    require_permission(actor, Action.CHANGE, election.conference.unit)
    election = _locked(election)
    _check_draft(election)
    check_lock_version(election, expected_lock_version)
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
        if candidate.votes != votes[person_id]:
            record_updated(candidate, {"votes": (candidate.votes, votes[person_id])})
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


@audited
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
    # The conference above first (see the module's lock order): the
    # approved version cannot change from here to the commit.
    _lock_target(election)
    election = _locked(election)
    _check_draft(election)
    check_lock_version(election, expected_lock_version)
    binding = quota_selectors.approved_allocation(election.target)
    quota = seats_in(binding, election.conference.unit) if binding is not None else None
    if binding is None or quota is None:
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
    election.status = ELECTION_WORKFLOW.moves["confirm"].target
    election.allocation = binding
    election.confirmed_by = actor
    election.confirmed_at = timezone.now()
    election.lock_version += 1
    election.save(
        update_fields=["status", "allocation", "confirmed_by", "confirmed_at", "lock_version"]
    )
    return Confirmation(election=election, added=added, already_delegates=flagged)


@audited
@transaction.atomic
def resolve_excess(*, actor: User, election: Election, remove: Iterable[int]) -> list[Delegate]:
    """Resolve the excess a newer approved version causes: remove the
    chosen delegates (ids; exactly as many as are too many) from the
    conference above. The election keeps its result and the version it was
    bound to (the quota it used); with the excess gone, it is no longer
    flagged.

    CHANGE on the conference above's unit (its delegates change); refused
    when the conference above is closed, when nothing is in excess, or
    when the choice is not exactly the excess among this election's
    delegates. Locks in the module's order: the conference above, then the
    election."""
    require_permission(actor, Action.CHANGE, election.target.unit)
    target = _lock_target(election)
    refuse_if_closed(target, records="delegates")
    election = _locked(election)
    approved = quota_selectors.approved_allocation(target)
    found = (
        excess_of(approved, elections=[election])
        if approved is not None and election.status == Election.Status.CONFIRMED
        else []
    )
    if approved is None or not found:
        raise ValidationError(
            _("Nothing to resolve: this election elected no more delegates than its seats.")
        )
    excess = found[0]
    chosen = set(remove)
    by_pk = {entry.delegate.pk: entry.delegate for entry in excess.delegates}
    if chosen - set(by_pk):
        raise ValidationError(_("Choose among the delegates this election elected."))
    if len(chosen) != excess.excess:
        raise ValidationError(
            ngettext(
                "Choose exactly %(excess)s delegate to remove: version %(version)s gives "
                "%(unit)s %(seats)s seats and %(elected)s are elected.",
                "Choose exactly %(excess)s delegates to remove: version %(version)s gives "
                "%(unit)s %(seats)s seats and %(elected)s are elected.",
                excess.excess,
            )
            % {
                "excess": excess.excess,
                "version": approved.version,
                "unit": excess.unit.name,
                "seats": excess.seats,
                "elected": excess.elected,
            }
        )
    removed = [by_pk[pk] for pk in sorted(chosen)]
    Delegate.objects.filter(pk__in=chosen).delete()
    return removed
