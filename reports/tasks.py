"""Celery tasks of the documents: they take ids, call one service, and
are safe to deliver twice.

Every task here is ``acks_late`` with ``reject_on_worker_lost``: a worker
killed mid-render (out of memory, a deploy) gives the message back to the
broker and another worker renders it again; ``reports.services`` counts the
deliveries and fails the job after ``REPORTS_MAX_ATTEMPTS``. Soft and hard
time limits come from settings; a worker child is recycled after
``CELERY_WORKER_MAX_TASKS_PER_CHILD`` tasks or
``CELERY_WORKER_MAX_MEMORY_PER_CHILD`` KiB, since WeasyPrint's memory is
only given back when the process exits.
"""

from celery import shared_task

from units.once import every_5_minutes, every_day, once_per_slot

from . import services

DOCUMENT_TASK = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(**DOCUMENT_TASK)
def generate_document(job_id: int) -> None:
    services.run_job(job_id)


@shared_task(**DOCUMENT_TASK)
def render_document_part(part_id: int) -> None:
    services.run_part(part_id)


@shared_task(**DOCUMENT_TASK)
def merge_document(job_id: int) -> None:
    services.merge_parts(job_id)


@shared_task
@once_per_slot(every_5_minutes)
def expire_stale_documents() -> int:
    """Periodic (beat): fail the jobs whose workers died for good."""
    return services.expire_stale_jobs()


@shared_task
@once_per_slot(every_day)
def purge_old_documents() -> int:
    """Daily (beat): forget old jobs and delete the files nobody refers to."""
    return services.purge_old_documents()
