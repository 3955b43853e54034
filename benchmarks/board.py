"""How fast the progress board answers on national data (run by hand).

    .venv/bin/python benchmarks/board.py [--runs 50] [--keep] [--next-cycle]

Needs PostgreSQL: the server of ``DATABASE_URL`` (default, as in the test
settings: postgres://postgres@127.0.0.1:5432/postgres). The script creates
its own database ``bench_board`` on that server (Django's test-database
utilities: migrate, then cycle V with its ~1,500 units, the demo logins and
``congress.demo.fill_demo_cycle`` at national scale), requests each page
``--runs`` times with Django's test client and prints the server time (p50,
p95) and the queries of one request. The database is dropped afterwards,
unless ``--keep``: the next run with ``--keep`` then reuses it as loaded.

With ``--next-cycle`` the demo cycle VII on today's structure is loaded
beside cycle V first (``congress.demo.fill_demo_next_cycle``): the pages of
cycle V should cost the same, queries included.

The login page is the floor: what any request costs here (middleware,
session, template); the board's cost is what it adds on top of it.
"""

import argparse
import time

from support import Timing, analyse, measure, throwaway_database  # first: sets Django up

# isort: split
from django.test import Client
from django.urls import reverse

DATABASE = "bench_board"


def load_conferences(cycle) -> None:
    from congress.demo import fill_demo_cycle
    from congress.models import Conference

    if not Conference.objects.exists():
        started = time.perf_counter()
        result = fill_demo_cycle(cycle=cycle, seed=2020, share=1.0)
        print(
            f"loaded {result.conferences} demo conferences in {time.perf_counter() - started:.1f} s"
        )
    analyse()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    parser.add_argument(
        "--next-cycle", action="store_true", help="load the demo cycle VII beside cycle V"
    )
    args = parser.parse_args()
    from units.models import User

    with throwaway_database(DATABASE, keep=args.keep) as cycle:
        load_conferences(cycle)
        if args.next_cycle:
            from congress.demo import fill_demo_next_cycle

            print(f"beside it: {fill_demo_next_cycle(source=cycle)}")
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
            ("unit list (officer-hcm)", officer, reverse("units:unit_list")),
            ("unit tree (council)", council, reverse("units:unit_tree")),
            (
                "calendar 12/2019 (council)",
                council,
                reverse("progress:calendar") + "?month=2019-12",
            ),
        ]
        print(f"\n{args.runs} requests each, server time in ms, Django test client\n")
        print(f"{'page':40} {'p50':>8} {'p95':>8} {'queries':>8} {'KiB':>7}")
        for label, client, url in cases:
            t: Timing = measure(client, url, args.runs)
            print(f"{label:40} {t.p50:8.1f} {t.p95:8.1f} {t.queries:8d} {t.size / 1024:7.0f}")


if __name__ == "__main__":
    main()
