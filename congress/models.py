"""The emulation cycle and its three tiers of conferences.

Every figure of DOMAIN.md (deadlines, caps, lengths, pilots) is data of a
cycle, editable in the admin, so cycle VI or a ministry's cycle needs no
code change.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from units.models import UnitKind


class ConferenceLength(models.TextChoices):
    HALF_DAY = "half_day", _("Half a day")
    FULL_DAY = "full_day", _("One day")


class CombinedWith(models.TextChoices):
    YEAR_END_REVIEW = "year_end_review", _("Year-end review conference")
    STAFF_CONFERENCE = "staff_conference", _("Staff (CCVC) conference")


class Cycle(models.Model):
    number = models.CharField(
        _("number"), max_length=16, unique=True, help_text=_("For example: V.")
    )
    name = models.CharField(_("name"), max_length=255)
    congress_name = models.CharField(_("name of the Congress"), max_length=255)
    period_start_year = models.PositiveSmallIntegerField(_("period from"))
    period_end_year = models.PositiveSmallIntegerField(_("period to"))
    is_current = models.BooleanField(
        _("current cycle"),
        default=False,
        help_text=_("The cycle shown to administrators; only one at a time."),
    )
    pilot_units = models.ManyToManyField(
        "units.Unit",
        blank=True,
        related_name="pilot_in_cycles",
        verbose_name=_("pilot units"),
        help_text=_("Units that hold their conference first so others learn."),
    )

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["-period_start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="congress_cycle_one_current",
            ),
            models.CheckConstraint(
                condition=Q(period_start_year__lte=F("period_end_year")),
                name="congress_cycle_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def period(self) -> str:
        return f"{self.period_start_year}–{self.period_end_year}"


class Tier(models.Model):
    class Level(models.IntegerChoices):
        GRASSROOTS = 1, _("Grassroots")
        UPPER_GRASSROOTS = 2, _("Upper grassroots")
        CONGRESS = 3, _("Congress")

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("cycle")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    name = models.CharField(_("name"), max_length=255)
    organiser_kinds = models.JSONField(
        _("organised by"),
        default=list,
        help_text=_("The kinds of unit that organise a conference of this tier."),
    )
    allows_half_day = models.BooleanField(_("half a day allowed"), default=True)
    allows_full_day = models.BooleanField(_("one day allowed"), default=False)
    window_start = models.DateField(_("held from"))
    deadline = models.DateField(_("must be held by"))
    cap = models.PositiveIntegerField(
        _("maximum attendance"),
        null=True,
        blank=True,
        help_text=_("Empty: all staff of the unit attend."),
    )
    cap_counts_guests = models.BooleanField(_("guests count towards the maximum"), default=True)
    may_combine_with_year_end_review = models.BooleanField(
        _("may be combined with the year-end review"), default=False
    )
    may_combine_with_staff_conference = models.BooleanField(
        _("may be combined with the staff conference"), default=False
    )

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["cycle", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "level"], name="congress_tier_level_unique_in_cycle"
            ),
            models.CheckConstraint(
                condition=Q(window_start__lte=F("deadline")),
                name="congress_tier_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(allows_half_day=True) | Q(allows_full_day=True),
                name="congress_tier_some_length_allowed",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.organiser_kinds) - set(UnitKind.values)
        if unknown:
            raise ValidationError(
                {"organiser_kinds": _("Unknown unit kinds: %s") % ", ".join(sorted(unknown))}
            )

    @property
    def allowed_lengths(self) -> list[ConferenceLength]:
        return [
            length
            for length, allowed in (
                (ConferenceLength.HALF_DAY, self.allows_half_day),
                (ConferenceLength.FULL_DAY, self.allows_full_day),
            )
            if allowed
        ]

    @property
    def combinable_with(self) -> list[CombinedWith]:
        return [
            option
            for option, allowed in (
                (CombinedWith.YEAR_END_REVIEW, self.may_combine_with_year_end_review),
                (CombinedWith.STAFF_CONFERENCE, self.may_combine_with_staff_conference),
            )
            if allowed
        ]

    def get_organiser_kinds_display(self) -> list[str]:
        labels = dict(UnitKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.organiser_kinds]


class TierCapException(models.Model):
    """A unit allowed a different maximum (cycle V: 350 for the HQ bloc,
    BHXH TP.HCM and BHXH TP. Hà Nội instead of 300)."""

    tier = models.ForeignKey(
        Tier,
        on_delete=models.CASCADE,
        related_name="cap_exceptions",
        verbose_name=_("tier"),
    )
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.CASCADE,
        related_name="cap_exceptions",
        verbose_name=_("unit"),
    )
    cap = models.PositiveIntegerField(_("maximum attendance"))

    class Meta:
        verbose_name = _("maximum for a unit")
        verbose_name_plural = _("maxima for particular units")
        constraints = [
            models.UniqueConstraint(fields=["tier", "unit"], name="congress_capexception_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.cap}"

    def clean(self) -> None:
        if self.tier_id and self.unit_id and self.unit.cycle_id != self.tier.cycle_id:
            raise ValidationError({"unit": _("The unit belongs to another cycle's hierarchy.")})
