"""Delegates: a delegate is a person (or, for guests, a name) attending one
conference in one category, with the check-in code of their invitation;
a conference's own composition rules."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .people import Person


class Category(models.TextChoices):
    """The three kinds of delegate (DOMAIN.md), in protocol order."""

    GUEST = "guest", _("Guest delegate")
    OFFICIAL = "official", _("Official delegate")
    ELECTED = "elected", _("Elected delegate")


# Check-in codes avoid look-alike characters (0/O, 1/I/L): typed at the door.
CHECK_IN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECK_IN_CODE_LENGTH = 6


def new_check_in_code() -> str:
    """A short random code printed (and QR-encoded) on the invitation;
    unique across conferences, so a foreign code is recognised as such."""
    return "".join(secrets.choice(CHECK_IN_ALPHABET) for _ in range(CHECK_IN_CODE_LENGTH))


class Delegate(models.Model):
    """One attendee of one conference. Guests may be outside the register
    (a name, a title, an organisation); the others are people."""

    conference = models.ForeignKey(
        "congress.Conference", on_delete=models.CASCADE, related_name="delegates"
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="delegations"
    )
    # The unit the delegate comes from (the person's unit, or for an
    # elected delegate the unit whose conference elected them).
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    guest_name = models.CharField(_("full name"), max_length=150, blank=True)
    guest_title = models.CharField(_("title / position"), max_length=255, blank=True)
    guest_organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    elected_at = models.ForeignKey(
        "congress.Conference",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("elected at"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    check_in_code = models.CharField(
        _("check-in code"),
        max_length=CHECK_IN_CODE_LENGTH,
        unique=True,
        default=new_check_in_code,
        editable=False,
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")
        constraints = [
            # The same person attends a conference once, whatever the category.
            models.UniqueConstraint(
                fields=["conference", "person"],
                condition=Q(person__isnull=False),
                name="delegates_delegate_person_once",
            ),
            models.CheckConstraint(
                condition=Q(category="guest") | Q(person__isnull=False),
                name="delegates_delegate_non_guest_is_person",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(guest_name=""),
                name="delegates_delegate_has_a_name",
            ),
            models.CheckConstraint(
                condition=~Q(category="elected") | Q(elected_at__isnull=False),
                name="delegates_delegate_elected_has_source",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.person.full_name if self.person_id else self.guest_name


class CompositionRules(models.Model):
    """A conference's own composition, where the guidance lets VSS set it
    separately (the HQ bloc's tier-2 conference): its categories, the lines
    of the official list that give a seat, and its maximum. Without a row,
    the tier's rules apply (those of a province's conference)."""

    conference = models.OneToOneField(
        "congress.Conference", on_delete=models.CASCADE, related_name="composition_rules"
    )
    categories = models.JSONField(
        _("categories of delegates"),
        default=list,
        help_text=_("Values of Category; empty: all three."),
    )
    official_lines = models.JSONField(
        _("lines of the official list"),
        default=list,
        help_text=_("Keys of the official-delegate lines that give a seat; empty: the tier's."),
    )
    cap = models.PositiveIntegerField(
        _("maximum attendance"), null=True, blank=True, help_text=_("Empty: the tier's.")
    )
    cap_counts_guests = models.BooleanField(
        _("guests count towards the maximum"), null=True, blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("composition of a conference")
        verbose_name_plural = _("compositions of conferences")

    def __str__(self) -> str:
        return str(self.conference)
