"""Handing a task to the broker from a request, without the broker's
absence becoming a server error.

``task.delay`` raises when Redis is down or unreachable (after kombu's own
short publish retries). A page must not answer 500 for that: the caller
gets ``False``, tells the user, and leaves its row in a state that a sweep
or the user can send again (a document job stays queued and
``reports.settle`` sends it once the broker is back). Used by every app, so
it lives in the base one.
"""

import logging
from typing import Any

from celery import Task
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# What publishing raises when the broker cannot be reached: kombu wraps the
# transport's connection errors in its OperationalError; a refused or reset
# socket may also surface as an OSError.
BROKER_ERRORS: tuple[type[Exception], ...] = (OperationalError, OSError)


def enqueue(task: Task, *args: Any, **kwargs: Any) -> bool:
    """Queue ``task(*args, **kwargs)``; whether the broker took it."""
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except BROKER_ERRORS:
        logger.warning("The broker could not be reached: %s%r was not queued.", task.name, args)
        return False
    return True
