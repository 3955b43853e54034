"""The staff register: a person is one record across all tiers, with the
emulation titles awarded to them."""

import re

from django.db import models
from django.db.models import Q
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


# ``is_ethnic_minority`` and ``is_exemplar`` as conditions the database
# evaluates, for lists filtered before they are paginated.
ETHNIC_MINORITY = ~Q(ethnicity__iregex=rf"^\s*{re.escape(KINH)}\s*$")
EXEMPLAR = Q(exemplar_reason__regex=r"\S")


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


# Each title in a few words ("CSTĐ cơ sở"), highest first: for badges and narrow columns.
TITLE_SHORT_LABELS = {
    EmulationTitle.Title.NATIONAL: _("National ES"),
    EmulationTitle.Title.SECTOR: _("Sector ES"),
    EmulationTitle.Title.GRASSROOTS: _("Grassroots ES"),
}
