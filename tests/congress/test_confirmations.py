"""What cannot be undone asks for confirmation: the moves of every state
machine that submit, accept, approve, return or confirm carry the text of
what will follow, and their forms carry it for static/js/confirm.js (the
dialog itself is exercised in tests/browser/test_confirm_dialog.py)."""

import html

import pytest
from django.urls import reverse

from congress import services
from congress.models import Conference
from delegates import quota_terms
from delegates.services import elections
from tests.congress.documents_support import make_conference

IRREVERSIBLE = [
    (services.CONFERENCE_WORKFLOW, "submit"),
    (services.CONFERENCE_WORKFLOW, "accept"),
    (services.CONFERENCE_WORKFLOW, "return"),
    (services.CONFERENCE_WORKFLOW, "close"),
    (services.PLAN_WORKFLOW, "accept"),
    (services.PLAN_WORKFLOW, "return"),
    (quota_terms.ALLOCATION_WORKFLOW, "submit"),
    (quota_terms.ALLOCATION_WORKFLOW, "approve"),
    (quota_terms.ALLOCATION_WORKFLOW, "return"),
    (elections.ELECTION_WORKFLOW, "confirm"),
]


@pytest.mark.parametrize(("workflow", "name"), IRREVERSIBLE)
def test_every_irreversible_move_says_what_follows(workflow, name):
    assert str(workflow.moves[name].confirm).strip()
    assert workflow.confirmations[name] == workflow.moves[name].confirm


def test_moves_that_can_be_undone_ask_nothing():
    assert services.CONFERENCE_WORKFLOW.moves["reopen"].confirm == ""


def test_conference_buttons_carry_the_confirmation(client, tree, tiers, users):
    conference = make_conference(tiers[1], tree.hcm_district, Conference.Status.SUBMITTED)
    client.force_login(users["council"])
    text = html.unescape(client.get(conference.get_absolute_url()).text)
    for name in ("accept", "return"):
        assert f'data-confirm="{services.CONFERENCE_WORKFLOW.moves[name].confirm}"' in text
    # One dialog on the page, opened by the script served by the app.
    assert text.count('id="confirm-dialog"') == 1
    assert "/static/js/confirm.js" in text


def test_plan_review_buttons_carry_the_confirmation(client, tree, tiers, users):
    from tests.congress.test_todo import plan

    plan(tree.hcm, actor=users["admin"])
    client.force_login(users["council"])
    text = html.unescape(client.get(reverse("plans:plan_unit", args=[tree.hcm.pk])).text)
    for name in ("accept", "return"):
        assert f'data-confirm="{services.PLAN_WORKFLOW.moves[name].confirm}"' in text
