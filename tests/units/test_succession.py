"""A role follows its unit into a newer hierarchy, through the units that
took it over: for every role × own/foreign unit, in both hierarchies."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from units.models import Role
from units.permissions import (
    Action,
    has_permission,
    home_unit_in,
    scope_root,
    visible_units,
    work_in,
)

# role key → (own units, foreign units) of the newer hierarchy, by attribute
# of the ``reform`` fixture.
NEW_SCOPES = {
    "admin": ({"vss", "hcm", "hanoi", "hcm_office"}, set()),
    "council": ({"vss", "hcm", "hanoi", "hcm_office"}, set()),
    "printer": ({"vss", "hcm", "hanoi", "hcm_office"}, set()),
    "officer_hcm": ({"hcm", "hcm_office"}, {"vss", "hanoi"}),
    "printer_hcm": ({"hcm", "hcm_office"}, {"vss", "hanoi"}),
    "officer_hanoi": ({"hanoi"}, {"vss", "hcm", "hcm_office"}),
}
ROLE_ACTIONS = {
    "admin": set(Action),
    "council": {Action.VIEW, Action.REVIEW, Action.PRINT},
    "printer": {Action.VIEW, Action.PRINT},
    "officer_hcm": {Action.VIEW, Action.CHANGE, Action.PRINT},
    "printer_hcm": {Action.VIEW, Action.PRINT},
    "officer_hanoi": {Action.VIEW, Action.CHANGE, Action.PRINT},
}


@pytest.mark.parametrize("role", sorted(NEW_SCOPES))
@pytest.mark.parametrize("action", list(Action))
def test_role_follows_its_unit_into_the_newer_hierarchy(reform, users, role, action):
    own, foreign = NEW_SCOPES[role]
    user = users[role]
    for name in own:
        allowed = action in ROLE_ACTIONS[role]
        assert has_permission(user, action, getattr(reform, name)) == allowed, name
    for name in foreign:
        assert not has_permission(user, action, getattr(reform, name)), name


@pytest.mark.parametrize("role", sorted(NEW_SCOPES))
def test_working_in_the_newer_hierarchy_lists_its_units_only(tree, reform, users, role):
    own, foreign = NEW_SCOPES[role]
    user = users[role]
    work_in(user, reform.hierarchy.pk)
    visible = set(visible_units(user))
    assert {getattr(reform, name) for name in own} <= visible
    assert not visible & {getattr(reform, name) for name in foreign}
    assert all(unit.hierarchy_id == reform.hierarchy.pk for unit in visible)


@pytest.mark.parametrize("role", sorted(NEW_SCOPES))
def test_the_older_hierarchy_is_unchanged_for_each_role(tree, reform, users, role):
    user = users[role]
    work_in(user, tree.cycle.hierarchy_id)
    visible = set(visible_units(user))
    assert all(unit.hierarchy_id == tree.cycle.hierarchy_id for unit in visible)
    if role.endswith("_hcm"):
        assert visible == {tree.hcm, tree.hcm_district, tree.hcm_department}


def test_officers_of_merged_provinces_share_the_merged_one(tree, reform, make_user):
    binh_duong = make_user(Role.OFFICER, reform.old_binh_duong, username="officer-bd")
    assert home_unit_in(binh_duong, reform.hierarchy.pk) == reform.hcm
    assert has_permission(binh_duong, Action.CHANGE, reform.hcm_office)
    # … but in the old hierarchy each keeps their own province.
    assert not has_permission(binh_duong, Action.VIEW, tree.hcm)


def test_a_district_officer_acts_on_the_office_that_took_the_district_over(tree, reform, make_user):
    district = make_user(Role.OFFICER, tree.hcm_district, username="officer-q1")
    work_in(district, reform.hierarchy.pk)
    assert scope_root(district) == reform.hcm_office
    assert list(visible_units(district)) == [reform.hcm_office]
    assert not has_permission(district, Action.VIEW, reform.hcm)


def test_a_unit_nobody_took_over_acts_on_nothing_there(tree, reform, make_user):
    department = make_user(Role.OFFICER, tree.hcm_department, username="officer-vp")
    work_in(department, reform.hierarchy.pk)
    assert home_unit_in(department, reform.hierarchy.pk) is None
    assert not visible_units(department).exists()
    assert not has_permission(department, Action.VIEW, reform.hcm)


def test_the_successor_is_looked_up_once_per_hierarchy(reform, users):
    officer = users["officer_hcm"]
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            has_permission(officer, Action.CHANGE, reform.hcm_office)
            has_permission(officer, Action.CHANGE, reform.hanoi)
    assert len(queries) == 1
