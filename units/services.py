"""Writes to the unit hierarchy and its users.

The hierarchy of a cycle is loaded from the official administrative
divisions (``vietnam-provinces`` 0.6.0, the last release before the 2025
reform) and from the editable department and VSS-unit lists in
``units/data/``. Loading is idempotent: units that exist are left as they
are (an administrator may have edited them); only missing ones are created.
"""

import csv
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import loader
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from vietnam_provinces.enums import DistrictEnum, ProvinceEnum

from .models import Role, Unit, UnitKind, User

DATA_DIR = Path(__file__).resolve().parent / "data"

ROOT_CODE = "VSS"
HQ_BLOC_CODE = "KCQ"
SECTOR_UNITS = (("BQP", "BHXH Bộ Quốc phòng"), ("CAND", "BHXH Công an nhân dân"))

# Plausible demo headcounts (staff of the unit itself), by kind. Big cities'
# districts are larger. Labelled as demo on every unit that gets one.
DEMO_HEADCOUNT: dict[str, tuple[int, int]] = {
    UnitKind.VSS: (5, 6),
    UnitKind.PROVINCE: (3, 5),
    UnitKind.DISTRICT: (12, 32),
    UnitKind.PROVINCE_DEPARTMENT: (6, 20),
    UnitKind.HQ_BLOC: (0, 0),
    UnitKind.VSS_OFFICE: (18, 60),
    UnitKind.VSS_SERVICE: (25, 140),
    UnitKind.SECTOR: (40, 120),
}
BIG_CITY_DISTRICT_HEADCOUNT = (30, 80)
BIG_CITY_CODES = {"P01", "P79"}


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    parent_code: str | None
    position: int


@dataclass(frozen=True)
class LoadResult:
    created: int
    existing: int


def province_code(number: int) -> str:
    return f"P{number:02d}"


def province_unit_name(place: str) -> str:
    """ "Tỉnh Hà Giang" → "BHXH tỉnh Hà Giang"; "Thành phố Hà Nội" →
    "BHXH TP. Hà Nội" (the short form the sector uses for cities)."""
    kind, _, rest = place.partition(" ")
    if kind == "Thành":
        return f"BHXH TP. {rest.removeprefix('phố ')}"
    return f"BHXH {kind.lower()} {rest}"


def district_unit_name(place: str) -> str:
    """ "Huyện Củ Chi" → "BHXH huyện Củ Chi"; numbered districts keep their
    capital: "Quận 1" → "BHXH Quận 1"."""
    for kind in ("Thành phố", "Thị xã", "Quận", "Huyện"):
        if place.startswith(kind + " "):
            rest = place[len(kind) + 1 :]
            if rest.isdigit():
                return f"BHXH {place}"
            return f"BHXH {kind.lower()} {rest}"
    return f"BHXH {place}"


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def vss_hierarchy_specs() -> list[UnitSpec]:
    """Every unit of the VSS system, parents before children."""
    specs = [UnitSpec(ROOT_CODE, "Bảo hiểm xã hội Việt Nam", UnitKind.VSS, None, 0)]
    specs.append(
        UnitSpec(HQ_BLOC_CODE, "Khối cơ quan BHXH Việt Nam", UnitKind.HQ_BLOC, ROOT_CODE, 0)
    )
    provinces = sorted((p.value for p in ProvinceEnum), key=lambda p: p.code)
    for position, province in enumerate(provinces, start=1):
        specs.append(
            UnitSpec(
                province_code(province.code),
                province_unit_name(province.name),
                UnitKind.PROVINCE,
                ROOT_CODE,
                position,
            )
        )
    for position, (code, name) in enumerate(SECTOR_UNITS, start=len(provinces) + 1):
        specs.append(UnitSpec(code, name, UnitKind.SECTOR, ROOT_CODE, position))

    for row in _read_csv("vss_units.csv"):
        specs.append(
            UnitSpec(
                f"{HQ_BLOC_CODE}-{row['code']}",
                row["name"],
                row["kind"],
                HQ_BLOC_CODE,
                int(row["position"]),
            )
        )
    departments = _read_csv("province_departments.csv")
    for province in provinces:
        parent = province_code(province.code)
        for row in departments:
            specs.append(
                UnitSpec(
                    f"{parent}-{row['code']}",
                    row["name"],
                    UnitKind.PROVINCE_DEPARTMENT,
                    parent,
                    int(row["position"]),
                )
            )
    districts = sorted((d.value for d in DistrictEnum), key=lambda d: d.code)
    offset = len(departments)
    for district in districts:
        specs.append(
            UnitSpec(
                f"D{district.code:03d}",
                district_unit_name(district.name),
                UnitKind.DISTRICT,
                province_code(district.province_code),
                offset + district.code,
            )
        )
    return specs


def demo_headcount(*, cycle_number: str, spec: UnitSpec) -> int:
    """A plausible headcount, the same on every machine for the same unit."""
    low, high = DEMO_HEADCOUNT[spec.kind]
    if spec.kind == UnitKind.DISTRICT and spec.parent_code in BIG_CITY_CODES:
        low, high = BIG_CITY_DISTRICT_HEADCOUNT
    seeded = random.Random(f"{cycle_number}:{spec.code}")  # noqa: S311 - demo data, not secrets
    return seeded.randint(low, high)


@transaction.atomic
def load_vss_hierarchy(*, cycle, with_demo_headcounts: bool = True) -> LoadResult:
    """Create the units of ``cycle`` that do not exist yet; keep the others.

    Units are created level by level with ``bulk_create`` so that the whole
    national tree (about 1,500 units) loads in a handful of queries.
    """
    specs = vss_hierarchy_specs()
    by_code = {unit.code: unit for unit in Unit.objects.filter(cycle=cycle)}
    existing = len(by_code)
    pending = [spec for spec in specs if spec.code not in by_code]
    created = 0
    while pending:
        ready = [s for s in pending if s.parent_code is None or s.parent_code in by_code]
        if not ready:
            raise ImproperlyConfigured(
                "Units with unknown parents: " + ", ".join(s.code for s in pending)
            )
        new_units = []
        for spec in ready:
            unit = Unit(
                cycle=cycle,
                parent=by_code.get(spec.parent_code) if spec.parent_code else None,
                kind=spec.kind,
                code=spec.code,
                name=spec.name,
                position=spec.position,
                headcount=(
                    demo_headcount(cycle_number=cycle.number, spec=spec)
                    if with_demo_headcounts
                    else 0
                ),
                headcount_is_demo=with_demo_headcounts,
            )
            unit.fill_derived_fields()
            new_units.append(unit)
        for unit in Unit.objects.bulk_create(new_units):
            by_code[unit.code] = unit
        created += len(new_units)
        ready_codes = {s.code for s in ready}
        pending = [s for s in pending if s.code not in ready_codes]
    return LoadResult(created=created, existing=existing)


DEMO_PASSWORD = "demo12345"  # noqa: S105 - demo data, refused in production


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    unit_code: str | None
    description: str


DEMO_USERS = (
    DemoUser("admin", "Quản trị hệ thống", Role.ADMIN, ROOT_CODE, "administrator"),
    DemoUser("council", "Nguyễn Thị Thu Hà", Role.COUNCIL, ROOT_CODE, "VSS council"),
    DemoUser("officer-hcm", "Trần Minh Tuấn", Role.OFFICER, "P79", "officer, BHXH TP.HCM"),
    DemoUser("officer-hanoi", "Lê Thị Hồng Nhung", Role.OFFICER, "P01", "officer, BHXH TP. Hà Nội"),
    DemoUser("printer", "Phạm Văn Đức", Role.PRINTER, ROOT_CODE, "printing staff"),
)


@transaction.atomic
def create_demo_users(*, cycle) -> list[User]:
    """The five demo logins; existing accounts are left untouched.

    Refused unless ``settings.ALLOW_DEMO_DATA`` (never in production).
    """
    if not getattr(settings, "ALLOW_DEMO_DATA", False):
        raise ImproperlyConfigured("Demo users are not allowed with these settings.")
    units = {
        u.code: u
        for u in Unit.objects.filter(cycle=cycle, code__in=[d.unit_code for d in DEMO_USERS])
    }
    users = []
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            user = User(
                username=demo.username,
                full_name=demo.full_name,
                email=f"{demo.username}@demo.invalid",
                role=demo.role,
                unit=units[demo.unit_code] if demo.unit_code else None,
                is_staff=demo.role == Role.ADMIN,
                is_superuser=demo.role == Role.ADMIN,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        users.append(user)
    return users


def send_password_reset_email(*, user: User, domain: str, use_https: bool) -> None:
    """Mail ``user`` a one-time link to choose a new password.

    Built here rather than in the request so that the token is made by the
    worker that sends it; the link stays valid for
    ``PASSWORD_RESET_TIMEOUT``.
    """
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
    }
    subject = "".join(
        loader.render_to_string("registration/password_reset_subject.txt", context).splitlines()
    )
    body = loader.render_to_string("registration/password_reset_email.html", context)
    EmailMultiAlternatives(subject, body, None, [user.email]).send()
