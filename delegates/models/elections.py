"""Elections: the election a unit below holds for the seats its approved
allocation binds, its candidates, and its rounds of voting (the first
among every candidate, each run-off among those tied at the last seat),
each with its ballots and its votes. A round is never written over: once
a further round is opened, the one before is kept as it was counted.

After the confirmation, a seat left by an elected delegate when nobody
is next in line is filled by a further round (bầu bổ sung): a round of
the same election for the seats it fills (``ElectionRound.fills_seats``),
outside the election's own count, with the same ballots and minutes."""

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
    """A person standing in the election (every round's candidates are
    among them)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="candidacies")

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="delegates_candidate_once"),
        ]

    def __str__(self) -> str:
        return str(self.person)


class ElectionRound(models.Model):
    """One round of voting with its ballots (the vote-count minutes'
    figures): round 1 among every candidate; a run-off among those tied at
    the last seat of the round before. Who was summoned and present is
    taken from the check-in of the electing conference when it was used,
    else entered; the counting committee (Ban kiểm phiếu) and when its
    count ended are entered for the minutes."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    summoned = models.PositiveIntegerField(_("delegates summoned"), null=True, blank=True)
    present = models.PositiveIntegerField(_("delegates present"), null=True, blank=True)
    present_from_check_in = models.BooleanField(default=False)
    ballots_issued = models.PositiveIntegerField(_("ballots issued"), default=0)
    ballots_returned = models.PositiveIntegerField(_("ballots returned"), default=0)
    valid_ballots = models.PositiveIntegerField(_("valid ballots"), default=0)
    invalid_ballots = models.PositiveIntegerField(_("invalid ballots"), default=0)
    # The counting committee, one member a line ("Nguyễn Văn An - Trưởng ban").
    committee = models.TextField(_("vote-counting committee"), blank=True)
    # A further round after the confirmation: the seats it fills (the
    # pending replacements pointing at it). ``None``: a round of the
    # election's own count (round 1 and its run-offs).
    fills_seats = models.PositiveSmallIntegerField(_("seats it fills"), null=True, blank=True)
    count_ended_at = models.DateTimeField(_("count ended at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        verbose_name = _("election round")
        verbose_name_plural = _("election rounds")
        ordering = ["election", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "number"], name="delegates_election_round_once"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="delegates_election_round_from_one"
            ),
            models.CheckConstraint(
                condition=Q(ballots_returned__lte=F("ballots_issued")),
                name="delegates_election_round_returned_within_issued",
            ),
            models.CheckConstraint(
                condition=Q(ballots_returned=F("valid_ballots") + F("invalid_ballots")),
                name="delegates_election_round_returned_valid_or_invalid",
            ),
            models.CheckConstraint(
                condition=Q(fills_seats__isnull=True) | Q(fills_seats__gte=1),
                name="delegates_election_round_fills_a_seat",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.election} · {self.number}"

    @property
    def is_recorded(self) -> bool:
        """Its ballots are counted (at least one valid ballot)."""
        return self.valid_ballots > 0

    @property
    def is_further(self) -> bool:
        """A further round after the confirmation, for seats left empty."""
        return self.fills_seats is not None

    @property
    def is_runoff(self) -> bool:
        """A run-off of the election itself (never a further round)."""
        return self.fills_seats is None and self.number > 1

    @property
    def committee_members(self) -> list[str]:
        return [line.strip() for line in self.committee.splitlines() if line.strip()]


class RoundCandidate(models.Model):
    """A candidate standing in one round, with the votes they got in it."""

    round = models.ForeignKey(ElectionRound, on_delete=models.CASCADE, related_name="entries")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="rounds")
    votes = models.PositiveIntegerField(_("votes"), default=0)

    class Meta:
        verbose_name = _("candidate of a round")
        verbose_name_plural = _("candidates of a round")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "candidate"], name="delegates_round_candidate_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate}: {self.votes}"


class Replacement(models.Model):
    """An elected delegate who cannot attend, replaced after the
    confirmation by the next candidate above the threshold (the final
    round's order, then the rounds before), within the unit's quota; or,
    when nobody is next in line, by whom a further round elects. Both
    stay on record: the replaced keeps their candidacy, votes and history,
    the substitute becomes an elected delegate of the conference above.
    A substitute may be replaced in turn; nobody is replaced twice, and
    nobody is the substitute of two seats."""

    class Status(models.TextChoices):
        SEATED = "seated", _("Seat filled")
        # Awaiting the further round it points at: no substitute yet, the
        # replaced still in the list of the conference above.
        PENDING = "pending", _("Awaiting a further round")
        # The further round elected nobody for it: the replaced left, the
        # seat stays empty.
        LEFT_EMPTY = "left_empty", _("Seat left empty")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="replacements")
    replaced = models.OneToOneField(
        Candidate,
        on_delete=models.PROTECT,
        related_name="replacement",
        verbose_name=_("replaced delegate"),
    )
    substitute = models.OneToOneField(
        Candidate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitution",
        verbose_name=_("substitute"),
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SEATED)
    # The round whose votes put the substitute there: next in line by it,
    # or elected by it (a further round); for a pending one, the further
    # round that decides.
    round = models.ForeignKey(ElectionRound, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("replacement of an elected delegate")
        verbose_name_plural = _("replacements of elected delegates")
        ordering = ["election", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(replaced=F("substitute")),
                name="delegates_replacement_not_oneself",
            ),
            # A substitute exactly when the seat is filled.
            models.CheckConstraint(
                condition=Q(status="seated", substitute__isnull=False)
                | (~Q(status="seated") & Q(substitute__isnull=True)),
                name="delegates_replacement_substitute_when_seated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.replaced} → {self.substitute or self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_left_empty(self) -> bool:
        return self.status == self.Status.LEFT_EMPTY
