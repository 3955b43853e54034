"""Communication activities (hoạt động tuyên truyền) of a conference."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from congress import services
from congress.models import CommunicationActivity, Conference
from congress.services import CommunicationDetails
from tests.congress.documents_support import (
    ROLES,
    expected_change_status,
    expected_view_status,
    make_conference,
)


@pytest.fixture
def conferences(tree, tiers):
    return {
        "hcm": make_conference(tiers[2], tree.hcm),
        "hanoi": make_conference(tiers[2], tree.hanoi),
    }


def add(conference, actor, **changes) -> CommunicationActivity:
    fields = {
        "kind": CommunicationActivity.Kind.EXEMPLARS_ON_MEDIA,
        "date": datetime.date(2020, 3, 2),
        "channel": "Cổng thông tin điện tử BHXH Việt Nam",
        "description": "Loạt bài về gương điển hình tiên tiến.",
    }
    fields.update(changes)
    return services.add_communication_activity(
        actor=actor, conference=conference, details=CommunicationDetails(**fields)
    )


def form_data(**changes) -> dict:
    data = {
        "kind": "dialogue",
        "date": "05/03/2020",
        "channel": "Hội trường BHXH TP. Hồ Chí Minh",
        "description": "Giao lưu, đối thoại với các điển hình tiên tiến.",
    }
    data.update(changes)
    return data


def test_add_keeps_the_fields_normalised(conferences, users):
    activity = add(conferences["hcm"], users["officer_hcm"], channel="  Báo   BHXH  ")
    assert activity.channel == "Báo BHXH"
    assert activity.conference == conferences["hcm"]


@pytest.mark.parametrize("role", ["council", "printer", "printer_hcm", "officer_hanoi"])
def test_only_who_may_change_adds(conferences, users, role):
    with pytest.raises(PermissionDenied):
        add(conferences["hcm"], users[role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["hcm", "hanoi"])
def test_add_activity_by_role(client, conferences, users, role, name):
    conference = conferences[name]
    client.force_login(users[role])
    url = reverse("congress:communication_add", args=[conference.pk])
    expected = expected_change_status(role, name)
    assert client.get(url).status_code == (200 if expected == 302 else expected)
    response = client.post(url, form_data())
    assert response.status_code == expected
    if expected == 302:
        activity = conference.communication_activities.get()
        assert activity.date == datetime.date(2020, 3, 5)  # dd/mm/yyyy
        assert activity.kind == "dialogue"
        assert response["Location"] == conference.get_absolute_url() + "#communication"
    else:
        assert not conference.communication_activities.exists()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["hcm", "hanoi"])
def test_edit_and_delete_activity_by_role(client, conferences, users, role, name):
    conference = conferences[name]
    activity = add(conference, users["admin"])
    client.force_login(users[role])
    expected = expected_change_status(role, name)
    edit_url = reverse("congress:communication_edit", args=[conference.pk, activity.pk])
    edit_page = client.get(edit_url)
    assert edit_page.status_code == (200 if expected == 302 else expected)
    if expected == 302:
        assert 'value="02/03/2020"' in edit_page.text
    response = client.post(edit_url, form_data(channel="Báo Bảo hiểm xã hội"))
    assert response.status_code == expected
    activity.refresh_from_db()
    assert (activity.channel == "Báo Bảo hiểm xã hội") == (expected == 302)
    delete_url = reverse("congress:communication_delete", args=[conference.pk, activity.pk])
    assert client.post(delete_url).status_code == expected
    assert conference.communication_activities.exists() == (expected != 302)


def test_bad_date_is_told_in_vietnamese_and_the_form_keeps_input(client, conferences, users):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("congress:communication_add", args=[conferences["hcm"].pk]),
        form_data(date="31/02/2020", channel="Đài truyền hình TP.HCM"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["Nhập một ngày hợp lệ."]
    assert 'value="31/02/2020"' in response.text
    assert 'value="Đài truyền hình TP.HCM"' in response.text
    assert not conferences["hcm"].communication_activities.exists()


def test_channel_is_required(client, conferences, users):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("congress:communication_add", args=[conferences["hcm"].pk]),
        form_data(channel=""),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["channel"]
    assert not conferences["hcm"].communication_activities.exists()


@pytest.mark.parametrize("role", ROLES)
def test_activities_shown_on_the_conference_page(client, conferences, users, role):
    add(conferences["hcm"], users["admin"])
    client.force_login(users[role])
    response = client.get(conferences["hcm"].get_absolute_url())
    assert response.status_code == expected_view_status(role, "hcm")
    if response.status_code == 200:
        assert "02/03/2020" in response.text
        assert "Cổng thông tin điện tử BHXH Việt Nam" in response.text
        may_change = role in {"admin", "officer_hcm"}
        add_url = reverse("congress:communication_add", args=[conferences["hcm"].pk])
        assert (add_url in response.text) == may_change


def test_activity_of_another_conference_is_404(client, conferences, users):
    activity = add(conferences["hanoi"], users["admin"])
    client.force_login(users["admin"])
    url = reverse("congress:communication_edit", args=[conferences["hcm"].pk, activity.pk])
    assert client.get(url).status_code == 404


def test_closed_conference_activities_no_longer_change(client, tree, tiers, users):
    closed = make_conference(tiers[2], tree.hcm, Conference.Status.CLOSED)
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("congress:communication_add", args=[closed.pk]), form_data(), follow=True
    )
    assert not closed.communication_activities.exists()
    assert "Hội nghị đã kết thúc" in response.text
