"""A Celery worker for the benchmarks, pointed at a broker given on the
command line (the test settings, which the benchmarks use, run tasks
in-process): ``python benchmarks/worker.py BROKER_URL CONCURRENCY``."""

import sys

from support import settings  # first: sets Django up

# isort: split
from config.celery import app


def main(broker_url: str, concurrency: str) -> None:
    app.conf.update(broker_url=broker_url, task_always_eager=False)
    app.worker_main(
        [
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=ERROR",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--max-memory-per-child={settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD}",
        ]
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
