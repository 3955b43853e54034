"""The one permission policy: what a user may do to a unit, and which units
(and so which of their records) a user may see.

A role is held on one unit and applies to that unit's whole subtree. It
follows the unit into a newer hierarchy: in a hierarchy other than their
unit's, a user acts on their unit's successor there (officer-hcm on BHXH
TP.HCM of 2019 acts on BHXH TP.HCM of 2025, which took it over). Council
members and administrators act on every hierarchy. Every view asks this
module; none decides on its own.

Which hierarchy a page shows is the cycle the user works in: the request's
middleware says it with ``work_in``; without it (a task, a shell) the user
works in their own unit's hierarchy.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from .models import Hierarchy, Role, Unit, User


class Action(StrEnum):
    VIEW = "view"  # read the unit and its records
    CHANGE = "change"  # register and run conferences, edit delegates
    REVIEW = "review"  # accept or return plans and quota allocations
    PRINT = "print"  # generate invitations, delegate lists and reports
    CONFIGURE = "configure"  # set up cycles and hierarchies


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.OFFICER: frozenset({Action.VIEW, Action.CHANGE, Action.PRINT}),
    Role.COUNCIL: frozenset({Action.VIEW, Action.REVIEW, Action.PRINT}),
    Role.PRINTER: frozenset({Action.VIEW, Action.PRINT}),
    Role.ADMIN: frozenset(Action),
}
NATIONWIDE_ROLES = frozenset({Role.COUNCIL, Role.ADMIN})
# How many reforms a role may follow forward (2019 → 2025 → …).
MAX_SUCCESSION = 3


def allowed_actions(user: User) -> frozenset[Action]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return ROLE_ACTIONS[Role.ADMIN]
    return ROLE_ACTIONS.get(user.role, frozenset())


def is_nationwide(user: User) -> bool:
    return user.is_superuser or user.role in NATIONWIDE_ROLES


def may_configure(user: User) -> bool:
    """Whether the user sets up cycles and hierarchies (administrators)."""
    return Action.CONFIGURE in allowed_actions(user)


def work_in(user: User, hierarchy_id: int | None) -> None:
    """Say which hierarchy the user works in for this request (the chosen
    cycle's); ``visible_units`` and ``scope_root`` then answer for it."""
    user._working_hierarchy_id = hierarchy_id  # type: ignore[attr-defined]


def working_hierarchy_id(user: User) -> int | None:
    chosen = getattr(user, "_working_hierarchy_id", None)
    if chosen is not None:
        return chosen
    if user.unit is not None:
        return user.unit.hierarchy_id
    latest = Hierarchy.objects.order_by("-effective_from").values_list("pk", flat=True).first()
    return latest


def home_units(user: User) -> dict[int, Unit]:
    """Hierarchy id → the unit the user's role is held on there: their own
    unit in its hierarchy, and in each newer one the unit that took it over
    (following the reforms forward, up to ``MAX_SUCCESSION`` of them).

    One query whatever the number of hierarchies, cached on the user object
    for the request. Where a unit was split among several successors, the
    shallowest (then first in the tree) is taken.
    """
    cached = user.__dict__.get("_home_units")
    if cached is not None:
        return cached
    units: dict[int, Unit] = {}
    unit = user.unit
    if unit is not None:
        units[unit.hierarchy_id] = unit
        chain = Q(predecessors=unit)
        lookup = "predecessors"
        for _step in range(MAX_SUCCESSION - 1):
            lookup += "__predecessors"
            chain |= Q(pk__in=Unit.objects.filter(**{lookup: unit}).values("pk"))
        for successor in Unit.objects.filter(chain).distinct().order_by("depth", "path"):
            units.setdefault(successor.hierarchy_id, successor)
    user.__dict__["_home_units"] = units
    return units


def home_unit_in(user: User, hierarchy_id: int) -> Unit | None:
    """The unit the user's role is held on in a hierarchy (``home_units``)."""
    return home_units(user).get(hierarchy_id)


def scope_root(user: User) -> Unit | None:
    """The top of the subtree the user works on in their working hierarchy;
    ``None`` means the whole hierarchy (or nothing, for a user whose unit
    has no successor there: ``visible_units`` is then empty)."""
    if is_nationwide(user):
        return None
    hierarchy_id = working_hierarchy_id(user)
    return home_unit_in(user, hierarchy_id) if hierarchy_id is not None else None


def has_permission(user: User, action: Action, unit: Unit) -> bool:
    """May ``user`` do ``action`` to ``unit`` (and to what belongs to it)?"""
    if action not in allowed_actions(user):
        return False
    if is_nationwide(user):
        return True
    root = home_unit_in(user, unit.hierarchy_id)
    return root is not None and unit.is_within(root)


def require_permission(user: User, action: Action, unit: Unit) -> None:
    """For services: raise ``PermissionDenied`` unless ``has_permission``."""
    if not has_permission(user, action, unit):
        raise PermissionDenied


def visible_units(user: User) -> QuerySet[Unit]:
    """The units of the working hierarchy the user may see, as one
    queryset (empty when none)."""
    if Action.VIEW not in allowed_actions(user):
        return Unit.objects.none()
    hierarchy_id = working_hierarchy_id(user)
    if hierarchy_id is None:
        return Unit.objects.none()
    if is_nationwide(user):
        return Unit.objects.filter(hierarchy_id=hierarchy_id)
    root = home_unit_in(user, hierarchy_id)
    if root is None:
        return Unit.objects.none()
    return Unit.objects.subtree_of(root)


def officers_covering(unit: Unit) -> list[User]:
    """Every active emulation officer who acts on ``unit``: those whose role
    is held on the unit or above it, in its hierarchy or (following the
    reforms forward) on a unit whose successor is one of those. The
    candidates in one query; each is then asked ``has_permission``, so the
    answer is the policy's, split successions included."""
    covering = Unit.objects.filter(
        hierarchy_id=unit.hierarchy_id, path__in=[*unit.ancestor_paths, unit.path]
    )
    reach = Q(unit__in=covering)
    lookup = "unit"
    for _step in range(MAX_SUCCESSION):
        lookup += "__successors"
        reach |= Q(**{f"{lookup}__in": covering})
    candidates = (
        User.objects.filter(reach, role=Role.OFFICER, is_active=True)
        .select_related("unit")
        .distinct()
        .order_by("pk")
    )
    return [user for user in candidates if has_permission(user, Action.CHANGE, unit)]
