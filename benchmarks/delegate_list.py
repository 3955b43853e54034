"""How fast a conference's delegate list answers with 500 delegates (run by hand).

    .venv/bin/python benchmarks/delegate_list.py [--runs 50] [--delegates 500]

Needs PostgreSQL: the server of ``DATABASE_URL`` (default, as in the test
settings: postgres://postgres@127.0.0.1:5432/postgres). The script creates
its own database ``bench_delegate_list`` on that server (Django's
test-database utilities: migrate, then cycle V with its ~1,500 units and
the demo logins), registers HCMC's tier-2 conference and the Congress,
gives each ``--delegates`` delegates (bulk-created people of the units
below, with titles) and requests the list, its export and the composition
``--runs`` times each with Django's test client: the server time (p50,
p95) and the queries of one request, then the same query counts with 5
delegates. The database is dropped afterwards.
"""

import argparse
import datetime

from support import analyse, measure, throwaway_database  # first: sets Django up

# isort: split
from django.test import Client
from django.urls import reverse

DATABASE = "bench_delegate_list"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Đức", "Thanh"]
GIVEN = ["An", "Ánh", "Bình", "Cường", "Dũng", "Đạt", "Hà", "Hương", "Ơn", "Phúc", "Yến"]


def conference(level: int, unit_code: str):
    from congress.models import Conference, Tier
    from units.models import Unit, User

    tier = Tier.objects.get(level=level)
    return Conference.objects.create(
        tier=tier,
        unit=Unit.objects.get(hierarchy=tier.cycle.hierarchy, code=unit_code),
        date=tier.window_start + datetime.timedelta(days=10),
        start_time=datetime.time(8, 0),
        venue="Hội trường",
        length="half_day",
        expected_attendance=300,
        created_by=User.objects.get(username="admin"),
    )


def fill(target, count: int, start: int = 0) -> None:
    """``count`` delegates of ``target``: a few guests outside the register,
    the rest people of its units (official and elected), with titles."""
    from delegates.models import Category, Delegate, EmulationTitle, Person, Rank
    from units.models import Unit, User

    admin = User.objects.get(username="admin")
    units = list(Unit.objects.subtree_of(target.unit).order_by("path"))
    guests = max(1, count // 50)
    people = Person.objects.bulk_create(
        [
            Person(
                unit=units[n % len(units)],
                full_name=(
                    f"{SURNAMES[n % 10]} {MIDDLE[n % 6]} {GIVEN[n % 11]}"
                    + (f" {n}" if n >= 660 else "")
                ),
                gender="female" if n % 3 else "male",
                birth_year=1965 + n % 35,
                ethnicity="Kinh" if n % 17 else "Tày",
                position="Chuyên viên",
                rank=[Rank.HEAD, Rank.DEPUTY_HEAD, Rank.STAFF, Rank.STAFF][n % 4],
                good_person_good_deed=n % 9 == 0,
            )
            for n in range(start, start + count - guests)
        ]
    )
    EmulationTitle.objects.bulk_create(
        [EmulationTitle(person=p, year=2015 + i % 5, title="sector") for i, p in enumerate(people)]
    )
    Delegate.objects.bulk_create(
        [
            Delegate(
                conference=target,
                category=Category.GUEST,
                guest_name=f"Khách mời {n}",
                guest_title="Phó Chủ tịch UBND",
                added_by=admin,
            )
            for n in range(guests)
        ]
        + [
            Delegate(
                conference=target,
                category=Category.OFFICIAL if i % 2 else Category.ELECTED,
                person=p,
                unit=p.unit,
                elected_at=None if i % 2 else target,
                added_by=admin,
            )
            for i, p in enumerate(people)
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--delegates", type=int, default=500)
    args = parser.parse_args()
    from units.models import User

    with throwaway_database(DATABASE):
        officer, council = Client(), Client()
        officer.force_login(User.objects.get(username="officer-hcm"))
        council.force_login(User.objects.get(username="council"))
        hcm, congress = conference(2, "P79"), conference(3, "VSS")
        fill(hcm, 5)
        fill(congress, 5, start=1000)
        analyse()

        def cases():
            return [
                ("list, HCMC tier 2 (officer)", officer, hcm, "delegates:delegate_list", ""),
                ("list by name (officer)", officer, hcm, "delegates:delegate_list", "?order=name"),
                ("list filtered (officer)", officer, hcm, "delegates:delegate_list", "?q=an"),
                ("export .xlsx (officer)", officer, hcm, "delegates:delegate_export", ""),
                ("composition (officer)", officer, hcm, "delegates:composition", ""),
                ("list, Congress (council)", council, congress, "delegates:delegate_list", ""),
                ("composition, Congress", council, congress, "delegates:composition", ""),
            ]

        few = {
            label: measure(client, reverse(name, args=[target.pk]) + query, 3).queries
            for label, client, target, name, query in cases()
        }
        fill(hcm, args.delegates - 5, start=5)
        fill(congress, args.delegates - 5, start=2000)
        analyse()
        print(f"\n{args.runs} requests each, server time in ms, Django test client")
        print(f"{args.delegates} delegates per conference (queries with 5 in the last column)\n")
        print(f"{'page':34} {'p50':>8} {'p95':>8} {'queries':>8} {'with 5':>7}")
        login = measure(Client(), reverse("login"), args.runs)
        print(f"{'login page (floor)':34} {login.p50:8.1f} {login.p95:8.1f} {login.queries:8d}")
        for label, client, target, name, query in cases():
            url = reverse(name, args=[target.pk]) + query
            t = measure(client, url, args.runs)
            print(f"{label:34} {t.p50:8.1f} {t.p95:8.1f} {t.queries:8d} {few[label]:7d}")


if __name__ == "__main__":
    main()
