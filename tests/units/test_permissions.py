"""The permission policy, for every role × own/foreign unit × action."""

import pytest

from units.models import Role
from units.permissions import Action, has_permission, visible_units

# role key → actions allowed on units of the user's own scope
OWN = {
    "admin": set(Action),
    "council": {Action.VIEW, Action.REVIEW, Action.PRINT},
    "officer_hcm": {Action.VIEW, Action.CHANGE, Action.PRINT},
    "printer_hcm": {Action.VIEW, Action.PRINT},
    "printer": {Action.VIEW, Action.PRINT},
}
# role key → actions allowed on a unit of another province
FOREIGN = {
    "admin": set(Action),
    "council": {Action.VIEW, Action.REVIEW, Action.PRINT},
    "officer_hcm": set(),
    "printer_hcm": set(),
    "printer": {Action.VIEW, Action.PRINT},  # the VSS printer's scope is national
}


@pytest.mark.parametrize("role", sorted(OWN))
@pytest.mark.parametrize("action", list(Action))
def test_action_on_own_subtree(tree, users, role, action):
    for unit in (tree.hcm, tree.hcm_district, tree.hcm_department):
        assert has_permission(users[role], action, unit) == (action in OWN[role]), unit


@pytest.mark.parametrize("role", sorted(FOREIGN))
@pytest.mark.parametrize("action", list(Action))
def test_action_on_foreign_unit(tree, users, role, action):
    for unit in (tree.hanoi, tree.hanoi_district):
        assert has_permission(users[role], action, unit) == (action in FOREIGN[role]), unit


def test_officer_may_not_act_above_own_unit(tree, users):
    assert not has_permission(users["officer_hcm"], Action.VIEW, tree.vss)
    assert not has_permission(users["officer_hcm"], Action.CHANGE, tree.vss)


def test_officer_sees_exactly_own_subtree(tree, users):
    visible = set(visible_units(users["officer_hcm"]))
    assert visible == {tree.hcm, tree.hcm_district, tree.hcm_department}


def test_council_sees_whole_cycle(tree, users):
    assert visible_units(users["council"]).count() == 6


def test_inactive_user_may_do_nothing(tree, users):
    officer = users["officer_hcm"]
    officer.is_active = False
    assert not has_permission(officer, Action.VIEW, tree.hcm_district)
    assert not visible_units(officer).exists()


def test_unit_of_another_hierarchy_is_listed_only_when_working_in_it(tree, users):
    from tests.factories import CycleFactory, UnitFactory
    from units.permissions import work_in

    other = UnitFactory(hierarchy=CycleFactory(number="VI").hierarchy, code="VSS")
    council, officer = users["council"], users["officer_hcm"]
    assert other not in visible_units(council)
    # Nationwide roles act on every hierarchy; an officer only where their
    # unit has a successor (it has none here).
    assert has_permission(council, Action.VIEW, other)
    assert not has_permission(officer, Action.VIEW, other)
    work_in(council, other.hierarchy_id)
    work_in(officer, other.hierarchy_id)
    assert list(visible_units(council)) == [other]
    assert not visible_units(officer).exists()


def test_superuser_without_unit_sees_current_cycle(tree, make_user):
    admin = make_user(Role.ADMIN, None, username="root", is_superuser=True, is_staff=True)
    assert has_permission(admin, Action.CHANGE, tree.hanoi_district)
    assert visible_units(admin).count() == 6


def test_user_with_unknown_role_may_do_nothing(tree, make_user):
    user = make_user("retired", tree.hcm)
    assert not has_permission(user, Action.VIEW, tree.hcm)
    assert not visible_units(user).exists()
