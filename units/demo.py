"""Demonstration units of today's structure: a few grassroots offices (BHXH
cơ sở), which no official package lists, written into the unit import's
workbook and imported through it as an administrator would. Never in
production (``ALLOW_DEMO_DATA``)."""

from io import BytesIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from . import divisions, unit_import
from .hierarchy_services import ImportResult, import_units
from .models import Cluster, Hierarchy, Unit, UnitKind, User
from .services import demo_headcount, set_cluster_members

DEMO_OFFICES = "demo_grassroots_offices_2025.csv"
# Two clusters of six provinces each, for the page to show something; the
# real clusters are set by the council.
DEMO_CLUSTERS = {
    "Cụm thi đua số 1 (minh họa)": ("P01", "P31", "P22", "P24", "P33", "P37"),
    "Cụm thi đua số 6 (minh họa)": ("P79", "P75", "P80", "P92", "P91", "P86"),
}


def demo_offices_workbook() -> bytes:
    """The seed's offices as a filled-in import file (headcounts left empty)."""
    labels = unit_import.kind_labels()
    rows = [
        unit_import.export_row(
            code=row["code"],
            name=row["name"],
            kind=UnitKind.GRASSROOTS_OFFICE,
            parent_code=row["parent_code"],
            headcount=0,
            headcount_is_demo=True,
            is_active=True,
            predecessor_codes=[c.strip() for c in row["predecessor_codes"].split(";")],
            labels=labels,
        )
        for row in divisions.read_seed(DEMO_OFFICES)
    ]
    return unit_import.write_workbook(rows, hierarchy_name="demo")


@transaction.atomic
def import_demo_offices(*, actor: User, hierarchy: Hierarchy) -> ImportResult:
    """Import the demo offices into ``hierarchy`` and give them plausible
    headcounts labelled as demo figures (the import itself leaves them 0)."""
    if not getattr(settings, "ALLOW_DEMO_DATA", False):
        raise ImproperlyConfigured("Demo data is not allowed with these settings.")
    result = import_units(actor=actor, hierarchy=hierarchy, file=BytesIO(demo_offices_workbook()))
    if not result.ok:
        raise ImproperlyConfigured(
            "The demo offices do not import: "
            + "; ".join(f"{e.row}/{e.column}: {e.message}" for e in result.errors)
        )
    offices = list(
        Unit.objects.filter(hierarchy=hierarchy, kind=UnitKind.GRASSROOTS_OFFICE, headcount=0)
    )
    for office in offices:
        spec = divisions.UnitSpec(office.code, office.name, office.kind, None, 0)
        office.headcount = demo_headcount(seed=hierarchy.name, spec=spec)
        office.headcount_is_demo = True
    Unit.objects.bulk_update(offices, ["headcount", "headcount_is_demo"])
    return result


@transaction.atomic
def create_demo_clusters(*, actor: User, hierarchy: Hierarchy) -> list[Cluster]:
    """The demo clusters of ``hierarchy``, once (kept as edited)."""
    if not getattr(settings, "ALLOW_DEMO_DATA", False):
        raise ImproperlyConfigured("Demo data is not allowed with these settings.")
    units = {u.code: u for u in Unit.objects.filter(hierarchy=hierarchy, kind=UnitKind.PROVINCE)}
    clusters = []
    for position, (name, codes) in enumerate(DEMO_CLUSTERS.items(), start=1):
        cluster, created = Cluster.objects.get_or_create(
            hierarchy=hierarchy, name=name, defaults={"position": position}
        )
        if created:
            set_cluster_members(actor=actor, cluster=cluster, units=[units[c] for c in codes])
        clusters.append(cluster)
    return clusters
