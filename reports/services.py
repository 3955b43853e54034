"""The life of a document job: asked for, rendered (whole, or in chunks by
several workers), stored once per distinct source, failed with a clear
message, never left "being prepared" for ever.

A job moves queued → running → done | failed, only here. Each step locks
the job's row, so a task delivered twice (its worker died before
acknowledging it) finds the work done or redoes it, never half of it.

Files are whole: rendered bytes are checked (the PDF parses with its pages,
the workbook opens) before they are stored; they are written in one
``storage.save`` of the checked bytes, read back and compared, and only
then recorded in a ``GeneratedFile`` row (a name no row refers to is not a
document, and the daily purge removes it). A stored file is reused only
while its size and SHA-256 are still those recorded; otherwise it is
rendered again and replaced. A split job's chunk files go when the job
ends, done or failed.
"""

import hashlib
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import cache

from celery import Task, current_app
from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connections,
    transaction,
)
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from congress.selectors import cycle_for_user
from units.models import Notification, User
from units.notifications import interface_language, notify
from units.queue import enqueue

from .exporters import Exporter, Params, Source
from .models import DocumentJob, DocumentPart, GeneratedFile
from .pdf import PDF, check_pdf
from .registry import get_exporter
from .xlsx import XLSX, check_workbook

logger = logging.getLogger(__name__)

Status = DocumentJob.Status

# Errors that pass: the database restarting or a connection dropped. A
# task that meets one is retried with backoff (``reports.tasks``).
TRANSIENT_ERRORS = (OperationalError, InterfaceError)

# Progress shown while a job runs: the source is built, then rendered.
PROGRESS_STARTED = 5
PROGRESS_SOURCE_BUILT = 15
PROGRESS_RENDERED = 95


def request_document(*, user: User, exporter_id: str, params: Params) -> DocumentJob:
    """Record ``user``'s request and queue it once the transaction commits.
    ``exporter.target`` checks the parameters and the permission (raising
    ``Http404``, ``PermissionDenied`` or ``ValidationError``)."""
    exporter = get_exporter(exporter_id)
    target = exporter.target(user=user, params=params)
    job = DocumentJob.objects.create(
        requested_by=user,
        exporter=exporter.identifier,
        params=target.params,
        title=target.title,
        unit=target.unit,
        cycle=cycle_for_user(user),
    )
    transaction.on_commit(lambda: dispatch("generate_document", job.pk))
    return job


def download_document(
    *, user: User, exporter_id: str, params: Params, as_shown: bool = False
) -> tuple[str, str, bytes]:
    """A table document rendered at once in the request: the same
    ``exporter.target`` as a job (parameters and permission checked, with
    the same exceptions), then source and produce here. (file name, type,
    bytes). Only tables (.xlsx) are downloaded so: a PDF is a job's. 404
    for an exporter that is no table."""
    exporter = get_exporter(exporter_id)
    if exporter.mimetype != XLSX:
        raise Http404
    target = exporter.target(user=user, params=params, as_shown=as_shown)
    return exporter.render_source(exporter.source_of(target))


# Which row each task works on: it records when the task was handed over.
TASK_ROWS: dict[str, type[DocumentJob] | type[DocumentPart]] = {
    "generate_document": DocumentJob,
    "render_document_part": DocumentPart,
    "merge_document": DocumentJob,
}


def dispatch(task_name: str, object_id: int) -> bool:
    """Queue a task of ``reports.tasks`` by its name in Celery's registry
    (``ReportsConfig.ready`` registers them) and record when it was handed
    over; whether it was. A broker that cannot be reached leaves the row
    as it was (``dispatched_at`` unchanged), for ``reports.settle`` to send
    it again. On the embedded default (no broker) tasks run in-process;
    ``REPORTS_RUN_IN_THREAD`` runs them in a background thread there, so
    the page shows progress as it would with workers."""
    task = current_app.tasks[f"reports.tasks.{task_name}"]
    if settings.REPORTS_RUN_IN_THREAD:
        in_process_executor().submit(run_eagerly, task, object_id)
    elif not enqueue(task, object_id):
        return False
    TASK_ROWS[task_name].objects.filter(pk=object_id).update(dispatched_at=timezone.now())
    return True


@cache
def in_process_executor() -> ThreadPoolExecutor:
    """The embedded default's stand-in for workers: one background thread."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="documents")


def run_eagerly(task: Task, object_id: int) -> None:
    try:
        # Errors are the job's (``DocumentTask.on_failure``), not the thread's.
        task.apply(args=(object_id,), throw=False)
    finally:
        connections.close_all()


def fail(job: DocumentJob, message: str) -> None:
    """End the locked ``job`` as failed, with ``message`` for its page."""
    job.status = Status.FAILED
    job.error = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    _discard_parts_on_commit(job)


def _discard_parts_on_commit(job: DocumentJob) -> None:
    if job.parts_total:
        job_id = job.pk
        transaction.on_commit(lambda: discard_parts(job_id))


def discard_parts(job_id: int) -> None:
    """Delete the chunk files and rows of a job that has ended (done or
    failed): they were only ever the way to its one file."""
    for part in DocumentPart.objects.filter(job_id=job_id).exclude(file=""):
        try:
            part.file.delete(save=False)
        except OSError:  # left to the daily purge of files no row refers to
            logger.warning("Chunk file %s could not be deleted.", part.file.name)
    DocumentPart.objects.filter(job_id=job_id).delete()


def _finish(job: DocumentJob, result: GeneratedFile, *, reused: bool) -> None:
    job.status = Status.DONE
    job.result = result
    job.reused = reused
    job.progress = 100
    job.error = ""
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "reused", "progress", "error", "finished_at"])
    _discard_parts_on_commit(job)
    _tell_ready(job)


def _tell_ready(job: DocumentJob) -> None:
    """The one who asked for the document is told it is ready."""
    with interface_language():
        title = _("Your document is ready: %(title)s") % {"title": job.title}
    notify(
        event_key=f"document:{job.pk}:done",
        recipients=[job.requested_by],
        kind=Notification.Kind.DOCUMENT_READY,
        title=title,
        url=reverse("reports:job_detail", args=[job.pk]),
    )


def _claim(row: DocumentJob | DocumentPart, delivery: str, *, retry: bool) -> bool:
    """Whether ``delivery`` (a task id) may work on the locked ``row``, a
    job's step or a chunk, and if so take it: count the attempt (a Celery
    retry of the same delivery is not a new one) and start its lease. A
    row another delivery took less than ``REPORTS_STALL_AFTER`` ago is
    left to it (a duplicate sent by the sweep while the first was still
    queued); past that, its worker is gone (the hard time limit would have
    ended it) and this delivery takes over. The same delivery coming back
    (its worker died whole and the broker gave it back) takes it again."""
    now = timezone.now()
    lease_over = row.started_at is None or row.started_at < now - timedelta(
        seconds=settings.REPORTS_STALL_AFTER
    )
    if row.delivery and row.delivery != delivery and not lease_over:
        return False
    row.delivery = delivery
    row.started_at = now
    if not retry:
        row.attempts += 1
    return True


def _start(job_id: int, delivery: str, *, retry: bool = False) -> DocumentJob | None:
    """Lock the job and take it for this delivery; ``None`` when there is
    nothing (more) to do: finished already, split by an earlier delivery,
    held by another live delivery, or failed for its deliveries."""
    with transaction.atomic():
        job = DocumentJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        if job.parts_total:
            # Split by an earlier delivery: its chunks are queued.
            return None
        if not _claim(job, delivery, retry=retry):
            return None
        if job.attempts > settings.REPORTS_MAX_ATTEMPTS:
            fail(job, worker_stopped_message(job.attempts - 1))
            return None
        job.status = Status.RUNNING
        job.progress = PROGRESS_STARTED
        job.save(update_fields=["attempts", "delivery", "status", "started_at", "progress"])
    return job


def worker_stopped_message(times: int) -> str:
    return _(
        "The worker preparing this document stopped %(times)s times (it may have run out "
        "of memory). Ask for it again; if it fails again, ask for a smaller part."
    ) % {"times": times}


def run_job(job_id: int, *, delivery: str = "", retry: bool = False) -> None:
    """Build the job's source, reuse the file of an identical source, or
    render it: here when it is one chunk, by a task per chunk otherwise.
    ``delivery`` is the Celery task id, ``retry`` whether Celery is
    retrying it after a transient error."""
    job = _start(job_id, delivery, retry=retry)
    if job is None:
        return
    exporter = get_exporter(job.exporter)
    try:
        source = exporter.source(job.params)
    except Exception as error:
        _fail_with_log(job, error)
        return
    DocumentJob.objects.filter(pk=job.pk).update(
        filename=source.filename, source_key=source.key, progress=PROGRESS_SOURCE_BUILT
    )
    job.filename, job.source_key = source.filename, source.key
    existing = _stored(source.key)
    if existing is not None:
        _finish(job, existing, reused=True)
        return
    if len(source.chunks) > 1:
        _split(job, source)
        return
    try:
        data = exporter.produce(source.chunks[0])
    except Exception as error:
        _fail_with_log(job, error)
        return
    _store_and_finish(job, exporter, data)


def _fail_with_log(job: DocumentJob, error: Exception) -> None:
    """Fail ``job`` for what its renderer raised, with a message that
    says what to do; a transient error (the database restarting) is
    raised again, for the task to retry."""
    if isinstance(error, TRANSIENT_ERRORS):
        raise error
    if not isinstance(error, ValidationError | SoftTimeLimitExceeded):
        logger.exception("Document job %s (%s) failed.", job.pk, job.exporter)
    fail(job, failure_message(error))


def failure_message(error: BaseException) -> str:
    """What the job's page says of an error that ended it."""
    if isinstance(error, SoftTimeLimitExceeded | TimeLimitExceeded):
        return _("Preparing this document took too long. Ask for a smaller part of it.")
    if isinstance(error, ValidationError):  # the data changed since it was asked for
        return " ".join(error.messages)
    if isinstance(error, TRANSIENT_ERRORS):
        return _(
            "The database could not be reached while the document was prepared. "
            "Ask for it again in a few minutes."
        )
    return _("The document could not be prepared (%(error)s).") % {"error": error}


def step_failed(task_name: str, object_id: int, error: BaseException) -> None:
    """The edge of every document task (``DocumentTask.on_failure``): a
    task that ended with an error not handled inside (retries of a
    transient one used up, the hard time limit, a bug) fails its job with
    the message for that error. When even that cannot be written (the
    database is still down), ``reports.settle`` ends the job later."""
    try:
        if task_name == "render_document_part":
            job_id = (
                DocumentPart.objects.filter(pk=object_id).values_list("job_id", flat=True).first()
            )
        else:
            job_id = object_id
        if job_id is not None:
            _fail_if_running(job_id, failure_message(error))
    except DatabaseError:
        logger.exception(
            "Document task %s(%s) failed and could not be recorded.", task_name, object_id
        )


def damaged_message(reason: object) -> str:
    return _(
        "The prepared file is damaged or incomplete (%(reason)s), so it was not kept. "
        "Ask for the document again."
    ) % {"reason": reason}


def not_saved_message(error: object) -> str:
    return _(
        "The document was prepared but could not be saved (%(error)s). "
        "Ask for it again later; if it fails again, tell the administrator."
    ) % {"error": error}


def check_whole(mimetype: str, data: bytes, *, pages: int | None = None) -> int | None:
    """The page count of rendered ``data`` (``None`` for a workbook), if
    it is a whole file of its type; ``ValueError`` otherwise."""
    if mimetype == PDF:
        return check_pdf(data, pages=pages)
    if mimetype == XLSX:
        check_workbook(data)
    return None


def _is_intact(storage: Storage, name: str, *, size: int, sha256: str) -> bool:
    """Whether ``name`` is there with the size and checksum recorded."""
    try:
        if not name or not storage.exists(name) or storage.size(name) != size:
            return False
        digest = hashlib.sha256()
        with storage.open(name, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return False
    return digest.hexdigest() == sha256


def _stored(source_key: str) -> GeneratedFile | None:
    """The file of an identical source, if it is still whole: there, with
    the size and checksum it was recorded with."""
    existing = GeneratedFile.objects.filter(source_key=source_key).first()
    if existing is None or not _is_intact(
        existing.file.storage, existing.file.name, size=existing.size, sha256=existing.sha256
    ):
        return None
    return existing


def _split(job: DocumentJob, source: Source) -> None:
    """Record a part per chunk and queue them, once: a second delivery of
    the job's task that got this far finds the parts there and does
    nothing."""
    with transaction.atomic():
        locked = DocumentJob.objects.select_for_update().get(pk=job.pk)
        if locked.is_finished or locked.parts_total or locked.parts.exists():
            return
        parts = DocumentPart.objects.bulk_create(
            DocumentPart(job=job, index=index, source=chunk)
            for index, chunk in enumerate(source.chunks)
        )
        # The job's own step ends here; the merge takes it up again.
        DocumentJob.objects.filter(pk=job.pk).update(parts_total=len(parts), delivery="")
        for part in parts:
            transaction.on_commit(dispatcher("render_document_part", part.pk))


def dispatcher(task_name: str, object_id: int) -> Callable[[], object]:
    """``dispatch`` of one step, for ``transaction.on_commit``."""
    return lambda: dispatch(task_name, object_id)


def run_part(part_id: int, *, delivery: str = "", retry: bool = False) -> None:
    """Render one chunk to a temporary file; the last chunk done queues
    the merge. A chunk delivered twice while its first delivery still
    renders is left to it; delivered again after its worker died, it is
    rendered again, counted once."""
    with transaction.atomic():
        part = (
            DocumentPart.objects.select_for_update(of=("self",))
            .select_related("job")
            .filter(pk=part_id)
            .first()
        )
        if part is None or part.job.is_finished or part.done:
            return
        if not _claim(part, delivery, retry=retry):
            return
        part.save(update_fields=["attempts", "delivery", "started_at"])
    job = part.job
    if part.attempts > settings.REPORTS_MAX_ATTEMPTS:
        _fail_if_running(job.pk, worker_stopped_message(part.attempts - 1))
        return
    exporter = get_exporter(job.exporter)
    try:
        data = exporter.produce(part.source)
    except Exception as error:
        with transaction.atomic():
            locked = DocumentJob.objects.select_for_update().get(pk=job.pk)
            if not locked.is_finished:
                _fail_with_log(locked, error)
        return
    try:
        check_whole(exporter.mimetype, data)
    except ValueError as error:
        _fail_if_running(job.pk, damaged_message(error))
        return
    name = f"job-{job.pk}-part-{part.index}.bin"
    with transaction.atomic():
        locked = DocumentJob.objects.select_for_update().get(pk=job.pk)
        part = DocumentPart.objects.select_for_update().get(pk=part.pk)
        if locked.is_finished or part.done:
            return
        try:
            part.file.save(name, ContentFile(data), save=False)
        except OSError as error:
            logger.exception("Chunk %s of document job %s was not saved.", part.index, job.pk)
            fail(locked, not_saved_message(error))
            return
        part.done = True
        part.save(update_fields=["file", "done"])
        done = DocumentPart.objects.filter(job=locked, done=True).count()
        span = PROGRESS_RENDERED - PROGRESS_SOURCE_BUILT
        locked.progress = PROGRESS_SOURCE_BUILT + span * done // locked.parts_total
        locked.save(update_fields=["progress"])
        if done == locked.parts_total:
            transaction.on_commit(dispatcher("merge_document", locked.pk))


def merge_parts(job_id: int, *, delivery: str = "", retry: bool = False) -> None:
    """Combine the rendered chunks in order and store the result."""
    with transaction.atomic():
        job = DocumentJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return
        parts = list(job.parts.order_by("index"))
        if not parts or not all(part.done for part in parts):
            return
        if not _claim(job, delivery, retry=retry):
            return
        job.save(update_fields=["attempts", "delivery", "started_at"])
    if job.attempts > settings.REPORTS_MAX_ATTEMPTS:
        _fail_if_running(job.pk, worker_stopped_message(job.attempts - 1))
        return
    exporter = get_exporter(job.exporter)
    try:
        pieces = []
        for part in parts:
            with part.file.open("rb") as handle:
                pieces.append(handle.read())
    except OSError as error:
        _fail_if_running(job.pk, damaged_message(error))
        return
    try:
        # Each chunk is read back whole, and the merge must hold all their pages.
        pages = sum(check_pdf(piece) for piece in pieces) if exporter.mimetype == PDF else None
    except ValueError as error:
        _fail_if_running(job.pk, damaged_message(error))
        return
    try:
        data = exporter.combine(pieces)
    except Exception as error:
        _fail_with_log(job, error)
        return
    _store_and_finish(job, exporter, data, pages=pages)


def _fail_if_running(job_id: int, message: str) -> None:
    with transaction.atomic():
        locked = DocumentJob.objects.select_for_update().get(pk=job_id)
        if not locked.is_finished:
            fail(locked, message)


def _store_and_finish(
    job: DocumentJob, exporter: Exporter, data: bytes, *, pages: int | None = None
) -> None:
    """Check ``data`` (``pages`` pages when known), store it under the
    job's source key (once, whoever gets there first) and mark the job
    done; a file that is not whole, or could not be written whole, fails
    the job and is recorded nowhere."""
    try:
        pages = check_whole(exporter.mimetype, data, pages=pages)
    except ValueError as error:
        _fail_if_running(job.pk, damaged_message(error))
        return
    with transaction.atomic():
        locked = DocumentJob.objects.select_for_update().get(pk=job.pk)
        if locked.is_finished:
            return
        intact = _stored(locked.source_key)
        if intact is not None:  # another job stored the same source meanwhile
            _finish(locked, intact, reused=True)
            return
        result = GeneratedFile.objects.filter(source_key=locked.source_key).first()
        if result is None:
            result = GeneratedFile(
                exporter=exporter.identifier,
                source_key=locked.source_key,
                filename=locked.filename,
                mimetype=exporter.mimetype,
            )
        elif result.file.name:  # recorded before, lost or damaged since: replace it
            _delete_quietly(result.file.storage, result.file.name)
        result.size = len(data)
        result.sha256 = hashlib.sha256(data).hexdigest()
        result.pages = pages
        try:
            _write(result, _stored_name(locked), data)
        except OSError as error:
            logger.exception("Document job %s: the file could not be stored.", locked.pk)
            fail(locked, not_saved_message(error))
            return
        try:
            with transaction.atomic():
                result.save()
        except IntegrityError:  # another job recorded the same source meanwhile
            _delete_quietly(result.file.storage, result.file.name)
            result = GeneratedFile.objects.get(source_key=locked.source_key)
            _finish(locked, result, reused=True)
            return
        _finish(locked, result, reused=False)


def _write(result: GeneratedFile, name: str, data: bytes) -> None:
    """Write the checked bytes in one ``storage.save`` (through the
    field's storage) and read them back: ``OSError`` unless the file
    stored is exactly ``data``; a file found short is deleted."""
    result.file.save(name, ContentFile(data), save=False)
    storage, stored = result.file.storage, result.file.name
    if not _is_intact(storage, stored, size=result.size, sha256=result.sha256):
        _delete_quietly(storage, stored)
        raise OSError(_("the stored file differs from the one prepared"))


def _delete_quietly(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:  # the daily purge removes what no row refers to
        logger.warning("Generated file %s could not be deleted.", name)


def _stored_name(job: DocumentJob) -> str:
    suffix = job.filename.rsplit(".", 1)[-1] if "." in job.filename else "bin"
    return f"{job.source_key[:32]}.{suffix}"


def purge_old_documents(*, now=None) -> int:
    """Forget finished jobs older than ``REPORTS_KEEP_DAYS`` and delete the
    files no remaining job refers to (a document is asked for again when
    needed: its data is still there), then the files under ``generated/``
    that no row refers to at all (a write cut short, a chunk left by a
    worker that died). Returns how many files went."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.REPORTS_KEEP_DAYS)
    DocumentJob.objects.filter(
        status__in=[Status.DONE, Status.FAILED], created_at__lt=cutoff
    ).delete()
    orphans = GeneratedFile.objects.filter(jobs=None, created_at__lt=cutoff)
    count = 0
    for generated in orphans.iterator():
        generated.file.delete(save=False)
        generated.delete()
        count += 1
    return count + _purge_unrecorded_files(now=now)


GENERATED_DIRECTORY = "generated"


def _purge_unrecorded_files(*, now) -> int:
    """Delete the files under ``generated/`` that no ``GeneratedFile`` or
    ``DocumentPart`` names, once older than a job may run (a file being
    written now has no row yet)."""
    storage = GeneratedFile._meta.get_field("file").storage
    recorded = set(GeneratedFile.objects.values_list("file", flat=True))
    recorded.update(DocumentPart.objects.exclude(file="").values_list("file", flat=True))
    settled = now - timedelta(seconds=settings.REPORTS_JOB_DEADLINE)
    count = 0
    for name in _walk(storage, GENERATED_DIRECTORY):
        if name in recorded:
            continue
        try:
            if storage.get_modified_time(name) >= settled:
                continue
            storage.delete(name)
        except OSError:
            continue
        count += 1
    return count


def _walk(storage: Storage, directory: str) -> Iterator[str]:
    try:
        directories, files = storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{directory}/{name}"
    for name in directories:
        yield from _walk(storage, f"{directory}/{name}")
