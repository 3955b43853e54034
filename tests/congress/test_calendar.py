"""The calendar of conferences: the month it opens on, navigation, pilot
units, filters, every role's scope, and a query count that does not grow
with the conferences."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congress import progress
from tests.factories import ConferenceFactory, UnitFactory

ROLES = ["admin", "council", "officer_hcm", "officer_hanoi", "printer_hcm", "printer"]
SEES_HCM = {"admin", "council", "officer_hcm", "printer_hcm", "printer"}
SEES_HANOI = {"admin", "council", "officer_hanoi", "printer"}


@pytest.fixture
def conferences(tree, tiers):
    """HCM (a pilot) holds its tier-2 conference first, in October 2019;
    Hà Nội's district in November; HCM's district in December; Hà Nội's
    province in March 2020."""
    return {
        "hcm": ConferenceFactory(tier=tiers[2], unit=tree.hcm, date=datetime.date(2019, 10, 11)),
        "hanoi_district": ConferenceFactory(
            tier=tiers[1], unit=tree.hanoi_district, date=datetime.date(2019, 11, 5)
        ),
        "hcm_district": ConferenceFactory(
            tier=tiers[1], unit=tree.hcm_district, date=datetime.date(2019, 12, 2)
        ),
        "hanoi": ConferenceFactory(tier=tiers[2], unit=tree.hanoi, date=datetime.date(2020, 3, 10)),
    }


def main_html(response) -> str:
    text = response.text
    return text[text.index("<main") : text.index("</main>")]


def shown(response) -> set[int]:
    """The conferences on the page's month grid."""
    return {
        conference.pk
        for week in response.context["calendar"].weeks
        for day in week
        for conference in day.conferences
    }


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("progress:calendar"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_opens_on_the_month_of_the_earliest_visible_conference(client, users, conferences, role):
    client.force_login(users[role])
    response = client.get(reverse("progress:calendar"))
    assert response.status_code == 200
    month = response.context["calendar"].month
    # Hà Nội's officer cannot see HCM's October conference: November.
    expected = datetime.date(2019, 11, 1) if role == "officer_hanoi" else datetime.date(2019, 10, 1)
    assert month == expected
    assert f"Tháng {month.month}/{month.year}" in main_html(response)


def test_without_conferences_opens_on_the_tier_window(client, users, tiers, conferences):
    client.force_login(users["council"])
    response = client.get(reverse("progress:calendar"), {"tier": "3"})
    # No Congress registered yet: the start of the Congress's window, 07/2020.
    assert response.context["calendar"].month == datetime.date(2020, 7, 1)
    assert "Không có hội nghị nào trong tháng này." in main_html(response)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("month", "name", "seen_by"),
    [
        ("2019-10", "hcm", SEES_HCM),
        ("2019-11", "hanoi_district", SEES_HANOI),
        ("2019-12", "hcm_district", SEES_HCM),
        ("2020-03", "hanoi", SEES_HANOI),
    ],
)
def test_each_role_sees_only_its_scope(
    client, tree, users, conferences, role, month, name, seen_by
):
    client.force_login(users[role])
    response = client.get(reverse("progress:calendar"), {"month": month})
    assert response.status_code == 200
    conference = conferences[name]
    visible = role in seen_by
    assert (conference.pk in shown(response)) is visible
    assert (conference.get_absolute_url() in main_html(response)) is visible
    assert (conference.unit.name in main_html(response)) is visible


@pytest.mark.parametrize("role", ROLES)
def test_foreign_province_filter_shows_nothing(client, users, conferences, role):
    client.force_login(users[role])
    response = client.get(reverse("progress:calendar"), {"month": "2019-10", "province": "P79"})
    assert (conferences["hcm"].pk in shown(response)) is (role in SEES_HCM)
    response = client.get(reverse("progress:calendar"), {"month": "2019-11", "province": "P01"})
    assert (conferences["hanoi_district"].pk in shown(response)) is (role in SEES_HANOI)


def test_pilot_units_are_marked(client, users, conferences):
    client.force_login(users["council"])
    response = client.get(reverse("progress:calendar"), {"month": "2019-10"})
    html = main_html(response)
    assert "★ Đơn vị điểm" in html  # HCM, a pilot unit, in the agenda
    response = client.get(reverse("progress:calendar"), {"month": "2020-03"})
    assert "★ Đơn vị điểm" not in main_html(response)  # Hà Nội is no pilot here


def test_navigation_between_months(client, users, conferences):
    client.force_login(users["council"])
    response = client.get(reverse("progress:calendar"), {"month": "2019-12", "tier": "1"})
    html = main_html(response)
    assert "?month=2019-11&amp;tier=1" in html  # previous month, filter kept
    assert "?month=2020-01&amp;tier=1" in html  # next month
    months = dict(response.context["calendar"].months)
    # Tier 1's window, 10/2019–01/2020, with each month's count.
    assert months == {
        datetime.date(2019, 10, 1): 0,
        datetime.date(2019, 11, 1): 1,
        datetime.date(2019, 12, 1): 1,
        datetime.date(2020, 1, 1): 0,
    }
    assert "Thứ 2, 02/12/2019" in html  # the agenda's day, dd/mm/yyyy


def test_tier_filter(client, users, conferences):
    client.force_login(users["council"])
    response = client.get(reverse("progress:calendar"), {"month": "2019-10", "tier": "1"})
    assert conferences["hcm"].pk not in shown(response)
    response = client.get(reverse("progress:calendar"), {"month": "2019-10", "tier": "2"})
    assert conferences["hcm"].pk in shown(response)


def test_a_busy_day_shows_three_and_links_to_the_rest(client, tree, users, tiers):
    day = datetime.date(2020, 1, 8)
    for number in range(5):
        unit = UnitFactory(parent=tree.hcm, code=f"D8{number:02d}", name=f"BHXH huyện Số {number}")
        ConferenceFactory(tier=tiers[1], unit=unit, date=day)
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("progress:calendar"), {"month": "2020-01"})
    html = main_html(response)
    assert "+ 2 hội nghị khác" in html
    assert 'href="#d-2020-01-08"' in html
    agenda = response.context["calendar"].agenda
    assert [(d.date, len(d.conferences)) for d in agenda] == [(day, 5)]


def test_a_month_that_means_nothing_opens_the_default(client, users, conferences):
    client.force_login(users["council"])
    response = client.get(reverse("progress:calendar"), {"month": "tháng-13"})
    assert response.status_code == 200
    assert response.context["calendar"].month == datetime.date(2019, 10, 1)


def test_query_count_does_not_grow_with_conferences(client, tree, users, tiers):
    client.force_login(users["council"])
    ConferenceFactory(tier=tiers[1], unit=tree.hcm_district, date=datetime.date(2019, 12, 2))
    url = reverse("progress:calendar")
    client.get(url, {"month": "2019-12"})
    with CaptureQueriesContext(connection) as one:
        client.get(url, {"month": "2019-12"})
    for number in range(30):
        unit = UnitFactory(parent=tree.hanoi, code=f"D9{number:02d}")
        ConferenceFactory(tier=tiers[1], unit=unit, date=datetime.date(2019, 12, 1 + number))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"month": "2019-12"})
    assert response.context["calendar"].total == 31
    assert len(one) == len(many) == 10  # 9, and the bell's unread count


def test_default_month_selector_takes_filters(tree, users, tiers, conferences):
    all_tiers = progress.tiers_of_cycle(tree.cycle)
    council = users["council"]
    assert progress.default_calendar_month(user=council, tiers=all_tiers, level=1) == (
        datetime.date(2019, 11, 1)
    )
    assert progress.default_calendar_month(user=council, tiers=all_tiers, branch="P01") == (
        datetime.date(2019, 11, 1)
    )
