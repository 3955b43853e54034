"""Workers and brokers that fail, for real: prefork Celery workers in
processes of their own, on the machine's Redis and PostgreSQL.

- a worker child killed mid-render: the broker gives the task back
  (``acks_late`` + ``reject_on_worker_lost``) and a new child renders it;
- the whole worker killed (parent and child): the sweep sends the step
  again once it has stalled, and the next worker finishes the job;
- the broker down when a document is asked for: no server error, the user
  is told, and the job is sent once the broker is back;
- a render that ignores the soft time limit: the hard one ends it and the
  job fails with a message at once, not after a sweep.

The workers run with time limits of seconds (from the environment, as in
production) so that each fault settles in seconds here as it does in
minutes there."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.db import connection
from django.urls import reverse

from reports import registry, services, settle
from reports.models import DocumentJob
from tests.conftest import require
from tests.reports.conftest import LinesPdf

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
# Seconds, as the workers below are started with: the stubborn render
# outlives the soft limit and is killed at the hard one; a stalled step
# is sent again after STALL_AFTER. The soft limit leaves a fresh worker
# time for its first render on a busy machine.
SOFT_LIMIT, HARD_LIMIT, STALL_AFTER = 8, 10, 12
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def children_of(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in result.stdout.split()]


def wait_for(predicate, timeout: float = 120, every: float = 0.1):
    """The predicate's first true value. The time allowed bounds only a
    failure: a machine busy with the other test processes may take long
    to start a worker and hand a task over again."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")


@contextmanager
def broker_at(url: str):
    """This process publishes to ``url`` (not in-process) meanwhile."""
    from config.celery import app

    def drop_pools():
        app._pool = None
        app.amqp._producer_pool = None

    # Celery reads CELERY_BROKER_URL from the environment before its conf.
    saved = app.conf.broker_url, app.conf.task_always_eager, os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.update(broker_url=url, task_always_eager=False)
    drop_pools()
    try:
        yield
    finally:
        app.conf.update(broker_url=saved[0], task_always_eager=saved[1])
        if saved[2] is None:
            del os.environ["CELERY_BROKER_URL"]
        else:
            os.environ["CELERY_BROKER_URL"] = saved[2]
        drop_pools()


@pytest.fixture
def short_limits(monkeypatch):
    """This process sends the document tasks with the workers' limits (a
    message carries its sender's; in production both read one setting)."""
    for name in ("generate_document", "render_document_part", "merge_document"):
        task = current_app.tasks[f"reports.tasks.{name}"]
        monkeypatch.setattr(task, "soft_time_limit", SOFT_LIMIT)
        monkeypatch.setattr(task, "time_limit", HARD_LIMIT)
        monkeypatch.setattr(task, "_exec_options", None)  # Celery caches them


@pytest.fixture
def start_worker(media, tmp_path, settings, short_limits):
    """Start a worker process (in a session of its own, so that a test can
    kill it whole); each is stopped at the end."""
    require(bool(settings.TEST_BROKER_URL), "no Redis reachable for a real Celery worker")
    import redis

    redis.Redis.from_url(settings.TEST_BROKER_URL).flushdb()
    database = settings.DATABASES["default"]
    require(database["ENGINE"].endswith("postgresql"), "a worker process needs PostgreSQL")
    settings.REPORTS_STALL_AFTER = STALL_AFTER
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{connection.settings_dict['NAME']}"
        ),
        "MEDIA_ROOT": str(media),
        "CELERY_TASK_SOFT_TIME_LIMIT": str(SOFT_LIMIT),
        "CELERY_TASK_TIME_LIMIT": str(HARD_LIMIT),
        "CELERY_VISIBILITY_TIMEOUT": str(HARD_LIMIT + 3),
        "REPORTS_STALL_AFTER": str(STALL_AFTER),
    }
    started: list[tuple[subprocess.Popen, object]] = []

    def start() -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(started)}.log", "w+")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.reports.worker_main", settings.TEST_BROKER_URL],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.seek(0)
        print(log.read()[-3000:])
        log.close()


@pytest.fixture
def stubborn_exporter(monkeypatch):
    """The worker's ``test_stubborn``, as this process knows it: its
    parameters, its permission."""

    class Stubborn(LinesPdf):
        identifier = "test_stubborn"

    exporter = Stubborn()
    real = registry.exporters()
    monkeypatch.setattr(registry, "exporters", lambda: {**real, exporter.identifier: exporter})
    return exporter


def ask(user, unit, text: str, exporter: str = "test_lines") -> DocumentJob:
    with broker_at(settings.TEST_BROKER_URL):
        return services.request_document(
            user=user, exporter_id=exporter, params={"unit": unit.pk, "text": text}
        )


def status_of(job: DocumentJob, *statuses: str):
    def check():
        job.refresh_from_db()
        return job.status in statuses

    return check


def test_a_job_whose_worker_child_is_killed_is_rendered_by_the_next_one(
    tree, users, lines_exporter, start_worker
):
    worker = start_worker()
    job = ask(users["printer_hcm"], tree.hcm, "Lê Thị Thu Hà,Vũ Đình Khải")
    wait_for(status_of(job, DocumentJob.Status.RUNNING))
    (child,) = wait_for(lambda: children_of(worker.pid))
    os.kill(child, signal.SIGKILL)  # mid-render: the child sleeps 2 s first

    wait_for(status_of(job, DocumentJob.Status.DONE, DocumentJob.Status.FAILED), timeout=180)
    assert job.status == DocumentJob.Status.DONE, job.error
    assert job.attempts == 2  # the first delivery died with its process
    assert b"%PDF" in job.result.file.read()[:8]


def test_a_job_whose_whole_worker_is_killed_is_sent_again_and_finished(
    tree, users, lines_exporter, start_worker
):
    first = start_worker()
    job = ask(users["printer_hcm"], tree.hcm, "Nguyễn Văn An,Trần Thị Bích")
    wait_for(status_of(job, DocumentJob.Status.RUNNING))
    os.killpg(first.pid, signal.SIGKILL)  # parent and child: nothing gives the task back
    first.wait()
    killed_at = time.monotonic()
    start_worker()

    def settled():
        with broker_at(settings.TEST_BROKER_URL):
            settle.settle_jobs()  # what beat runs each minute
        return status_of(job, DocumentJob.Status.DONE, DocumentJob.Status.FAILED)()

    wait_for(settled, timeout=120, every=0.5)
    assert job.status == DocumentJob.Status.DONE, job.error
    assert job.attempts == 2
    # Sent again once stalled (the stall time, then a render of 2 s), not
    # after the half hour of a default visibility timeout.
    assert time.monotonic() - killed_at < STALL_AFTER + 20


def test_a_request_while_the_broker_is_down_is_kept_and_sent_once_it_is_back(
    client, tree, users, lines_exporter, start_worker, settings
):
    client.force_login(users["printer_hcm"])
    with broker_at(UNREACHABLE_BROKER):
        response = client.post(
            reverse("reports:job_create"),
            {"exporter": "test_lines", "unit": tree.hcm.pk, "text": "Phạm Minh Châu"},
            follow=True,
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hiện không liên lạc được máy chủ tác vụ" in page
    assert 'data-testid="job-not-handed-over"' in page
    job = DocumentJob.objects.get()
    assert job.status == DocumentJob.Status.QUEUED and job.dispatched_at is None

    start_worker()  # the broker is back, and a worker with it
    settings.REPORTS_RESEND_AFTER = 0
    with broker_at(settings.TEST_BROKER_URL):
        assert settle.settle_jobs() == 1
    wait_for(status_of(job, DocumentJob.Status.DONE, DocumentJob.Status.FAILED), timeout=120)
    assert job.status == DocumentJob.Status.DONE, job.error
    assert job.attempts == 1


def test_a_render_past_the_hard_time_limit_fails_its_job_at_once(
    tree, users, stubborn_exporter, start_worker
):
    start_worker()
    job = ask(users["printer_hcm"], tree.hcm, "Đỗ Thị Hạnh", exporter="test_stubborn")
    wait_for(status_of(job, DocumentJob.Status.DONE, DocumentJob.Status.FAILED), timeout=120)
    assert job.status == DocumentJob.Status.FAILED
    assert "mất quá nhiều thời gian" in job.error
    assert job.attempts == 1  # failed by the worker itself, not by the sweep


def test_a_password_reset_while_the_broker_is_down_says_so(client, users):
    with broker_at(UNREACHABLE_BROKER):
        response = client.post(reverse("password_reset"), {"email": "officer-hcm@example.org"})
    assert response.status_code == 200
    assert "Hiện chưa gửi được thư" in response.content.decode()
