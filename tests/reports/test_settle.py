"""Jobs that settle (reports/settle.py): whatever happened to the worker
or the broker, an unfinished job is sent again or failed within minutes;
a step is worked on by one delivery at a time."""

from datetime import timedelta
from unittest import mock

import pytest
from celery import current_app
from celery.exceptions import TimeLimitExceeded
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from reports import services, settle
from reports.models import DocumentJob, DocumentPart
from reports.tasks import generate_document

pytestmark = pytest.mark.django_db

Status = DocumentJob.Status


def ask(user, unit, text: str) -> DocumentJob:
    """A job recorded but not handed over: the test's transaction never
    commits, so its hand-over (``on_commit``) does not run, as when the
    broker was down."""
    return services.request_document(
        user=user, exporter_id="test_lines", params={"unit": unit.pk, "text": text}
    )


def ago(seconds: float):
    return timezone.now() - timedelta(seconds=seconds)


@pytest.fixture
def retries_in_process():
    """Celery retries a task run with ``apply`` at once, in-process; a
    retry that raises must not escape the test as it would by default."""
    current_app.conf.update(task_eager_propagates=False)
    yield
    current_app.conf.update(task_eager_propagates=True)


@pytest.fixture
def job(tree, users, lines_exporter):
    return ask(users["printer_hcm"], tree.hcm, "Một,Hai")


def test_a_job_never_handed_over_is_sent_once_the_grace_has_passed(
    job, settings, django_capture_on_commit_callbacks
):
    assert job.dispatched_at is None
    assert settle.settle_jobs() == 0  # its own hand-over may be on its way
    DocumentJob.objects.filter(pk=job.pk).update(created_at=ago(settings.REPORTS_RESEND_AFTER + 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert settle.settle_jobs() == 1
    job.refresh_from_db()
    assert job.status == Status.DONE and job.attempts == 1
    assert job.dispatched_at is not None


def test_a_job_the_broker_lost_is_sent_again_after_the_stall_time(
    job, settings, django_capture_on_commit_callbacks
):
    DocumentJob.objects.filter(pk=job.pk).update(
        dispatched_at=ago(settings.REPORTS_STALL_AFTER - 5)
    )
    assert settle.settle_jobs() == 0  # still waiting in an ordinary queue
    DocumentJob.objects.filter(pk=job.pk).update(
        dispatched_at=ago(settings.REPORTS_STALL_AFTER + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert settle.settle_jobs() == 1
    job.refresh_from_db()
    assert job.status == Status.DONE


def test_a_job_whose_worker_died_whole_is_taken_over_by_a_new_delivery(
    job, settings, django_capture_on_commit_callbacks
):
    long_ago = ago(settings.REPORTS_STALL_AFTER + 1)
    DocumentJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING,
        delivery="dead",
        started_at=long_ago,
        dispatched_at=long_ago,
        attempts=1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert settle.settle_jobs() == 1
    job.refresh_from_db()
    assert job.status == Status.DONE and job.attempts == 2
    assert job.delivery not in ("", "dead")


def test_a_second_delivery_leaves_a_step_to_the_live_one(job):
    DocumentJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, delivery="live", started_at=timezone.now(), attempts=1
    )
    services.run_job(job.pk, delivery="duplicate")
    job.refresh_from_db()
    assert job.status == Status.RUNNING and job.attempts == 1 and job.delivery == "live"


def test_the_same_delivery_given_back_takes_its_step_again(job):
    DocumentJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, delivery="given-back", started_at=timezone.now(), attempts=1
    )
    services.run_job(job.pk, delivery="given-back")
    job.refresh_from_db()
    assert job.status == Status.DONE and job.attempts == 2


def test_a_retry_is_not_a_new_attempt(job):
    DocumentJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, delivery="retried", started_at=timezone.now(), attempts=1
    )
    services.run_job(job.pk, delivery="retried", retry=True)
    job.refresh_from_db()
    assert job.status == Status.DONE and job.attempts == 1


def test_a_step_stalled_after_its_last_attempt_fails_the_job(job, settings):
    long_ago = ago(settings.REPORTS_STALL_AFTER + 1)
    DocumentJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING,
        delivery="dead",
        started_at=long_ago,
        attempts=settings.REPORTS_MAX_ATTEMPTS,
    )
    assert settle.settle_jobs() == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED and "3" in job.error


def test_a_fresh_running_job_is_left_alone(job):
    DocumentJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, delivery="live", started_at=timezone.now(), attempts=1
    )
    assert settle.settle_jobs() == 0
    job.refresh_from_db()
    assert job.status == Status.RUNNING


@pytest.mark.parametrize(
    ("status", "words"),
    [(Status.QUEUED, "Không có tiến trình nào nhận"), (Status.RUNNING, "không xong kịp")],
)
def test_a_job_past_its_deadline_fails_with_what_happened(job, settings, status, words):
    DocumentJob.objects.filter(pk=job.pk).update(
        status=status, created_at=ago(settings.REPORTS_JOB_DEADLINE + 1), dispatched_at=ago(1)
    )
    assert settle.settle_jobs() == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED and words in job.error


def test_every_delay_is_within_five_minutes_by_default(settings):
    # A step without a worker is sent again (or failed) within the stall
    # time plus one period of the sweep; a step never handed over sooner.
    assert settings.REPORTS_STALL_AFTER + 60 <= 5 * 60
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] + 10 <= 5 * 60
    assert settings.REPORTS_JOB_DEADLINE < 30 * 60


# -- split batches ---------------------------------------------------------


@pytest.fixture
def split_job(tree, users, lines_exporter, django_capture_on_commit_callbacks):
    """A job split into three chunks whose tasks were lost: nothing ran
    past the split."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = ask(users["printer_hcm"], tree.hcm, "Một|Hai|Ba")
    assert len(callbacks) == 1
    with (
        mock.patch.object(services, "dispatch", return_value=True),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.run_job(job.pk, delivery="first")
    job.refresh_from_db()
    assert job.parts_total == 3 and job.delivery == ""
    return job


def test_only_the_stalled_chunks_are_sent_again(
    split_job, settings, django_capture_on_commit_callbacks
):
    first, second, third = split_job.parts.order_by("index")
    long_ago = ago(settings.REPORTS_STALL_AFTER + 1)
    DocumentPart.objects.filter(pk=first.pk).update(delivery="live", started_at=timezone.now())
    DocumentPart.objects.filter(pk__in=[second.pk, third.pk]).update(dispatched_at=long_ago)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert settle.settle_job(split_job.pk)
    assert len(callbacks) == 2
    second.refresh_from_db()
    assert second.dispatched_at > long_ago


def test_chunks_then_merge_sent_again_finish_the_job(
    split_job, settings, django_capture_on_commit_callbacks
):
    long_ago = ago(settings.REPORTS_STALL_AFTER + 1)
    DocumentPart.objects.filter(job=split_job).update(dispatched_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert settle.settle_job(split_job.pk)  # the chunks, then (on commit) the merge
    split_job.refresh_from_db()
    assert split_job.status == Status.DONE and split_job.result.pages == 3


def test_a_merge_never_handed_over_is_sent_again(
    split_job, settings, django_capture_on_commit_callbacks
):
    with mock.patch.object(services, "dispatch", return_value=False):  # the broker is down
        for part in split_job.parts.all():
            with django_capture_on_commit_callbacks(execute=True):
                services.run_part(part.pk, delivery=f"part-{part.index}")
    split_job.refresh_from_db()
    assert split_job.status == Status.RUNNING and split_job.parts.filter(done=False).count() == 0
    long_ago = ago(settings.REPORTS_STALL_AFTER + 1)
    DocumentJob.objects.filter(pk=split_job.pk).update(dispatched_at=long_ago, started_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert settle.settle_job(split_job.pk)
    split_job.refresh_from_db()
    assert split_job.status == Status.DONE


# -- the task's edge -------------------------------------------------------


def test_the_hard_time_limit_fails_the_job_as_too_long(job):
    DocumentJob.objects.filter(pk=job.pk).update(status=Status.RUNNING)
    generate_document.on_failure(TimeLimitExceeded(180), "task-id", (job.pk,), {}, None)
    job.refresh_from_db()
    assert job.status == Status.FAILED and "mất quá nhiều thời gian" in job.error


def test_a_database_error_is_retried_as_the_same_attempt(
    job, lines_exporter, monkeypatch, retries_in_process
):
    calls = []
    produce = lines_exporter.produce

    def flaky(chunk):
        calls.append(chunk)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return produce(chunk)

    monkeypatch.setattr(lines_exporter, "produce", flaky)
    generate_document.apply(args=(job.pk,))
    job.refresh_from_db()
    assert len(calls) == 2
    assert job.status == Status.DONE and job.attempts == 1


def test_a_database_error_that_lasts_fails_the_job_with_a_message(
    job, lines_exporter, monkeypatch, retries_in_process
):
    def down(chunk):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(lines_exporter, "produce", down)
    result = generate_document.apply(args=(job.pk,))
    assert result.failed()
    job.refresh_from_db()
    assert job.status == Status.FAILED and "cơ sở dữ liệu" in job.error


# -- the pages -------------------------------------------------------------


def test_a_job_never_handed_over_says_so_on_its_page(client, job, users):
    client.force_login(users["printer_hcm"])
    page = client.get(reverse("reports:job_detail", args=[job.pk]) + "?fragment=1")
    assert 'data-testid="job-not-handed-over"' in page.content.decode()
    assert "data-poll-url" in page.content.decode()


def test_a_job_left_running_past_the_deadline_is_shown_failed(client, job, users, settings):
    long_ago = ago(settings.REPORTS_JOB_DEADLINE + 60)
    DocumentJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, created_at=long_ago, started_at=long_ago, attempts=1
    )
    client.force_login(users["printer_hcm"])
    page = client.get(reverse("reports:job_detail", args=[job.pk]) + "?fragment=1")
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert 'data-status="failed"' in page.content.decode()
    assert "data-poll-url" not in page.content.decode()


# -- the settings ------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "value", "code"),
    [
        ("CELERY_TASK_SOFT_TIME_LIMIT", 10_000, "reports.E001"),
        ("CELERY_BROKER_TRANSPORT_OPTIONS", {"visibility_timeout": 60}, "reports.E002"),
        ("REPORTS_STALL_AFTER", 60, "reports.E003"),
        ("REPORTS_JOB_DEADLINE", 100, "reports.E004"),
    ],
)
def test_timings_that_contradict_each_other_are_refused(settings, setting, value, code):
    setattr(settings, setting, value)
    with pytest.raises(SystemCheckError, match=code):
        call_command("check", tags=["reports"])
