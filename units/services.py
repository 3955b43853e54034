"""Writes to the unit hierarchies and their users.

A known hierarchy is loaded from the official administrative divisions of
its time (``units.divisions``: the 2019–2020 divisions for cycle V, the 34
provinces of the 2025 reform for today's structure) and from the editable
lists in ``units/data/``. Loading is idempotent: units that exist are left
as they are (an administrator may have edited them); only missing ones are
created.
"""

import datetime
import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import loader
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from . import divisions
from .audit import audited
from .divisions import ROOT_CODE, UnitSpec
from .models import Cluster, Hierarchy, Role, Unit, UnitKind, User
from .permissions import may_configure

# Plausible demo headcounts (staff of the unit itself), by kind. Big cities'
# districts are larger. Labelled as demo on every unit that gets one.
DEMO_HEADCOUNT: dict[str, tuple[int, int]] = {
    UnitKind.VSS: (5, 6),
    UnitKind.PROVINCE: (3, 5),
    UnitKind.DISTRICT: (12, 32),
    UnitKind.GRASSROOTS_OFFICE: (25, 60),
    UnitKind.PROVINCE_DEPARTMENT: (6, 20),
    UnitKind.HQ_BLOC: (0, 0),
    UnitKind.VSS_OFFICE: (18, 60),
    UnitKind.VSS_SERVICE: (25, 140),
    UnitKind.SECTOR: (40, 120),
}
BIG_CITY_DISTRICT_HEADCOUNT = (30, 80)
BIG_CITY_CODES = {"P01", "P79"}


def demo_headcount(*, seed: str, spec: UnitSpec) -> int:
    """A plausible headcount, the same on every machine for the same unit."""
    low, high = DEMO_HEADCOUNT[spec.kind]
    if spec.kind == UnitKind.DISTRICT and spec.parent_code in BIG_CITY_CODES:
        low, high = BIG_CITY_DISTRICT_HEADCOUNT
    seeded = random.Random(f"{seed}:{spec.code}")  # noqa: S311 - demo data, not secrets
    return seeded.randint(low, high)


@dataclass(frozen=True)
class HierarchySpec:
    """A hierarchy the loader knows: its name, date, legal source and the
    hierarchy it replaced."""

    key: str
    name: str
    effective_from: datetime.date
    source: str
    predecessor_key: str | None = None


HIERARCHY_2019 = HierarchySpec(
    key="2019",
    name="BHXH Việt Nam, 2019–2020",
    effective_from=datetime.date(2019, 10, 1),
    source=(
        "Danh mục đơn vị hành chính Việt Nam năm 2019–2020 (gói vietnam-provinces 0.2); "
        "các đơn vị trực thuộc BHXH Việt Nam theo hướng dẫn ngày 30/09/2019."
    ),
)
HIERARCHY_2025 = HierarchySpec(
    key="2025",
    name="BHXH Việt Nam từ 01/07/2025",
    effective_from=datetime.date(2025, 7, 1),
    predecessor_key="2019",
    source=(
        "Nghị quyết 202/2025/QH15 về sắp xếp đơn vị hành chính cấp tỉnh; "
        "Quyết định 391/QĐ-BTC ngày 26/02/2025 và Quyết định 2286/QĐ-BTC của Bộ Tài chính."
    ),
)
HIERARCHIES = {spec.key: spec for spec in (HIERARCHY_2019, HIERARCHY_2025)}


@dataclass(frozen=True)
class LoadResult:
    created: int
    existing: int


def hierarchy_unit_specs(key: str) -> list[UnitSpec]:
    """The units of a known hierarchy, parents before children."""
    return {"2019": divisions.vss_2019_specs, "2025": divisions.vss_2025_specs}[key]()


@transaction.atomic
def load_known_hierarchy(
    *, key: str, with_demo_headcounts: bool = True
) -> tuple[Hierarchy, LoadResult]:
    """Create (or complete) a known hierarchy, and the one it replaced first,
    so that its units' predecessors can be linked."""
    spec = HIERARCHIES[key]
    predecessor = None
    if spec.predecessor_key is not None:
        predecessor, _ = load_known_hierarchy(
            key=spec.predecessor_key, with_demo_headcounts=with_demo_headcounts
        )
    hierarchy, _ = Hierarchy.objects.get_or_create(
        name=spec.name,
        defaults={
            "effective_from": spec.effective_from,
            "source": spec.source,
            "predecessor": predecessor,
        },
    )
    result = load_hierarchy(
        hierarchy=hierarchy,
        specs=hierarchy_unit_specs(key),
        with_demo_headcounts=with_demo_headcounts,
        demo_seed=key,
    )
    return hierarchy, result


@transaction.atomic
def load_hierarchy(
    *,
    hierarchy: Hierarchy,
    specs: list[UnitSpec],
    with_demo_headcounts: bool = True,
    demo_seed: str = "V",
) -> LoadResult:
    """Create the units of ``hierarchy`` that do not exist yet; keep the others.

    Units are created level by level with ``bulk_create`` so that the whole
    national tree (about 1,500 units) loads in a handful of queries; their
    predecessors are looked up by code in the previous hierarchy.
    """
    by_code = {unit.code: unit for unit in Unit.objects.filter(hierarchy=hierarchy)}
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
                hierarchy=hierarchy,
                parent=by_code.get(spec.parent_code) if spec.parent_code else None,
                kind=spec.kind,
                code=spec.code,
                name=spec.name,
                position=spec.position,
                headcount=(
                    demo_headcount(seed=demo_seed, spec=spec) if with_demo_headcounts else 0
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
    if created and hierarchy.predecessor_id is not None:
        _link_predecessors(hierarchy=hierarchy, specs=specs, by_code=by_code)
    return LoadResult(created=created, existing=existing)


def _link_predecessors(
    *, hierarchy: Hierarchy, specs: list[UnitSpec], by_code: dict[str, Unit]
) -> None:
    wanted = {code for spec in specs for code in spec.predecessor_codes}
    old = {
        unit.code: unit
        for unit in Unit.objects.filter(hierarchy=hierarchy.predecessor, code__in=wanted)
    }
    missing = sorted(wanted - set(old))
    if missing:
        raise ImproperlyConfigured("Unknown predecessor units: " + ", ".join(missing))
    through = Unit.predecessors.through
    existing = set(
        through.objects.filter(from_unit__hierarchy=hierarchy).values_list(
            "from_unit_id", "to_unit_id"
        )
    )
    links = [
        through(from_unit_id=by_code[spec.code].pk, to_unit_id=old[code].pk)
        for spec in specs
        for code in spec.predecessor_codes
        if (by_code[spec.code].pk, old[code].pk) not in existing
    ]
    through.objects.bulk_create(links)


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
    DemoUser(
        "officer-vss",
        "Đỗ Thị Thanh Hương",
        Role.OFFICER,
        ROOT_CODE,
        "officer, VSS Emulation & Reward department",
    ),
    DemoUser("printer", "Phạm Văn Đức", Role.PRINTER, ROOT_CODE, "printing staff"),
)


@transaction.atomic
def create_demo_users(*, hierarchy: Hierarchy) -> list[User]:
    """The demo logins; existing accounts are left untouched.

    Refused unless ``settings.ALLOW_DEMO_DATA`` (never in production).
    """
    if not getattr(settings, "ALLOW_DEMO_DATA", False):
        raise ImproperlyConfigured("Demo users are not allowed with these settings.")
    units = {
        u.code: u
        for u in Unit.objects.filter(
            hierarchy=hierarchy, code__in=[d.unit_code for d in DEMO_USERS]
        )
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


CLUSTER_KINDS = frozenset({UnitKind.PROVINCE, UnitKind.HQ_BLOC})


def cluster_member_errors(*, cluster: Cluster, units: list[Unit]) -> list[str]:
    """Why ``units`` cannot be ``cluster``'s members: each must be a
    provincial office (or the HQ bloc) of the cluster's hierarchy, and in no
    other cluster of it."""
    errors = []
    foreign = [u.name for u in units if u.hierarchy_id != cluster.hierarchy_id]
    if foreign:
        errors.append(
            _("Not units of %(hierarchy)s: %(units)s.")
            % {"hierarchy": cluster.hierarchy, "units": ", ".join(foreign)}
        )
    wrong_kind = [u.name for u in units if u.kind not in CLUSTER_KINDS]
    if wrong_kind:
        errors.append(
            _("A cluster groups provincial offices: %(units)s cannot be members.")
            % {"units": ", ".join(wrong_kind)}
        )
    taken = (
        Cluster.members.through.objects.filter(unit__in=units, cluster__hierarchy=cluster.hierarchy)
        .exclude(cluster=cluster)
        .select_related("unit", "cluster")
    )
    for link in taken:
        errors.append(
            _("%(unit)s is already in %(cluster)s.")
            % {"unit": link.unit.name, "cluster": link.cluster.name}
        )
    return errors


@audited
@transaction.atomic
def set_cluster_members(*, actor: User, cluster: Cluster, units: list[Unit]) -> Cluster:
    """Make ``units`` the members of ``cluster`` (administrators only);
    refused with the reasons of ``cluster_member_errors``."""
    if not may_configure(actor):
        raise PermissionDenied
    errors = cluster_member_errors(cluster=cluster, units=units)
    if errors:
        raise ValidationError(errors)
    cluster.members.set(units)
    return cluster
