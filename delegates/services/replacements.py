"""Replacing elected delegates who cannot attend, once the election is
confirmed (DOMAIN.md, "Elections on paper"): by the next candidate above
the threshold in the final round's order (``replace_elected``), or, when
nobody is next in line, by a further round (bầu bổ sung) among the
candidates the officer chooses, seated once counted
(``open_further_round``, ``seat_further_round``; its votes are recorded by
``elections.record_votes`` like any round's).

Always within the quota the approved allocation gives the unit now; the
replaced keep their candidacy, votes and history; the officers of the
conference above are told. Locks in the order of
``delegates.services.elections``: the conference above, then the
election, then the delegates.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from congress.models import Conference
from congress.policy import refuse_if_closed
from delegates import notices
from delegates.election_count import (
    Result,
    RoundCount,
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
from delegates.selectors.elections import (
    count_of,
    election_candidates,
    election_rounds,
    further_counts_of,
    further_round_eligible,
    pending_of,
    replacements_of,
    seated,
    seats_in,
    successor_of,
)
from delegates.services.delegates import add_delegate
from delegates.services.elections import binding_quota, latest_round, lock_target, locked_election
from units.audit import audited, record_created
from units.locking import check_lock_version
from units.models import User
from units.permissions import Action, require_permission


def _leaving_within_quota(
    election: Election, target: Conference, quota: int, persons: list[Person], *, arriving: int
):
    """The delegates of the conference above that ``persons`` leave (those
    still in its list), once checked that ``arriving`` substitutes in their
    place keep the seats this election holds there within ``quota`` (the
    approved allocation now); refused otherwise, nothing changed."""
    from_here = Delegate.objects.filter(
        conference=target, category=Category.ELECTED, elected_at=election.conference
    )
    leaving = from_here.filter(person__in=persons)
    if from_here.count() - leaving.count() + arriving > quota:
        raise ValidationError(
            ngettext(
                "%(unit)s holds its %(quota)s seats in %(target)s already: "
                "the seat of %(name)s cannot be filled within its quota.",
                "%(unit)s holds its %(quota)s seats in %(target)s already: "
                "the seats of %(name)s cannot be filled within its quota.",
                len(persons),
            )
            % {
                "unit": election.conference.unit.name,
                "quota": quota,
                "target": target,
                "name": ", ".join(person.full_name for person in persons),
            }
        )
    return leaving


def _substitute_for(
    election: Election, person: Person
) -> tuple[Candidate, Candidate, ElectionRound]:
    """The candidacy of ``person``, who holds a seat, the candidate who
    takes it and the round that put them next; refused as
    ``replace_elected`` says."""
    candidates = election_candidates(election)
    by_person = {c.person_id: c for c in candidates}
    rounds = election_rounds(election)
    # Counted with the quota that bound the election when it was confirmed.
    bound = seats_in(election.allocation, election.conference.unit) if election.allocation else None
    result = count_of(election, candidates, bound, rounds)
    done = replacements_of(election)
    if person.pk not in seated(result, done):
        raise ValidationError(
            _("%(name)s holds no seat of this election: only a delegate it elected is replaced.")
            % {"name": person.full_name}
        )
    successor = successor_of(election, result, done)
    if successor is None:
        raise ValidationError(
            _(
                "No candidate above the threshold is left to take the seat of %(name)s: "
                "the seat stays empty unless a further round is held."
            )
            % {"name": person.full_name}
        )
    if successor.key is None:
        raise ValidationError(
            _(
                "%(names)s have the same votes for the seat of %(name)s: a further round "
                "among them decides."
            )
            % {
                "names": ", ".join(by_person[key].person.full_name for key in successor.tied),
                "name": person.full_name,
            }
        )
    round_ = next(r for r in rounds if r.number == successor.round)
    return by_person[person.pk], by_person[successor.key], round_


@audited
@transaction.atomic
def replace_elected(
    *,
    actor: User,
    election: Election,
    person: Person,
    reason: str,
    expected_lock_version: int | None = None,
) -> Replacement:
    """Replace an elected delegate who cannot attend (``person``, who holds
    a seat of the confirmed election: elected, or a substitute since) by
    the next candidate above the threshold in the final round's order
    (``election_count.next_in_line``), with the reason.

    The replaced leaves the conference above if still in its list (an
    elected delegate removed from it already left an empty seat, filled
    the same way) and keeps their candidacy, votes and history; the
    substitute joins it as an elected delegate of this conference. The
    seats this election holds there never exceed the quota the approved
    allocation gives the unit now. Refused when nobody above the threshold
    is left or two are tied for the place (a further round decides), and
    when the conference above is closed. Locks in the module's order."""
    target, election, quota = _locked_for_seats(
        actor,
        election,
        expected_lock_version,
        unconfirmed=gettext_lazy(
            "Only the delegates of a confirmed election are replaced: correct the count instead."
        ),
    )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the delegate is replaced.")})
    replaced, substitute, round_ = _substitute_for(election, person)
    leaving = _leaving_within_quota(election, target, quota, [person], arriving=1)
    leaving.delete()
    add_delegate(
        actor=actor,
        conference=target,
        category=Category.ELECTED,
        person=substitute.person,
        elected_at=election.conference,
        check_permission=False,
    )
    replacement = Replacement.objects.create(
        election=election,
        replaced=replaced,
        substitute=substitute,
        round=round_,
        reason=reason,
        recorded_by=actor,
    )
    election.lock_version += 1
    election.save(update_fields=["lock_version"])
    notices.delegate_replaced(actor=actor, replacement=replacement)
    return replacement


# -- Further rounds (bầu bổ sung) -----------------------------------------------------
#
# When nobody is next in line for the seat of a delegate who cannot attend
# (nobody above the threshold left, or a tie for the place), a further
# round of the confirmed election decides: among candidates the officer
# puts to the vote, for the seats it fills. Its seats are pending
# replacements pointing at it (the replaced stay in the list above until
# it is seated); one further round decides at a time. Seated, each of its
# elected takes a pending seat in order; seats it leaves empty stay empty
# and their holders leave. A tie at its cut seats nobody: another further
# round is opened for the same seats, and the pending replacements point
# at it from then on. The election's own count never sees these rounds.


@dataclass(frozen=True)
class _Seats:
    """The confirmed election's seats as they stand: its candidates, its
    own count (with the quota that bound it), the replacements, who holds
    a seat, and the pending replacements with the further round they
    await (the latest round, when there are any)."""

    candidates: list[Candidate]
    by_person: dict[int, Candidate]
    result: Result[int]
    replacements: list[Replacement]
    holders: list[int]
    pending: list[Replacement]


def _seats_of(election: Election) -> _Seats:
    candidates = election_candidates(election)
    bound = seats_in(election.allocation, election.conference.unit) if election.allocation else None
    result = count_of(election, candidates, bound)
    replacements = replacements_of(election)
    return _Seats(
        candidates=candidates,
        by_person={c.person_id: c for c in candidates},
        result=result,
        replacements=replacements,
        holders=seated(result, replacements),
        pending=pending_of(replacements),
    )


FURTHER_ROUND_UNCONFIRMED = gettext_lazy(
    "A further round fills the seats of a confirmed election: "
    "while it is recorded, a tie goes to a run-off."
)


def _locked_for_seats(
    actor: User, election: Election, expected_lock_version: int | None, *, unconfirmed
) -> tuple[Conference, Election, int]:
    """The opening of every write here, in the module's lock order: the
    actor's right, the conference above locked and open, the election
    locked, confirmed (else ``unconfirmed``) and as the page saw it; with
    the quota the approved allocation gives the unit now."""
    require_permission(actor, Action.CHANGE, election.conference.unit)
    target = lock_target(election)
    refuse_if_closed(target, records="delegates")
    election = locked_election(election)
    if not election.is_confirmed:
        raise ValidationError(str(unconfirmed))
    check_lock_version(election, expected_lock_version)
    _approved, quota = binding_quota(election)
    return target, election, quota


def _pending_count(election: Election, pending: list[Replacement]) -> RoundCount[int]:
    """The count of the further round the pending seats await."""
    round_ = pending[0].round
    (counted,) = further_counts_of(
        election,
        election_candidates(election),
        [ElectionRound.objects.prefetch_related("entries").get(pk=round_.pk)],
    )
    return counted


def _names(seats: _Seats, person_ids: Iterable[int]) -> str:
    return ", ".join(seats.by_person[pk].person.full_name for pk in person_ids)


def _further_seats_to_fill(
    election: Election, target: Conference, quota: int, seats: _Seats, wanted: list[int]
) -> list[Replacement]:
    """The pending replacements a further round opened again takes over
    (after a tie, the same seats: exactly ``wanted``); none when it opens
    new seats, once checked they may be (``open_further_round``)."""
    if seats.pending:
        counted = _pending_count(election, seats.pending)
        pending_people = [r.replaced.person_id for r in seats.pending]
        if counted.count is None or not counted.count.has_tie:
            raise ValidationError(
                _(
                    "Round %(number)s is pending for the seats of %(names)s: record its votes "
                    "and seat the elected before another further round."
                )
                % {"number": counted.number, "names": _names(seats, pending_people)}
            )
        if set(wanted) != set(pending_people):
            raise ValidationError(
                {
                    "person": _(
                        "After the tie in round %(number)s, the further round is for the same "
                        "seats: those of %(names)s."
                    )
                    % {"number": counted.number, "names": _names(seats, pending_people)}
                }
            )
        return seats.pending
    outside = [pk for pk in wanted if pk not in seats.holders]
    if outside:
        raise ValidationError(
            {
                "person": _(
                    "%(names)s hold no seat of this election: a further round fills the seat "
                    "of a delegate it elected."
                )
                % {"names": _names(seats, outside)}
            }
        )
    successor = successor_of(election, seats.result, seats.replacements)
    if successor is not None and successor.key is not None:
        raise ValidationError(
            _(
                "%(name)s is next in line above the threshold: the seat goes to them "
                "(replace the delegate), not to a further round."
            )
            % {"name": seats.by_person[successor.key].person.full_name}
        )
    _leaving_within_quota(
        election,
        target,
        quota,
        [seats.by_person[pk].person for pk in wanted],
        arriving=len(wanted),
    )
    return []


@audited
@transaction.atomic
def open_further_round(
    *,
    actor: User,
    election: Election,
    persons: Iterable[Person],
    reason: str,
    candidates: Iterable[Person],
    expected_lock_version: int | None = None,
) -> ElectionRound:
    """Open a further round of the confirmed election for the seats of
    ``persons`` (seat holders who cannot attend, ``reason`` why) when
    nobody is next in line for them: refused while ``successor_of`` names
    someone (the rule's order comes first). It stands ``candidates``,
    chosen by the officer among the election's candidates who hold no
    seat, were not replaced and are not delegates of the conference above.

    The round takes the next number, with the delegates summoned and
    present and the committee of the latest round (to be corrected); each
    seat becomes a pending replacement pointing at it. The replaced stay
    in the list above until it is seated (``seat_further_round``), within
    the quota the approved allocation gives the unit now. After a tie in
    the pending further round, opening again is for the same seats: the
    pending replacements point at the new round (``reason`` is theirs
    already). Locks in the module's order."""
    target, election, quota = _locked_for_seats(
        actor, election, expected_lock_version, unconfirmed=FURTHER_ROUND_UNCONFIRMED
    )
    seats = _seats_of(election)
    # The seats in the order their holders are listed (the count's).
    chosen = {person.pk for person in persons}
    wanted = [
        pk
        for pk in [*seats.holders, *(r.replaced.person_id for r in seats.pending)]
        if pk in chosen
    ]
    wanted += [pk for pk in chosen if pk not in wanted]
    if not wanted:
        raise ValidationError({"person": _("Choose whose seat the further round fills.")})
    unknown = [pk for pk in wanted if pk not in seats.by_person]
    if unknown:
        raise ValidationError({"person": _("Choose among the delegates this election elected.")})
    reason = reason.strip()
    if not seats.pending and not reason:
        raise ValidationError({"reason": _("Say why the delegate is replaced.")})
    retaken = _further_seats_to_fill(election, target, quota, seats, wanted)
    eligible = {
        c.person_id: c
        for c in further_round_eligible(
            election, seats.candidates, seats.holders, seats.replacements
        )
    }
    standing = list(candidates)
    if not standing:
        raise ValidationError({"candidate": _("Choose the candidates of the further round.")})
    refused = [person.full_name for person in standing if person.pk not in eligible]
    if refused:
        raise ValidationError(
            {
                "candidate": _(
                    "%(names)s may not stand in a further round: only candidates of the election "
                    "who hold no seat, were not replaced and are not delegates of the conference "
                    "above."
                )
                % {"names": ", ".join(refused)}
            }
        )
    before = latest_round(election)
    # The same committee and, as a start, the same delegates: its figures
    # are carried over, to be corrected for the day of the further round.
    round_ = ElectionRound.objects.create(
        election=election,
        number=before.number + 1,
        fills_seats=len(wanted),
        summoned=before.summoned,
        present=before.present,
        present_from_check_in=before.present_from_check_in,
        committee=before.committee,
    )
    in_order = [c for c in seats.candidates if c.person_id in {p.pk for p in standing}]
    record_created(
        RoundCandidate.objects.bulk_create(
            [RoundCandidate(round=round_, candidate=candidate) for candidate in in_order]
        )
    )
    opened: list[Replacement] = []
    for replacement in retaken:
        replacement.round = round_
        replacement.save(update_fields=["round"])
    for pk in wanted if not retaken else []:
        opened.append(
            Replacement.objects.create(
                election=election,
                replaced=seats.by_person[pk],
                substitute=None,
                status=Replacement.Status.PENDING,
                round=round_,
                reason=reason,
                recorded_by=actor,
            )
        )
    election.lock_version += 1
    election.save(update_fields=["lock_version"])
    for replacement in opened or retaken:
        notices.delegate_replaced(actor=actor, replacement=replacement)
    return round_


@dataclass(frozen=True)
class Seating:
    """What seating a further round did: its replacements, each with its
    substitute or left empty."""

    round: ElectionRound
    seated: list[Replacement]
    left_empty: list[Replacement]


@audited
@transaction.atomic
def seat_further_round(
    *, actor: User, election: Election, expected_lock_version: int | None = None
) -> Seating:
    """Seat the elected of the pending further round, once its count is
    decided: each, by votes, takes a pending seat in the order recorded;
    the replaced leaves the conference above if still there and the
    substitute joins it as an elected delegate of this conference, within
    the quota the approved allocation gives the unit now, all or nothing.
    Seats it leaves empty stay empty (their holders leave all the same).
    Refused while its ballots are not counted or its count ends in a tie
    (another further round among the tied decides), and when the
    conference above is closed. Locks in the module's order."""
    target, election, quota = _locked_for_seats(
        actor, election, expected_lock_version, unconfirmed=FURTHER_ROUND_UNCONFIRMED
    )
    seats = _seats_of(election)
    if not seats.pending:
        raise ValidationError(_("No further round awaits its seats: there is nothing to seat."))
    counted = _pending_count(election, seats.pending)
    if counted.count is None:
        raise ValidationError(
            _("Record the valid ballots and the votes of round %(number)s first.")
            % {"number": counted.number}
        )
    if counted.count.has_tie:
        raise ValidationError(
            _(
                "A tie in round %(number)s: nobody is seated. Open another further round "
                "among the tied candidates for the same seats."
            )
            % {"number": counted.number}
        )
    elected = [seats.by_person[pk] for pk in counted.count.elected]
    leaving = _leaving_within_quota(
        election,
        target,
        quota,
        [r.replaced.person for r in seats.pending],
        arriving=len(elected),
    )
    leaving.delete()
    filled: list[Replacement] = []
    empty: list[Replacement] = []
    for index, replacement in enumerate(seats.pending):
        if index < len(elected):
            substitute = elected[index]
            try:
                add_delegate(
                    actor=actor,
                    conference=target,
                    category=Category.ELECTED,
                    person=substitute.person,
                    elected_at=election.conference,
                    check_permission=False,
                )
            except ValidationError as error:
                # Raising rolls the whole seating back: nobody leaves or joins.
                raise ValidationError(
                    _("Nobody is seated: %(name)s could not be added to %(target)s: %(reason)s")
                    % {
                        "name": substitute.person.full_name,
                        "target": target,
                        "reason": " ".join(error.messages),
                    }
                ) from error
            replacement.substitute = substitute
            replacement.status = Replacement.Status.SEATED
            filled.append(replacement)
        else:
            replacement.status = Replacement.Status.LEFT_EMPTY
            empty.append(replacement)
        replacement.save(update_fields=["substitute", "status"])
    election.lock_version += 1
    election.save(update_fields=["lock_version"])
    for replacement in [*filled, *empty]:
        notices.delegate_replaced(actor=actor, replacement=replacement)
    return Seating(round=seats.pending[0].round, seated=filled, left_empty=empty)
