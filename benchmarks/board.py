"""How fast the progress board answers on national data (run by hand).

    .venv/bin/python benchmarks/board.py [--runs 50] [--keep]

Needs PostgreSQL: the server of ``DATABASE_URL`` (default, as in the test
settings: postgres://postgres@127.0.0.1:5432/postgres). The script creates
its own database ``bench_board`` on that server (Django's test-database
utilities: migrate, then cycle V with its ~1,500 units, the demo logins and
``congress.demo.fill_demo_cycle`` at national scale), requests each page
``--runs`` times with Django's test client and prints the server time (p50,
p95) and the queries of one request. The database is dropped afterwards,
unless ``--keep``: the next run with ``--keep`` then reuses it as loaded.

The login page is the floor: what any request costs here (middleware,
session, template); the board's cost is what it adds on top of it.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

DATABASE = "bench_board"


def prepare(keep: bool) -> str:
    """Create (or, with ``keep``, reuse) the database and load national data;
    returns the name of the database it replaced in the settings."""
    from congress.data.cycles import CYCLE_V
    from congress.demo import fill_demo_cycle
    from congress.models import Conference
    from congress.services import load_cycle
    from units.services import create_demo_users

    original = settings.DATABASES["default"]["NAME"]
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = DATABASE
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
    cycle, _ = load_cycle(spec=CYCLE_V)
    create_demo_users(cycle=cycle)
    if not Conference.objects.exists():
        started = time.perf_counter()
        result = fill_demo_cycle(cycle=cycle, seed=2020, share=1.0)
        print(
            f"loaded {result.conferences} demo conferences in {time.perf_counter() - started:.1f} s"
        )
    # As autovacuum would after a bulk load: without statistics PostgreSQL
    # plans the board's LEFT JOIN as a nested loop (150 ms instead of 1 ms).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return original


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int, int]:
    """(p50 ms, p95 ms, queries of one request, response bytes)."""
    response = client.get(url)  # warm: the session, caches, templates
    assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # Now: the next request's start clears the connection's query log.
    count = len(queries)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return statistics.median(timings), cuts[94], count, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    args = parser.parse_args()
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        sys.exit("PostgreSQL needed: set DATABASE_URL=postgres://user@host:5432/name")

    from units.models import User

    setup_test_environment()
    original = prepare(args.keep)
    try:
        council, officer = Client(), Client()
        council.force_login(User.objects.get(username="council"))
        officer.force_login(User.objects.get(username="officer-hcm"))
        cases = [
            ("login page (floor)", Client(), reverse("login")),
            ("board, national (council)", council, reverse("progress:board")),
            (
                "board, one province drilled (council)",
                council,
                reverse("progress:board") + "?province=P79",
            ),
            ("board, HCMC (officer-hcm)", officer, reverse("progress:board")),
            ("board export .xlsx (council)", council, reverse("progress:board_export")),
            (
                "calendar 12/2019 (council)",
                council,
                reverse("progress:calendar") + "?month=2019-12",
            ),
        ]
        print(f"\n{args.runs} requests each, server time in ms, Django test client\n")
        print(f"{'page':40} {'p50':>8} {'p95':>8} {'queries':>8} {'KiB':>7}")
        for label, client, url in cases:
            p50, p95, queries, size = measure(client, url, args.runs)
            print(f"{label:40} {p50:8.1f} {p95:8.1f} {queries:8d} {size / 1024:7.0f}")
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
