"""Celery tasks of the documents: they take ids, call one service, and
are safe to deliver twice.

Every document task is a ``DocumentTask``:

- ``acks_late`` with ``reject_on_worker_lost``: a worker child killed
  mid-render (out of memory) gives the message back to the broker at once,
  and a worker killed whole gives it back after Redis's visibility timeout;
  another worker renders it again. ``reports.services`` counts the
  deliveries and fails the job after ``REPORTS_MAX_ATTEMPTS``.
- transient errors (the database restarting, a dropped connection) are
  retried with exponential backoff, as the same delivery;
- anything else that escapes, the hard time limit included (Celery calls
  ``on_failure`` for it in the worker's main process), fails the job with a
  message at the task's edge, ``services.step_failed``.

What no task reports (a broker restarted without its queue, a worker that
died with the database down) is settled by ``settle_documents`` each
minute. Soft and hard time limits come from settings (and the environment);
a worker child is recycled after ``CELERY_WORKER_MAX_TASKS_PER_CHILD``
tasks or ``CELERY_WORKER_MAX_MEMORY_PER_CHILD`` KiB, since WeasyPrint's
memory is only given back when the process exits.
"""

from celery import Task, shared_task

from units.once import every_day, every_minute, once_per_slot

from . import services, settle


class DocumentTask(Task):
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = services.TRANSIENT_ERRORS
    max_retries = 4
    retry_backoff = 4  # seconds: 4, 8, 16, 32 (jittered), then the job fails
    retry_backoff_max = 60

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        services.step_failed(self.name.rsplit(".", 1)[-1], args[0], exc)


@shared_task(base=DocumentTask, bind=True)
def generate_document(self: Task, job_id: int) -> None:
    services.run_job(job_id, delivery=self.request.id, retry=bool(self.request.retries))


@shared_task(base=DocumentTask, bind=True)
def render_document_part(self: Task, part_id: int) -> None:
    services.run_part(part_id, delivery=self.request.id, retry=bool(self.request.retries))


@shared_task(base=DocumentTask, bind=True)
def merge_document(self: Task, job_id: int) -> None:
    services.merge_parts(job_id, delivery=self.request.id, retry=bool(self.request.retries))


@shared_task
@once_per_slot(every_minute)
def settle_documents() -> int:
    """Periodic (beat, each minute): send again the steps no worker is on,
    fail the jobs that cannot finish."""
    return settle.settle_jobs()


@shared_task
@once_per_slot(every_day)
def purge_old_documents() -> int:
    """Daily (beat): forget old jobs and delete the files nobody refers to."""
    return services.purge_old_documents()
