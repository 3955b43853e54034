"""The one shape of the state machines (units/workflow.py): a move is
made only by whoever holds its permission, from its source status, with a
reason where it needs one; the page offers exactly those moves."""

from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from units.permissions import Action
from units.workflow import Move, Workflow

pytestmark = pytest.mark.django_db

FLOW = Workflow(
    Move("submit", "draft", "submitted", Action.CHANGE, "Submit"),
    Move("accept", "submitted", "accepted", Action.REVIEW, "Accept"),
    Move("return", "submitted", "draft", Action.REVIEW, "Return", needs_reason=True),
    refusal="A thing that is “%(status)s” cannot be moved this way.",
)


@dataclass
class Thing:
    status: str

    def get_status_display(self) -> str:
        return self.status.upper()


def test_the_moves_offered_are_those_of_the_status_and_the_permission(tree, users):
    submitted = Thing("submitted")
    assert [m.name for m in FLOW.available(submitted, user=users["council"], unit=tree.hcm)] == [
        "accept",
        "return",
    ]
    assert FLOW.available(submitted, user=users["officer_hcm"], unit=tree.hcm) == []
    assert [
        m.name for m in FLOW.available(Thing("draft"), user=users["officer_hcm"], unit=tree.hcm)
    ] == ["submit"]


def test_a_move_is_checked_by_permission_status_and_reason(tree, users):
    council, officer = users["council"], users["officer_hcm"]
    assert (
        FLOW.check(Thing("submitted"), "accept", user=council, unit=tree.hcm).target == "accepted"
    )
    with pytest.raises(PermissionDenied):
        FLOW.check(Thing("submitted"), "accept", user=officer, unit=tree.hcm)
    with pytest.raises(PermissionDenied):
        FLOW.check(Thing("draft"), "submit", user=users["officer_hanoi"], unit=tree.hcm)
    with pytest.raises(ValidationError, match="DRAFT"):
        FLOW.check(Thing("draft"), "accept", user=council, unit=tree.hcm)
    with pytest.raises(ValidationError) as refused:
        FLOW.check(Thing("submitted"), "return", user=council, unit=tree.hcm, reason="  ")
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError):
        FLOW.check(Thing("draft"), "explode", user=council, unit=tree.hcm)
    assert FLOW.between("submitted", "draft").name == "return"
    assert FLOW.between("draft", "accepted") is None
