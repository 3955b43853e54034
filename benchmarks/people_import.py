"""How fast a 5,000-row staff list imports (run by hand).

    .venv/bin/python benchmarks/people_import.py [--rows 5000] [--seed 2020] [--keep]

Needs PostgreSQL: the server of ``DATABASE_URL`` (default, as in the test
settings: postgres://postgres@127.0.0.1:5432/postgres). The script creates
its own database ``bench_people`` (Django's test-database utilities, as
``benchmarks/board.py``: migrate, then cycle V with its ~1,500 units and the
demo logins), writes a seeded .xlsx of ``--rows`` people of BHXH TP.HCM's
units in the template's columns, and times:

- the floor: openpyxl alone reading every cell of the file (read-only);
- the check alone: ``read_workbook`` (cells, legacy text, duplicates in the file);
- the whole import as officer-hcm: ``import_people`` (check, units,
  duplicates in the register, ``bulk_create`` of people and titles).

Each import runs in a transaction rolled back afterwards, so runs repeat.
Peak memory (tracemalloc) is measured in a separate run of each, as
tracing slows Python down. The database is dropped afterwards, unless
``--keep``.
"""

import argparse
import datetime
import random
import time
import tracemalloc
from io import BytesIO

from support import analyse, throwaway_database  # first: sets Django up

# isort: split
from django.db import transaction

DATABASE = "bench_people"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Đức", "Thu", "Quốc", "Hồng", "Kim"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hùng", "Lan", "Linh", "Mai", "Nam"]
GIVEN += ["Nga", "Nhung", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến"]
POSITIONS = ["Chuyên viên", "Kế toán viên", "Phó Trưởng phòng", "Trưởng phòng", "Cán sự", ""]


def generate(rows: int, seed: int, unit_codes: list[str]) -> bytes:
    """A template-shaped workbook of ``rows`` distinct people (seeded)."""
    from congress.models import FieldOfWork
    from delegates.models import Rank
    from delegates.people_import import COLUMNS, write_workbook

    rng = random.Random(seed)  # noqa: S311 - seeded demo data, not secrets
    ranks = [str(label) for _value, label in Rank.choices]
    fields = [str(label) for _value, label in FieldOfWork.choices]
    seen: set[tuple[str, str, str]] = set()
    data = []
    while len(data) < rows:
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(40 * 365))
        unit = rng.choice(unit_codes)
        birth_text = birth.strftime("%d/%m/%Y") if rng.random() < 0.8 else str(birth.year)
        key = (unit, name, str(birth.year))
        if key in seen:
            continue
        seen.add(key)
        cells = {
            "number": len(data) + 1,
            "full_name": name,
            "gender": rng.choice(["Nam", "Nữ"]),
            "birth": birth_text,
            "ethnicity": "Kinh" if rng.random() < 0.95 else "Tày",
            "position": rng.choice(POSITIONS),
            "rank": rng.choice(ranks),
            "field_of_work": rng.choice(fields),
            "unit_code": unit,
            "council_role": (
                rng.choice(["Chủ tịch", "Thường trực", "Thư ký", "Ủy viên", "uy vien"])
                if rng.random() < 0.02
                else ""
            ),
            "handles_emulation": "x" if rng.random() < 0.05 else "",
            "good_person_good_deed": "x" if rng.random() < 0.1 else "",
            "good_solution": "x" if rng.random() < 0.05 else "",
            "works_directly": "x" if rng.random() < 0.5 else "",
            "national": "2018" if rng.random() < 0.005 else "",
            "sector": str(rng.randrange(2015, 2020)) if rng.random() < 0.05 else "",
            "grassroots": ", ".join(
                str(y) for y in sorted(rng.sample(range(2015, 2020), rng.randrange(0, 3)))
            ),
        }
        data.append([cells[key] for key, _header, _width in COLUMNS])
    return write_workbook(data, units=[], years=range(2015, 2020))


def floor(content: bytes) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
    cells = sum(len(row) for row in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return cells


def check(content: bytes):
    from delegates.people_import import read_workbook

    return read_workbook(BytesIO(content), years=range(2015, 2020), today=datetime.date(2026, 1, 1))


def whole_import(content: bytes, actor):
    from delegates.services.people import import_people

    with transaction.atomic():
        result = import_people(actor=actor, file=BytesIO(content))
        transaction.set_rollback(True)
    assert result.ok, result.errors[:5]
    return result


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    value = function(*args)
    return time.perf_counter() - started, value


def peak(function, *args) -> float:
    tracemalloc.start()
    function(*args)
    _current, highest = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return highest / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    args = parser.parse_args()
    from units.models import Unit, User
    from units.permissions import visible_units

    with throwaway_database(DATABASE, keep=args.keep):
        analyse()
        officer = User.objects.select_related("unit").get(username="officer-hcm")
        codes = list(visible_units(officer).filter(is_active=True).values_list("code", flat=True))
        content = generate(args.rows, args.seed, codes)
        print(
            f"\n{args.rows} rows over {len(codes)} units of {officer.unit}, "
            f"file {len(content) / 1024:.0f} KiB, seed {args.seed}\n"
        )
        floor_s, cells = timed(floor, content)
        check_s, parsed = timed(check, content)
        assert not parsed.errors, parsed.errors[:5]
        whole_import(content, officer)  # warm: imports, translations, plans
        import_s, result = timed(whole_import, content, officer)
        print(f"{'step':44} {'seconds':>8} {'× floor':>8} {'peak MiB':>9}")
        print(
            f"{'openpyxl read-only, every cell (floor)':44} {floor_s:8.2f} {1:8.1f} "
            f"{peak(floor, content):9.1f}"
        )
        print(
            f"{'read_workbook (checks, no database)':44} {check_s:8.2f} "
            f"{check_s / floor_s:8.1f} {peak(check, content):9.1f}"
        )
        print(
            f"{'import_people (checks + save)':44} {import_s:8.2f} "
            f"{import_s / floor_s:8.1f} {peak(whole_import, content, officer):9.1f}"
        )
        print(
            f"\n{cells} cells read; {result.created} people and {result.titles} titles "
            f"saved (then rolled back); {Unit.objects.count()} units in the database"
        )


if __name__ == "__main__":
    main()
