"""The embedded default: one machine, SQLite, tasks in-process, debug on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="local-development-only-not-a-secret-7a1c4e9b2f")

ALLOW_DEMO_DATA = True

# Document jobs run in a background thread, so their page shows progress as
# it does with workers.
REPORTS_RUN_IN_THREAD = True

# A task that fails in-process records its error on its job (or logs it)
# rather than raising in the request or thread that ran it; Celery's
# retries of a transient error run in-process too.
CELERY_TASK_EAGER_PROPAGATES = False
