"""Who is told of a conference's or a plan's move, and in what words: the
council of what is submitted or withdrawn, the officers of the unit (every
one whose scope covers it) of the council's decision. Called by the
services in ``congress/services.py`` inside their transaction; the mails
go after the commit (``units.notifications``)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from units.models import Notification, User
from units.notifications import council_members, interface_language, notify
from units.permissions import officers_covering

from .models import Conference, ConferenceTransition, OrganisationPlan

Kind = Notification.Kind
A = ConferenceTransition.Action


def _others(users, actor: User) -> list[User]:
    """The recipients but the one who made the move."""
    return [user for user in users if user.pk != actor.pk]


def conference_moved(*, actor: User, conference: Conference, step: ConferenceTransition) -> None:
    """Submitted or withdrawn: the council; accepted or returned (with the
    reason): the unit's officers. Other moves are the officer's own."""
    names = {"unit": conference.unit.name, "tier": conference.tier.name}
    with interface_language():
        if step.action == A.SUBMIT:
            kind, to_council = Kind.SUBMITTED, True
            title = _("%(unit)s submitted its conference (%(tier)s) for review") % names
        elif step.action == A.WITHDRAW:
            kind, to_council = Kind.WITHDRAWN, True
            title = _("%(unit)s withdrew its conference (%(tier)s) from review") % names
        elif step.action == A.ACCEPT:
            kind, to_council = Kind.ACCEPTED, False
            title = _("The council accepted the conference of %(unit)s (%(tier)s)") % names
        elif step.action == A.RETURN:
            kind, to_council = Kind.RETURNED, False
            title = _("The council returned the conference of %(unit)s (%(tier)s)") % names
        else:
            return
    recipients = council_members() if to_council else officers_covering(conference.unit)
    notify(
        event_key=f"conference:{conference.pk}:{step.action}:{step.pk}",
        recipients=_others(recipients, actor),
        kind=kind,
        title=title,
        body=step.reason,
        url=conference.get_absolute_url(),
    )


def _plan_url(plan: OrganisationPlan) -> str:
    return reverse("plans:plan_unit", args=[plan.unit_id])


def plan_filed(*, actor: User, plan: OrganisationPlan) -> None:
    """A new version is filed: the council reviews it."""
    with interface_language():
        title = _("%(unit)s filed its organisation plan (version %(version)s)") % {
            "unit": plan.unit.name,
            "version": plan.version,
        }
    notify(
        event_key=f"plan:{plan.pk}:submitted",
        recipients=_others(council_members(), actor),
        kind=Kind.SUBMITTED,
        title=title,
        url=_plan_url(plan),
    )


def plan_moved(*, actor: User, plan: OrganisationPlan, name: str, reason: str) -> None:
    """Accepted or returned: the unit's officers; withdrawn: the council."""
    names = {"unit": plan.unit.name, "version": plan.version}
    with interface_language():
        if plan.is_withdrawn:
            kind, recipients = Kind.WITHDRAWN, council_members()
            title = _("%(unit)s withdrew its organisation plan (version %(version)s)") % names
        elif plan.is_accepted:
            kind, recipients = Kind.ACCEPTED, officers_covering(plan.unit)
            title = (
                _("The council accepted the organisation plan of %(unit)s (version %(version)s)")
                % names
            )
        else:
            kind, recipients = Kind.RETURNED, officers_covering(plan.unit)
            title = (
                _("The council returned the organisation plan of %(unit)s (version %(version)s)")
                % names
            )
    notify(
        event_key=f"plan:{plan.pk}:{name}",
        recipients=_others(recipients, actor),
        kind=kind,
        title=title,
        body=reason,
        url=_plan_url(plan),
    )
