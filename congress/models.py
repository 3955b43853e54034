"""The emulation cycle and its three tiers of conferences.

Every figure of DOMAIN.md (deadlines, caps, lengths, pilots) is data of a
cycle, editable in the admin, so cycle VI or a ministry's cycle needs no
code change.
"""

import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
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
    hierarchy = models.ForeignKey(
        "units.Hierarchy",
        on_delete=models.PROTECT,
        related_name="cycles",
        verbose_name=_("hierarchy"),
        help_text=_("The tree of units the cycle runs on; two cycles may share one."),
    )
    is_demo = models.BooleanField(
        _("demonstration"),
        default=False,
        help_text=_("Figures copied for a demonstration, until the real guidance is entered."),
    )
    congress_name = models.CharField(_("name of the Congress"), max_length=255)
    period_start_year = models.PositiveSmallIntegerField(_("period from"))
    period_end_year = models.PositiveSmallIntegerField(_("period to"))
    is_current = models.BooleanField(
        _("current cycle"),
        default=False,
        help_text=_("The cycle shown to administrators; only one at a time."),
    )
    women_target_percent = models.PositiveSmallIntegerField(
        _("target share of women delegates (%)"), default=30
    )
    minority_target_percent = models.PositiveSmallIntegerField(
        _("target share of ethnic-minority delegates (%)"), default=5
    )
    # Plausibility (one rule everywhere): attendance above this multiple of
    # the unit's headcount needs a confirmation with a reason.
    attendance_headcount_multiple = models.DecimalField(
        _("plausible attendance, as a multiple of the headcount"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text=_("Attendance above this multiple of the unit's staff must be confirmed."),
    )
    # Balance at the Congress: each level's and field's share of the elected
    # against its target (empty: its share of the sector's staff).
    balance_tolerance_points = models.PositiveSmallIntegerField(
        _("balance tolerance (percentage points)"),
        default=10,
        help_text=_("A level or field whose share of the elected differs more is warned of."),
    )
    balance_targets = models.JSONField(
        _("balance targets"),
        default=dict,
        blank=True,
        help_text=_(
            'Shares in %, e.g. {"levels": {"district": 60}, "fields": {"collection": 20}}; '
            "a level or field left out is compared with its share of the sector's staff."
        ),
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

    @property
    def period_label(self) -> str:
        """The period documents name the cycle by, marked when the cycle is
        a demonstration: "2016–2020", "2026–2030 (minh họa)"."""
        if self.is_demo:
            return _("%(period)s (demonstration)") % {"period": self.period}
        return self.period


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
    papers_half_day = models.PositiveSmallIntegerField(
        _("papers for half a day"),
        default=5,
        help_text=_("How many papers a half-day conference has room for."),
    )
    papers_full_day = models.PositiveSmallIntegerField(
        _("papers for one day"),
        default=10,
        help_text=_("How many papers a one-day conference has room for."),
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
    def allocates_seats(self) -> bool:
        """Its conferences elect seats allocated among the units below
        (tier 2 and the Congress; a tier-1 conference has no quota)."""
        return self.level >= self.Level.UPPER_GRASSROOTS

    @property
    def sends_delegates_up(self) -> bool:
        """Its conferences elect delegates to the tier above (all but the
        Congress)."""
        return self.level < self.Level.CONGRESS

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
        if self.tier_id and self.unit_id and self.unit.hierarchy_id != self.tier.cycle.hierarchy_id:
            raise ValidationError({"unit": _("The unit belongs to another cycle's hierarchy.")})


class TierExemption(models.Model):
    """A unit that truly cannot hold its conference of a tier, recorded by
    the council with a reason: the tier above may go ahead without it (the
    tiers run in order otherwise)."""

    tier = models.ForeignKey(
        Tier, on_delete=models.CASCADE, related_name="exemptions", verbose_name=_("tier")
    )
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="exemptions", verbose_name=_("unit")
    )
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        constraints = [
            models.UniqueConstraint(fields=["tier", "unit"], name="congress_exemption_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.tier}"


class FieldOfWork(models.TextChoices):
    """Fields of work (lĩnh vực nghiệp vụ) of the sector, for papers and
    delegates."""

    COLLECTION = "collection", _("Contribution collection and debt recovery")
    BOOKS_CARDS = "books_cards", _("Social insurance books and health insurance cards")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance benefits")
    HEALTH_INSURANCE = "health_insurance", _("Health insurance assessment")
    FINANCE = "finance", _("Planning and finance")
    INSPECTION = "inspection", _("Inspection")
    IT = "it", _("Information technology")
    COMMUNICATION = "communication", _("Communication")
    ADMINISTRATION = "administration", _("Administration and personnel")
    SERVICE = "service", _("Administrative procedures and service")
    OTHER = "other", _("Other")


class Conference(models.Model):
    """One unit's conference of one tier (Hội nghị điển hình tiên tiến, or
    the Congress itself). Its status moves only through
    ``congress.services.transition_conference``."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        HELD = "held", _("Held")
        CLOSED = "closed", _("Closed")

    tier = models.ForeignKey(
        Tier, on_delete=models.PROTECT, related_name="conferences", verbose_name=_("tier")
    )
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="conferences",
        verbose_name=_("organising unit"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"))
    venue = models.CharField(_("venue"), max_length=255)
    length = models.CharField(_("length"), max_length=16, choices=ConferenceLength.choices)
    combined_with = models.CharField(
        _("combined with"), max_length=32, choices=CombinedWith.choices, blank=True
    )
    expected_attendance = models.PositiveIntegerField(_("expected attendance"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    actual_attendance = models.PositiveIntegerField(_("actual attendance"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Why figures outside the plausible range (attendance above the cycle's
    # multiple of the headcount, a held date outside the tier's window) are
    # right: the explicit confirmation, shown as such on the board.
    unusual_figures_reason = models.TextField(_("why the unusual figures are right"), blank=True)
    # The council's acceptance of a conference that comes before a pilot
    # unit's of the same tier (pilots first), with its reason.
    order_accepted_reason = models.TextField(
        _("why it may come before the pilot units"), blank=True
    )
    order_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted before the pilots by"),
    )
    order_accepted_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: every change bumps it; a form that carries an old
    # value was edited meanwhile by someone else and is refused.
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("conference")
        verbose_name_plural = _("conferences")
        ordering = ["date", "start_time"]
        constraints = [
            models.UniqueConstraint(
                fields=["tier", "unit"], name="congress_conference_one_per_unit_and_tier"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["held", "closed"])
                | Q(held_on__isnull=False, actual_attendance__isnull=False),
                name="congress_conference_held_has_attendance",
            ),
        ]
        indexes = [models.Index(fields=["tier", "status"], name="congress_conf_tier_status")]

    def __str__(self) -> str:
        return f"{self.tier.name} – {self.unit.name}"

    def get_absolute_url(self) -> str:
        return reverse("congress:conference_detail", args=[self.pk])

    @property
    def is_held(self) -> bool:
        return self.status in (self.Status.HELD, self.Status.CLOSED)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_closed(self) -> bool:
        """Its records (documents, papers, delegates) no longer change."""
        return self.status == self.Status.CLOSED

    @property
    def awaits_closing(self) -> bool:
        """Held, not closed yet: closing needs the minutes."""
        return self.status == self.Status.HELD

    @property
    def elects_now(self) -> bool:
        """Held, and a tier whose conference elects delegates to the next."""
        return self.is_held and self.tier.sends_delegates_up


class ConferenceTransition(models.Model):
    """One move of a conference's status: who, when, why."""

    class Action(models.TextChoices):
        REGISTER = "register", _("Registered")
        SUBMIT = "submit", _("Submitted to the council")
        ACCEPT = "accept", _("Accepted")
        RETURN = "return", _("Returned for changes")
        WITHDRAW = "withdraw", _("Withdrawn from review")
        REOPEN = "reopen", _("Reopened for changes")
        HOLD = "hold", _("Recorded as held")
        CLOSE = "close", _("Closed")
        CORRECT = "correct", _("Corrected")
        ACCEPT_ORDER = "accept_order", _("Accepted before the pilot units")

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=Conference.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Conference.Status.choices)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    # For a correction: each corrected field's old and new value, as shown.
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"

    @property
    def change_rows(self) -> list[tuple[str, object, object]]:
        """The corrected figures as (label, old, new), for the history."""
        rows = []
        for name, (old, new) in (self.changes or {}).items():
            try:
                label = str(Conference._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:
                label = name
            rows.append((label, old, new))
        return rows


def upload_path(instance: "StoredFile", filename: str) -> str:
    """Files live under a random name; the original name is kept in the row."""
    suffix = Path(filename).suffix.lower()
    return f"{instance.UPLOAD_FOLDER}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class StoredFile(models.Model):
    """An uploaded document: validated by content, stored under a random
    name, checksummed, served only through a view that checks permission."""

    UPLOAD_FOLDER = "files"

    file = models.FileField(_("file"), upload_to=upload_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True


class ConferenceDocument(StoredFile):
    """A document of a conference; each upload is a new version, the latest
    is current."""

    UPLOAD_FOLDER = "conferences"

    class Kind(models.TextChoices):
        SUMMARY_REPORT = "summary_report", _("Summary report 2016–2020 and directions")
        MINUTES = "minutes", _("Minutes / closing report")

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"))

    class Meta:
        verbose_name = _("conference document")
        verbose_name_plural = _("conference documents")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "kind", "version"], name="congress_document_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class OrganisationPlan(StoredFile):
    """A tier-2 organiser's organisation plan (kế hoạch tổ chức), filed with
    the council. Each upload is a new version, reviewed on its own."""

    UPLOAD_FOLDER = "plans"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")
        # Taken back by the unit before the council decided; the unit files
        # a new version (a plan has no draft: each upload is submitted).
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The colour of each status's badge (``{% status_badge %}``).
    STATUS_TONES = {
        Status.SUBMITTED: "primary",
        Status.ACCEPTED: "success",
        Status.RETURNED: "danger",
        Status.WITHDRAWN: "secondary",
    }

    tier = models.ForeignKey(
        Tier, on_delete=models.PROTECT, related_name="plans", verbose_name=_("tier")
    )
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="plans", verbose_name=_("unit")
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_reason = models.TextField(_("reason"), blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for the withdrawal"), blank=True)

    class Meta:
        verbose_name = _("organisation plan")
        verbose_name_plural = _("organisation plans")
        ordering = ["tier", "unit", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["tier", "unit", "version"], name="congress_plan_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} v{self.version}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_accepted(self) -> bool:
        return self.status == self.Status.ACCEPTED

    @property
    def is_returned(self) -> bool:
        return self.status == self.Status.RETURNED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN


class Paper(models.Model):
    """A paper (báo cáo tham luận) by an exemplary collective or individual."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        SELECTED = "selected", _("Selected")
        PRESENTED = "presented", _("Presented")

    class PresenterKind(models.TextChoices):
        COLLECTIVE = "collective", _("Collective")
        INDIVIDUAL = "individual", _("Individual")

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(_("title"), max_length=500)
    presenter_kind = models.CharField(
        _("presented by"), max_length=16, choices=PresenterKind.choices
    )
    presenter_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("collective / unit of the presenter"),
    )
    presenter_name = models.CharField(
        _("presenter's full name"),
        max_length=150,
        blank=True,
        help_text=_("For a paper by an individual."),
    )
    field_of_work = models.CharField(_("field of work"), max_length=32, choices=FieldOfWork.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("paper")
        verbose_name_plural = _("papers")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(presenter_kind="collective") | ~Q(presenter_name=""),
                name="congress_paper_individual_has_name",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_presented(self) -> bool:
        """Part of the conference's record: it can no longer be removed."""
        return self.status == self.Status.PRESENTED

    @property
    def is_selected(self) -> bool:
        return self.status == self.Status.SELECTED

    @property
    def by_individual(self) -> bool:
        return self.presenter_kind == self.PresenterKind.INDIVIDUAL


class CommunicationActivity(models.Model):
    """Communication before and during a conference (DOMAIN.md)."""

    class Kind(models.TextChoices):
        HO_CHI_MINH_THOUGHT = (
            "ho_chi_minh_thought",
            _("Propaganda of Ho Chi Minh's thought on patriotic emulation"),
        )
        EXEMPLARS_ON_MEDIA = "exemplars_on_media", _("Publicising exemplars on the sector's media")
        DIALOGUE = "dialogue", _("Dialogue with exemplars")
        CULTURAL = "cultural", _("Cultural performance")
        OTHER = "other", _("Other")

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="communication_activities"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    date = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=255)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("communication activity")
        verbose_name_plural = _("communication activities")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.date:%d/%m/%Y})"
