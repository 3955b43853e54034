"""The Celery application.

Configuration comes from Django settings prefixed ``CELERY_``. With no
broker configured, ``CELERY_TASK_ALWAYS_EAGER`` runs every task in-process,
so the embedded default behaves like production without a worker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("emulation_congress")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
