"""Who is told of an allocation's move or an election's confirmation, and
in what words: the council of a version submitted or withdrawn, the
officers of the conference's unit of the council's decision, the officers
of the conference above of the delegates an election sent them and of
each replacement among them (a further round opened for a seat, and
what it decided). Called by
the services inside their transaction; mails go after the commit
(``units.notifications``)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from delegates.models import Allocation, Election, Replacement
from units.models import Notification, User
from units.notifications import council_members, interface_language, notify
from units.permissions import officers_covering

Kind = Notification.Kind


def allocation_moved(*, actor: User, allocation: Allocation, name: str, reason: str = "") -> None:
    """``name`` is the move just made (submit, withdraw, approve, return).
    The version's ``lock_version`` after the move tells one event from the
    next (a version may be submitted, returned and submitted again)."""
    conference = allocation.conference
    names = {"unit": conference.unit.name, "version": allocation.version}
    with interface_language():
        if name == "submit":
            kind, recipients = Kind.SUBMITTED, council_members()
            title = _("%(unit)s submitted its allocation (version %(version)s)") % names
        elif name == "withdraw":
            kind, recipients = Kind.WITHDRAWN, council_members()
            title = _("%(unit)s withdrew its allocation (version %(version)s)") % names
        elif name == "approve":
            kind, recipients = Kind.APPROVED, officers_covering(conference.unit)
            title = (
                _("The council approved the allocation of %(unit)s (version %(version)s)") % names
            )
        else:
            kind, recipients = Kind.RETURNED, officers_covering(conference.unit)
            title = (
                _("The council returned the allocation of %(unit)s (version %(version)s)") % names
            )
    notify(
        event_key=f"allocation:{allocation.pk}:{name}:{allocation.lock_version}",
        recipients=[user for user in recipients if user.pk != actor.pk],
        kind=kind,
        title=title,
        body=reason,
        url=reverse("allocations:allocation_detail", args=[conference.pk])
        + f"?version={allocation.version}",
    )


def election_confirmed(*, actor: User, election: Election, elected: int) -> None:
    """The officers of the conference above receive the elected."""
    target = election.target
    with interface_language():
        title = _("%(unit)s confirmed its election: %(count)s delegates elected to %(target)s") % {
            "unit": election.conference.unit.name,
            "count": elected,
            "target": target,
        }
    notify(
        event_key=f"election:{election.pk}:confirmed",
        recipients=[u for u in officers_covering(target.unit) if u.pk != actor.pk],
        kind=Kind.ELECTION_CONFIRMED,
        title=title,
        url=reverse("delegates:delegate_list", args=[target.pk]),
    )


def delegate_replaced(*, actor: User, replacement: Replacement) -> None:
    """The officers of the conference above learn who takes the seat, that
    a further round will decide, or that it left the seat empty."""
    election = replacement.election
    target = election.target
    names = {
        "unit": election.conference.unit.name,
        "replaced": replacement.replaced.person.full_name,
        "target": target,
        "number": replacement.round.number,
    }
    with interface_language():
        if replacement.substitute is not None:
            title = _("%(unit)s replaced %(replaced)s by %(substitute)s in %(target)s") % {
                **names,
                "substitute": replacement.substitute.person.full_name,
            }
        elif replacement.is_pending:
            title = (
                _(
                    "%(unit)s holds a further round (round %(number)s) for the seat of "
                    "%(replaced)s in %(target)s"
                )
                % names
            )
        else:
            title = (
                _("%(replaced)s left %(target)s: the further round of %(unit)s left the seat empty")
                % names
            )
    notify(
        # One notice for each step: opened (pending, by round), then settled.
        event_key=f"replacement:{replacement.pk}:{replacement.status}:{replacement.round_id}",
        recipients=[u for u in officers_covering(target.unit) if u.pk != actor.pk],
        kind=Kind.DELEGATE_REPLACED,
        title=title,
        body=replacement.reason,
        url=reverse("delegates:delegate_list", args=[target.pk]),
    )
