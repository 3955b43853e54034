"""The allocation pages for every role on own and foreign provinces, the
forms' refusals (input kept, nothing saved), the stale-page message and
the query-count guards."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congress.models import Conference
from delegates import quota_terms
from delegates.models import Allocation
from delegates.services import quotas as quota_services
from tests.delegates.quotas.test_allocations import hold, province, set_cap  # noqa: F401 - re-exported fixture
from tests.factories import ConferenceFactory, UnitFactory

pytestmark = pytest.mark.django_db

ROLES = ["admin", "council", "officer_hcm", "officer_hanoi", "printer_hcm", "printer"]
# Who sees the allocation page of HCMC's and of Hà Nội's tier-2 conference.
SEES = {
    "admin": (200, 200),
    "council": (200, 200),
    "officer_hcm": (200, 404),
    "officer_hanoi": (404, 200),
    "printer_hcm": (200, 404),
    "printer": (200, 200),
}


@pytest.fixture
def provinces(tree, tiers, hcm_upper, hanoi_upper):
    """Both provinces' tier-2 conferences with their units below held:
    HCMC 13 : 82 sharing 20 seats, Hà Nội's one district sharing 5."""
    hold(tiers[1], tree.hcm_district, 13)
    hold(tiers[1], tree.hcm_department, 82)
    hold(tiers[1], tree.hanoi_district, 40)
    set_cap(tiers, tree.hcm, 20)
    set_cap(tiers, tree.hanoi, 5)
    return {"hcm": hcm_upper, "hanoi": hanoi_upper}


def page(conference, version=None):
    url = reverse("allocations:allocation_detail", args=[conference.pk])
    return f"{url}?version={version}" if version else url


def action(name, conference, version=None):
    args = [conference.pk] if version is None else [conference.pk, version]
    return reverse(f"allocations:allocation_{name}", args=args)


def computed(users, conference, actor="officer_hcm"):
    return quota_services.compute_allocation(actor=users[actor], conference=conference)


def submitted(users, conference, actor="officer_hcm"):
    allocation = computed(users, conference, actor)
    return quota_services.submit_allocation(actor=users[actor], allocation=allocation)


def adjust_data(allocation, seats, reasons=None, lock=None):
    """The adjust form as the page posts it, ``was_<unit>`` being the
    seats the page was loaded with."""
    data = {"lock_version": lock or allocation.lock_version}
    for line in allocation.lines.all():
        data[f"was_{line.unit_id}"] = line.seats
        data[f"seats_{line.unit_id}"] = seats.get(line.unit_id, line.seats)
        data[f"reason_{line.unit_id}"] = (reasons or {}).get(line.unit_id, "")
    return data


# -- Who sees what ----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_allocation_page_by_role_on_own_and_foreign_provinces(client, users, provinces, role):
    computed(users, provinces["hcm"])
    computed(users, provinces["hanoi"], actor="officer_hanoi")
    client.force_login(users[role])

    statuses = tuple(client.get(page(provinces[key])).status_code for key in ("hcm", "hanoi"))

    assert statuses == SEES[role]


def test_the_page_shows_shares_seats_method_and_steps(client, users, provinces, tree):
    computed(users, provinces["hcm"])
    client.force_login(users["printer_hcm"])

    response = client.get(page(provinces["hcm"]))

    html = response.content.decode()
    assert response.status_code == 200
    # 20 seats for 13 : 82 (sum 95): shares 52/19 ≈ 2.74 and 328/19 ≈ 17.26.
    assert "52/19" in html and "2,74" in html
    assert "328/19" in html and "17,26" in html
    assert 'data-testid="steps"' in html
    assert str(Allocation.Method.WEBSTER.label) in html
    # A reader gets no form.
    assert 'data-testid="adjust-form"' not in html
    assert 'data-testid="compute-form"' not in html
    assert 'data-testid="review"' not in html


def test_a_tie_is_shown_with_its_rule(client, users, tree, tiers, hcm_upper):
    hold(tiers[1], tree.hcm_district, 10)
    hold(tiers[1], tree.hcm_department, 10)
    set_cap(tiers, tree.hcm, 3)
    computed(users, hcm_upper)
    client.force_login(users["council"])

    html = client.get(page(hcm_upper)).content.decode()

    assert 'data-testid="tie"' in html
    rule = quota_terms.TieRule.LARGER_ATTENDANCE_THEN_ORDER.label
    assert f'data-testid="tie-rule">{rule}<' in html


def test_a_tier_one_conference_has_no_allocation_page(client, users, tree, tiers):
    district = hold(tiers[1], tree.hcm_district, 10)
    client.force_login(users["admin"])

    assert client.get(page(district)).status_code == 404


def test_anonymous_users_are_sent_to_the_login_page(client, provinces):
    response = client.get(page(provinces["hcm"]))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_units_not_held_are_listed_before_computing(client, users, tree, tiers, hcm_upper):
    hold(tiers[1], tree.hcm_district, 10)
    client.force_login(users["officer_hcm"])

    html = client.get(page(hcm_upper)).content.decode()
    response = client.post(
        action("compute", hcm_upper), {"method": "webster", "tie_break": "order"}
    )

    assert 'data-testid="not-held"' in html and tree.hcm_department.name in html
    assert response.status_code == 400
    assert tree.hcm_department.name in response.content.decode()
    assert not Allocation.objects.exists()


def test_the_conference_page_links_to_the_allocation(client, users, provinces, tree, tiers):
    district = Conference.objects.get(tier=tiers[1], unit=tree.hcm_district)
    client.force_login(users["officer_hcm"])

    upper = client.get(provinces["hcm"].get_absolute_url()).content.decode()
    lower = client.get(district.get_absolute_url()).content.decode()

    assert page(provinces["hcm"]) in upper
    assert 'data-testid="allocation-link"' not in lower


# -- Computing, adjusting, submitting, reviewing by role ------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", 302),
        ("officer_hcm", 302),
        ("council", 403),
        ("printer_hcm", 403),
        ("printer", 403),
        ("officer_hanoi", 404),
    ],
)
def test_computing_by_role(client, users, provinces, role, expected):
    client.force_login(users[role])

    response = client.post(
        action("compute", provinces["hcm"]),
        {"method": "hamilton", "tie_break": "larger_attendance_then_order"},
    )

    assert response.status_code == expected
    assert Allocation.objects.filter(conference=provinces["hcm"]).exists() == (expected == 302)


def test_a_lot_without_a_seed_is_refused_on_the_field(client, users, provinces):
    client.force_login(users["officer_hcm"])

    response = client.post(
        action("compute", provinces["hcm"]), {"method": "webster", "tie_break": "lot", "upper": "7"}
    )

    assert response.status_code == 400
    assert response.context["compute_form"].errors["seed"]
    assert 'value="7"' in response.content.decode()
    assert not Allocation.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("officer_hcm", 302),
        ("admin", 302),
        ("council", 403),
        ("printer_hcm", 403),
        ("printer", 403),
        ("officer_hanoi", 404),
    ],
)
def test_adjusting_by_role(client, users, provinces, tree, role, expected):
    allocation = computed(users, provinces["hcm"])
    client.force_login(users[role])
    data = adjust_data(
        allocation,
        {tree.hcm_district.pk: 2, tree.hcm_department.pk: 18},
        {tree.hcm_district.pk: "Lý do", tree.hcm_department.pk: "Lý do"},
    )

    response = client.post(action("adjust", provinces["hcm"], 1), data)

    assert response.status_code == expected
    saved = allocation.lines.get(unit=tree.hcm_department).seats
    assert saved == (18 if expected == 302 else 17)


def test_an_adjustment_off_the_total_is_refused_with_the_input_kept(client, users, provinces, tree):
    allocation = computed(users, provinces["hcm"])
    client.force_login(users["officer_hcm"])
    data = adjust_data(
        allocation, {tree.hcm_department.pk: 19}, {tree.hcm_department.pk: "Khối đông người"}
    )

    response = client.post(action("adjust", provinces["hcm"], 1), data)

    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="adjust-errors"' in html
    assert "22" in response.context["adjust_form"].non_field_errors()[0]
    assert 'value="19"' in html and "Khối đông người" in html
    assert allocation.lines.get(unit=tree.hcm_department).seats == 17


def test_a_missing_reason_is_shown_on_its_line(client, users, provinces, tree):
    allocation = computed(users, provinces["hcm"])
    client.force_login(users["officer_hcm"])
    data = adjust_data(allocation, {tree.hcm_district.pk: 2, tree.hcm_department.pk: 18})

    response = client.post(action("adjust", provinces["hcm"], 1), data)

    assert response.status_code == 400
    form = response.context["adjust_form"]
    assert form.errors[f"reason_{tree.hcm_district.pk}"]
    assert form.errors[f"reason_{tree.hcm_department.pk}"]


def test_a_seat_below_one_is_refused_on_its_line(client, users, provinces, tree):
    allocation = computed(users, provinces["hcm"])
    client.force_login(users["officer_hcm"])
    data = adjust_data(allocation, {tree.hcm_district.pk: 0, tree.hcm_department.pk: 20})

    response = client.post(action("adjust", provinces["hcm"], 1), data)

    assert response.status_code == 400
    assert response.context["adjust_form"].errors[f"seats_{tree.hcm_district.pk}"]


def test_two_officers_on_one_version_the_second_is_told_and_keeps_their_input(
    client, users, provinces, tree, make_user
):
    allocation = computed(users, provinces["hcm"])
    colleague = make_user("officer", tree.hcm, username="officer-hcm-2")
    district, office = tree.hcm_district.pk, tree.hcm_department.pk
    # Both loaded the page at lock version 1.
    first = adjust_data(allocation, {district: 2, office: 18}, {district: "a", office: "b"})
    second = adjust_data(allocation, {district: 4, office: 16}, {district: "c", office: "Ý kiến"})
    client.force_login(users["officer_hcm"])
    assert client.post(action("adjust", provinces["hcm"], 1), first).status_code == 302

    client.force_login(colleague)
    response = client.post(action("adjust", provinces["hcm"], 1), second)

    html = response.content.decode()
    assert response.status_code == 409
    assert str(allocations_views_stale_message()) in html
    # Their typed values are in the form, the saved ones shown beside them.
    assert 'value="16"' in html and "Ý kiến" in html
    assert 'data-testid="saved-seats"' in html
    assert response.context["adjust_form"]["lock_version"].value() == "2"
    assert allocation.lines.get(unit_id=office).seats == 18
    assert allocation.lines.get(unit_id=office).adjustment_reason == "b"


def test_a_stale_save_takes_the_other_change_where_the_user_typed_nothing(
    client,
    users,
    province,  # noqa: F811
    make_user,
    tree,
):
    conference = province["conference"]
    allocation = quota_services.compute_allocation(
        actor=users["officer_hcm"], conference=conference
    )
    district1, office, district3, district5 = (unit.pk for unit in province["units"])
    colleague = make_user("officer", tree.hcm, username="officer-hcm-2")
    # Seats 2, 9, 3, 6. Both load the page; the first moves a seat from
    # Quận 1 to Văn phòng, the second one from Quận 3 to Quận 5.
    first = adjust_data(allocation, {district1: 1, office: 10}, {district1: "a", office: "b"})
    second = adjust_data(allocation, {district3: 2, district5: 7}, {district3: "c", district5: "d"})
    client.force_login(users["officer_hcm"])
    assert client.post(action("adjust", conference, 1), first).status_code == 302
    client.force_login(colleague)

    response = client.post(action("adjust", conference, 1), second)

    form = response.context["adjust_form"]
    assert response.status_code == 409
    # Untouched lines now show the first user's change; the second user's
    # own changes are kept; saving again keeps both.
    assert [form[f"seats_{pk}"].value() for pk in (district1, office, district3, district5)] == [
        "1",
        "10",
        "2",
        "7",
    ]
    assert form[f"reason_{office}"].value() == "b"
    assert client.post(action("adjust", conference, 1), form.data).status_code == 302
    lines = {line.unit_id: line.seats for line in allocation.lines.all()}
    assert lines == {district1: 1, office: 10, district3: 2, district5: 7}


def allocations_views_stale_message(*, adjusting=True):
    from delegates.views.quotas import STALE_ADJUST_MESSAGE, STALE_MESSAGE

    return STALE_ADJUST_MESSAGE if adjusting else STALE_MESSAGE


def test_submitting_a_stale_page_is_refused(client, users, provinces, tree):
    allocation = computed(users, provinces["hcm"])
    district, office = tree.hcm_district.pk, tree.hcm_department.pk
    quota_services.adjust_seats(
        actor=users["officer_hcm"],
        allocation=allocation,
        seats={district: 2, office: 18},
        reasons={district: "a", office: "b"},
        expected_lock_version=1,
    )
    client.force_login(users["officer_hcm"])

    response = client.post(action("submit", provinces["hcm"], 1), {"lock_version": 1}, follow=True)

    assert str(allocations_views_stale_message(adjusting=False)) in response.content.decode()
    allocation.refresh_from_db()
    assert allocation.status == Allocation.Status.DRAFT


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("council", 302),
        ("admin", 302),
        ("officer_hcm", 403),
        ("printer_hcm", 403),
        ("printer", 403),
        ("officer_hanoi", 404),
    ],
)
def test_reviewing_by_role(client, users, provinces, role, expected):
    allocation = submitted(users, provinces["hcm"])
    client.force_login(users[role])

    response = client.post(
        action("review", provinces["hcm"], 1),
        {"decision": "approve", "lock_version": allocation.lock_version},
    )

    assert response.status_code == expected
    allocation.refresh_from_db()
    assert (allocation.status == Allocation.Status.APPROVED) == (expected == 302)


def test_the_council_returns_only_with_a_reason(client, users, provinces):
    allocation = submitted(users, provinces["hcm"])
    client.force_login(users["council"])

    refused = client.post(
        action("review", provinces["hcm"], 1),
        {"decision": "return", "reason": " ", "lock_version": allocation.lock_version},
    )
    returned = client.post(
        action("review", provinces["hcm"], 1),
        {"decision": "return", "reason": "Xem lại", "lock_version": allocation.lock_version},
    )

    assert refused.status_code == 400
    assert refused.context["review_form"].errors["reason"]
    assert returned.status_code == 302
    allocation.refresh_from_db()
    assert allocation.status == Allocation.Status.RETURNED
    assert allocation.review_reason == "Xem lại"


def test_the_council_sees_the_review_form_but_no_adjustment(client, users, provinces):
    submitted(users, provinces["hcm"])
    client.force_login(users["council"])

    html = client.get(page(provinces["hcm"])).content.decode()

    assert 'data-testid="review"' in html
    assert 'data-testid="adjust-form"' not in html


def test_an_approved_allocation_offers_no_change(client, users, provinces, tree):
    allocation = submitted(users, provinces["hcm"])
    quota_services.review_allocation(
        actor=users["council"], allocation=allocation, decision="approve"
    )
    allocation.refresh_from_db()
    client.force_login(users["officer_hcm"])

    html = client.get(page(provinces["hcm"])).content.decode()
    response = client.post(
        action("adjust", provinces["hcm"], 1),
        adjust_data(
            allocation,
            {tree.hcm_district.pk: 2, tree.hcm_department.pk: 18},
            {tree.hcm_district.pk: "a", tree.hcm_department.pk: "b"},
        ),
    )

    assert 'data-testid="approved"' in html
    assert 'data-testid="adjust-form"' not in html
    assert 'data-testid="compute-form"' in html  # a new version is the way to change it
    assert response.status_code == 400
    assert allocation.lines.get(unit=tree.hcm_department).seats == 17


# -- The council's list --------------------------------------------------------------


def test_the_list_shows_what_awaits_review_within_scope(client, users, provinces):
    submitted(users, provinces["hcm"])
    computed(users, provinces["hanoi"], actor="officer_hanoi")

    client.force_login(users["council"])
    awaiting = client.get(reverse("allocations:allocation_list"))
    everything = client.get(reverse("allocations:allocation_list"), {"status": "all"})
    client.force_login(users["officer_hanoi"])
    hanoi = client.get(reverse("allocations:allocation_list"), {"status": "all"})

    assert [a.conference for a in awaiting.context["allocations"]] == [provinces["hcm"]]
    assert len(everything.context["allocations"]) == 2
    assert [a.conference for a in hanoi.context["allocations"]] == [provinces["hanoi"]]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_may_open_the_list(client, users, role):
    client.force_login(users[role])

    assert client.get(reverse("allocations:allocation_list")).status_code == 200


def test_the_list_query_count_does_not_grow_with_the_rows(client, users, tree, tiers):
    def provinces_with_allocations(count):
        for n in range(count):
            organiser = UnitFactory(parent=tree.vss, kind="province", code=f"PX{count}_{n}")
            district = UnitFactory(parent=organiser, code=f"DX{count}_{n}")
            hold(tiers[1], district, 30)
            conference = ConferenceFactory(tier=tiers[2], unit=organiser)
            allocation = quota_services.compute_allocation(
                actor=users["admin"], conference=conference
            )
            quota_services.submit_allocation(actor=users["admin"], allocation=allocation)

    client.force_login(users["council"])
    url = reverse("allocations:allocation_list")
    provinces_with_allocations(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    provinces_with_allocations(12)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["allocations"]) == 13
    assert len(many) == len(few)


# -- The allocation page's query count ------------------------------------------------


def province_with_units(tree, tiers, users, count, code):
    organiser = UnitFactory(parent=tree.vss, kind="province", code=code, name=f"BHXH {code}")
    for n in range(count):
        unit = UnitFactory(parent=organiser, code=f"{code}-{n:02d}", position=n)
        hold(tiers[1], unit, 15 + (n * 7) % 76)
    conference = ConferenceFactory(tier=tiers[2], unit=organiser)
    allocation = quota_services.compute_allocation(actor=users["admin"], conference=conference)
    quota_services.submit_allocation(actor=users["admin"], allocation=allocation)
    return conference


def test_the_page_query_count_does_not_depend_on_the_units_below(client, users, tree, tiers):
    small = province_with_units(tree, tiers, users, 5, "PS")
    large = province_with_units(tree, tiers, users, 40, "PL")
    client.force_login(users["council"])  # sees the review form too
    client.get(page(small))  # warm-up: sessions, content types

    with CaptureQueriesContext(connection) as five:
        assert client.get(page(small)).status_code == 200
    with CaptureQueriesContext(connection) as forty:
        response = client.get(page(large))

    assert len(response.context["view"].rows) == 40
    assert len(forty) == len(five)
    # Beside the version and its lines: the units below, those yet to hold,
    # the attendance now, the confirmed elections to compare with the seats.
    assert len(forty) <= 20
