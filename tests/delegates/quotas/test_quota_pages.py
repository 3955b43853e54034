"""What the pages show of the rules between quotas and elections: units yet
to hold, the official-delegate warning, an allocation out of date after a
correction, the excess a newer version causes (previewed for the council,
flagged on the allocation, election and delegate pages, resolved by the
officer), the Congress's balance, where each delegate comes from; per role,
with the query counts flat."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from congress.models import Conference
from delegates.models import Allocation, Category, Delegate, Election
from delegates.services import quotas as quota_services
from delegates.services.elections import confirm_election, open_election
from tests.delegates.elections.test_bound_elections import version
from tests.delegates.elections.test_elections import approve, held, stand, vote
from tests.delegates.quotas.test_allocations import correct, hold, set_cap
from tests.factories import ConferenceFactory, DelegateFactory, PersonFactory, UnitFactory

pytestmark = pytest.mark.django_db


def allocation_page(conference, number=None):
    url = reverse("allocations:allocation_detail", args=[conference.pk])
    return f"{url}?version={number}" if number else url


def election_page(conference):
    return reverse("elections:election_detail", args=[conference.pk])


# -- Units yet to hold, official delegates not listed ---------------------------------


def test_the_page_lists_the_units_yet_to_hold_with_their_status(
    client, users, tree, tiers, hcm_upper
):
    ConferenceFactory(tier=tiers[1], unit=tree.hcm_district, status=Conference.Status.ACCEPTED)
    client.force_login(users["council"])

    response = client.get(allocation_page(hcm_upper))

    units = [entry["unit"] for entry in response.context["not_held"]]
    assert units == [tree.hcm_district, tree.hcm_department]
    assert response.text.count('data-testid="not-held-unit"') == 2
    assert f"{tree.hcm_department.name} <span" in response.text
    assert str(Conference.Status.ACCEPTED.label) in response.text
    assert 'data-testid="compute-form"' not in response.text


def test_an_exempted_unit_is_marked_and_does_not_block(client, users, tree, tiers, hcm_upper):
    from congress.models import TierExemption

    hold(tiers[1], tree.hcm_district, 40)
    TierExemption.objects.create(
        tier=tiers[1], unit=tree.hcm_department, reason="Sáp nhập", recorded_by=users["council"]
    )
    client.force_login(users["officer_hcm"])

    response = client.get(allocation_page(hcm_upper))

    assert response.context["not_held"] == []
    assert 'data-testid="exempted"' in response.text
    assert 'data-testid="compute-form"' in response.text


def test_computing_before_the_official_delegates_warns_on_the_page(
    client, users, tree, tiers, hcm_upper
):
    hold(tiers[1], tree.hcm_district, 40)
    hold(tiers[1], tree.hcm_department, 60)
    warning = _(
        "No official delegate of this conference is listed yet: the elected seats will "
        "shrink when they are, and the allocation will need a new version."
    )
    client.force_login(users["officer_hcm"])

    before = client.get(allocation_page(hcm_upper))
    response = client.post(
        reverse("allocations:allocation_compute", args=[hcm_upper.pk]),
        {"method": "webster", "tie_break": "order"},
        follow=True,
    )

    assert warning in before.text
    assert [str(m) for m in response.context["messages"]][-1] == warning
    assert Allocation.objects.filter(conference=hcm_upper).count() == 1


# -- Out of date after a correction --------------------------------------------------------


@pytest.fixture
def approved_hcm(users, tree, tiers, hcm_upper):
    """HCMC's allocation, approved: Quận 1 13, Văn phòng 82, 20 seats."""
    hold(tiers[1], tree.hcm_district, 13)
    hold(tiers[1], tree.hcm_department, 82)
    set_cap(tiers, tree.hcm, 20)
    allocation = quota_services.compute_allocation(actor=users["officer_hcm"], conference=hcm_upper)
    quota_services.submit_allocation(actor=users["officer_hcm"], allocation=allocation)
    return quota_services.review_allocation(
        actor=users["council"], allocation=allocation, decision="approve"
    )


def test_a_correction_shows_the_allocation_out_of_date_with_each_difference(
    client, users, tree, tiers, approved_hcm
):
    lower = Conference.objects.get(tier=tiers[1], unit=tree.hcm_district)
    correct(lower, 31, users["officer_hcm"])

    for role in ("officer_hcm", "council"):
        client.force_login(users[role])
        response = client.get(allocation_page(approved_hcm.conference))
        [change] = response.context["shown_changes"]
        assert (change.unit, change.old, change.new) == (tree.hcm_district, 13, 31)
        assert 'data-testid="out-of-date"' in response.text
        assert "13 → <strong>31</strong>" in response.text
        assert response.text.count('data-testid="attendance-now"') == 1
        assert "Nhập nhầm số người dự" in response.text
        assert _("It still binds the elections until the council approves a newer version.") in (
            response.text
        )
    # The officer is told to recompute, and may.
    client.force_login(users["officer_hcm"])
    assert 'data-testid="compute-form"' in client.get(allocation_page(approved_hcm.conference)).text


def test_the_list_shows_out_of_date_allocations_with_their_differences(
    client, users, tree, tiers, approved_hcm
):
    correct(Conference.objects.get(tier=tiers[1], unit=tree.hcm_department), 80, users["admin"])
    client.force_login(users["council"])

    response = client.get(reverse("allocations:allocation_list"), {"status": "all"})

    [allocation] = response.context["allocations"]
    assert [(c.unit, c.old, c.new) for c in allocation.attendance_changes] == [
        (tree.hcm_department, 82, 80)
    ]
    assert f"{tree.hcm_department.name}: <span" in response.text and "82 → 80" in response.text


def test_the_list_flags_only_the_versions_still_in_play(client, users, tree, tiers, approved_hcm):
    conference = approved_hcm.conference
    newer = quota_services.compute_allocation(actor=users["officer_hcm"], conference=conference)
    newest = quota_services.compute_allocation(actor=users["officer_hcm"], conference=conference)
    correct(Conference.objects.get(tier=tiers[1], unit=tree.hcm_department), 80, users["admin"])
    client.force_login(users["council"])

    response = client.get(reverse("allocations:allocation_list"), {"status": "all"})

    flagged = {a.version for a in response.context["allocations"] if a.attendance_changes}
    # The approved version (binding) and the newest one; not the draft replaced by it.
    assert flagged == {approved_hcm.version, newest.version}
    assert newer.version not in flagged


def test_the_list_query_count_stays_flat_with_out_of_date_rows(client, users, tree, tiers):
    def provinces(count, prefix):
        for n in range(count):
            organiser = UnitFactory(parent=tree.vss, kind="province", code=f"{prefix}{n}")
            district = UnitFactory(parent=organiser, code=f"{prefix}{n}-D")
            lower = hold(tiers[1], district, 30)
            conference = ConferenceFactory(tier=tiers[2], unit=organiser)
            allocation = quota_services.compute_allocation(
                actor=users["admin"], conference=conference
            )
            quota_services.submit_allocation(actor=users["admin"], allocation=allocation)
            correct(lower, 35, users["admin"])

    client.force_login(users["council"])
    url = reverse("allocations:allocation_list")
    provinces(1, "PA")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    provinces(12, "PB")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert sum(1 for a in response.context["allocations"] if a.attendance_changes) == 13
    assert len(many) == len(few)


# -- Elections above the seats of a newer version --------------------------------------------


@pytest.fixture
def excess(users, tree, tiers, approved_hcm):
    """Quận 1 elected two delegates within the three seats of version 1;
    version 2 (submitted) gives it one."""
    officer = users["officer_hcm"]
    lower = Conference.objects.get(tier=tiers[1], unit=tree.hcm_district)
    election = open_election(actor=officer, conference=lower)
    an, binh = stand(election, officer, 2)
    vote(election, officer, 13, {an: 12, binh: 9})
    election.refresh_from_db()
    confirm_election(actor=officer, election=election)
    second = version(
        approved_hcm.conference,
        {tree.hcm_district: 1, tree.hcm_department: 19},
        users["admin"],
        number=2,
    )
    return {
        "election": Election.objects.get(pk=election.pk),
        "first": approved_hcm,
        "second": second,
        "people": (an, binh),
        "target": approved_hcm.conference,
    }


def test_the_council_sees_the_excess_before_approving(client, users, excess):
    client.force_login(users["council"])

    response = client.get(allocation_page(excess["target"], 2))

    [flag] = response.context["excess"]
    assert (flag.unit, flag.elected, flag.seats) == (excess["election"].conference.unit, 2, 1)
    assert 'data-testid="excess"' in response.text and 'data-testid="review"' in response.text
    for person in excess["people"]:
        assert person.full_name in response.text


def test_approving_flags_the_excess_and_changes_nothing(client, users, excess):
    client.force_login(users["council"])

    response = client.post(
        reverse("allocations:allocation_review", args=[excess["target"].pk, 2]),
        {"decision": "approve", "lock_version": excess["second"].lock_version},
        follow=True,
    )

    texts = [str(m) for m in response.context["messages"]]
    an, binh = excess["people"]
    assert any(an.full_name in text and binh.full_name in text for text in texts)
    assert response.context["excess"] and 'data-testid="excess"' in response.text
    assert Delegate.objects.filter(conference=excess["target"]).count() == 2
    assert Election.objects.get(pk=excess["election"].pk).allocation == excess["first"]


def approved_second(users, excess):
    quota_services.review_allocation(
        actor=users["council"], allocation=excess["second"], decision="approve"
    )


def test_the_election_page_keeps_its_bound_quota_and_flags_the_excess(client, users, excess):
    approved_second(users, excess)
    client.force_login(users["council"])

    response = client.get(election_page(excess["election"].conference))

    # The quota and the marks are version 1's: two elected within its three seats.
    assert response.context["quota"] == 3
    assert response.context["binding"] == excess["first"]
    assert [line.outcome for line in response.context["count"].lines] == ["elected", "elected"]
    assert response.context["newer"].excess.excess == 1
    assert 'data-testid="excess"' in response.text
    assert response.text.count('data-testid="excess-delegate"') == 2
    # The council reads; only who changes the conference above resolves.
    assert 'data-testid="resolve-form"' not in response.text


RESOLVES = {
    "admin": 302,
    "officer_hcm": 302,
    "council": 403,
    "printer_hcm": 403,
    "printer": 403,
    "officer_hanoi": 404,
}


@pytest.mark.parametrize(("role", "expected"), RESOLVES.items())
def test_resolving_by_role(client, users, excess, role, expected):
    approved_second(users, excess)
    binh = excess["people"][1]
    leaving = Delegate.objects.get(conference=excess["target"], person=binh)
    client.force_login(users[role])

    page = client.get(election_page(excess["election"].conference))
    response = client.post(
        reverse("elections:excess_resolve", args=[excess["election"].conference.pk]),
        {"delegate": [leaving.pk]},
    )

    assert response.status_code == expected
    resolved = expected == 302
    assert ('data-testid="resolve-form"' in page.text) == resolved
    assert Delegate.objects.filter(pk=leaving.pk).exists() != resolved
    # Resolved or not, the election stays bound to the version it used.
    assert Election.objects.get(pk=excess["election"].pk).allocation == excess["first"]
    after = client.get(election_page(excess["election"].conference)).text
    assert ('data-testid="newer-version"' in after) == resolved


def test_the_fewest_votes_are_ticked_and_a_wrong_choice_is_told(client, users, excess):
    approved_second(users, excess)
    binh = excess["people"][1]
    client.force_login(users["officer_hcm"])

    page = client.get(election_page(excess["election"].conference))
    both = list(Delegate.objects.filter(conference=excess["target"]).values_list("pk", flat=True))
    response = client.post(
        reverse("elections:excess_resolve", args=[excess["election"].conference.pk]),
        {"delegate": both},
        follow=True,
    )

    ticked = Delegate.objects.get(conference=excess["target"], person=binh)
    assert f'value="{ticked.pk}" id="excess-{ticked.pk}" checked' in page.text
    assert any("1" in str(m) for m in response.context["messages"])
    assert Delegate.objects.filter(conference=excess["target"]).count() == 2


def test_the_delegate_list_above_flags_the_rows_concerned(client, users, tree, excess):
    approved_second(users, excess)
    official = DelegateFactory(conference=excess["target"], category=Category.OFFICIAL)
    client.force_login(users["officer_hcm"])

    response = client.get(reverse("delegates:delegate_list", args=[excess["target"].pk]))

    assert response.text.count('data-testid="excess-flag"') == 2
    link = election_page(excess["election"].conference) + "#excess"
    assert f'href="{link}"' in response.text
    flagged = {d.pk for d in response.context["listing"].delegates if d.excess}
    assert official.pk not in flagged and len(flagged) == 2


def test_the_allocation_page_query_count_is_flat_with_elections_and_corrections(
    client, users, tree, tiers
):
    def province(count, code):
        organiser = UnitFactory(parent=tree.vss, kind="province", code=code, name=f"BHXH {code}")
        units = [UnitFactory(parent=organiser, code=f"{code}-{n:02d}") for n in range(count)]
        lowers = [hold(tiers[1], unit, 20 + n) for n, unit in enumerate(units)]
        conference = ConferenceFactory(tier=tiers[2], unit=organiser)
        approve(conference, dict.fromkeys(units, 2), users["admin"])
        for lower in lowers:
            election = open_election(actor=users["admin"], conference=lower)
            people = stand(election, users["admin"], 2)
            vote(election, users["admin"], 10, dict(zip(people, [9, 8], strict=True)))
            election.refresh_from_db()
            confirm_election(actor=users["admin"], election=election)
            correct(lower, 50, users["admin"])
        version(conference, dict.fromkeys(units, 1), users["admin"], number=2)
        return conference

    small, large = province(3, "QS"), province(25, "QL")
    client.force_login(users["council"])
    client.get(allocation_page(small, 2))
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(allocation_page(small, 2)).context["excess"]) == 3
    with CaptureQueriesContext(connection) as many:
        response = client.get(allocation_page(large, 2))
    assert len(response.context["excess"]) == 25
    assert len(response.context["shown_changes"]) == 25
    assert len(many) == len(few)


# -- The Congress's balance on its allocation page ----------------------------------------------


def test_the_congress_allocation_warns_of_an_unbalanced_election(client, users, tree, tiers):
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    source = ConferenceFactory(tier=tiers[2], unit=tree.hcm)
    tree.hcm_district.headcount = 900
    tree.hcm_district.save()
    for _n in range(4):  # all from the province office: district level far below its staff share
        DelegateFactory(
            conference=congress,
            category=Category.ELECTED,
            person=PersonFactory(unit=tree.hcm),
            unit=tree.hcm,
            elected_at=source,
        )
    client.force_login(users["council"])

    response = client.get(allocation_page(congress))

    balance = response.context["balance"]
    assert {line.key for line in balance.warnings if line.dimension == "levels"} >= {
        "district",
        "province",
    }
    assert response.text.count('data-testid="balance-warning"') == len(balance.warnings)
    assert reverse("delegates:composition", args=[congress.pk]) in response.text


def test_a_tier_two_allocation_has_no_balance(client, users, approved_hcm):
    client.force_login(users["council"])
    response = client.get(allocation_page(approved_hcm.conference))
    assert response.context["balance"] is None


# -- Where a delegate comes from ------------------------------------------------------------------


def test_a_row_shows_the_unit_they_work_in_and_the_conference_that_elected_them(
    client, users, tree, tiers, hcm_upper
):
    lower = held(tiers[1], tree.hcm_district)
    worker = PersonFactory(unit=tree.hcm_district, full_name="Trần Thị Bầu")
    elected = DelegateFactory(
        conference=hcm_upper,
        category=Category.ELECTED,
        person=worker,
        unit=tree.hcm_district,
        elected_at=lower,
    )
    official = DelegateFactory(
        conference=hcm_upper, category=Category.OFFICIAL, person=PersonFactory(unit=tree.hcm)
    )
    client.force_login(users["printer_hcm"])

    response = client.get(reverse("delegates:delegate_list", args=[hcm_upper.pk]))

    text = response.text
    assert f'data-testid="own-unit">{tree.hcm_district.name}<' in text
    assert f'data-testid="own-unit">{tree.hcm.name}<' in text
    origin = (
        f'data-testid="origin">{tree.hcm_district.name}'
        f'<div class="text-body-secondary">{tiers[1].name}</div>'
    )
    assert origin in text
    assert text.count('data-testid="origin"></td>') == 1  # the official delegate
    assert {elected.pk, official.pk} == {d.pk for d in response.context["listing"].delegates}


def test_the_person_page_lists_each_delegation_with_its_tier_and_where_elected(
    client, users, tree, tiers, hcm_upper
):
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    lower = held(tiers[1], tree.hcm_district)
    person = PersonFactory(unit=tree.hcm_district)
    DelegateFactory(
        conference=hcm_upper,
        category=Category.ELECTED,
        person=person,
        unit=tree.hcm_district,
        elected_at=lower,
    )
    DelegateFactory(
        conference=congress,
        category=Category.ELECTED,
        person=person,
        unit=tree.hcm,
        elected_at=hcm_upper,
    )
    client.force_login(users["council"])

    response = client.get(reverse("people:person_detail", args=[person.pk]))

    text = response.text
    assert text.count('data-testid="delegation"') == 2
    for tier, unit in ((tiers[1], tree.hcm_district), (tiers[2], tree.hcm)):
        assert _("elected at %(tier)s · %(unit)s") % {"tier": tier.name, "unit": unit.name} in text
    assert str(tiers[3].get_level_display()) in text


def test_the_delegate_list_query_count_stays_flat_with_elected_rows(
    client, users, tree, tiers, hcm_upper, django_assert_max_num_queries
):
    approve(hcm_upper, {tree.hcm_district: 50}, users["admin"])
    lower = held(tiers[1], tree.hcm_district)
    election = open_election(actor=users["admin"], conference=lower)
    people = stand(election, users["admin"], 2)
    vote(election, users["admin"], 10, dict(zip(people, [9, 8], strict=True)))
    election.refresh_from_db()
    confirm_election(actor=users["admin"], election=election)
    client.force_login(users["officer_hcm"])
    url = reverse("delegates:delegate_list", args=[hcm_upper.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _n in range(30):
        DelegateFactory(
            conference=hcm_upper,
            category=Category.ELECTED,
            person=PersonFactory(unit=tree.hcm_district),
            unit=tree.hcm_district,
            elected_at=lower,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["listing"].delegates) == 32
