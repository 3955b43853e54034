"""An allocation withdrawn before the council decides (with a reason,
recorded, refused after the decision and to roles without the right),
the council's reason at the top of a returned allocation, and the notices
of an allocation's moves and of an election's confirmation."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from delegates.models import Allocation
from delegates.services import quotas as quota_services
from delegates.services.elections import confirm_election, open_election
from tests.delegates.elections.test_elections import approve, held, stand, vote
from tests.delegates.quotas.test_allocation_views import (  # noqa: F401 - the provinces fixture
    action,
    page,
    provinces,
    submitted,
)
from tests.factories import UserFactory
from units.models import Notification, Role

pytestmark = pytest.mark.django_db
A = Allocation.Status
REASON = "Xin rút để điều chỉnh số ghế của Văn phòng."


def withdraw(users, allocation, actor="officer_hcm", reason=REASON):
    allocation.refresh_from_db()
    return quota_services.withdraw_allocation(
        actor=users[actor], allocation=allocation, reason=reason
    )


def test_an_officer_withdraws_a_submitted_version_to_draft(users, provinces):  # noqa: F811
    allocation = submitted(users, provinces["hcm"])
    withdrawn = withdraw(users, allocation, reason=f" {REASON} ")
    assert withdrawn.status == A.DRAFT
    assert (withdrawn.withdrawn_by, withdrawn.withdrawal_reason) == (users["officer_hcm"], REASON)
    assert withdrawn.withdrawn_at is not None
    # A draft again: adjusted and submitted again.
    again = quota_services.submit_allocation(actor=users["officer_hcm"], allocation=withdrawn)
    assert again.status == A.SUBMITTED
    kinds = [n.kind for n in Notification.objects.filter(recipient=users["council"])]
    assert sorted(kinds) == ["submitted", "submitted", "withdrawn"]


def test_withdrawing_an_allocation_needs_a_reason(users, provinces):  # noqa: F811
    allocation = submitted(users, provinces["hcm"])
    with pytest.raises(ValidationError):
        withdraw(users, allocation, reason=" ")
    allocation.refresh_from_db()
    assert allocation.status == A.SUBMITTED


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_a_decided_allocation_cannot_be_withdrawn(users, provinces, decision):  # noqa: F811
    allocation = submitted(users, provinces["hcm"])
    quota_services.review_allocation(
        actor=users["council"], allocation=allocation, decision=decision, reason="Chưa đạt."
    )
    with pytest.raises(ValidationError):
        withdraw(users, allocation)


@pytest.mark.parametrize("role", ["council", "printer_hcm", "officer_hanoi"])
def test_withdrawing_an_allocation_needs_the_right_to_change(users, provinces, role):  # noqa: F811
    allocation = submitted(users, provinces["hcm"])
    with pytest.raises(PermissionDenied):
        withdraw(users, allocation, actor=role)


def test_the_withdraw_form_refuses_bad_input_and_records_the_move(
    client,
    users,
    provinces,  # noqa: F811
):
    allocation = submitted(users, provinces["hcm"])
    client.force_login(users["officer_hcm"])
    shown = client.get(page(provinces["hcm"]))
    assert shown.context["may_withdraw"] and 'data-testid="withdraw"' in shown.text
    url = action("withdraw", provinces["hcm"], allocation.version)
    refused = client.post(url, {"lock_version": allocation.lock_version + 1, "reason": REASON})
    assert refused.status_code == 302  # a stale page: refused with the message
    allocation.refresh_from_db()
    assert allocation.status == A.SUBMITTED
    empty = client.post(url, {"lock_version": allocation.lock_version, "reason": ""})
    assert empty.status_code == 400
    response = client.post(url, {"lock_version": allocation.lock_version, "reason": REASON})
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.status == A.DRAFT
    text = client.get(page(provinces["hcm"])).text
    assert 'data-testid="withdrawn"' in text and REASON in text
    client.force_login(users["council"])
    assert not client.get(page(provinces["hcm"])).context["may_withdraw"]


def test_a_returned_allocation_shows_the_reason_at_the_top_until_submitted_again(
    client,
    users,
    provinces,  # noqa: F811
):
    allocation = submitted(users, provinces["hcm"])
    quota_services.review_allocation(
        actor=users["council"], allocation=allocation, decision="return", reason=REASON
    )
    client.force_login(users["officer_hcm"])
    text = client.get(page(provinces["hcm"])).text
    top = text[text.index("<main") : text.index('data-testid="seat-budget"')]
    assert 'data-testid="returned-reason"' in top and REASON in top
    assert 'data-testid="returned-next-step"' in top
    allocation.refresh_from_db()
    quota_services.submit_allocation(actor=users["officer_hcm"], allocation=allocation)
    assert 'data-testid="returned-reason"' not in client.get(page(provinces["hcm"])).text


# -- Notices ---------------------------------------------------------------------------


def test_allocation_moves_tell_the_council_then_the_officers(
    users,
    provinces,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        allocation = submitted(users, provinces["hcm"])
    submitted_notice = Notification.objects.get(kind="submitted")
    assert submitted_notice.recipient == users["council"]
    assert submitted_notice.url == page(provinces["hcm"], allocation.version)
    with django_capture_on_commit_callbacks(execute=True):
        quota_services.review_allocation(
            actor=users["council"], allocation=allocation, decision="return", reason=REASON
        )
        allocation.refresh_from_db()
        quota_services.submit_allocation(actor=users["officer_hcm"], allocation=allocation)
        allocation.refresh_from_db()
        quota_services.review_allocation(
            actor=users["council"], allocation=allocation, decision="approve"
        )
    officer = [n.kind for n in Notification.objects.filter(recipient=users["officer_hcm"])]
    assert sorted(officer) == ["approved", "returned"]
    assert Notification.objects.get(kind="returned").body == REASON
    # Two submissions of one version are two events.
    assert Notification.objects.filter(kind="submitted").count() == 2
    assert len(mail.outbox) == 4
    assert not Notification.objects.filter(recipient=users["officer_hanoi"]).exists()


def test_a_confirmed_election_tells_the_officers_of_the_conference_above(
    tree, tiers, users, hcm_upper, django_capture_on_commit_callbacks
):
    officer_q1 = UserFactory(role=Role.OFFICER, unit=tree.hcm_district, username="officer-q1")
    district = held(tiers[1], tree.hcm_district)
    election = open_election(actor=officer_q1, conference=district)
    approve(hcm_upper, {tree.hcm_district: 2, tree.hcm_department: 1}, users["admin"])
    an, binh, chi = stand(election, officer_q1, 3)
    vote(election, officer_q1, 100, {an: 80, binh: 51, chi: 50})
    election.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        confirm_election(actor=officer_q1, election=election)
    notice = Notification.objects.get(kind="election_confirmed")
    assert notice.recipient == users["officer_hcm"]
    assert notice.url == reverse("delegates:delegate_list", args=[hcm_upper.pk])
    assert "BHXH Quận 1" in notice.title and "2" in notice.title
    assert [m.to for m in mail.outbox] == [[users["officer_hcm"].email]]
