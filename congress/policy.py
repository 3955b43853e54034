"""May this user do this to a conference now: the conference questions of
the permission policy, asked by the views, the templates (through the
views' context) and the services alike, in this app and the apps above.

The unit-level rights (view, change, print, review, configure) are
``units.permissions``; these add the conference's state to them.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from units.models import User
from units.permissions import Action, has_permission

from .models import Conference


def may_edit_details(user: User, conference: Conference) -> bool:
    """Change the conference's details (date, venue, figures): a draft,
    and the right to change its unit."""
    return conference.is_draft and has_permission(user, Action.CHANGE, conference.unit)


def may_change_records(user: User, conference: Conference) -> bool:
    """Change the conference's records (documents, papers, communication,
    delegates, candidates, check-ins): the right to change its unit, and
    the conference not closed."""
    return not conference.is_closed and has_permission(user, Action.CHANGE, conference.unit)


def refuse_if_closed(conference: Conference, *, records: str = "") -> None:
    """``ValidationError`` when the (locked) conference is closed: the
    service's side of ``may_change_records``. ``records`` names what can no
    longer change in the message ("its delegates"); its records by default."""
    if conference.is_closed:
        if records == "delegates":
            raise ValidationError(
                _("The conference is closed: its delegates can no longer change.")
            )
        raise ValidationError(_("The conference is closed: its records can no longer change."))
