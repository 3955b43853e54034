"""How fast the documents of a 500-delegate conference are made (run by hand).

    .venv/bin/python benchmarks/documents.py [--delegates 500] [--runs 3]

Needs PostgreSQL (``DATABASE_URL``, default as in the test settings) and,
for part (c), Redis (``CELERY_BROKER_URL``, default
redis://127.0.0.1:6379/15). In its own database ``bench_documents`` it
registers HCMC's tier-2 conference with ``--delegates`` delegates, then:

(a) the delegate list and (b) all the invitations, each through the app's
    exporter end to end (``render``: queries, templates, PDF, merge) beside
    the floor, WeasyPrint alone rendering the very same HTML, already in
    memory; the median of ``--runs`` runs each, and their ratio;
(c) the delegate list, then the invitations, as jobs through real Celery
    workers (prefork, a new worker for each, with ``--concurrency 1``, then
    2 for the invitations), from the request to the stored file, and each
    worker's peak memory (the largest VmHWM among its processes).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from support import analyse, settings, throwaway_database  # first: sets Django up

# isort: split
from delegate_list import conference, fill
from django.db import connection

DATABASE = "bench_documents"
HERE = Path(__file__).resolve().parent


def median_seconds(function, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def compare(exporter, params: dict, runs: int) -> tuple[float, float, int]:
    """(exporter end to end, WeasyPrint alone on the same HTML, pages)."""
    from reports.pdf import page_count, render_pdf

    exporter.render(params)  # warm: imports, templates, fonts
    source = exporter.source(params)
    whole = median_seconds(lambda: exporter.render(params), runs)
    floor = median_seconds(lambda: [render_pdf(chunk) for chunk in source.chunks], runs)
    return whole, floor, page_count(exporter.render(params)[2])


def peak_memory_kib(pid: int) -> int:
    """The largest peak resident size among ``pid`` and its children."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    pids = [pid, *map(int, children)]
    peaks = []
    for process in pids:
        try:
            status = Path(f"/proc/{process}/status").read_text()
        except FileNotFoundError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]))
    return max(peaks, default=0)


def run_through_workers(
    identifier: str, concurrency: int, broker: str, params: dict, media: str
) -> tuple:
    """Seconds from the request to the stored file, the job's chunks, and
    the worker's peak memory (KiB), in a new worker; the second of two runs
    (the first warms every worker process)."""
    from config.celery import app
    from reports import services
    from reports.models import DocumentJob, GeneratedFile
    from units.models import User

    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{connection.settings_dict['NAME']}"
        ),
        "MEDIA_ROOT": media,
    }
    worker = subprocess.Popen(  # noqa: S603 (this interpreter, this script)
        [sys.executable, str(HERE / "worker.py"), broker, str(concurrency)], env=env
    )
    app.conf.update(broker_url=broker, task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None
    printer = User.objects.get(username="printer")
    try:
        timings = []
        for _ in range(2):
            DocumentJob.objects.all().delete()
            GeneratedFile.objects.all().delete()  # or the file is reused at once
            started = time.perf_counter()
            job = services.request_document(user=printer, exporter_id=identifier, params=params)
            while not job.is_finished:
                time.sleep(0.05)
                job.refresh_from_db()
            timings.append(time.perf_counter() - started)
            if job.status != DocumentJob.Status.DONE:
                sys.exit(f"job failed: {job.error}")
        return timings[-1], job.parts_total, peak_memory_kib(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delegates", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    broker = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
    from reports.registry import get_exporter

    with tempfile.TemporaryDirectory() as media, throwaway_database(DATABASE):
        settings.MEDIA_ROOT = media
        settings.REPORTS_RUN_IN_THREAD = False
        hcm = conference(2, "P79")
        fill(hcm, args.delegates)
        analyse()
        params = {"conference": hcm.pk}
        print(f"\n{args.delegates} delegates; median of {args.runs} runs; seconds\n")
        print(f"{'document':34} {'exporter':>9} {'WeasyPrint':>11} {'ratio':>6} {'pages':>6}")
        for label, identifier in (
            ("(a) delegate list", "delegate_list_pdf"),
            ("(b) invitations", "invitations_pdf"),
        ):
            whole, floor, pages = compare(get_exporter(identifier), params, args.runs)
            print(f"{label:34} {whole:9.2f} {floor:11.2f} {whole / floor:6.2f} {pages:6d}")
        print(
            f"\n(c) as jobs through real workers (a new worker each; invitations in chunks "
            f"of {settings.REPORTS_CHUNK_SIZE}), broker {broker}\n"
        )
        print(f"{'job':34} {'seconds':>9} {'chunks':>7} {'peak MiB':>9}")
        results = {}
        for label, identifier, concurrency in (
            ("delegate list, 1 worker process", "delegate_list_pdf", 1),
            ("invitations, 1 worker process", "invitations_pdf", 1),
            ("invitations, 2 worker processes", "invitations_pdf", 2),
        ):
            seconds, chunks, peak = run_through_workers(
                identifier, concurrency, broker, params, media
            )
            results[label] = seconds
            print(f"{label:34} {seconds:9.2f} {chunks:7d} {peak / 1024:9.0f}")
        two = results["invitations, 2 worker processes"]
        one = results["invitations, 1 worker process"]
        print(f"\n2 workers / 1 worker: {two / one:.2f} (on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
