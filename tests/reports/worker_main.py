"""A real prefork Celery worker in its own process, for the tests of
workers that fail: ``python -m tests.reports.worker_main BROKER``.

It registers the tests' ``LinesPdf`` exporter, slowed down so that a test
can kill the worker while it renders, and ``test_stubborn``, which ignores
the soft time limit so that the hard one has to end it. Time limits and
the other settings come from the environment the test starts it with."""

import sys
import time

import django


def main(broker_url: str) -> None:
    django.setup()
    from celery.exceptions import SoftTimeLimitExceeded

    from config.celery import app
    from reports import registry
    from tests.reports.conftest import LinesPdf

    class SlowLinesPdf(LinesPdf):
        def produce(self, chunk: str) -> bytes:
            time.sleep(2)
            return super().produce(chunk)

    class StubbornLinesPdf(LinesPdf):
        identifier = "test_stubborn"

        def produce(self, chunk: str) -> bytes:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    time.sleep(0.1)
                except SoftTimeLimitExceeded:
                    continue
            return super().produce(chunk)

    added = {exporter.identifier: exporter for exporter in (SlowLinesPdf(), StubbornLinesPdf())}
    real = registry.exporters()
    registry.exporters = lambda: {**real, **added}  # type: ignore[method-assign]
    app.conf.update(broker_url=broker_url, task_always_eager=False)
    app.worker_main(
        [
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )


if __name__ == "__main__":
    main(sys.argv[1])
