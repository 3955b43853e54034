"""Writes to delegates. Seats are scarce: every addition locks the
conference's row, counts, and only then inserts, so two officers adding the
last seat at once cannot both succeed; a unique constraint keeps a person
from attending one conference twice."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from congress.models import Conference
from congress.policy import refuse_if_closed
from delegates import official_lists
from delegates.models import Category, CompositionRules, Delegate, Person
from delegates.selectors import delegates as delegate_selectors
from delegates.selectors.delegates import has_own_composition, may_set_composition
from units.audit import audited
from units.models import User
from units.permissions import Action, require_permission
from units.text import nfc


@audited
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
    subtree. The conference's rules (its own composition, else the tier's)
    say which categories it has, its cap and whether guests count towards
    it; they are read under the lock. A person who is
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
        Conference.objects.select_for_update(of=("self",))
        .select_related("tier", "unit")
        .get(pk=conference.pk)
    )
    refuse_if_closed(conference, records="delegates")
    rules = delegate_selectors.conference_rules(conference)
    if not rules.allows(category):
        raise ValidationError(
            {
                "category": _("This conference's composition has no %(category)s.")
                % {"category": str(Category(category).label).lower()}
            }
        )
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
    counts = category != Category.GUEST or rules.cap_counts_guests
    cap = rules.cap
    if (
        counts
        and cap is not None
        and delegate_selectors.counted_delegates(conference).count() >= cap
    ):
        raise ValidationError(
            _("The conference is full: at most %(cap)s delegates%(guests)s.")
            % {
                "cap": cap,
                "guests": "" if rules.cap_counts_guests else _(", guests not counted"),
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


@audited
@transaction.atomic
def remove_delegate(*, actor: User, delegate: Delegate) -> None:
    require_permission(actor, Action.CHANGE, delegate.conference.unit)
    conference = Conference.objects.select_for_update().get(pk=delegate.conference_id)
    refuse_if_closed(conference, records="delegates")
    delegate.delete()


@audited
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
        Conference.objects.select_for_update(of=("self",))
        .select_related("tier", "unit")
        .get(pk=conference.pk)
    )
    rules = delegate_selectors.conference_rules(locked)
    if not rules.allows(Category.OFFICIAL):
        raise ValidationError(_("This conference's composition has no official delegates."))
    cap = rules.cap
    if cap is not None:
        left = max(0, cap - delegate_selectors.counted_delegates(locked).count())
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


@audited
@transaction.atomic
def set_composition_rules(
    *,
    actor: User,
    conference: Conference,
    categories: list[str],
    official_lines: list[str],
    cap: int | None,
    cap_counts_guests: bool | None,
) -> CompositionRules | None:
    """Set the conference's own composition: the categories it has, the
    official-list lines that give a seat (empty: the tier's list), its
    maximum (``None``: the tier's) and whether guests count (``None``: as
    the tier says). Everything left as the tier's removes the row.

    Only for the HQ bloc's conferences, by whoever may change the VSS root.
    Under the conference's lock, as additions are: the new rules must hold
    the delegates already listed (no category removed that has delegates,
    no maximum below those counted)."""
    if not may_set_composition(actor, conference):
        raise PermissionDenied
    if not has_own_composition(conference):
        raise ValidationError(_("Only the HQ bloc's conference has a composition of its own."))
    locked = (
        Conference.objects.select_for_update(of=("self",))
        .select_related("tier", "unit")
        .get(pk=conference.pk)
    )
    refuse_if_closed(locked, records="delegates")
    wanted = [c for c in Category.values if c in set(categories)]
    if not wanted:
        raise ValidationError({"categories": _("Keep at least one category of delegates.")})
    unknown = sorted(set(official_lines) - official_lists.LINE_KEYS)
    if unknown:
        raise ValidationError(
            {"official_lines": _("Unknown lines: %(keys)s.") % {"keys": ", ".join(unknown)}}
        )
    if official_lines and Category.OFFICIAL not in wanted:
        raise ValidationError(
            {"official_lines": _("Lines of the official list need official delegates.")}
        )
    if cap is not None and cap < 1:
        raise ValidationError({"cap": _("The maximum must be at least 1.")})
    per_category = dict(
        Delegate.objects.filter(conference=locked)
        .values("category")
        .annotate(count=models.Count("pk"))
        .values_list("category", "count")
    )
    for category in Category.values:
        if category not in wanted and per_category.get(category):
            raise ValidationError(
                {
                    "categories": _(
                        "%(count)s %(category)s are listed already: remove them before leaving "
                        "the category out."
                    )
                    % {
                        "count": per_category[category],
                        "category": str(Category(category).label).lower(),
                    }
                }
            )
    counts_guests = (
        locked.tier.cap_counts_guests if cap_counts_guests is None else cap_counts_guests
    )
    counted = sum(
        count
        for category, count in per_category.items()
        if category != Category.GUEST or counts_guests
    )
    if cap is not None and cap < counted:
        raise ValidationError(
            {
                "cap": _(
                    "%(counted)s delegates counted are listed already: the maximum cannot be lower."
                )
                % {"counted": counted}
            }
        )
    rules = CompositionRules.objects.filter(conference=locked).first()
    every = len(wanted) == len(Category.values)
    if every and not official_lines and cap is None and cap_counts_guests is None:
        if rules is not None:
            rules.delete()
        return None
    rules = rules or CompositionRules(conference=locked)
    rules.categories = [] if every else wanted
    # In the order of the lists, each once.
    rules.official_lines = [
        line.key
        for line in official_lists.all_lines(locked.tier.level)
        if line.key in set(official_lines)
    ]
    rules.cap = cap
    rules.cap_counts_guests = cap_counts_guests
    rules.updated_by = actor
    rules.save()
    return rules
