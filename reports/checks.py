"""System checks of the settings jobs settle by (``reports.settle``): each
time is derived from the hard time limit by default, but each can be set
from the environment, and a wrong combination would let a job run twice
at once or wait far longer than promised."""

from django.conf import settings
from django.core.checks import Error, register


@register("reports")
def check_job_timings(app_configs=None, **kwargs) -> list[Error]:
    soft = settings.CELERY_TASK_SOFT_TIME_LIMIT
    hard = settings.CELERY_TASK_TIME_LIMIT
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    rules = [
        (
            soft < hard,
            "CELERY_TASK_SOFT_TIME_LIMIT must be below CELERY_TASK_TIME_LIMIT, so that a "
            "render stops with a message before its process is killed.",
            "reports.E001",
        ),
        (
            visibility is None or visibility > hard,
            "The broker's visibility_timeout (CELERY_VISIBILITY_TIMEOUT) must exceed "
            "CELERY_TASK_TIME_LIMIT, or Redis gives a task still running to a second worker.",
            "reports.E002",
        ),
        (
            hard < settings.REPORTS_STALL_AFTER,
            "REPORTS_STALL_AFTER must exceed CELERY_TASK_TIME_LIMIT, or the sweep sends "
            "again a step whose worker is still on it.",
            "reports.E003",
        ),
        (
            settings.REPORTS_JOB_DEADLINE > settings.REPORTS_STALL_AFTER,
            "REPORTS_JOB_DEADLINE must exceed REPORTS_STALL_AFTER, or a stalled job fails "
            "before the sweep could send it again.",
            "reports.E004",
        ),
    ]
    return [Error(message, id=code) for holds, message, code in rules if not holds]
