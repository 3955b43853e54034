"""The election page's read-model: what a conference's election shows, in
a number of queries that does not depend on the number of candidates.

The quota is that of the version bound to a confirmed election (never the
approved one now); while the election is recorded, that of the approved
version that would bind it. A version approved since a confirmation is
shown beside it, with the excess it causes, if any. A confirmed election
shows its further rounds (for seats nobody was next in line for) apart
from its own rounds, each with whose seats it fills and what it decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from congress.models import Conference
from congress.policy import may_change_records
from delegates.election_count import Count, NextInLine, Outcome
from delegates.models import Candidate, Election, ElectionRound, Replacement
from units.models import User
from units.permissions import Action, has_permission

from . import elections as election_selectors
from .quotas import approved_allocation


@dataclass(frozen=True)
class Verdict:
    """How a candidate's line of the count reads: its badge's colour and
    words, and the reason beside it."""

    tone: str
    label: str
    note: str


VERDICTS = {
    Outcome.ELECTED: (
        "success",
        gettext_lazy("Elected"),
        gettext_lazy("above the threshold, within the quota"),
    ),
    Outcome.TIED: (
        "warning",
        gettext_lazy("Tie: decision needed"),
        gettext_lazy("same votes as others for the last seats"),
    ),
    Outcome.BEYOND_QUOTA: (
        "info",
        gettext_lazy("Above the threshold, beyond the quota"),
        gettext_lazy("the seats go to candidates with more votes"),
    ),
    Outcome.ABOVE_THRESHOLD: (
        "info",
        gettext_lazy("Above the threshold"),
        gettext_lazy("the quota decides once approved"),
    ),
}


def verdict(outcome: Outcome, *, votes_needed: int) -> Verdict:
    if outcome in VERDICTS:
        tone, label, note = VERDICTS[outcome]
        return Verdict(tone, str(label), str(note))
    needs = ngettext(
        "needs at least %(counter)s vote", "needs at least %(counter)s votes", votes_needed
    ) % {"counter": votes_needed}
    return Verdict("secondary", _("Not elected"), needs)


@dataclass(frozen=True)
class RoundView:
    """One round as the page shows it: its record, the seats at stake, its
    count (``None`` until its ballots are counted) and its candidates
    ranked by votes, each with the count's line."""

    round: ElectionRound
    seats: int | None
    count: Count[int] | None
    candidates: list[Candidate]  # in the list's order
    ranked: list[dict[str, Any]]

    @property
    def number(self) -> int:
        return self.round.number

    @property
    def elected(self) -> int:
        return len(self.count.elected) if self.count else 0


@dataclass(frozen=True)
class FurtherRoundView(RoundView):
    """A further round after the confirmation: whose seats it fills
    (``seats_of``: the replacements, pending or settled), whether it is the
    one they await, and what the user may do with it."""

    seats_of: list[Replacement] = field(default_factory=list)
    pending: bool = False  # its seats await it: its votes are recorded now
    continued_in: int | None = None  # a tie sent its seats to this round
    may_record: bool = False
    may_seat: bool = False
    may_reopen: bool = False  # a tie: another further round for the same seats

    @property
    def is_further(self) -> bool:
        return True

    @property
    def replaced_names(self) -> str:
        return ", ".join(r.replaced.person.full_name for r in self.seats_of)

    @property
    def is_settled(self) -> bool:
        """Seated: each of its seats filled or left empty."""
        return bool(self.seats_of) and not self.pending and self.continued_in is None

    @property
    def elected_names(self) -> str:
        return ", ".join(
            item["candidate"].person.full_name for item in self.ranked if item["line"].is_elected
        )

    @property
    def preview(self) -> list[tuple[Replacement, Candidate | None]]:
        """What seating its count would do, seat by seat in the order they
        were recorded: who takes each (``None``: it stays empty), as
        ``seat_further_round`` does."""
        elected = [item["candidate"] for item in self.ranked if item["line"].is_elected]
        return [
            (replacement, elected[index] if index < len(elected) else None)
            for index, replacement in enumerate(self.seats_of)
        ]

    @property
    def tied(self) -> list[int]:
        """The person ids tied at its cut (pre-ticked for the next round)."""
        return list(self.count.tied) if self.count else []


@dataclass(frozen=True)
class Winner:
    """One who was elected, or seated since as a substitute: the round
    whose votes put them there, and how they stand in the conference
    above (``delegate``: their row there, if any)."""

    candidate: Candidate
    round: int
    votes: int | None
    delegate: Any
    flagged: bool  # already a delegate there in another capacity
    replaced_by: Replacement | None = None  # replaced since, by whom and why
    replaces: Replacement | None = None  # a substitute: whom they replace
    holds_seat: bool = True
    may_replace: bool = False

    @property
    def is_vacant(self) -> bool:
        """Holds a seat but is no longer in the list of the conference above."""
        return self.holds_seat and self.delegate is None and not self.flagged

    @property
    def awaits_further_round(self) -> bool:
        """Cannot attend; a further round decides who takes the seat (they
        stay in the list above until then)."""
        return self.replaced_by is not None and self.replaced_by.is_pending


@dataclass(frozen=True)
class Successor:
    """Who takes the next seat left empty: a candidate with the round and
    votes that put them next, or the tied (a further round decides), or
    nobody left above the threshold (``candidate`` and ``tied`` empty)."""

    candidate: Candidate | None
    round: int | None = None
    votes: int | None = None
    tied: list[Candidate] = field(default_factory=list)


@dataclass(frozen=True)
class ElectionPage:
    conference: Conference
    election: Election | None
    target: Conference | None  # the conference above, which the elected join
    target_problem: str
    binding: Any  # the allocation whose seats bind (or would bind) the count
    quota: int | None
    quota_problem: str
    newer: Any  # a version approved since the confirmation, with its excess
    may_change: bool
    may_open: bool
    may_resolve: bool
    may_print: bool  # the ballots and the minutes of its rounds
    # Below: only once the election is opened.
    candidates: list[Any] = field(default_factory=list)
    editable: bool = False  # the record may still change (recorded, not confirmed)
    result: Any = None  # every round's count (election_count.Result)
    rounds: list[RoundView] = field(default_factory=list)
    current: RoundView | None = None  # the latest round, the one recorded now
    may_edit_candidates: bool = False  # round 1 is the latest, the record may change
    threshold: Any = None
    voters: Any = None  # summoned and present from the check-in, if it was used
    # Elected people, the round that elected them, and how they stand in
    # the conference above: added by this election, or already a delegate
    # there (flagged).
    winners: list[Winner] = field(default_factory=list)
    # For a confirmed election the user may change: who would replace the
    # next elected delegate who cannot attend.
    successor: Successor | None = None
    # A confirmed election's further rounds, the one its pending seats
    # await (if any), who may stand in a new one, and who is pre-ticked.
    further_rounds: list[FurtherRoundView] = field(default_factory=list)
    further_pending: FurtherRoundView | None = None
    further_eligible: list[Candidate] = field(default_factory=list)
    further_ticked: list[int] = field(default_factory=list)
    further_holders: list[Winner] = field(default_factory=list)  # seats it may also fill
    # The round whose votes form shows: the latest while the election is
    # recorded, the pending further round once it is confirmed.
    recording: RoundView | None = None
    may_confirm: bool = False
    may_runoff: bool = False

    def context(self) -> dict[str, Any]:
        """The page's template context (attribute by attribute, not copied)."""
        return {item.name: getattr(self, item.name) for item in fields(self)}


def election_page(
    conference: Conference, *, may_change: bool, user: User | None = None
) -> ElectionPage:
    """The page of ``conference``'s election for ``user`` (``may_change``:
    their right to change its unit)."""
    election = (
        Election.objects.filter(conference=conference)
        .select_related("target__tier", "target__unit", "confirmed_by", "allocation__reviewed_by")
        .first()
    )
    if election is not None:
        election.conference = conference  # loaded with its unit and cycle: no query again
    target, target_problem = None, ""
    if election is not None:
        target = election.target
    else:
        try:
            target = election_selectors.target_conference(conference)
        except ValidationError as error:
            target_problem = " ".join(error.messages)
    confirmed = election is not None and election.is_confirmed
    if election is not None:
        binding = election_selectors.binding_allocation(election)
    else:
        binding = approved_allocation(target) if target is not None else None
    quota = election_selectors.seats_in(binding, conference.unit) if binding is not None else None
    quota_problem = ""
    if target is not None and quota is None:
        quota_problem = (
            _("This election was confirmed before elections kept the allocation that bound them.")
            if confirmed and binding is None
            else election_selectors.missing_quota_reason(target, conference.unit)
        )
    newer = election_selectors.newer_allocation(election) if confirmed and election else None
    page = ElectionPage(
        conference=conference,
        election=election,
        target=target,
        target_problem=target_problem,
        binding=binding,
        quota=quota,
        quota_problem=quota_problem,
        newer=newer,
        may_change=may_change,
        may_open=may_change and election is None and target is not None and conference.is_held,
        may_resolve=bool(
            newer
            and newer.excess
            and user is not None
            and target is not None
            and may_change_records(user, target)
        ),
        may_print=user is not None and has_permission(user, Action.PRINT, conference.unit),
    )
    if election is None:
        return page
    return _with_the_count(page, election, conference=conference, quota=quota)


def _round_view(round_: ElectionRound, counted, by_person: dict[int, Candidate], **extra: Any):
    count = counted.count
    lines, votes_needed = (count.lines, count.votes_needed) if count else ((), 0)
    kind = FurtherRoundView if round_.is_further else RoundView
    return kind(
        round=round_,
        seats=counted.seats,
        count=count,
        candidates=[by_person[key] for key in counted.candidates],
        ranked=[
            {
                "candidate": by_person[line.key],
                "line": line,
                "verdict": verdict(line.outcome, votes_needed=votes_needed),
            }
            for line in lines
        ],
        **extra,
    )


def _with_the_count(
    page: ElectionPage, election: Election, *, conference: Conference, quota: int | None
) -> ElectionPage:
    """The opened election's candidates, rounds, count and winners: a
    fixed number of queries, whatever the number of candidates and rounds
    (the candidate picker's are ``candidate_picker``'s)."""
    candidates = election_selectors.election_candidates(election)
    rounds = election_selectors.election_rounds(election)
    editable = page.may_change and not election.is_confirmed
    by_person = {c.person_id: c for c in candidates}
    result = election_selectors.count_of(election, candidates, quota, rounds)
    views = [
        _round_view(round_, counted, by_person)
        for round_, counted in zip(rounds, result.rounds, strict=True)
    ]
    confirmed = election.is_confirmed
    replacements = election_selectors.replacements_of(election) if confirmed else []
    holders = election_selectors.seated(result, replacements)
    seated = set(holders)
    # Who cannot attend is replaced while the conference above takes delegates.
    may_replace = page.may_change and confirmed and not election.target.is_closed
    further = (
        _further_views(election, candidates, by_person, replacements, may_act=may_replace)
        if confirmed
        else []
    )
    votes_by_round = {view.number: view.count for view in [*views, *further]}
    # The elected in the count's order, then each substitute as seated.
    entries = [(pk, result.elected_in[pk], None) for pk in result.elected] + [
        (r.substitute.person_id, r.round.number, r) for r in replacements if r.substitute
    ]
    above = (
        election_selectors.delegates_of_target(election, [pk for pk, _n, _r in entries])
        if entries
        else {}
    )
    replaced_by = {r.replaced.person_id: r for r in replacements}
    winners = [
        Winner(
            candidate=by_person[pk],
            round=number,
            votes=_votes_in(votes_by_round, number, pk),
            delegate=above.get(pk),
            flagged=pk in above and above[pk].elected_at_id != conference.pk,
            replaced_by=replaced_by.get(pk),
            replaces=replaces,
            holds_seat=pk in seated,
            may_replace=may_replace and pk in seated,
        )
        for pk, number, replaces in entries
    ]
    successor = (
        _successor_view(election_selectors.successor_of(election, result, replacements), by_person)
        if may_replace
        else None
    )
    pending = next((view for view in further if view.pending), None)
    eligible = (
        election_selectors.further_round_eligible(election, candidates, holders, replacements)
        if may_replace
        else []
    )
    current = views[-1] if views else None
    if editable:
        recording: RoundView | None = current
    else:
        recording = pending if pending is not None and pending.may_record else None
    ticked = (
        pending.tied
        if pending is not None
        else [c.person_id for c in successor.tied]
        if successor
        else []
    )
    return replace(
        page,
        candidates=candidates,
        editable=editable,
        result=result,
        rounds=views,
        current=current,
        may_edit_candidates=editable and current is not None and not current.round.is_runoff,
        threshold=election_selectors.threshold_of(election),
        voters=election_selectors.voters(conference) if recording is not None else None,
        winners=winners,
        successor=successor,
        further_rounds=further,
        further_pending=pending,
        further_eligible=eligible,
        further_ticked=ticked,
        further_holders=[winner for winner in winners if winner.may_replace],
        recording=recording,
        may_confirm=editable and result.is_decided and bool(result.elected),
        may_runoff=editable and result.has_tie,
    )


def _further_views(
    election: Election,
    candidates: list[Candidate],
    by_person: dict[int, Candidate],
    replacements: list[Replacement],
    *,
    may_act: bool,
) -> list[FurtherRoundView]:
    """The further rounds, each counted on its own, with whose seats it was
    for and what it allows: the one the pending seats await is recorded,
    then seated once decided, or followed by another after a tie."""
    rounds = election_selectors.further_rounds(election)
    counts = election_selectors.further_counts_of(election, candidates, rounds)
    seats_of = election_selectors.further_seats(rounds, replacements)
    awaited = {r.round_id for r in election_selectors.pending_of(replacements)}
    views = []
    for index, (round_, counted) in enumerate(zip(rounds, counts, strict=True)):
        pending = round_.pk in awaited
        tie = counted.count is not None and counted.count.has_tie
        following = rounds[index + 1].number if index + 1 < len(rounds) else None
        own = [r for r in replacements if r.round_id == round_.pk]
        views.append(
            _round_view(
                round_,
                counted,
                by_person,
                seats_of=seats_of[round_.pk],
                pending=pending,
                continued_in=following if not own and following is not None else None,
                may_record=may_act and pending,
                may_seat=may_act and pending and counted.count is not None and not tie,
                may_reopen=may_act and pending and tie,
            )
        )
    return views


def _successor_view(found: NextInLine[int] | None, by_person: dict[int, Candidate]) -> Successor:
    if found is None:
        return Successor(candidate=None)
    if found.key is None:
        return Successor(
            candidate=None, round=found.round, tied=[by_person[key] for key in found.tied]
        )
    return Successor(
        candidate=by_person[found.key],
        round=found.round,
        votes=found.line.votes if found.line else None,
    )


def _votes_in(counts: dict[int, Count[int] | None], number: int, person_id: int) -> int | None:
    count = counts.get(number)
    if count is None:
        return None
    return next((line.votes for line in count.lines if line.key == person_id), None)
