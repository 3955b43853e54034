"""Every role lands on a home page with the cycle, tiers and its scope."""

import pytest
from django.urls import reverse

from units.models import Role, Unit


@pytest.fixture
def national_users(national_cycle, make_user):
    unit = {u.code: u for u in Unit.objects.filter(code__in=["VSS", "P79", "P01"])}
    return {
        "admin": make_user(Role.ADMIN, unit["VSS"], is_staff=True, is_superuser=True),
        "council": make_user(Role.COUNCIL, unit["VSS"]),
        "officer_hcm": make_user(Role.OFFICER, unit["P79"]),
        "printer": make_user(Role.PRINTER, unit["VSS"]),
    }


@pytest.mark.parametrize("role", ["admin", "council", "officer_hcm", "printer"])
def test_home_shows_cycle_and_tiers_with_deadlines(client, national_users, role):
    client.force_login(national_users[role])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    text = response.text
    assert "Đại hội Thi đua yêu nước ngành BHXH lần thứ V" in text
    assert "Hội nghị điển hình tiên tiến cấp cơ sở" in text
    for deadline in ("30/01/2020", "30/04/2020", "30/09/2020"):
        assert deadline in text
    assert "không tính đại biểu khách mời" in text
    assert "BHXH TP. Hồ Chí Minh: 350" in text


def test_officer_home_counts_own_organisers(client, national_users):
    client.force_login(national_users["officer_hcm"])
    response = client.get(reverse("home"))
    scopes = {s.tier.level: s for s in response.context["scopes"]}
    hcm = Unit.objects.get(code="P79")
    expected_tier1 = hcm.children.count()  # its districts and departments
    assert scopes[1].organisers == expected_tier1
    assert scopes[2].organisers == 1 and scopes[2].organiser_names == ["BHXH TP. Hồ Chí Minh"]
    assert scopes[3].organisers == 0
    assert "cán bộ thi đua" in response.text


def test_council_home_counts_nationwide(client, national_users):
    client.force_login(national_users["council"])
    response = client.get(reverse("home"))
    scopes = {s.tier.level: s for s in response.context["scopes"]}
    assert scopes[2].organisers == 64  # 63 provinces and the HQ bloc
    assert scopes[3].organiser_names == ["Bảo hiểm xã hội Việt Nam"]
    assert "toàn quốc" in response.text


def test_home_query_count_is_bounded(client, national_users, django_assert_max_num_queries):
    client.force_login(national_users["council"])
    # The council's to-do list adds a fixed few (tests/congress/test_todo.py: flat in data size).
    with django_assert_max_num_queries(20):
        client.get(reverse("home"))
