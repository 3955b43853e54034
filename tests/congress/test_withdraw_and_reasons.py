"""Withdrawing a submitted conference or plan before the council decides
(with a reason, recorded, refused after the decision and to roles
without the right), the notices it sends, and the council's reason at
the top of a returned conference's and plan's page until it is submitted
again."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from congress import selectors, services
from congress.models import Conference, ConferenceTransition, OrganisationPlan
from tests.congress.test_plans import checked, media_root  # noqa: F401 - autouse fixture
from tests.factories import ConferenceFactory
from units.models import Notification

pytestmark = pytest.mark.django_db
S = Conference.Status
REASON = "Số người dự kiến 4.000 là gõ nhầm: đơn vị có 33 người."


@pytest.fixture
def conference(tree, tiers):
    return ConferenceFactory(tier=tiers[1], unit=tree.hcm_district, expected_attendance=30)


def move(conference, actor, name, reason=""):
    conference.refresh_from_db()
    return services.transition_conference(
        actor=actor, conference=conference, name=name, reason=reason
    )


def names(conference, user):
    conference.refresh_from_db()
    return [m.name for m in services.available_transitions(user=user, conference=conference)]


# -- Withdrawing a conference -------------------------------------------------------


def test_an_officer_withdraws_a_submitted_conference_with_a_reason(conference, users):
    officer = users["officer_hcm"]
    move(conference, officer, "submit")
    assert "withdraw" in names(conference, officer)
    withdrawn = move(conference, officer, "withdraw", reason=f"  {REASON} ")
    assert withdrawn.status == S.DRAFT
    step = withdrawn.transitions.order_by("-pk").first()
    assert (step.action, step.from_status, step.to_status) == ("withdraw", S.SUBMITTED, S.DRAFT)
    assert step.actor == officer and step.reason == REASON
    # A draft again: its details may change, and it goes to the council again.
    assert names(conference, officer)[0] == "submit"
    assert [n.kind for n in Notification.objects.filter(recipient=users["council"])] == [
        Notification.Kind.WITHDRAWN,
        Notification.Kind.SUBMITTED,
    ]
    assert Notification.objects.get(kind="withdrawn").body == REASON


def test_withdrawing_needs_a_reason(conference, users):
    move(conference, users["officer_hcm"], "submit")
    with pytest.raises(ValidationError) as error:
        move(conference, users["officer_hcm"], "withdraw", reason="   ")
    assert "reason" in error.value.message_dict
    conference.refresh_from_db()
    assert conference.status == S.SUBMITTED


@pytest.mark.parametrize("decision", ["accept", "return"])
def test_withdrawing_is_refused_once_the_council_has_decided(conference, users, decision):
    officer = users["officer_hcm"]
    move(conference, officer, "submit")
    move(conference, users["council"], decision, reason="Chưa đạt.")
    assert "withdraw" not in names(conference, officer)
    with pytest.raises(ValidationError):
        move(conference, officer, "withdraw", reason=REASON)
    assert not conference.transitions.filter(action="withdraw").exists()


def test_a_draft_cannot_be_withdrawn(conference, users):
    with pytest.raises(ValidationError):
        move(conference, users["officer_hcm"], "withdraw", reason=REASON)


@pytest.mark.parametrize("role", ["council", "printer_hcm", "officer_hanoi"])
def test_withdrawing_needs_the_right_to_change_the_unit(conference, users, role):
    move(conference, users["officer_hcm"], "submit")
    assert "withdraw" not in names(conference, users[role])
    with pytest.raises(PermissionDenied):
        move(conference, users[role], "withdraw", reason=REASON)
    conference.refresh_from_db()
    assert conference.status == S.SUBMITTED


def test_the_withdraw_button_posts_and_is_recorded_in_the_history(client, conference, users):
    move(conference, users["officer_hcm"], "submit")
    client.force_login(users["officer_hcm"])
    page = client.get(conference.get_absolute_url())
    assert 'name="action" value="withdraw"' in page.text
    conference.refresh_from_db()
    response = client.post(
        conference.get_absolute_url(),
        {"action": "withdraw", "lock_version": conference.lock_version, "reason": ""},
    )
    assert response.status_code == 400  # no reason: refused, nothing changed
    conference.refresh_from_db()
    assert conference.status == S.SUBMITTED
    response = client.post(
        conference.get_absolute_url(),
        {"action": "withdraw", "lock_version": conference.lock_version, "reason": REASON},
    )
    assert response.status_code == 302
    page = client.get(conference.get_absolute_url())
    history = page.text[page.text.index('data-testid="history"') :]
    assert REASON in history
    assert str(ConferenceTransition.Action.WITHDRAW.label) in history


# -- The reason at the top ------------------------------------------------------------


def top_of(page) -> str:
    """The page above its details (the title, the notices, the links)."""
    text = page.text
    return text[text.index("<main") : text.index('data-testid="delegates-links"')]


def test_a_returned_conference_shows_the_reason_at_the_top_until_submitted_again(
    client, conference, users
):
    officer = users["officer_hcm"]
    move(conference, officer, "submit")
    move(conference, users["council"], "return", reason=REASON)
    conference.refresh_from_db()
    notice = selectors.conference_return_notice(conference)
    assert notice.reason == REASON and notice.reviewer == users["council"]
    client.force_login(officer)
    top = top_of(client.get(conference.get_absolute_url()))
    assert 'data-testid="returned-reason"' in top and "33 người" in top
    assert 'data-testid="returned-next-step"' in top
    # The council sees the reason too, without the officer's next step.
    client.force_login(users["council"])
    top = top_of(client.get(conference.get_absolute_url()))
    assert "33 người" in top and 'data-testid="returned-next-step"' not in top
    move(conference, officer, "submit")
    client.force_login(officer)
    assert 'data-testid="returned-reason"' not in client.get(conference.get_absolute_url()).text
    conference.refresh_from_db()
    assert selectors.conference_return_notice(conference) is None


def test_a_withdrawn_or_reopened_draft_shows_no_return(conference, users):
    officer = users["officer_hcm"]
    move(conference, officer, "submit")
    move(conference, users["council"], "return", reason="Lần đầu.")
    move(conference, officer, "submit")
    move(conference, officer, "withdraw", reason=REASON)
    conference.refresh_from_db()
    assert conference.is_draft
    assert selectors.conference_return_notice(conference) is None


def test_the_return_notice_is_one_query(conference, users, django_assert_num_queries):
    move(conference, users["officer_hcm"], "submit")
    move(conference, users["council"], "return", reason=REASON)
    conference.refresh_from_db()
    with django_assert_num_queries(1):
        selectors.conference_return_notice(conference)


# -- Plans --------------------------------------------------------------------------


def file_plan(unit, actor):
    return services.upload_organisation_plan(actor=actor, unit=unit, upload=checked())


def test_an_officer_withdraws_a_filed_plan_and_files_a_new_version(
    client, tree, tiers, users, django_capture_on_commit_callbacks
):
    officer = users["officer_hcm"]
    plan = file_plan(tree.hcm, officer)
    assert Notification.objects.get(recipient=users["council"]).kind == "submitted"
    client.force_login(officer)
    url = reverse("plans:plan_withdraw", args=[tree.hcm.pk, plan.pk])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    plan.refresh_from_db()
    assert plan.is_submitted
    assert client.post(url, {"reason": REASON}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == OrganisationPlan.Status.WITHDRAWN
    assert (plan.withdrawn_by, plan.withdrawal_reason) == (officer, REASON)
    assert plan.withdrawn_at is not None
    page = client.get(reverse("plans:plan_unit", args=[tree.hcm.pk]))
    assert REASON in page.text and 'data-testid="plan-withdraw"' not in page.text
    assert Notification.objects.filter(recipient=users["council"], kind="withdrawn").exists()
    # The council cannot review a withdrawn version; the next one, yes.
    with pytest.raises(ValidationError):
        services.review_organisation_plan(actor=users["council"], plan=plan, decision="accept")
    second = file_plan(tree.hcm, officer)
    services.review_organisation_plan(actor=users["council"], plan=second, decision="accept")


@pytest.mark.parametrize("decision", ["accept", "return"])
def test_a_reviewed_plan_cannot_be_withdrawn(tree, tiers, users, decision):
    plan = file_plan(tree.hcm, users["officer_hcm"])
    services.review_organisation_plan(
        actor=users["council"], plan=plan, decision=decision, reason="Chưa đạt."
    )
    with pytest.raises(ValidationError):
        services.withdraw_organisation_plan(actor=users["officer_hcm"], plan=plan, reason=REASON)


@pytest.mark.parametrize("role", ["council", "printer_hcm", "officer_hanoi"])
def test_withdrawing_a_plan_needs_the_right_to_change_the_unit(tree, tiers, users, role):
    plan = file_plan(tree.hcm, users["officer_hcm"])
    with pytest.raises(PermissionDenied):
        services.withdraw_organisation_plan(actor=users[role], plan=plan, reason=REASON)
    plan.refresh_from_db()
    assert plan.is_submitted


def test_the_council_cannot_withdraw_through_the_review(tree, tiers, users):
    plan = file_plan(tree.hcm, users["officer_hcm"])
    with pytest.raises(ValidationError):
        services.review_organisation_plan(
            actor=users["council"], plan=plan, decision="withdraw", reason=REASON
        )


def test_the_plan_page_offers_withdraw_to_the_officer_and_review_to_the_council(
    client, tree, tiers, users
):
    file_plan(tree.hcm, users["officer_hcm"])
    url = reverse("plans:plan_unit", args=[tree.hcm.pk])
    client.force_login(users["officer_hcm"])
    page = client.get(url)
    assert page.context["may_withdraw"] and not page.context["may_review"]
    client.force_login(users["council"])
    page = client.get(url)
    assert page.context["may_review"] and not page.context["may_withdraw"]


def test_a_returned_plan_shows_the_reason_at_the_top_until_a_new_version(
    client, tree, tiers, users
):
    plan = file_plan(tree.hcm, users["officer_hcm"])
    services.review_organisation_plan(
        actor=users["council"], plan=plan, decision="return", reason=REASON
    )
    notices = Notification.objects.filter(kind="returned")
    assert [n.recipient for n in notices] == [users["officer_hcm"]]
    assert notices[0].body == REASON
    client.force_login(users["officer_hcm"])
    url = reverse("plans:plan_unit", args=[tree.hcm.pk])
    text = client.get(url).text
    top = text[text.index("<main") : text.index('data-testid="plan-upload"')]
    assert 'data-testid="returned-reason"' in top and "33 người" in top
    file_plan(tree.hcm, users["officer_hcm"])
    assert 'data-testid="returned-reason"' not in client.get(url).text
