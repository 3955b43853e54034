"""Project package (settings, URLs, Celery) and the cycle/tier domain."""

from .celery import app as celery_app

__all__ = ("celery_app",)
