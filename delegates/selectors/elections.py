"""The reads of elections (DOMAIN.md: "Electing … delegates to the tier
above"): the conference an election elects to, the seats and quota that
bind it, who may stand, its candidates and count, and the delegates in
excess when a newer allocation gives fewer seats (the candidate picker is
``candidate_picker``'s). The writes are ``delegates.services.elections``'."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db.models import Count as CountOf
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from congress.models import Conference, Tier
from delegates.election_count import (
    NextInLine,
    Result,
    RoundCount,
    RoundVotes,
    count_further_round,
    count_rounds,
    next_in_line,
)
from delegates.models import (
    Allocation,
    Candidate,
    Category,
    Delegate,
    Election,
    ElectionRound,
    Person,
    Replacement,
    RoundCandidate,
)
from delegates.names import name_sort_key
from delegates.selectors import quotas as quota_selectors
from units.models import Unit


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


def seats_in(allocation: Allocation, unit: Unit) -> int | None:
    """The seats ``allocation`` gives ``unit`` (``None``: no line for it)."""
    return allocation.lines.filter(unit=unit).values_list("seats", flat=True).first()


def candidates_register(election: Election) -> QuerySet[Person]:
    """Who may stand: active people of the electing unit's subtree."""
    unit = election.conference.unit
    return Person.objects.filter(
        unit__hierarchy_id=unit.hierarchy_id, unit__path__startswith=unit.path, is_active=True
    )


def missing_quota_reason(target: Conference, unit: Unit) -> str:
    """Why ``unit`` has no quota for ``target``: no approved allocation yet,
    or an approved one without a line for the unit."""
    if quota_selectors.approved_allocation(target) is None:
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


def election_rounds(election: Election) -> list[ElectionRound]:
    """The rounds of the election's own count (round 1 and its run-offs),
    in order, each with its entries (two queries). Further rounds, held
    after the confirmation for seats left empty, are not among them: they
    never change the election's result (``further_rounds``)."""
    return list(
        election.rounds.filter(fills_seats__isnull=True)
        .order_by("number")
        .prefetch_related("entries")
    )


def further_rounds(election: Election) -> list[ElectionRound]:
    """The further rounds held after the confirmation, in order, each with
    its entries (two queries)."""
    return list(
        election.rounds.filter(fills_seats__isnull=False)
        .order_by("number")
        .prefetch_related("entries")
    )


def count_of(
    election: Election,
    candidates: Iterable[Candidate],
    quota: int | None,
    rounds: Iterable[ElectionRound] | None = None,
) -> Result[int]:
    """Every round's count, keyed by person id; each round's candidates in
    the order of ``candidates`` (the list's)."""
    ordered = list(candidates)
    given = election_rounds(election) if rounds is None else list(rounds)
    position = {c.pk: index for index, c in enumerate(ordered)}
    person_of = {c.pk: c.person_id for c in ordered}
    return count_rounds(
        [_round_votes(round_, position, person_of) for round_ in given],
        quota=quota,
        threshold=threshold_of(election),
    )


def _round_votes(
    round_: ElectionRound, position: Mapping[int, int], person_of: Mapping[int, int]
) -> RoundVotes[int]:
    return RoundVotes(
        number=round_.number,
        votes=tuple(
            (person_of[entry.candidate_id], entry.votes)
            for entry in sorted(round_.entries.all(), key=lambda e: position.get(e.candidate_id, 0))
        ),
        valid_ballots=round_.valid_ballots,
    )


def further_counts_of(
    election: Election, candidates: Iterable[Candidate], rounds: Iterable[ElectionRound]
) -> list[RoundCount[int]]:
    """Each further round counted on its own (``count_further_round``),
    keyed by person id, its candidates in the order of ``candidates``."""
    ordered = list(candidates)
    position = {c.pk: index for index, c in enumerate(ordered)}
    person_of = {c.pk: c.person_id for c in ordered}
    threshold = threshold_of(election)
    return [
        count_further_round(
            _round_votes(round_, position, person_of),
            seats=round_.fills_seats or 0,
            threshold=threshold,
        )
        for round_ in rounds
    ]


@dataclass(frozen=True)
class Voters:
    """Who may vote at the electing conference: its delegates summoned
    (guests do not vote) and those present, from its check-in when the
    check-in was used (anyone checked in), else unknown (entered)."""

    from_check_in: bool
    summoned: int
    present: int


def voters(conference: Conference) -> Voters:
    """One aggregate query."""
    voting = ~Q(category=Category.GUEST)
    row = Delegate.objects.filter(conference=conference).aggregate(
        summoned=CountOf("pk", filter=voting),
        present=CountOf("pk", filter=voting & Q(checked_in_at__isnull=False)),
        checked_in=CountOf("pk", filter=Q(checked_in_at__isnull=False)),
    )
    return Voters(
        from_check_in=bool(row["checked_in"]), summoned=row["summoned"], present=row["present"]
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


def round_candidates(election: Election) -> list[Candidate]:
    """The candidates of the latest round, in the list's order."""
    latest = election.rounds.order_by("-number").values_list("pk", flat=True).first()
    standing = set(
        RoundCandidate.objects.filter(round_id=latest).values_list("candidate_id", flat=True)
    )
    return [c for c in election_candidates(election) if c.pk in standing]


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


# -- The version that binds, and the excess a newer one causes -------------------


def binding_allocation(election: Election) -> Allocation | None:
    """The version whose quota binds the election's count: for a confirmed
    election the one it was bound to when confirmed (``Election.allocation``,
    never the approved one now); for one being recorded, the approved
    version that would bind it if confirmed now."""
    if election.is_confirmed:
        return election.allocation
    return quota_selectors.approved_allocation(election.target)


@dataclass(frozen=True)
class ExcessDelegate:
    """An elected delegate of the conference above from an election that a
    newer version gives fewer seats; ``beyond``: among the fewest votes
    past the new seats (never set for candidates tied across the cut)."""

    delegate: Delegate
    votes: int | None
    beyond: bool


@dataclass(frozen=True)
class Excess:
    """A confirmed election that elected more delegates than ``allocation``
    (a newer approved version, or one awaiting review) gives its unit."""

    election: Election
    allocation: Allocation
    seats: int
    delegates: list[ExcessDelegate]

    @property
    def unit(self) -> Unit:
        return self.election.conference.unit

    @property
    def elected(self) -> int:
        return len(self.delegates)

    @property
    def excess(self) -> int:
        return self.elected - self.seats

    @property
    def bound_version(self) -> int | None:
        bound = self.election.allocation
        return bound.version if bound is not None else None

    @property
    def names(self) -> str:
        return ", ".join(entry.delegate.name for entry in self.delegates)

    @property
    def suggested(self) -> list[ExcessDelegate]:
        return [entry for entry in self.delegates if entry.beyond]


def _ranked(delegates: list[Delegate], votes: dict[int, int], seats: int) -> list[ExcessDelegate]:
    """By votes (most first), then Vietnamese name order; those past
    ``seats`` with fewer votes than the last kept are ``beyond``."""
    ordered = sorted(
        delegates,
        key=lambda d: (-votes.get(d.person_id or 0, 0), name_sort_key(d.name), d.pk),
    )
    last_kept = None
    if 0 < seats <= len(ordered):
        last_kept = votes.get(ordered[seats - 1].person_id or 0, 0)
    return [
        ExcessDelegate(
            delegate=delegate,
            votes=votes.get(delegate.person_id or 0),
            beyond=index >= seats
            and (last_kept is None or votes.get(delegate.person_id or 0, 0) < last_kept),
        )
        for index, delegate in enumerate(ordered)
    ]


def excess_of(
    allocation: Allocation,
    *,
    seats_by_unit: Mapping[int, int] | None = None,
    elections: Iterable[Election] | None = None,
) -> list[Excess]:
    """The confirmed elections to ``allocation``'s conference whose elected
    delegates there (category elected, ``elected_at`` the electing
    conference) outnumber the seats ``allocation`` gives their unit (no
    line: none), each with those delegates by votes. Nothing is changed:
    the officer resolves each (``resolve_excess``).

    ``seats_by_unit`` (unit id → seats) spares the query of the lines;
    ``elections`` (with ``conference__unit`` and ``allocation`` selected)
    that of the elections. At most four queries, whatever the numbers."""
    if seats_by_unit is None:
        seats_by_unit = dict(allocation.lines.values_list("unit_id", "seats"))
    if elections is None:
        elections = Election.objects.filter(
            target_id=allocation.conference_id, status=Election.Status.CONFIRMED
        ).select_related("conference__unit", "conference__tier", "allocation")
    confirmed = [e for e in elections if e.is_confirmed]
    if not confirmed:
        return []
    by_source: dict[int, list[Delegate]] = {e.conference_id: [] for e in confirmed}
    for delegate in Delegate.objects.filter(
        conference_id=allocation.conference_id,
        category=Category.ELECTED,
        elected_at_id__in=list(by_source),
    ).select_related("person__unit"):
        if delegate.elected_at_id is not None:
            by_source[delegate.elected_at_id].append(delegate)
    over = [
        e
        for e in confirmed
        if len(by_source[e.conference_id]) > seats_by_unit.get(e.conference.unit_id, 0)
    ]
    if not over:
        return []
    # Ranked by the votes of round 1, which every candidate stood in.
    votes: dict[int, dict[int, int]] = {e.pk: {} for e in over}
    for election_id, person_id, count in RoundCandidate.objects.filter(
        round__election__in=over, round__number=1
    ).values_list("round__election_id", "candidate__person_id", "votes"):
        votes[election_id][person_id] = count
    return [
        Excess(
            election=e,
            allocation=allocation,
            seats=seats_by_unit.get(e.conference.unit_id, 0),
            delegates=_ranked(
                by_source[e.conference_id],
                votes[e.pk],
                seats_by_unit.get(e.conference.unit_id, 0),
            ),
        )
        for e in sorted(over, key=lambda e: (e.conference.unit.path, e.pk))
    ]


@dataclass(frozen=True)
class Newer:
    """A version approved after the one a confirmed election is bound to:
    what it gives the unit, and the excess if the election elected more."""

    allocation: Allocation
    seats: int | None
    excess: Excess | None


def newer_allocation(election: Election) -> Newer | None:
    """For a confirmed election: the version approved since its binding,
    if any (``None`` while its bound version is still the approved one).
    At most five queries."""
    if not election.is_confirmed:
        return None
    approved = quota_selectors.approved_allocation(election.target)
    if approved is None or approved.pk == election.allocation_id:
        return None
    seats = seats_in(approved, election.conference.unit)
    found = excess_of(
        approved,
        seats_by_unit={election.conference.unit_id: seats or 0},
        elections=[election],
    )
    return Newer(allocation=approved, seats=seats, excess=found[0] if found else None)


def excess_by_source(conference: Conference) -> dict[int, Excess]:
    """The excess the approved allocation of ``conference`` shows, by the
    electing conference's id: for the flags of its delegate list."""
    approved = quota_selectors.approved_allocation(conference)
    if approved is None:
        return {}
    return {excess.election.conference_id: excess for excess in excess_of(approved)}


# -- Replacements of elected delegates ---------------------------------------------


def replacements_of(election: Election) -> list[Replacement]:
    """The election's replacements in the order they were made, with both
    people and who recorded them (one query)."""
    return list(
        election.replacements.select_related(
            "replaced__person__unit", "substitute__person__unit", "round", "recorded_by"
        ).order_by("recorded_at", "pk")
    )


def seated(result: Result[int], replacements: Iterable[Replacement]) -> list[int]:
    """Who holds the election's seats now (person ids): the elected in the
    count's order, each replaced one followed by their substitute. A seat
    awaiting a further round, or left empty by one, has no holder."""
    by_replaced = {r.replaced.person_id: r for r in replacements}
    holders = []
    for person_id in result.elected:
        holder: int | None = person_id
        while holder in by_replaced:
            substitute = by_replaced[holder].substitute
            holder = substitute.person_id if substitute is not None else None
        if holder is not None:
            holders.append(holder)
    return holders


def pending_of(replacements: Iterable[Replacement]) -> list[Replacement]:
    """The replacements awaiting a further round, in the order recorded
    (all point at the latest round: one further round decides at a time)."""
    return [r for r in replacements if r.is_pending]


def further_seats(
    rounds: list[ElectionRound], replacements: Iterable[Replacement]
) -> dict[int, list[Replacement]]:
    """Whose seats each further round (by id) was held for: the
    replacements pointing at it; a round whose tie sent its seats to the
    next further round (they were re-pointed there) has that round's."""
    by_round: dict[int, list[Replacement]] = {r.pk: [] for r in rounds}
    for replacement in replacements:
        if replacement.round_id in by_round:
            by_round[replacement.round_id].append(replacement)
    following: list[Replacement] = []
    for round_ in reversed(rounds):
        if not by_round[round_.pk]:
            by_round[round_.pk] = following
        following = by_round[round_.pk]
    return by_round


def further_round_eligible(
    election: Election,
    candidates: Iterable[Candidate],
    holders: Iterable[int],
    replacements: Iterable[Replacement],
) -> list[Candidate]:
    """Who may stand in a further round, in the list's order: candidates of
    the election who hold no seat (``holders``: ``seated``), were not
    replaced, and are not delegates of the conference above in any
    capacity (one query)."""
    ordered = list(candidates)
    taken = set(holders)
    for replacement in replacements:
        taken.add(replacement.replaced.person_id)
        if replacement.substitute is not None:
            taken.add(replacement.substitute.person_id)
    taken |= set(
        Delegate.objects.filter(
            conference_id=election.target_id, person_id__in=[c.person_id for c in ordered]
        ).values_list("person_id", flat=True)
    )
    return [c for c in ordered if c.person_id not in taken]


def successor_of(
    election: Election, result: Result[int], replacements: Iterable[Replacement]
) -> NextInLine[int] | None:
    """Who would take the next seat left empty: the next candidate above
    the threshold in the final round's order, among those neither seated,
    replaced nor delegates of the conference above already (one query)."""
    done = list(replacements)
    taken = {r.replaced.person_id for r in done} | {
        r.substitute.person_id for r in done if r.substitute is not None
    }
    candidates = {key for counted in result.rounds for key in counted.candidates}
    taken |= set(
        Delegate.objects.filter(
            conference_id=election.target_id, person_id__in=candidates
        ).values_list("person_id", flat=True)
    )
    return next_in_line(result, excluded=taken)


def substitutes_in(conference: Conference) -> dict[tuple[int, int], Replacement]:
    """The replacements that seated delegates in ``conference`` (the
    conference above), by (electing conference id, substitute's person
    id): for the note on their row of its delegate list (one query)."""
    return {
        (r.election.conference_id, r.substitute.person_id): r
        for r in Replacement.objects.filter(
            election__target=conference, substitute__isnull=False
        ).select_related("election", "replaced__person", "substitute")
        if r.substitute is not None
    }
