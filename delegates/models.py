"""People, delegates, quota allocations and elections.

A person is one record across all tiers; a delegate is a person (or, for
guests, a name) attending one conference in one category. Elected seats of
a conference are shared among the units below by an ``Allocation``, which
binds the ``Election`` each unit below holds.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from congress.models import FieldOfWork


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Rank(models.IntegerChoices):
    """Position in the unit's hierarchy: the protocol order of lists
    (leaders first) and a ground for official delegates."""

    HEAD = 10, _("Head of unit")
    DEPUTY_HEAD = 20, _("Deputy head of unit")
    DEPARTMENT_HEAD = 30, _("Head of department")
    DEPUTY_DEPARTMENT_HEAD = 40, _("Deputy head of department")
    STAFF = 50, _("Staff")


KINH = "Kinh"


class CouncilRole(models.TextChoices):
    """A seat on an Emulation & Reward Council (HĐTĐKT): VSS has one and so
    does each province. The standing member is the "Phó Chủ tịch Thường
    trực"."""

    CHAIR = "chair", pgettext_lazy("council role", "Chair")
    STANDING = "standing", pgettext_lazy("council role", "Standing member")
    SECRETARY = "secretary", pgettext_lazy("council role", "Secretary")
    MEMBER = "member", pgettext_lazy("council role", "Member")


class Person(models.Model):
    """A member of staff (CCVC, NLĐ) of a unit."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="staff", verbose_name=_("unit")
    )
    full_name = models.CharField(_("full name"), max_length=150)
    search_name = models.CharField(max_length=150, editable=False, default="")
    # The name in Vietnamese order (given name first), as a string the
    # database sorts (``delegates.names.name_key``): lists order by it.
    name_key = models.TextField(editable=False, default="")
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=64, default=KINH)
    position = models.CharField(_("position"), max_length=255, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), choices=Rank.choices, default=Rank.STAFF)
    field_of_work = models.CharField(
        _("field of work"), max_length=32, choices=FieldOfWork.choices, default=FieldOfWork.OTHER
    )
    # A role on a named council: VSS's (its root unit) or a province's.
    council_role = models.CharField(
        _("role on the Emulation & Reward Council"),
        max_length=16,
        choices=CouncilRole.choices,
        blank=True,
    )
    council_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="council_members",
        verbose_name=_("council of"),
    )
    handles_emulation = models.BooleanField(
        _("in charge of emulation and reward work"), default=False
    )
    good_person_good_deed = models.BooleanField(
        _("“Good person, good deed” exemplar"), default=False
    )
    good_solution = models.BooleanField(_("good work solution or new model"), default=False)
    works_directly = models.BooleanField(_("carries out the work directly"), default=False)
    # "Gương điển hình tiên tiến có thành tích xuất sắc": a line of the
    # official list, set by the officer with its reason (empty: not marked).
    exemplar_reason = models.TextField(
        _("outstanding exemplar: why"),
        blank=True,
        help_text=_("Fill in to mark the person as an exemplar with outstanding achievements."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The record of the same person in the previous hierarchy's register,
    # when the register was carried into a new cycle (``carry_register``).
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_into",
        verbose_name=_("carried from"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit__path", "rank", "name_key", "pk"]
        indexes = [models.Index(fields=["unit", "rank"], name="delegates_person_unit_rank")]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__gte=1900, birth_year__lte=2100),
                name="delegates_person_birth_year_plausible",
            ),
            # A role belongs to a council, and a council needs a role.
            models.CheckConstraint(
                condition=Q(council_role="", council_unit__isnull=True)
                | (~Q(council_role="") & Q(council_unit__isnull=False)),
                name="delegates_person_council_role_has_council",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_ethnic_minority(self) -> bool:
        return self.ethnicity.strip().casefold() != KINH.casefold()

    @property
    def is_exemplar(self) -> bool:
        """Marked an exemplar with outstanding achievements (with a reason)."""
        return bool(self.exemplar_reason.strip())


class EmulationTitle(models.Model):
    """An emulation soldier title (chiến sĩ thi đua) awarded for a year."""

    class Title(models.TextChoices):
        NATIONAL = "national", _("National emulation soldier")
        SECTOR = "sector", _("Sector emulation soldier")
        GRASSROOTS = "grassroots", _("Grassroots emulation soldier")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="titles")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=16, choices=Title.choices)

    class Meta:
        verbose_name = _("emulation title")
        verbose_name_plural = _("emulation titles")
        ordering = ["year", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year", "title"], name="delegates_title_once_a_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_title_display()} {self.year}"


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


class Allocation(models.Model):
    """One version of the sharing of a conference's elected seats among the
    units below it. Approved, it is frozen and binds their elections."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    class Method(models.TextChoices):
        WEBSTER = "webster", _("Sainte-Laguë / Webster (divisor method)")
        HAMILTON = "hamilton", _("Hamilton (largest remainder)")

    conference = models.ForeignKey(
        "congress.Conference", on_delete=models.PROTECT, related_name="allocations"
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    method = models.CharField(
        _("method"), max_length=16, choices=Method.choices, default=Method.WEBSTER
    )
    tie_break = models.CharField(_("tie rule"), max_length=40)
    seed = models.BigIntegerField(_("lot seed"), null=True, blank=True)
    total_seats = models.PositiveIntegerField(_("elected seats"))
    # The computation as shown to the council: divisor, steps, tie.
    computation = models.JSONField(default=dict)
    # Optimistic locking: a change made on a stale page is refused.
    lock_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("quota allocation")
        verbose_name_plural = _("quota allocations")
        ordering = ["conference", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "version"], name="delegates_allocation_version_unique"
            ),
            models.UniqueConstraint(
                fields=["conference"],
                condition=Q(status="approved"),
                name="delegates_allocation_one_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conference} v{self.version}"


class AllocationLine(models.Model):
    """One unit's share: its attendance, exact quota, computed and final
    seats (an adjustment needs a reason)."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="lines")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    attendance = models.PositiveIntegerField(_("attendance"))
    quota_numerator = models.PositiveBigIntegerField()
    quota_denominator = models.PositiveBigIntegerField()
    computed_seats = models.PositiveIntegerField(_("computed seats"))
    seats = models.PositiveIntegerField(_("seats"))
    adjustment_reason = models.TextField(_("reason for the adjustment"), blank=True)

    class Meta:
        verbose_name = _("allocation line")
        verbose_name_plural = _("allocation lines")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "unit"], name="delegates_line_unit_once"),
            models.CheckConstraint(
                condition=Q(seats=F("computed_seats")) | ~Q(adjustment_reason=""),
                name="delegates_line_adjustment_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.seats}"


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
