"""Tests run on the machine's PostgreSQL and Redis when they are reachable,
and on the embedded default (SQLite, no broker) otherwise. With
``REQUIRE_SERVICES=1`` (CI) an unreachable service is an error, not a
fallback."""

import os
import socket

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/15"
REQUIRE_SERVICES = env.bool("REQUIRE_SERVICES", default=False)


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _service_url(var: str, default: str, host: str, port: int) -> str:
    url = env.str(var, default="")
    if url:
        return url
    if _reachable(host, port):
        return default
    if REQUIRE_SERVICES:
        raise ImproperlyConfigured(
            f"REQUIRE_SERVICES=1 but {var} is unset and {host}:{port} is unreachable."
        )
    return ""


_database_url = _service_url("DATABASE_URL", POSTGRES_URL, "127.0.0.1", 5432)
if _database_url:
    DATABASES = {"default": env.db_url_config(_database_url)}
# The broker used by tests that start a real Celery worker; every other test
# runs tasks in-process.
TEST_BROKER_URL = _service_url("CELERY_BROKER_URL", REDIS_URL, "127.0.0.1", 6379)


def _broker_of_worker(url: str, worker: str) -> str:
    """Under pytest-xdist each worker process ("gw0", "gw1", …) has a Redis
    database of its own, counting down from the one given (15, 14, …), so
    that one worker's flush or Celery worker never takes another's tasks."""
    if not url or not worker.startswith("gw"):
        return url
    base, _slash, database = url.rpartition("/")
    index = int(worker.removeprefix("gw"))
    return f"{base}/{(int(database or 0) - index) % 16}"


TEST_BROKER_URL = _broker_of_worker(TEST_BROKER_URL, os.environ.get("PYTEST_XDIST_WORKER", ""))
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True

SECRET_KEY = "tests-only-not-a-secret"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# live_server cannot serve manifest-hashed names that were never collected.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]

ALLOW_DEMO_DATA = True
# Serve static files from the finders: tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
