"""Conference pages for every role, on own and foreign units."""

import pytest
from django.urls import reverse

from congress.models import Conference
from tests.factories import ConferenceFactory

ROLES = ["admin", "council", "officer_hcm", "officer_hanoi", "printer_hcm", "printer"]
SEES_HCM = {"admin", "council", "officer_hcm", "printer_hcm", "printer"}


@pytest.fixture
def hcm_conference(tree, tiers):
    return ConferenceFactory(tier=tiers[1], unit=tree.hcm_district, venue="Hội trường Quận 1")


@pytest.fixture
def hanoi_conference(tree, tiers):
    return ConferenceFactory(tier=tiers[1], unit=tree.hanoi_district, venue="Hội trường Ba Đình")


def form_data(tree, tiers, **changes):
    data = {
        "organiser": f"{tree.hcm_district.pk}:{tiers[1].pk}",
        "date": "15/01/2020",
        "start_time": "08:00",
        "venue": "Hội trường BHXH Quận 1",
        "length": "half_day",
        "combined_with": "year_end_review",
        "expected_attendance": "18",  # of 20 staff
        "note": "Kết hợp tổng kết năm 2019",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", ROLES)
def test_conference_detail_by_role(client, users, hcm_conference, role):
    client.force_login(users[role])
    response = client.get(hcm_conference.get_absolute_url())
    if role in SEES_HCM:
        assert response.status_code == 200
        assert "Hội trường Quận 1" in response.text
        # Everyone who sees it may print for it, so check delegates in.
        assert 'data-testid="check-in-link"' in response.text
    else:
        assert response.status_code == 404
        assert "Hội trường Quận 1" not in response.text


@pytest.mark.parametrize("role", ROLES)
def test_conference_list_by_role(client, users, hcm_conference, hanoi_conference, role):
    client.force_login(users[role])
    response = client.get(reverse("congress:conference_list"))
    assert response.status_code == 200
    shown = set(response.context["conferences"])
    assert (hcm_conference in shown) == (role in SEES_HCM)
    assert (hanoi_conference in shown) == (role in {"admin", "council", "officer_hanoi", "printer"})


def test_anonymous_is_sent_to_login(client, hcm_conference):
    for url in (
        reverse("congress:conference_list"),
        reverse("congress:conference_register"),
        hcm_conference.get_absolute_url(),
        reverse("congress:conference_edit", args=[hcm_conference.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["council", "printer", "printer_hcm"])
def test_register_page_is_forbidden_without_change_right(client, users, tiers, role):
    client.force_login(users[role])
    assert client.get(reverse("congress:conference_register")).status_code == 403


def test_register_offers_only_own_pending_units(client, users, tree, tiers, hcm_conference):
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("congress:conference_register"))
    choices = [
        value
        for _group, options in response.context["form"].fields["organiser"].choices
        for value, _label in options
    ]
    assert choices == [
        f"{tree.hcm_department.pk}:{tiers[1].pk}",
        f"{tree.hcm.pk}:{tiers[2].pk}",
    ]


def test_officer_registers_and_lands_on_the_conference(client, users, tree, tiers):
    client.force_login(users["officer_hcm"])
    response = client.post(reverse("congress:conference_register"), form_data(tree, tiers))
    conference = Conference.objects.get()
    assert response.status_code == 302
    assert response["Location"] == conference.get_absolute_url()
    assert (conference.unit, conference.expected_attendance) == (tree.hcm_district, 18)
    page = client.get(conference.get_absolute_url())
    assert "Đã đăng ký hội nghị" in page.text
    assert "15/01/2020" in page.text


def test_broken_rule_shows_on_field_and_keeps_input(client, users, tree, tiers):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("congress:conference_register"),
        form_data(tree, tiers, date="15/02/2020", length="full_day"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "30/01/2020" in form.errors["date"][0]
    assert "1/2 ngày" in form.errors["length"][0]
    assert 'value="15/02/2020"' in response.text
    assert 'value="Hội trường BHXH Quận 1"' in response.text
    assert not Conference.objects.exists()


def test_foreign_organiser_value_is_refused(client, users, tree, tiers):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("congress:conference_register"),
        form_data(tree, tiers, organiser=f"{tree.hanoi_district.pk}:{tiers[1].pk}"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["organiser"]
    assert not Conference.objects.exists()


@pytest.mark.parametrize("role", ["officer_hanoi"])
def test_foreign_officer_cannot_edit_or_move(client, users, hcm_conference, role):
    client.force_login(users[role])
    assert (
        client.get(reverse("congress:conference_edit", args=[hcm_conference.pk])).status_code == 404
    )
    response = client.post(
        hcm_conference.get_absolute_url(), {"action": "submit", "lock_version": 1}
    )
    assert response.status_code == 404
    hcm_conference.refresh_from_db()
    assert hcm_conference.status == "draft"


@pytest.mark.parametrize("role", ["council", "printer", "printer_hcm"])
def test_readers_cannot_edit(client, users, hcm_conference, role):
    client.force_login(users[role])
    assert (
        client.get(reverse("congress:conference_edit", args=[hcm_conference.pk])).status_code == 403
    )


def test_edit_with_stale_version_is_refused_and_keeps_input(
    client, users, tree, tiers, hcm_conference
):
    client.force_login(users["officer_hcm"])
    url = reverse("congress:conference_edit", args=[hcm_conference.pk])
    stale = form_data(
        tree, tiers, venue="Phòng họp tầng 3", lock_version=hcm_conference.lock_version
    )
    del stale["organiser"]
    Conference.objects.filter(pk=hcm_conference.pk).update(
        lock_version=hcm_conference.lock_version + 1
    )
    response = client.post(url, stale)
    assert response.status_code == 200
    assert "người khác thay đổi" in response.text
    assert 'value="Phòng họp tầng 3"' in response.text
    hcm_conference.refresh_from_db()
    assert hcm_conference.venue == "Hội trường Quận 1"


def test_submit_accept_hold_through_the_page(client, users, hcm_conference):
    url = hcm_conference.get_absolute_url()
    client.force_login(users["officer_hcm"])
    assert client.post(url, {"action": "submit", "lock_version": 1}).status_code == 302
    # An officer sees no accept button and cannot accept by hand.
    page = client.get(url)
    assert "Duyệt</button>" not in page.text
    assert client.post(url, {"action": "accept", "lock_version": 2}).status_code == 403
    client.force_login(users["council"])
    assert "Duyệt</button>" in client.get(url).text
    assert client.post(url, {"action": "accept", "lock_version": 2}).status_code == 302
    client.force_login(users["officer_hcm"])
    response = client.post(
        url,
        {"action": "hold", "lock_version": 3, "held_on": "16/01/2020", "actual_attendance": "19"},
    )
    assert response.status_code == 302
    hcm_conference.refresh_from_db()
    assert (hcm_conference.status, hcm_conference.actual_attendance) == ("held", 19)
    history = client.get(url).context["history"]
    assert [step.action for step in history] == ["submit", "accept", "hold"]


def test_return_without_reason_keeps_the_page_with_message(client, users, tree, tiers):
    conference = ConferenceFactory(tier=tiers[1], unit=tree.hcm_district, status="submitted")
    client.force_login(users["council"])
    response = client.post(
        conference.get_absolute_url(), {"action": "return", "lock_version": 1, "reason": ""}
    )
    assert response.status_code == 400
    assert "Vui lòng nêu lý do" in response.text
    conference.refresh_from_db()
    assert conference.status == "submitted"


def test_stale_transition_is_refused(client, users, tree, tiers, hcm_conference):
    client.force_login(users["officer_hcm"])
    response = client.post(
        hcm_conference.get_absolute_url(), {"action": "submit", "lock_version": 0}, follow=True
    )
    assert "người khác thay đổi" in response.text
    hcm_conference.refresh_from_db()
    assert hcm_conference.status == "draft"


def test_conference_list_queries_do_not_grow(
    client, users, tree, tiers, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UnitFactory

    client.force_login(users["council"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("congress:conference_list"))
        return len(queries)

    for _ in range(3):
        ConferenceFactory(tier=tiers[1], unit=UnitFactory(parent=tree.hcm))
    few = count()
    for _ in range(40):
        ConferenceFactory(tier=tiers[1], unit=UnitFactory(parent=tree.hanoi))
    assert count() == few


def test_conference_page_warns_when_a_composition_target_is_missed(client, users, tree, tiers):
    from delegates.models import Gender
    from tests.factories import DelegateFactory, PersonFactory

    tree.cycle.minority_target_percent = 0  # only the women's target here
    tree.cycle.save()
    upper = ConferenceFactory(tier=tiers[2], unit=tree.hcm)
    for gender in [Gender.MALE] * 8 + [Gender.FEMALE] * 2:  # 20 % women, target 30 %
        DelegateFactory(conference=upper, person=PersonFactory(unit=tree.hcm, gender=gender))
    client.force_login(users["officer_hcm"])
    response = client.get(upper.get_absolute_url())
    warnings = response.context["target_shortfalls"]
    assert [(w.count, w.base, w.target_percent) for w in warnings] == [(2, 10, 30)]
    assert 'data-testid="target-warning"' in response.text
    DelegateFactory(conference=upper, person=PersonFactory(unit=tree.hcm, gender=Gender.FEMALE))
    DelegateFactory(conference=upper, person=PersonFactory(unit=tree.hcm, gender=Gender.FEMALE))
    assert client.get(upper.get_absolute_url()).context["target_shortfalls"] == []
