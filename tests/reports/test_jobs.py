"""The life of a document job: asked for, rendered (whole or in chunks),
stored once per distinct source, served only to whoever asked and may
still see the unit, failed clearly, never left running."""

import hashlib
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.models import DocumentJob, DocumentPart, GeneratedFile
from tests.reports.pdf_support import pdf_text

pytestmark = pytest.mark.django_db


def ask(user, unit, text: str) -> DocumentJob:
    return services.request_document(
        user=user, exporter_id="test_lines", params={"unit": unit.pk, "text": text}
    )


def download(client, job) -> bytes:
    response = client.get(reverse("reports:job_download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_asking_renders_stores_and_serves_the_document(
    client, tree, users, lines_exporter, django_capture_on_commit_callbacks
):
    client.force_login(users["printer_hcm"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:job_create"),
            {"exporter": "test_lines", "unit": tree.hcm.pk, "text": "Nguyễn Thị Ánh,Lê Văn Đức"},
        )
    job = DocumentJob.objects.get()
    assert response.url == reverse("reports:job_detail", args=[job.pk])
    assert job.status == DocumentJob.Status.DONE
    assert job.progress == 100 and job.attempts == 1
    assert job.result.pages == 2 and job.result.mimetype == "application/pdf"
    data = download(client, job)
    assert len(data) == job.result.size
    assert hashlib.sha256(data).hexdigest() == job.result.sha256
    assert "Nguyễn Thị Ánh" in pdf_text(data)
    page = client.get(reverse("reports:job_detail", args=[job.pk]))
    assert "lines.pdf" in page.content.decode()


def test_asking_twice_for_the_same_data_stores_one_file(
    tree, users, lines_exporter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = ask(users["printer_hcm"], tree.hcm, "Một,Hai")
    with django_capture_on_commit_callbacks(execute=True):
        second = ask(users["officer_hcm"], tree.hcm, "Một,Hai")
    first.refresh_from_db()
    second.refresh_from_db()
    assert GeneratedFile.objects.count() == 1
    assert first.result_id == second.result_id
    assert not first.reused and second.reused
    with django_capture_on_commit_callbacks(execute=True):
        changed = ask(users["officer_hcm"], tree.hcm, "Một,Ba")
    changed.refresh_from_db()
    assert GeneratedFile.objects.count() == 2 and not changed.reused


def test_a_file_lost_from_disk_is_rendered_again(
    tree, users, lines_exporter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = ask(users["printer_hcm"], tree.hcm, "Một")
    first.refresh_from_db()
    first.result.file.delete(save=False)
    with django_capture_on_commit_callbacks(execute=True):
        second = ask(users["printer_hcm"], tree.hcm, "Một")
    second.refresh_from_db()
    assert second.status == DocumentJob.Status.DONE and not second.reused
    assert second.result.file.storage.exists(second.result.file.name)


@override_settings(REPORTS_RUN_IN_THREAD=False)
def test_a_split_batch_is_merged_in_order(
    tree, users, lines_exporter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(users["printer_hcm"], tree.hcm, "Ánh,Bình|Cường|Dũng,Én")
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE and job.parts_total == 3
    assert job.result.pages == 5
    text = pdf_text(job.result.file.read())
    positions = [text.index(name) for name in ("Ánh", "Bình", "Cường", "Dũng", "Én")]
    assert positions == sorted(positions)
    assert not DocumentPart.objects.exists()  # chunks are removed once merged


def test_a_redelivered_task_does_not_redo_a_finished_job(
    tree, users, lines_exporter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(users["printer_hcm"], tree.hcm, "Một")
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.attempts == 1 and GeneratedFile.objects.count() == 1


def test_a_job_whose_worker_died_is_run_again_then_fails_for_good(
    tree, users, lines_exporter, django_capture_on_commit_callbacks, settings
):
    job = ask(users["printer_hcm"], tree.hcm, "Một")
    # Deliveries whose worker died mid-render: the job was left running.
    DocumentJob.objects.filter(pk=job.pk).update(
        status=DocumentJob.Status.RUNNING, attempts=settings.REPORTS_MAX_ATTEMPTS - 1
    )
    services.run_job(job.pk)  # the broker delivers it again: it is rendered
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE

    other = ask(users["printer_hcm"], tree.hcm, "Hai")
    DocumentJob.objects.filter(pk=other.pk).update(
        status=DocumentJob.Status.RUNNING, attempts=settings.REPORTS_MAX_ATTEMPTS
    )
    services.run_job(other.pk)
    other.refresh_from_db()
    assert other.status == DocumentJob.Status.FAILED
    assert "3" in other.error and other.finished_at is not None


def test_a_render_over_its_time_limit_fails_with_a_clear_message(
    tree, users, lines_exporter, monkeypatch, django_capture_on_commit_callbacks
):
    def too_slow(chunk):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(lines_exporter, "produce", too_slow)
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(users["printer_hcm"], tree.hcm, "Một")
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.FAILED
    assert job.error and job.finished_at is not None


def test_files_are_served_only_to_whoever_asked_and_may_see_the_unit(
    client, tree, users, lines_exporter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(users["printer_hcm"], tree.hcm, "Bí mật")
    for name in ("officer_hanoi", "printer", "council", "officer_hcm"):
        client.force_login(users[name])
        assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404
        assert client.get(reverse("reports:job_detail", args=[job.pk])).status_code == 404
    client.force_login(users["printer_hcm"])
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 200
    # Moved to another province: the file is no longer theirs to see.
    users["printer_hcm"].unit = tree.hanoi
    users["printer_hcm"].save()
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404
    client.logout()
    response = client.get(reverse("reports:job_download", args=[job.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_asking_for_another_provinces_document_is_refused(client, tree, users, lines_exporter):
    client.force_login(users["officer_hanoi"])
    response = client.post(
        reverse("reports:job_create"),
        {"exporter": "test_lines", "unit": tree.hcm.pk, "text": "x"},
    )
    assert response.status_code == 403
    assert not DocumentJob.objects.exists()
    response = client.post(reverse("reports:job_create"), {"exporter": "nonsense"})
    assert response.status_code == 404


def test_my_documents_lists_only_mine_with_a_constant_number_of_queries(
    client, tree, users, lines_exporter, django_assert_max_num_queries
):
    ask(users["printer_hcm"], tree.hcm, "Một")
    ask(users["officer_hcm"], tree.hcm, "Của người khác")
    client.force_login(users["printer_hcm"])
    # 6, and the bell's unread count
    with django_assert_max_num_queries(7):
        page = client.get(reverse("reports:job_list")).content.decode()
    assert page.count("Lines of BHXH TP. Hồ Chí Minh") == 1
    for text in "abcdefghij":
        ask(users["printer_hcm"], tree.hcm, text)
    with django_assert_max_num_queries(7):
        page = client.get(reverse("reports:job_list")).content.decode()
    assert page.count("Lines of BHXH TP. Hồ Chí Minh") == 11


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_document_through_redis(
    tree, users, lines_exporter, celery_worker
):
    import time

    job = ask(users["printer_hcm"], tree.hcm, "Phạm Thị Hương|Đỗ Quang Vinh")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.2)
    assert job.status == DocumentJob.Status.DONE, job.error
    text = pdf_text(job.result.file.read())
    assert "Phạm Thị Hương" in text and "Đỗ Quang Vinh" in text


def test_a_job_is_queued_only_once_its_transaction_commits(
    tree, users, lines_exporter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = ask(users["printer_hcm"], tree.hcm, "Một")
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.QUEUED and len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE


@pytest.mark.django_db(transaction=True)
def test_without_workers_a_job_runs_in_a_background_thread(tree, users, lines_exporter, settings):
    """The embedded default: no broker, yet the request returns at once and
    the job is prepared beside it, as workers would."""
    import time

    settings.REPORTS_RUN_IN_THREAD = True
    job = ask(users["printer_hcm"], tree.hcm, "Hoàng Thị Loan")
    deadline = time.monotonic() + 30
    while not job.is_finished and time.monotonic() < deadline:
        time.sleep(0.05)
        job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE
    assert "Hoàng Thị Loan" in pdf_text(job.result.file.read())


def test_old_documents_are_purged_but_recent_ones_kept(
    tree, users, lines_exporter, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        old = ask(users["printer_hcm"], tree.hcm, "Cũ")
        recent = ask(users["printer_hcm"], tree.hcm, "Mới")
    old.refresh_from_db()
    recent.refresh_from_db()
    long_ago = timezone.now() - timedelta(days=settings.REPORTS_KEEP_DAYS + 1)
    DocumentJob.objects.filter(pk=old.pk).update(created_at=long_ago)
    GeneratedFile.objects.filter(pk=old.result_id).update(created_at=long_ago)
    old_file = old.result.file.name
    assert services.purge_old_documents() == 1
    assert not DocumentJob.objects.filter(pk=old.pk).exists()
    assert not old.result.file.storage.exists(old_file)
    assert recent.result.file.storage.exists(recent.result.file.name)


def test_a_failed_document_can_be_asked_for_again(
    client, tree, users, lines_exporter, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(chunk):
        raise OSError("disk full")

    monkeypatch.setattr(lines_exporter, "produce", broken)
    with django_capture_on_commit_callbacks(execute=True):
        failed = ask(users["printer_hcm"], tree.hcm, "Thử lại")
    monkeypatch.delattr(lines_exporter, "produce")  # mended
    client.force_login(users["printer_hcm"])
    page = client.get(reverse("reports:job_detail", args=[failed.pk])).content.decode()
    assert 'data-testid="job-retry"' in page and "disk full" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:job_create"),
            {"exporter": "test_lines", "unit": tree.hcm.pk, "text": "Thử lại"},
        )
    again = DocumentJob.objects.exclude(pk=failed.pk).get()
    assert response.url == reverse("reports:job_detail", args=[again.pk])
    assert again.status == DocumentJob.Status.DONE


def test_data_gone_since_the_request_fails_with_the_reason(
    tree, users, lines_exporter, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    def emptied(params):
        raise ValidationError("Danh sách đã trống.")

    monkeypatch.setattr(lines_exporter, "source", emptied)
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(users["printer_hcm"], tree.hcm, "Một")
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.FAILED and job.error == "Danh sách đã trống."


def test_the_one_who_asked_is_told_the_document_is_ready(
    tree, users, lines_exporter, django_capture_on_commit_callbacks
):
    from django.core import mail

    from units.models import Notification

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(users["printer_hcm"], tree.hcm, "Một")
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE
    notice = Notification.objects.get()
    assert notice.recipient == users["printer_hcm"]
    assert notice.kind == Notification.Kind.DOCUMENT_READY
    assert notice.url == reverse("reports:job_detail", args=[job.pk])
    assert [m.to for m in mail.outbox] == [[users["printer_hcm"].email]]
