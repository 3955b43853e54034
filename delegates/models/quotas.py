"""Quotas: the elected seats of a conference are shared among the units below
by an ``Allocation`` (one version of the sharing, a line per unit)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Allocation(models.Model):
    """One version of the sharing of a conference's elected seats among the
    units below it. Approved, it is frozen and binds their elections."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    # The colour of each status's badge (``{% status_badge %}``).
    STATUS_TONES = {
        Status.DRAFT: "secondary",
        Status.SUBMITTED: "primary",
        Status.APPROVED: "success",
        Status.RETURNED: "danger",
    }

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
    # The last time the officer took the version back from the council's
    # review (it is then a draft again), and why.
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for the withdrawal"), blank=True)

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

    @property
    def is_approved(self) -> bool:
        """It binds the elections (one per conference)."""
        return self.status == self.Status.APPROVED

    @property
    def is_returned(self) -> bool:
        return self.status == self.Status.RETURNED

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


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
