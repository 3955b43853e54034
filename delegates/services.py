"""Writes to delegates. Seats are scarce: every addition locks the
conference's row, counts, and only then inserts, so two officers adding the
last seat at once cannot both succeed; a unique constraint keeps a person
from attending one conference twice."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from congress.models import Conference
from units.models import User
from units.permissions import Action, require_permission
from units.text import nfc

from . import selectors
from .models import Category, Delegate, Person


@transaction.atomic
def add_delegate(
    *,
    actor: User,
    conference: Conference,
    category: str,
    person: Person | None = None,
    guest_name: str = "",
    guest_title: str = "",
    guest_organisation: str = "",
    elected_at: Conference | None = None,
    note: str = "",
    check_permission: bool = True,
) -> Delegate:
    """Add one delegate to ``conference`` within its cap.

    Guests may be outside the register (a name, title and organisation);
    official and elected delegates are people of the conference unit's
    subtree. The cap counts guests or not as the tier says. A person who is
    already a delegate of the conference is refused (flagged, never
    duplicated). ``check_permission=False`` is for services that checked
    the actor's right themselves (an election's confirmation).
    """
    if check_permission:
        require_permission(actor, Action.CHANGE, conference.unit)
    if category not in Category.values:
        raise ValidationError({"category": _("Choose a category.")})
    # Lock the conference: additions to it are serialised from here on.
    conference = (
        Conference.objects.select_for_update().select_related("tier", "unit").get(pk=conference.pk)
    )
    if conference.status == Conference.Status.CLOSED:
        raise ValidationError(_("The conference is closed: its delegates can no longer change."))
    if category == Category.GUEST and person is None:
        guest_name = nfc(guest_name.strip())
        if not guest_name:
            raise ValidationError({"guest_name": _("Enter the guest's full name.")})
    elif person is None:
        raise ValidationError({"person": _("Choose a person from the register.")})
    if person is not None:
        if not person.unit.is_within(conference.unit):
            raise ValidationError(
                {"person": _("This person does not belong to the units of this conference.")}
            )
        if Delegate.objects.filter(conference=conference, person=person).exists():
            raise ValidationError(
                {
                    "person": _("%(name)s is already a delegate of this conference.")
                    % {"name": person.full_name}
                }
            )
    if category == Category.ELECTED and elected_at is None:
        raise ValidationError(_("An elected delegate needs the conference that elected them."))
    counts = category != Category.GUEST or conference.tier.cap_counts_guests
    cap = selectors.delegate_cap(conference)
    if counts and cap is not None and selectors.counted_delegates(conference).count() >= cap:
        raise ValidationError(
            _("The conference is full: at most %(cap)s delegates%(guests)s.")
            % {
                "cap": cap,
                "guests": "" if conference.tier.cap_counts_guests else _(", guests not counted"),
            }
        )
    delegate = Delegate(
        conference=conference,
        category=category,
        person=person,
        unit=elected_at.unit if elected_at is not None else (person.unit if person else None),
        guest_name=guest_name if person is None else "",
        guest_title=nfc(guest_title.strip()),
        guest_organisation=nfc(guest_organisation.strip()),
        elected_at=elected_at,
        note=nfc(note.strip()),
        added_by=actor,
    )
    try:
        with transaction.atomic():
            delegate.save()
    except IntegrityError as error:
        raise ValidationError(
            {"person": _("This person is already a delegate of this conference.")}
        ) from error
    return delegate


@transaction.atomic
def remove_delegate(*, actor: User, delegate: Delegate) -> None:
    require_permission(actor, Action.CHANGE, delegate.conference.unit)
    conference = Conference.objects.select_for_update().get(pk=delegate.conference_id)
    if conference.status == Conference.Status.CLOSED:
        raise ValidationError(_("The conference is closed: its delegates can no longer change."))
    delegate.delete()


@transaction.atomic
def add_official_delegates(
    *, actor: User, conference: Conference, people: list[Person]
) -> list[Delegate]:
    """Add the officer's confirmed selection of suggested official
    delegates, all or nothing: if the selection does not fit in the seats
    left under the cap, nothing is added and the error says how many seats
    are left; any other refusal (a person added meanwhile by someone else)
    undoes the whole selection too."""
    require_permission(actor, Action.CHANGE, conference.unit)
    if not people:
        raise ValidationError(_("Choose at least one person."))
    # Locked before counting, as add_delegate does: the seats left cannot
    # change between this count and the additions.
    locked = (
        Conference.objects.select_for_update().select_related("tier", "unit").get(pk=conference.pk)
    )
    cap = selectors.delegate_cap(locked)
    if cap is not None:
        left = max(0, cap - selectors.counted_delegates(locked).count())
        if len(people) > left:
            raise ValidationError(
                ngettext(
                    "Nothing was added: %(left)s seat is left and %(chosen)s people are chosen.",
                    "Nothing was added: %(left)s seats are left and %(chosen)s people are chosen.",
                    left,
                )
                % {"left": left, "chosen": len(people)}
            )
    return [
        add_delegate(
            actor=actor,
            conference=locked,
            category=Category.OFFICIAL,
            person=person,
            check_permission=False,
        )
        for person in people
    ]
