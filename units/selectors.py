"""Reads of the unit hierarchy, scoped by the permission policy."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from .models import Cluster, Unit, UnitKind, User
from .permissions import is_nationwide, visible_units, working_hierarchy_id
from .text import fold


def unit_list(
    *, user: User, query: str = "", kind: str = "", province: Unit | None = None
) -> QuerySet[Unit]:
    """Visible units matching a search, for the paginated list.

    The search ignores case and diacritics ("ha noi" finds "Hà Nội"); every
    word must match. The parent comes in the same query.
    """
    units = visible_units(user).select_related("parent")
    for word in fold(query).split():
        units = units.filter(search_name__contains=word)
    if kind:
        units = units.filter(kind=kind)
    if province is not None:
        units = units.filter(path__startswith=province.path)
    return units.order_by("path")


def visible_provinces(user: User) -> QuerySet[Unit]:
    """Provinces (and the HQ bloc) the user may filter the list by."""
    return (
        visible_units(user)
        .filter(kind__in=[UnitKind.PROVINCE, UnitKind.HQ_BLOC])
        .order_by("position")
    )


@dataclass
class TreeNode:
    unit: Unit
    children: list["TreeNode"] = field(default_factory=list)
    subtree_headcount: int = 0
    subtree_size: int = 1
    # How many of the headcounts in ``subtree_headcount`` are demo figures.
    demo_headcounts: int = 0


def unit_tree(*, user: User) -> list[TreeNode]:
    """The visible units as a forest (usually one root), siblings in
    protocol order, each node with its subtree's headcount: one query."""
    units = list(visible_units(user).order_by("depth", "position", "name_key"))
    nodes = {unit.pk: TreeNode(unit) for unit in units}
    roots = []
    for unit in units:
        node = nodes[unit.pk]
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
    # Deepest first, so that children are totalled before their parents.
    for unit in reversed(units):
        node = nodes[unit.pk]
        node.subtree_headcount = unit.headcount + sum(c.subtree_headcount for c in node.children)
        node.subtree_size = 1 + sum(c.subtree_size for c in node.children)
        node.demo_headcounts = int(unit.headcount_is_demo) + sum(
            c.demo_headcounts for c in node.children
        )
    return roots


def ancestors_of(unit: Unit) -> QuerySet[Unit]:
    """The unit's ancestors, root first, in one query."""
    return Unit.objects.filter(
        hierarchy_id=unit.hierarchy_id, path__in=unit.ancestor_paths
    ).order_by("depth")


def predecessors_of(unit: Unit) -> QuerySet[Unit]:
    """The units of the previous hierarchy this unit took over, each with
    its parent (the province a district lay in)."""
    return unit.predecessors.select_related("parent", "hierarchy").order_by("path")


def successors_of(unit: Unit) -> QuerySet[Unit]:
    """The units of newer hierarchies that took this unit over."""
    return unit.successors.select_related("parent", "hierarchy").order_by("path")


@dataclass(frozen=True)
class SubtreeTotals:
    units: int
    headcount: int
    demo_headcounts: int


def subtree_totals(unit: Unit) -> SubtreeTotals:
    totals = Unit.objects.subtree_of(unit).aggregate(
        units=Count("pk"),
        headcount=Sum("headcount"),
        demo=Count("pk", filter=Q(headcount_is_demo=True)),
    )
    return SubtreeTotals(
        units=totals["units"], headcount=totals["headcount"] or 0, demo_headcounts=totals["demo"]
    )


def kind_counts(units: QuerySet[Unit]) -> dict[str, int]:
    """How many units of each kind, in one aggregate query."""
    return dict(units.order_by().values_list("kind").annotate(n=Count("pk")))


def clusters_of(user: User) -> list[Cluster]:
    """The emulation clusters of the working hierarchy that hold a unit the
    user may see (all of them for nationwide roles), each with its members
    in protocol order, those the user may open marked ``is_visible``: three
    queries, whatever the number of clusters."""
    visible = visible_units(user)
    hierarchy_id = working_hierarchy_id(user)
    if hierarchy_id is None:
        return []
    clusters = Cluster.objects.filter(hierarchy_id=hierarchy_id)
    if not is_nationwide(user):
        clusters = clusters.filter(members__in=visible).distinct()
    loaded = list(
        clusters.prefetch_related(
            Prefetch("members", queryset=Unit.objects.order_by("position", "name_key"))
        ).order_by("position", "name")
    )
    members = [member for cluster in loaded for member in cluster.members.all()]
    seen = set(visible.filter(pk__in=[m.pk for m in members]).values_list("pk", flat=True))
    for member in members:
        member.is_visible = member.pk in seen
    return loaded
