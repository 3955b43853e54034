"""A worker killed in the middle of a render: the broker gives the task
back (``acks_late`` + ``reject_on_worker_lost``) and a new worker process
renders the document; nothing is left "being prepared"."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from reports import services
from reports.models import DocumentJob
from tests.conftest import require

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def children_of(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in result.stdout.split()]


def wait_for(predicate, timeout: float = 60, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("timed out")


@pytest.fixture
def worker_process(media, tmp_path):
    require(bool(settings.TEST_BROKER_URL), "no Redis reachable for a real Celery worker")
    import redis

    redis.Redis.from_url(settings.TEST_BROKER_URL).flushdb()
    database = settings.DATABASES["default"]
    require(database["ENGINE"].endswith("postgresql"), "a worker process needs PostgreSQL")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "congress.settings.test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{connection.settings_dict['NAME']}"
        ),
        "MEDIA_ROOT": str(media),
    }
    log = open(tmp_path / "worker.log", "w+")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.reports.worker_main", settings.TEST_BROKER_URL],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.seek(0)
        print(log.read()[-4000:])
        log.close()


def test_a_job_whose_worker_is_killed_is_rendered_by_the_next_one(
    tree, users, lines_exporter, worker_process, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from congress.celery import app

    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.update(broker_url=settings.TEST_BROKER_URL, task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None
    try:
        job = services.request_document(
            user=users["printer_hcm"],
            exporter_id="test_lines",
            params={"unit": tree.hcm.pk, "text": "Lê Thị Thu Hà,Vũ Đình Khải"},
        )
    finally:
        app.conf.update(broker_url=saved[0], task_always_eager=saved[1])
        app._pool = None
        app.amqp._producer_pool = None

    def running():
        job.refresh_from_db()
        return job.status == DocumentJob.Status.RUNNING

    wait_for(running)
    (child,) = wait_for(lambda: children_of(worker_process.pid))
    os.kill(child, signal.SIGKILL)  # mid-render: the child sleeps 2 s first

    def finished():
        job.refresh_from_db()
        return job.is_finished

    wait_for(finished, timeout=90)
    assert job.status == DocumentJob.Status.DONE, job.error
    assert job.attempts == 2  # the first delivery died with its process
    assert b"%PDF" in job.result.file.read()[:8]
