"""Elections: the election a unit below holds for the seats its approved
allocation binds, and its candidates."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .people import Person


class Election(models.Model):
    """The election a conference holds of its delegates to the conference
    above, within the quota the approved allocation gives its unit."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being recorded")
        CONFIRMED = "confirmed", _("Confirmed")

    conference = models.OneToOneField(
        "congress.Conference", on_delete=models.PROTECT, related_name="election"
    )
    target = models.ForeignKey(
        "congress.Conference",
        on_delete=models.PROTECT,
        related_name="incoming_elections",
        verbose_name=_("elects delegates to"),
    )
    # The approved allocation version whose quota bound the election when
    # it was confirmed: a newer version never changes it silently.
    allocation = models.ForeignKey(
        "Allocation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bound_elections",
        verbose_name=_("allocation that bound it"),
    )
    valid_ballots = models.PositiveIntegerField(_("valid ballots"), default=0)
    # Elected: votes > threshold × valid ballots (default: more than half).
    threshold_numerator = models.PositiveSmallIntegerField(default=1)
    threshold_denominator = models.PositiveSmallIntegerField(default=2)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    lock_version = models.PositiveIntegerField(default=1)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold_numerator__lt=F("threshold_denominator")),
                name="delegates_election_threshold_below_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conference} → {self.target}"

    @property
    def is_confirmed(self) -> bool:
        """Its result is final: the elected are delegates above."""
        return self.status == self.Status.CONFIRMED


class Candidate(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="candidacies")
    votes = models.PositiveIntegerField(_("votes"), default=0)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="delegates_candidate_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.votes}"
