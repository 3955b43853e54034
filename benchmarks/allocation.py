"""How long the quota arithmetic takes (run by hand; no database).

    .venv/bin/python benchmarks/allocation.py [--runs 100] [--seed 2020]

Times ``delegates.apportionment.allocate`` (exact fractions) on two sizes
the cycle meets, with Webster and Hamilton, and prints the median and p95
of ``--runs`` runs each:

- the Congress quota: 64 tier-2 organisers (63 provinces and the HQ bloc),
  attendance 150–350 each, about 350 elected seats;
- a large province: 40 units below (districts and departments),
  attendance 15–90 each, about 250 elected seats.

Attendances are drawn once from ``--seed`` (the same seed gives the same
figures), so Webster and Hamilton run on the same data.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from delegates.apportionment import Method, allocate


def case(rng: random.Random, units: int, low: int, high: int) -> dict[str, int]:
    return {f"U{n:02d}": rng.randint(low, high) for n in range(1, units + 1)}


def timed(populations: dict[str, int], total: int, method: Method, runs: int) -> list[float]:
    allocate(populations, total, method=method)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        allocate(populations, total, method=method)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 - demo figures, not secrets
    cases = [
        ("Congress: 64 organisers, attendance 150–350", case(rng, 64, 150, 350), 350),
        ("Large province: 40 units, attendance 15–90", case(rng, 40, 15, 90), 250),
    ]
    print(f"allocate(): {args.runs} runs each, seed {args.seed}, Python {sys.version.split()[0]}")
    print(f"{'case':46} {'method':9} {'seats':>5} {'steps':>5} {'median':>9} {'p95':>9}  tie")
    for label, populations, total in cases:
        for method in (Method.WEBSTER, Method.HAMILTON):
            times = sorted(timed(populations, total, method, args.runs))
            result = allocate(populations, total, method=method)
            assert sum(result.seats.values()) == total
            median = statistics.median(times) * 1000
            p95 = times[max(0, int(len(times) * 0.95) - 1)] * 1000
            print(
                f"{label:46} {method.value:9} {total:5} {len(result.steps):5} "
                f"{median:7.2f}ms {p95:7.2f}ms  {'yes' if result.tie else 'no'}"
            )


if __name__ == "__main__":
    main()
