"""Jobs that settle: every unfinished document job ends (done, or failed
with a message) or is handed to a worker again within minutes, whatever
happened to its worker or to the broker.

The database, not the broker, is the record of what is owed. Each step of
a job (its own task, each chunk of a split batch, the merge) records when
it was handed to the broker (``dispatched_at``) and when a delivery took it
(``started_at``). A step with neither sign of life for
``REPORTS_STALL_AFTER`` seconds has no worker on it: that is longer than
the hard time limit, so any delivery that took it has ended, and longer
than the wait of a step handed over but not yet taken up in an ordinary
queue. The sweep then sends the step again (a new delivery, which takes it
over: ``services._claim``), or fails the job once its steps have been
delivered ``REPORTS_MAX_ATTEMPTS`` times. Whatever its steps, a job
unfinished ``REPORTS_JOB_DEADLINE`` after it was asked for fails.

That covers a request made while the broker was down (never handed over),
a broker restarted without its queue (handed over, never taken up), a
worker killed whole (taken, never finished; Redis would give the message
back only after its visibility timeout) and a task whose failure could not
be recorded. ``settle_documents`` runs it each minute (Celery beat), and a
job's page settles its own job when it is due, so a page never shows
"being prepared" for a job that no worker will finish.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .models import DocumentJob, DocumentPart

Status = DocumentJob.Status
Step = tuple[str, DocumentJob | DocumentPart]


def settle_jobs(*, now: datetime | None = None) -> int:
    """Settle every unfinished job; how many were sent again or failed."""
    now = now or timezone.now()
    unfinished = DocumentJob.objects.filter(status__in=[Status.QUEUED, Status.RUNNING])
    return sum(settle_job(job_id, now=now) for job_id in unfinished.values_list("pk", flat=True))


def settle_if_due(job: DocumentJob) -> DocumentJob:
    """The job as a page should show it: settled first when it looks due
    (past its deadline, or no sign of life for a while). A job never
    handed over is left to the sweep: a page polled each second would
    otherwise knock at a broker that is down each second."""
    now = timezone.now()
    due = _past_deadline(job, now) or (_seen(job) and _stalled(job, now=now))
    if not job.is_finished and due:
        settle_job(job.pk)
        job.refresh_from_db()
    return job


def settle_job(job_id: int, *, now: datetime | None = None) -> bool:
    """Send again the stalled steps of one job, or fail it; whether
    anything was done."""
    now = now or timezone.now()
    with transaction.atomic():
        job = DocumentJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return False
        if _past_deadline(job, now):
            services.fail(job, _deadline_message(job))
            return True
        stalled = [(task, row) for task, row in _steps(job) if _stalled(row, now=now)]
        if not stalled:
            return False
        if any(row.attempts >= settings.REPORTS_MAX_ATTEMPTS for _task, row in stalled):
            services.fail(job, services.worker_stopped_message(settings.REPORTS_MAX_ATTEMPTS))
            return True
        for task, row in stalled:
            # Marked now, so the next sweep waits a full period for it.
            type(row).objects.filter(pk=row.pk).update(dispatched_at=now)
            transaction.on_commit(services.dispatcher(task, row.pk))
    return True


def _steps(job: DocumentJob) -> Iterator[Step]:
    """The steps the job waits for: its own task until it is split; then
    the chunks not rendered yet; then the merge."""
    if not job.parts_total:
        yield "generate_document", job
        return
    pending = list(job.parts.filter(done=False).select_related("job"))
    if pending:
        for part in pending:
            yield "render_document_part", part
    else:
        yield "merge_document", job


def _stalled(row: DocumentJob | DocumentPart, *, now: datetime | None = None) -> bool:
    """No sign of life for ``REPORTS_STALL_AFTER`` since the step was last
    handed over or taken; a step never handed over (the broker was down)
    is sent again once ``REPORTS_RESEND_AFTER`` has passed since it was
    created (not at once: its own hand-over may be on its way)."""
    now = now or timezone.now()
    signs = [moment for moment in (row.dispatched_at, row.started_at) if moment is not None]
    if signs:
        return max(signs) < now - timedelta(seconds=settings.REPORTS_STALL_AFTER)
    created = row.created_at if isinstance(row, DocumentJob) else row.job.started_at
    return created is None or created < now - timedelta(seconds=settings.REPORTS_RESEND_AFTER)


def _seen(row: DocumentJob) -> bool:
    return row.dispatched_at is not None or row.started_at is not None


def _past_deadline(job: DocumentJob, now: datetime) -> bool:
    return job.created_at < now - timedelta(seconds=settings.REPORTS_JOB_DEADLINE)


def _deadline_message(job: DocumentJob) -> str:
    if job.status == Status.QUEUED:
        return _("No worker took this document up in time. Ask for it again.")
    return _(
        "Preparing this document did not finish in time (its worker may have stopped). "
        "Ask for it again; if it fails again, ask for a smaller part."
    )
