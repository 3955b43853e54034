"""Settings shared by every environment, read from environment variables.

Defaults give the embedded set-up: a SQLite file under ``var/`` and Celery
tasks run in-process. Point ``DATABASE_URL`` at PostgreSQL and
``CELERY_BROKER_URL`` at Redis for the production shape.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import bootstrap_wrapper
import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "axes",
    "csp",
    "auditlog",
    "congress",
    "units",
    "delegates",
    "reports",
    "config",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The request's user on every audit entry written while it runs.
    "units.audit.AuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "congress.middleware.CycleMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.PrivateCacheMiddleware",
    "config.middleware.AdminNetworkMiddleware",
    # Last, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

# The audit trail (django-auditlog): one table of entries, ours, with the
# object's unit and the reason beside the library's columns (units.audit).
AUDITLOG_LOGENTRY_MODEL = "units.AuditEntry"
# The library's own migrations would create its default table beside ours,
# unused, holding a foreign key to the content types: not created at all.
MIGRATION_MODULES = {"auditlog": None}
# Imports and fixtures record their entries themselves (units.audit).
AUDITLOG_DISABLE_ON_RAW_SAVE = True
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "congress.context_processors.current_cycle",
                "units.context_processors.audit",
                "units.context_processors.notices",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'congress.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "units.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after a working day, or when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Five failed logins for one username lock it for 30 minutes (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Locking by address is deliberately off: offices reach the app through a
# few NAT gateways, so one mistyping clerk would lock out a whole province.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Renders that template with the cool-off time in words, not "PT30M".
AXES_LOCKOUT_CALLABLE = "units.views.locked_out"
AXES_VERBOSE = False
# Axes stores the username in a varchar(255): record at most 150 characters.
AXES_USERNAME_CALLABLE = "units.forms.axes_username"

# The admin site's path, and the client networks that may reach it (empty:
# any). The address checked is REMOTE_ADDR, never X-Forwarded-For (which a
# client can write): behind the proxy it is the client's only when the proxy
# speaks the PROXY protocol to gunicorn (--proxy-protocol).
ADMIN_URL = env.str("ADMIN_URL", default="admin/")
ADMIN_ALLOWED_NETWORKS = env.list("ADMIN_ALLOWED_NETWORKS", default=[])
try:
    for _network in ADMIN_ALLOWED_NETWORKS:
        ipaddress.ip_network(_network.strip(), strict=False)
except ValueError as _error:
    raise ImproperlyConfigured(f"ADMIN_ALLOWED_NETWORKS: {_error}") from _error

# Content-Security-Policy (django-csp): no inline script or style anywhere,
# nothing from another origin, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

# The UI speaks Vietnamese whatever the browser asks for (no LocaleMiddleware);
# the code and the message ids are English.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# dd/mm/yyyy everywhere (congress/formats/vi/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap's official dist files, installed from PyPI (no CDN).
    ("bootstrap", bootstrap_wrapper.get_bootstrap_dir()),
]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Uploaded documents (plans, reports, minutes) are never served from
# MEDIA_URL: only through views that check permission (congress/views/documents.py).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
# A DOCX or XLSX is a ZIP: refused, before anything is decompressed, when its
# members would expand beyond this in total or beyond this ratio (zip bombs).
UPLOAD_MAX_EXPANDED_BYTES = env.int("UPLOAD_MAX_EXPANDED_BYTES", default=100 * 1024 * 1024)
UPLOAD_MAX_RATIO = env.int("UPLOAD_MAX_RATIO", default=100)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Demo logins and data may be loaded (never in production).
ALLOW_DEMO_DATA = False

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="thidua@vss.gov.vn")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))

# Celery: with no broker, tasks run in-process (the embedded default);
# with one, they go to the workers.
CELERY_TASK_ALWAYS_EAGER = not env.str("CELERY_BROKER_URL", default="")
# In-process: the in-memory transport, so nothing ever reaches a broker that
# happens to listen on this machine.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Time limits of a task, in seconds: past the soft one a render stops with
# a message; the hard one kills a process that ignored it. Jobs settle in
# minutes because everything else is derived from the hard limit.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=150)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=CELERY_TASK_SOFT_TIME_LIMIT + 30)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis gives an unacknowledged task back after this (its worker died
    # whole): longer than a task may run, or a task still running would be
    # given to a second worker; short, so that the job goes on in minutes.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 60),
    # A broker that does not answer fails the request's hand-over quickly.
    "socket_connect_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 5
# WeasyPrint gives memory back only when its process exits: recycle children.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=50)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int(
    "CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=524_288
)  # KiB

# The address users reach the app at: printed in QR codes and mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Documents (reports app), in seconds (reports/settle.py): a step with no
# sign of life this long after the hard time limit has no worker and is
# sent again; one never handed to the broker (it was down) is sent again
# after REPORTS_RESEND_AFTER; a step delivered REPORTS_MAX_ATTEMPTS times
# fails its job, and so does any job unfinished after REPORTS_JOB_DEADLINE.
REPORTS_STALL_AFTER = env.int("REPORTS_STALL_AFTER", default=CELERY_TASK_TIME_LIMIT + 30)
REPORTS_RESEND_AFTER = env.int("REPORTS_RESEND_AFTER", default=30)
REPORTS_JOB_DEADLINE = env.int("REPORTS_JOB_DEADLINE", default=15 * 60)
REPORTS_MAX_ATTEMPTS = 3
# Finished jobs, and the files only they refer to, are kept this long.
REPORTS_KEEP_DAYS = env.int("REPORTS_KEEP_DAYS", default=30)
# Invitations per chunk: a batch bigger than this is rendered by several
# workers in parallel, then merged.
REPORTS_CHUNK_SIZE = env.int("REPORTS_CHUNK_SIZE", default=50)
# Without workers (the embedded default), run document jobs in a thread.
REPORTS_RUN_IN_THREAD = False
CELERY_TIMEZONE = TIME_ZONE
# Run by `celery -A config beat` (the `beat` service of docker-compose.yml),
# in CELERY_TIMEZONE: each morning, before the offices open.
CELERY_BEAT_SCHEDULE = {
    "send-deadline-reminders": {
        "task": "congress.tasks.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "settle-documents": {
        "task": "reports.tasks.settle_documents",
        "schedule": crontab(minute="*"),
    },
    "purge-old-documents": {
        "task": "reports.tasks.purge_old_documents",
        "schedule": crontab(hour=3, minute=0),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs each rendering step; fontTools each font subset.
    "loggers": {
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
