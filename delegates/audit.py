"""The delegates app's models in the audit trail (``units.audit``): people
and their titles, delegates (check-ins included), quota allocations and
their lines, elections, their candidates, rounds and replacements."""

from units.audit import track

from .models import (
    Allocation,
    AllocationLine,
    Candidate,
    CompositionRules,
    Delegate,
    Election,
    ElectionRound,
    EmulationTitle,
    Person,
    Replacement,
    RoundCandidate,
)


def register() -> None:
    # A person's entries are also their unit's: its page lists the staff
    # added, changed and deleted there.
    track(Person, unit=lambda person: person.unit, within="unit")
    track(EmulationTitle, unit=lambda title: title.person.unit, within="person")
    track(
        Delegate,
        unit=lambda delegate: delegate.conference.unit,
        within="conference",
        exclude=["check_in_code"],
    )
    track(CompositionRules, unit=lambda rules: rules.conference.unit, within="conference")
    # The computation's steps are shown on the allocation's page; the
    # trail keeps the figures and the decisions.
    track(
        Allocation,
        unit=lambda allocation: allocation.conference.unit,
        within="conference",
        exclude=["computation"],
    )
    track(
        AllocationLine,
        unit=lambda line: line.allocation.conference.unit,
        within="allocation",
    )
    track(Election, unit=lambda election: election.conference.unit, within="conference")
    track(
        Candidate,
        unit=lambda candidate: candidate.election.conference.unit,
        within="election",
    )
    # Rounds and their votes: listed on the election's page.
    track(
        ElectionRound,
        unit=lambda round_: round_.election.conference.unit,
        within="election",
    )
    track(
        RoundCandidate,
        unit=lambda entry: entry.round.election.conference.unit,
        within="round__election",
    )
    track(
        Replacement,
        unit=lambda replacement: replacement.election.conference.unit,
        within="election",
    )
