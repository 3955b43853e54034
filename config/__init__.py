"""The project package: settings, the root URLconf, the Celery app, the
WSGI/ASGI entry points, the headers every page gets, and the system's
backup and restore (``manage.py backup`` / ``restore``). It is an installed
app only for those two commands; the domain is in the apps it assembles:
``units`` ← ``congress`` ← ``delegates`` ← ``reports``."""

from .celery import app as celery_app

__all__ = ("celery_app",)
