"""Files that are whole: a rendered file is checked before it is stored,
recorded only once written whole, reused only while it is still the file
recorded, and the chunks of a split job go when the job ends."""

import io
import os
import time
from datetime import timedelta

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from reports import services
from reports.models import DocumentJob, DocumentPart, GeneratedFile
from tests.reports.pdf_support import pdf_text

pytestmark = pytest.mark.django_db


def ask(user, unit, text: str) -> DocumentJob:
    return services.request_document(
        user=user, exporter_id="test_lines", params={"unit": unit.pk, "text": text}
    )


def asked(user, unit, text, capture) -> DocumentJob:
    with capture(execute=True):
        job = ask(user, unit, text)
    job.refresh_from_db()
    return job


def part_files(media) -> list[str]:
    folder = media / "generated" / "parts"
    return sorted(os.listdir(folder)) if folder.exists() else []


def test_a_truncated_pdf_at_the_stored_name_is_rendered_again(
    tree, users, lines_exporter, django_capture_on_commit_callbacks
):
    user, capture = users["printer_hcm"], django_capture_on_commit_callbacks
    first = asked(user, tree.hcm, "Một,Hai", capture)
    name = first.result.file.name
    path = default_storage.path(name)
    with open(path, "r+b") as handle:  # a disk full during the write
        handle.truncate(len(handle.read()) // 2)
    second = asked(user, tree.hcm, "Một,Hai", capture)
    assert second.status == DocumentJob.Status.DONE and not second.reused
    assert second.result_id == first.result_id and second.result.file.name == name
    with open(path, "rb") as handle:
        data = handle.read()
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    assert "Hai" in pdf_text(data)
    # Garbage of the very same size is caught by the checksum.
    with open(path, "r+b") as handle:
        handle.write(b"x" * len(data))
    third = asked(user, tree.hcm, "Một,Hai", capture)
    assert not third.reused and GeneratedFile.objects.count() == 1
    assert len(PdfReader(default_storage.open(name, "rb")).pages) == 2
    # Whole, it is reused.
    assert asked(user, tree.hcm, "Một,Hai", capture).reused


def test_bytes_that_are_not_a_pdf_fail_the_job_and_record_nothing(
    tree, users, lines_exporter, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(lines_exporter, "produce", lambda chunk: b"%PDF-1.7\nnot really")
    job = asked(users["printer_hcm"], tree.hcm, "Một", django_capture_on_commit_callbacks)
    assert job.status == DocumentJob.Status.FAILED and job.result is None
    assert "bị hỏng hoặc không đầy đủ" in job.error
    assert not GeneratedFile.objects.exists()


def test_a_storage_error_while_storing_fails_the_job_and_records_nothing(
    tree, users, lines_exporter, monkeypatch, django_capture_on_commit_callbacks
):
    def disk_full(self, name, content, max_length=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "save", disk_full)
    job = asked(users["printer_hcm"], tree.hcm, "Một", django_capture_on_commit_callbacks)
    assert job.status == DocumentJob.Status.FAILED and job.result is None
    assert "No space left on device" in job.error
    assert not GeneratedFile.objects.exists()


def test_a_file_stored_short_is_deleted_and_fails_the_job(
    tree, users, lines_exporter, monkeypatch, django_capture_on_commit_callbacks
):
    real_save = FileSystemStorage.save

    def short_write(self, name, content, max_length=None):
        data = content.read()
        from django.core.files.base import ContentFile

        return real_save(self, name, ContentFile(data[: len(data) // 2]), max_length)

    monkeypatch.setattr(FileSystemStorage, "save", short_write)
    job = asked(users["printer_hcm"], tree.hcm, "Một", django_capture_on_commit_callbacks)
    assert job.status == DocumentJob.Status.FAILED
    assert not GeneratedFile.objects.exists()
    assert list(services._walk(default_storage, "generated")) == []


@override_settings(REPORTS_RUN_IN_THREAD=False)
def test_chunk_files_are_deleted_once_the_job_is_done(
    media, tree, users, lines_exporter, django_capture_on_commit_callbacks
):
    job = asked(
        users["printer_hcm"], tree.hcm, "Ánh|Bình|Cường", django_capture_on_commit_callbacks
    )
    assert job.status == DocumentJob.Status.DONE and job.parts_total == 3
    assert part_files(media) == [] and not DocumentPart.objects.exists()


@override_settings(REPORTS_RUN_IN_THREAD=False)
def test_chunk_files_are_deleted_once_the_job_has_failed(
    media, tree, users, lines_exporter, monkeypatch, django_capture_on_commit_callbacks
):
    real = lines_exporter.produce
    rendered = []

    def third_breaks(chunk):
        rendered.append(chunk)
        if len(rendered) == 3:
            raise RuntimeError("renderer crashed")
        return real(chunk)

    monkeypatch.setattr(lines_exporter, "produce", third_breaks)
    job = asked(
        users["printer_hcm"], tree.hcm, "Ánh|Bình|Cường", django_capture_on_commit_callbacks
    )
    assert job.status == DocumentJob.Status.FAILED and "renderer crashed" in job.error
    assert part_files(media) == [] and not DocumentPart.objects.exists()


@override_settings(REPORTS_RUN_IN_THREAD=False)
def test_chunk_files_are_deleted_when_the_merge_cannot_be_stored(
    media, tree, users, lines_exporter, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(lines_exporter, "combine", lambda pieces: pieces[0])  # pages go missing
    job = asked(
        users["printer_hcm"], tree.hcm, "Ánh|Bình|Cường", django_capture_on_commit_callbacks
    )
    assert job.status == DocumentJob.Status.FAILED and "bị hỏng hoặc không đầy đủ" in job.error
    assert not GeneratedFile.objects.exists()
    assert part_files(media) == [] and not DocumentPart.objects.exists()


def test_a_duplicate_delivery_of_the_split_adds_no_parts(
    tree, users, lines_exporter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = ask(users["printer_hcm"], tree.hcm, "Ánh|Bình|Cường")
    with django_capture_on_commit_callbacks(execute=False) as parts_queued:
        queued[0]()  # generate_document: the job is split, its chunks queued
    parts = list(DocumentPart.objects.filter(job=job).values_list("pk", flat=True))
    assert len(parts) == 3 and len(parts_queued) == 3
    with django_capture_on_commit_callbacks(execute=False) as again:
        services.run_job(job.pk)  # delivered again
        job.refresh_from_db()
        services._split(job, lines_exporter.source(job.params))  # raced past the first check
    assert list(DocumentPart.objects.filter(job=job).values_list("pk", flat=True)) == parts
    assert again == []
    job.refresh_from_db()
    assert job.attempts == 1 and job.parts_total == 3


def test_the_purge_removes_files_no_row_refers_to(
    tree, users, lines_exporter, django_capture_on_commit_callbacks
):
    kept = asked(users["printer_hcm"], tree.hcm, "Giữ", django_capture_on_commit_callbacks)
    stray = default_storage.save("generated/2026/12/cut-short.pdf", io.BytesIO(b"%PDF-1.7"))
    chunk = default_storage.save("generated/parts/job-999-part-0.bin", io.BytesIO(b"%PDF"))
    fresh = default_storage.save("generated/2026/12/being-written.pdf", io.BytesIO(b"%PDF"))
    an_hour_ago = time.time() - 3600
    for name in (stray, chunk):
        os.utime(default_storage.path(name), (an_hour_ago, an_hour_ago))
    assert services.purge_old_documents(now=timezone.now() + timedelta(seconds=1)) == 2
    assert not default_storage.exists(stray) and not default_storage.exists(chunk)
    assert default_storage.exists(fresh)  # may still be on its way to a row
    assert default_storage.exists(kept.result.file.name)


def test_a_workbook_cut_short_is_not_whole():
    from reports import xlsx

    sheet = xlsx.Sheet("Danh sách", "Danh sách", [xlsx.Column("Họ và tên")], [["Nguyễn Văn An"]])
    data = xlsx.write_workbook([sheet])
    services.check_whole(xlsx.XLSX, data)  # whole: no error
    with pytest.raises(ValueError):
        services.check_whole(xlsx.XLSX, data[: len(data) // 2])
