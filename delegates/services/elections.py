"""Elections of delegates to the conference above (DOMAIN.md: "Electing …
delegates to the tier above").

A held tier-1 conference elects delegates to its tier-2 organiser's
conference; a held tier-2 conference elects delegates to the Congress.
Each election is bounded by the seats the approved allocation of the
conference above gives the electing unit, and confirming it makes the
elected people elected delegates of the conference above, all or nothing.

Replacing the delegates of a confirmed election (the next in line, or a
further round) is ``delegates.services.replacements``'.

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

import datetime
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
from delegates import notices
from delegates.election_count import (
    DEFAULT_THRESHOLD,
    Ballots,
    ElectionCountError,
    check_ballots,
    check_threshold,
    count_votes,
)
from delegates.models import (
    Candidate,
    Category,
    Delegate,
    Election,
    ElectionRound,
    Person,
    Replacement,
    RoundCandidate,
)
from delegates.selectors import quotas as quota_selectors
from delegates.selectors.elections import (
    candidates_register,
    count_of,
    election_candidates,
    election_rounds,
    excess_of,
    missing_quota_reason,
    seats_in,
    target_conference,
    threshold_of,
    voters,
)
from delegates.services.delegates import add_delegate
from units.audit import audited, record_created, record_updated
from units.locking import check_lock_version
from units.models import User
from units.permissions import Action, require_permission
from units.workflow import Move, Workflow

# The threshold is stored in two small integer columns.
MAX_THRESHOLD_TERM = 1000


def lock_target(election: Election) -> Conference:
    """Lock the conference above: the first lock of every write that reads
    its allocation (the module's lock order)."""
    return (
        Conference.objects.select_for_update(of=("self",))
        .select_related("tier", "unit")
        .get(pk=election.target_id)
    )


def locked_election(election: Election) -> Election:
    """The election's row locked, after the conference above (the module's
    lock order; ``services.replacements`` takes the same)."""
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
    Move(
        "confirm",
        ES.DRAFT,
        ES.CONFIRMED,
        Action.CHANGE,
        gettext_lazy("Confirm the result"),
        confirm=gettext_lazy(
            "The result becomes final: the elected become delegates of the conference "
            "above, and the votes and candidates can no longer change."
        ),
    ),
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
    election = Election.objects.create(conference=conference, target=target)
    ElectionRound.objects.create(election=election, number=1)
    return election


def latest_round(election: Election) -> ElectionRound:
    """The round with the highest number (a further round included)."""
    return election.rounds.order_by("-number").first()  # type: ignore[return-value]


def _round_to_record(election: Election) -> ElectionRound:
    """The round whose votes may be recorded: the latest while the election
    is a draft; once confirmed, the latest only if it is a further round
    whose seats are still pending (nothing else changes)."""
    round_ = latest_round(election)
    if not election.is_confirmed:
        return round_
    if (
        round_.is_further
        and election.replacements.filter(round=round_, status=Replacement.Status.PENDING).exists()
    ):
        return round_
    _check_draft(election)
    return round_


@audited
@transaction.atomic
def set_candidates(
    *,
    actor: User,
    election: Election,
    persons: Iterable[Person],
    expected_lock_version: int | None = None,
) -> Election:
    """Make ``persons`` the candidates: those kept keep their votes of
    round 1, new ones start at 0, the others are removed. Candidates come
    from the register of the electing unit's subtree, and change only
    while round 1 is the latest (a run-off's candidates are the tied).
    Bumps the lock version, so a votes form loaded before the change is
    refused."""
    require_permission(actor, Action.CHANGE, election.conference.unit)
    election = locked_election(election)
    _check_draft(election)
    check_lock_version(election, expected_lock_version)
    first = latest_round(election)
    if first.is_runoff:
        raise ValidationError(
            _("A run-off is under way: the candidates of round 1 can no longer change.")
        )
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
    record_created(
        RoundCandidate.objects.bulk_create(
            [RoundCandidate(round=first, candidate=candidate) for candidate in added]
        )
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
        "negative_ballots": _("Ballots cannot be negative."),
        "issued_above_present": _(
            "More ballots issued (%(issued)s) than delegates present (%(present)s): "
            "a ballot is issued to each delegate present, at most."
        )
        % {"issued": error.params.get("issued"), "present": error.params.get("present")},
        "returned_above_issued": _("More ballots returned (%(returned)s) than issued (%(issued)s).")
        % {"returned": error.params.get("returned"), "issued": error.params.get("issued")},
        "returned_not_sorted": _(
            "Valid (%(valid)s) and invalid (%(invalid)s) ballots must add up to those "
            "returned (%(returned)s)."
        )
        % {
            "valid": error.params.get("valid"),
            "invalid": error.params.get("invalid"),
            "returned": error.params.get("returned"),
        },
    }
    # The ballots' figures are told on the field the rule is about.
    ballot_fields = {
        "issued_above_present": "ballots_issued",
        "returned_above_issued": "ballots_returned",
        "returned_not_sorted": "invalid_ballots",
        "negative_ballots": "ballots_issued",
    }
    field = ballot_fields.get(error.code, field)
    return ValidationError({field: messages.get(error.code, str(error))})


@dataclass(frozen=True)
class Minutes:
    """What the vote-count minutes of a round record beside the votes: the
    delegates summoned and present (ignored when the check-in of the
    electing conference was used: its figures are taken), the counting
    committee (one member a line) and when the count ended."""

    summoned: int | None = None
    present: int | None = None
    committee: str = ""
    count_ended_at: datetime.datetime | None = None


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
    ballots_issued: int | None = None,
    ballots_returned: int | None = None,
    invalid_ballots: int = 0,
    minutes: Minutes | None = None,
) -> Election:
    """Record the latest round's ballots and each of its candidates' votes
    (keyed by person id, one for every candidate of the round); in round 1
    also the threshold. Once the election is confirmed, only a further
    round whose seats are pending is recorded (``open_further_round``).
    Checked as the count checks them (at least one valid ballot, no one
    with more votes than valid ballots) and as the minutes must hold
    (``check_ballots``: no more ballots issued than delegates present).
    Ballots returned default to valid + invalid, those issued to those
    returned. An earlier round is never changed. A page loaded before
    another change is refused with ``StaleEditError``."""
    require_permission(actor, Action.CHANGE, election.conference.unit)
    election = locked_election(election)
    round_ = _round_to_record(election)
    check_lock_version(election, expected_lock_version)
    minutes = minutes or Minutes()
    threshold = Fraction(threshold)
    if threshold.denominator > MAX_THRESHOLD_TERM:
        raise ValidationError({"threshold": _("Use a simpler fraction, such as 1/2 or 2/3.")})
    if round_.is_runoff and threshold != threshold_of(election):
        raise ValidationError(
            {"threshold": _("The threshold is that of round 1: it cannot change in a run-off.")}
        )
    if round_.is_further and threshold != threshold_of(election):
        raise ValidationError(
            {
                "threshold": _(
                    "The threshold is that of the election: it cannot change in a further round."
                )
            }
        )
    entries = {
        entry.candidate.person_id: entry for entry in round_.entries.select_related("candidate")
    }
    if set(entries) != set(votes):
        raise ValidationError(_("The votes do not match the candidates: reload the page."))
    who = voters(election.conference)
    summoned, present = (
        (who.summoned, who.present) if who.from_check_in else (minutes.summoned, minutes.present)
    )
    if summoned is not None and present is not None and present > summoned:
        raise ValidationError(
            {
                "present": _("More delegates present (%(present)s) than summoned (%(summoned)s).")
                % {"present": present, "summoned": summoned}
            }
        )
    returned = valid_ballots + invalid_ballots if ballots_returned is None else ballots_returned
    ballots = Ballots(
        issued=returned if ballots_issued is None else ballots_issued,
        returned=returned,
        valid=valid_ballots,
        invalid=invalid_ballots,
    )
    try:
        check_threshold(threshold)
        count_votes(votes.items(), valid_ballots=valid_ballots, quota=None, threshold=threshold)
        check_ballots(ballots, present=present)
    except ElectionCountError as error:
        raise _translated_count_error(error) from error
    for person_id, entry in entries.items():
        if entry.votes != votes[person_id]:
            record_updated(entry, {"votes": (entry.votes, votes[person_id])})
        entry.votes = votes[person_id]
    RoundCandidate.objects.bulk_update(entries.values(), ["votes"])
    round_.summoned, round_.present = summoned, present
    round_.present_from_check_in = who.from_check_in
    round_.ballots_issued, round_.ballots_returned = ballots.issued, ballots.returned
    round_.valid_ballots, round_.invalid_ballots = ballots.valid, ballots.invalid
    round_.committee = minutes.committee.strip()
    round_.count_ended_at = minutes.count_ended_at
    round_.save()
    election.threshold_numerator = threshold.numerator
    election.threshold_denominator = threshold.denominator
    election.lock_version += 1
    election.save(update_fields=["threshold_numerator", "threshold_denominator", "lock_version"])
    return election


def binding_quota(election: Election):
    """The approved allocation and the quota it gives the electing unit
    (read under the lock of the conference above); refused without one."""
    binding = quota_selectors.approved_allocation(election.target)
    quota = seats_in(binding, election.conference.unit) if binding is not None else None
    if binding is None or quota is None:
        raise ValidationError(missing_quota_reason(election.target, election.conference.unit))
    return binding, quota


@audited
@transaction.atomic
def open_runoff(
    *, actor: User, election: Election, expected_lock_version: int | None = None
) -> ElectionRound:
    """Open the next round among the candidates tied at the last seat of
    the latest round, for the seats left to them (DOMAIN.md: "a tie at the
    last seat goes to a further round among the tied"). The rounds before
    are kept as counted. Needs the approved quota (the tie is at its cut)."""
    require_permission(actor, Action.CHANGE, election.conference.unit)
    lock_target(election)
    election = locked_election(election)
    _check_draft(election)
    check_lock_version(election, expected_lock_version)
    _binding, quota = binding_quota(election)
    candidates = election_candidates(election)
    rounds = election_rounds(election)
    result = count_of(election, candidates, quota, rounds)
    if not result.has_tie:
        raise ValidationError(
            _("A run-off is held only when the latest round ends in a tie at the last seat.")
        )
    tied = set(result.runoff)
    before = rounds[-1]
    # The same delegates vote before the same committee: its figures are
    # carried over, to be corrected if someone left.
    round_ = ElectionRound.objects.create(
        election=election,
        number=before.number + 1,
        summoned=before.summoned,
        present=before.present,
        present_from_check_in=before.present_from_check_in,
        committee=before.committee,
    )
    record_created(
        RoundCandidate.objects.bulk_create(
            [RoundCandidate(round=round_, candidate=c) for c in candidates if c.person_id in tied]
        )
    )
    election.lock_version += 1
    election.save(update_fields=["lock_version"])
    return round_


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
    lock_target(election)
    election = locked_election(election)
    _check_draft(election)
    check_lock_version(election, expected_lock_version)
    binding, quota = binding_quota(election)
    candidates = election_candidates(election)
    if not candidates:
        raise ValidationError(_("Add the candidates and record their votes first."))
    count = count_of(election, candidates, quota)
    if not count.is_counted:
        raise ValidationError(
            _("Record the valid ballots and the votes of round %(number)s first.")
            % {"number": count.last.number}
        )
    if count.has_tie:
        raise ValidationError(
            _(
                "A tie at the last seat is unresolved: open a run-off among the tied "
                "candidates and record its votes."
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
    notices.election_confirmed(actor=actor, election=election, elected=len(elected))
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
    target = lock_target(election)
    refuse_if_closed(target, records="delegates")
    election = locked_election(election)
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
