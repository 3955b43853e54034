"""A real prefork Celery worker in its own process, for the test of a
worker killed mid-render: ``python -m tests.reports.worker_main BROKER``.

It registers the tests' ``LinesPdf`` exporter, slowed down so that the test
can kill the child process while it renders."""

import sys
import time

import django


def main(broker_url: str) -> None:
    django.setup()
    from congress.celery import app
    from reports import registry
    from tests.reports.conftest import LinesPdf

    class SlowLinesPdf(LinesPdf):
        def produce(self, chunk: str) -> bytes:
            time.sleep(2)
            return super().produce(chunk)

    exporter = SlowLinesPdf()
    real = registry.exporters()
    registry.exporters = lambda: {**real, exporter.identifier: exporter}  # type: ignore[method-assign]
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
