"""What the benchmarks that need a database share: a throw-away PostgreSQL
database holding cycle V and the demo logins, and the timing of a page.

Imported first by each script: it puts the project on the path and sets
Django up with the test settings (so ``DATABASE_URL``, or the local server,
is the PostgreSQL server used).
"""

import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


@contextmanager
def throwaway_database(name: str, *, keep: bool = False) -> Iterator:
    """Create the database ``name`` (or, with ``keep``, reuse it), load
    cycle V with its ~1,500 units and the demo logins, and drop it on the
    way out unless ``keep``. Yields the cycle."""
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        sys.exit("PostgreSQL needed: set DATABASE_URL=postgres://user@host:5432/name")
    from congress.data.cycles import CYCLE_V
    from congress.services import load_cycle
    from units.services import create_demo_users

    setup_test_environment()
    original = settings.DATABASES["default"]["NAME"]
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
    try:
        cycle, _ = load_cycle(spec=CYCLE_V)
        create_demo_users(hierarchy=cycle.hierarchy)
        yield cycle
    finally:
        if not keep:
            connection.creation.destroy_test_db(original, verbosity=0)


def analyse() -> None:
    """As autovacuum would after a bulk load: without statistics PostgreSQL
    may plan joins as nested loops (the board took 150 ms instead of 1 ms)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@dataclass(frozen=True)
class Timing:
    p50: float  # ms
    p95: float  # ms
    queries: int  # of one request
    size: int  # bytes of the response


def measure(client: Client, url: str, runs: int) -> Timing:
    """Server time of ``runs`` requests after a warm-up, and the queries of
    one request."""
    response = client.get(url)  # warm: the session, caches, templates
    assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    count = len(queries)  # now: the next request empties the log it reads
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return Timing(statistics.median(timings), cuts[94], count, len(response.content))
