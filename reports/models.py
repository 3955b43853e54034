"""Documents generated in the background: a job per request, a stored file
per distinct content.

A ``DocumentJob`` records who asked for which document with which
parameters, and how far its worker has got. A ``GeneratedFile`` is the
result, keyed by the checksum of its source (the HTML or the table handed
to the renderer), so asking twice for the same data stores one file. A big
batch is split into ``DocumentPart`` chunks that several workers render in
parallel; the last one to finish queues the merge.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class GeneratedFile(models.Model):
    """One rendered document, shared by every job that asked for the same
    source. Stored under media with its checksum; served only through
    ``reports.views`` after a permission check."""

    exporter = models.CharField(max_length=64)
    source_key = models.CharField(max_length=64, unique=True)
    file = models.FileField(upload_to="generated/%Y/%m/", max_length=255)
    filename = models.CharField(_("file name"), max_length=255)
    mimetype = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("generated file")
        verbose_name_plural = _("generated files")

    def __str__(self) -> str:
        return self.filename

    @property
    def is_pdf(self) -> bool:
        """A browser can show it in a tab."""
        return self.mimetype == "application/pdf"


class DocumentJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    # The colour of each status's badge (``{% status_badge %}``).
    STATUS_TONES = {
        Status.QUEUED: "info",
        Status.RUNNING: "info",
        Status.DONE: "success",
        Status.FAILED: "danger",
    }

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="document_jobs"
    )
    exporter = models.CharField(_("document"), max_length=64)
    params = models.JSONField(default=dict)
    title = models.CharField(_("title"), max_length=500)
    # The unit whose records the document shows: whoever may no longer see
    # it may no longer download the file.
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    # The cycle it was asked for in: "My documents" lists those of the cycle
    # one works in (two cycles may share a hierarchy, so the unit can't tell).
    cycle = models.ForeignKey(
        "congress.Cycle", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    # Filled once the source is built: the file's name and the source's
    # checksum, which the merge of a split batch stores the file under.
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    source_key = models.CharField(max_length=64, blank=True)
    parts_total = models.PositiveIntegerField(default=0)
    # Deliveries of the job's task: a task redelivered after its worker
    # died counts again; past ``MAX_ATTEMPTS`` the job fails for good.
    attempts = models.PositiveSmallIntegerField(default=0)
    # The step in hand (the job's task, then its merge): the Celery task id
    # of the delivery working on it ("" between steps), when that delivery
    # took it, and when the step was last handed to the broker (``None``:
    # not yet, e.g. the broker was down). ``reports.settle`` reads them.
    delivery = models.CharField(max_length=64, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    result = models.ForeignKey(
        GeneratedFile, on_delete=models.PROTECT, null=True, blank=True, related_name="jobs"
    )
    reused = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("document job")
        verbose_name_plural = _("document jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="reports_job_user_recent"),
            models.Index(
                fields=["status", "started_at"],
                condition=Q(status__in=["queued", "running"]),
                name="reports_job_unfinished",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(result__isnull=False),
                name="reports_job_done_has_result",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="reports_job_progress_pct"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_queued(self) -> bool:
        """Waiting for a worker."""
        return self.status == self.Status.QUEUED

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def awaits_handover(self) -> bool:
        """Queued but never handed to the broker (it was unreachable): the
        sweep sends it when it can."""
        return self.status == self.Status.QUEUED and self.dispatched_at is None


class DocumentPart(models.Model):
    """One chunk of a split batch: its source, rendered by one task into a
    temporary file, merged in ``index`` order when all are done."""

    job = models.ForeignKey(DocumentJob, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveIntegerField()
    source = models.TextField()
    file = models.FileField(upload_to="generated/parts/", max_length=255, blank=True)
    done = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    # As on the job: who renders it, since when, when it was handed over.
    delivery = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="reports_part_index_once"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}#{self.index}"
