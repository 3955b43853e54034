"""The one permission policy: what a user may do to a unit, and which units
(and so which of their records) a user may see.

A role held on a unit applies to that unit's whole subtree. Council members
and administrators act nationwide, within the cycle of their own unit.
Every view asks this module; none decides on its own.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from .models import Role, Unit, User


class Action(StrEnum):
    VIEW = "view"  # read the unit and its records
    CHANGE = "change"  # register and run conferences, edit delegates
    REVIEW = "review"  # accept or return plans and quota allocations
    PRINT = "print"  # generate invitations, delegate lists and reports


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.OFFICER: frozenset({Action.VIEW, Action.CHANGE, Action.PRINT}),
    Role.COUNCIL: frozenset({Action.VIEW, Action.REVIEW, Action.PRINT}),
    Role.PRINTER: frozenset({Action.VIEW, Action.PRINT}),
    Role.ADMIN: frozenset(Action),
}
NATIONWIDE_ROLES = frozenset({Role.COUNCIL, Role.ADMIN})


def allowed_actions(user: User) -> frozenset[Action]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return ROLE_ACTIONS[Role.ADMIN]
    return ROLE_ACTIONS.get(user.role, frozenset())


def is_nationwide(user: User) -> bool:
    return user.is_superuser or user.role in NATIONWIDE_ROLES


def scope_root(user: User) -> Unit | None:
    """The top of the subtree the user works on; ``None`` means the whole
    hierarchy of the user's cycle."""
    return None if is_nationwide(user) else user.unit


def has_permission(user: User, action: Action, unit: Unit) -> bool:
    """May ``user`` do ``action`` to ``unit`` (and to what belongs to it)?"""
    if action not in allowed_actions(user):
        return False
    if user.is_superuser and user.unit_id is None:
        return True
    if user.unit is None or unit.cycle_id != user.unit.cycle_id:
        return False
    root = scope_root(user)
    return root is None or unit.is_within(root)


def require_permission(user: User, action: Action, unit: Unit) -> None:
    """For services: raise ``PermissionDenied`` unless ``has_permission``."""
    if not has_permission(user, action, unit):
        raise PermissionDenied


def visible_units(user: User) -> QuerySet[Unit]:
    """The units the user may see, as one queryset (empty when none)."""
    if Action.VIEW not in allowed_actions(user):
        return Unit.objects.none()
    if user.is_superuser and user.unit_id is None:
        from congress.selectors import current_cycle

        cycle = current_cycle()
        return Unit.objects.filter(cycle=cycle) if cycle else Unit.objects.none()
    if user.unit is None:
        return Unit.objects.none()
    root = scope_root(user)
    if root is None:
        return Unit.objects.filter(cycle_id=user.unit.cycle_id)
    return Unit.objects.subtree_of(root)
