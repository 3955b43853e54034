"""Production settings: refuse to start without a secret, pass --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def _manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "SITE_URL",
            "DJANGO_SETTINGS_MODULE",
            "DATABASE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret():
    result = _manage(
        "check", ALLOWED_HOSTS="thidua.vss.gov.vn", SITE_URL="https://thidua.vss.gov.vn"
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_the_address_printed_in_qr_codes():
    result = _manage(
        "check",
        ALLOWED_HOSTS="thidua.vss.gov.vn",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-0123456789",
    )
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


def test_production_passes_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-0123456789",
        ALLOWED_HOSTS="thidua.vss.gov.vn",
        SITE_URL="https://thidua.vss.gov.vn",
    )
    assert result.returncode == 0, result.stderr


def test_ui_defaults():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"


@pytest.mark.django_db
def test_static_assets_are_served_by_the_app(client):
    from django.contrib.staticfiles import finders

    assert finders.find("bootstrap/css/bootstrap.min.css")
    assert finders.find("bootstrap/js/bootstrap.bundle.min.js")
    page = client.get("/accounts/login/").text
    assert "cdn" not in page.lower()
    assert "/static/bootstrap/css/bootstrap.min.css" in page
