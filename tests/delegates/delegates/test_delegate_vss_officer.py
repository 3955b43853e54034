"""VSS acts as VSS: an emulation officer held on the VSS root (the demo's
``officer-vss``), no administrator, registers the Congress, manages its
delegates and computes its allocation; the council approves it."""

import datetime

import pytest
from django.urls import reverse

from congress.models import Conference
from delegates.models import Allocation, Category, CouncilRole, Delegate, Rank
from delegates.services.quotas import compute_allocation, review_allocation, submit_allocation
from tests.factories import ConferenceFactory, PersonFactory
from units.models import Role
from units.services import DEMO_USERS


def hold(tier, unit, attendance):
    return ConferenceFactory(
        tier=tier,
        unit=unit,
        status=Conference.Status.HELD,
        held_on=tier.window_start + datetime.timedelta(days=40),
        actual_attendance=attendance,
    )


@pytest.fixture
def vss_officer(tree, make_user):
    return make_user(Role.OFFICER, tree.vss, username="officer-vss")


def test_the_demo_login_is_an_officer_on_the_vss_root():
    demo = next(d for d in DEMO_USERS if d.username == "officer-vss")
    assert (demo.role, demo.unit_code) == (Role.OFFICER, "VSS")
    assert demo.description == "officer, VSS Emulation & Reward department"


def test_vss_officer_runs_the_congress_and_the_council_approves(
    client, tree, tiers, users, vss_officer
):
    assert not (vss_officer.is_superuser or vss_officer.is_staff)
    hold(tiers[2], tree.hcm, 300)
    hold(tiers[2], tree.hanoi, 200)
    chair = PersonFactory(
        unit=tree.hanoi,
        full_name="Phan Văn Chủ",
        rank=Rank.HEAD,
        council_role=CouncilRole.CHAIR,
        council_unit=tree.hanoi,
    )
    leader = PersonFactory(unit=tree.vss, full_name="Tổng Văn Giám", rank=Rank.HEAD)
    client.force_login(vss_officer)

    # Registers the Congress.
    response = client.post(
        reverse("congress:conference_register"),
        {
            "organiser": f"{tree.vss.pk}:{tiers[3].pk}",
            "date": "20/08/2020",
            "start_time": "08:00",
            "venue": "Trung tâm Hội nghị Quốc gia",
            "length": "full_day",
            "expected_attendance": "480",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    congress = Conference.objects.get(tier=tiers[3])
    assert congress.unit == tree.vss

    # Manages its delegates: the suggestions, a guest.
    suggestions = reverse("delegates:official_suggestions", args=[congress.pk])
    page = client.get(suggestions)
    assert {s.person for s in page.context["suggestions"]} == {chair, leader}
    assert client.post(suggestions, {"people": [chair.pk, leader.pk]}).status_code == 302
    guest = client.post(
        reverse("delegates:guest_add", args=[congress.pk]),
        {"guest_name": "Đại diện Văn phòng Chính phủ"},
    )
    assert guest.status_code == 302
    assert sorted(
        Delegate.objects.filter(conference=congress).values_list("category", flat=True)
    ) == [
        Category.GUEST,
        Category.OFFICIAL,
        Category.OFFICIAL,
    ]

    # Computes and submits its allocation; the council approves it.
    detail = client.get(reverse("allocations:allocation_detail", args=[congress.pk]))
    assert detail.status_code == 200
    allocation = compute_allocation(actor=vss_officer, conference=congress)
    # 500 − 2 official (guests not counted) = 498, shared 300 : 200.
    assert sorted(allocation.lines.values_list("unit__code", "seats")) == [
        ("P01", 199),
        ("P79", 299),
    ]
    submit_allocation(actor=vss_officer, allocation=allocation)
    approved = review_allocation(actor=users["council"], allocation=allocation, decision="approve")
    assert approved.status == Allocation.Status.APPROVED


def test_a_province_officer_cannot_run_the_congress(client, tree, tiers, users):
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    client.force_login(users["officer_hcm"])
    assert client.get(reverse("delegates:delegate_list", args=[congress.pk])).status_code == 404
    client.force_login(users["council"])
    page = client.get(reverse("delegates:delegate_list", args=[congress.pk]))
    assert page.status_code == 200 and not page.context["may_change"]
