"""Pilots first, whatever the order of events: a conference dated before
the pilot units' of its tier is flagged (conference page, officer's home,
board) when the pilot registers after it, when a pilot's date moves later
and when a pilot unit is added to the cycle, until it is re-dated or the
council accepts it with a reason. Nothing is stored but the acceptance."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from congress import progress, selectors, services
from congress.models import Conference, ConferenceTransition
from congress.services import ConferenceDetails, register_conference
from tests.factories import ConferenceFactory, UnitFactory, UserFactory
from units.locking import StaleEditError
from units.models import Role, UnitKind

DAY = datetime.date


def short(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def details(day: datetime.date, **changes) -> ConferenceDetails:
    values = {
        "date": day,
        "start_time": datetime.time(8, 0),
        "venue": "Hội trường",
        "length": "full_day",
        "combined_with": "",
        "expected_attendance": 250,
    }
    return ConferenceDetails(**{**values, **changes})


def pilots_first_message(day: datetime.date) -> str:
    return _(
        "The pilot units hold their conferences first, so that others learn "
        "from them: choose a date on or after %(date)s."
    ) % {"date": short(day)}


def flagged(user, tree) -> list[Conference]:
    return selectors.conferences_before_pilots(user=user, tiers=progress.tiers_of_cycle(tree.cycle))


def register_hanoi(users, tiers, tree, day):
    return register_conference(
        actor=users["officer_hanoi"], tier=tiers[2], unit=tree.hanoi, details=details(day)
    )


def register_hcm(users, tiers, tree, day):
    return register_conference(
        actor=users["officer_hcm"], tier=tiers[2], unit=tree.hcm, details=details(day)
    )


# -- Whatever the order of events -------------------------------------------------------


def test_pilot_registering_after_the_others_flags_them(tree, users, tiers):
    hanoi = register_hanoi(users, tiers, tree, DAY(2019, 12, 5))  # no pilot yet: allowed
    assert flagged(users["council"], tree) == []
    register_hcm(users, tiers, tree, DAY(2019, 12, 10))  # HCMC is the pilot
    assert flagged(users["council"], tree) == [hanoi]
    position = selectors.pilot_position(hanoi)
    assert (position.before, position.bound) == (True, DAY(2019, 12, 10))
    # The pilot's own conference is never flagged.
    assert selectors.pilot_position(Conference.objects.get(unit=tree.hcm)).before is False


def test_pilot_re_dated_later_flags_the_others(tree, users, tiers):
    hcm = register_hcm(users, tiers, tree, DAY(2019, 12, 1))
    hanoi = register_hanoi(users, tiers, tree, DAY(2019, 12, 5))
    assert flagged(users["council"], tree) == []
    services.update_conference(
        actor=users["officer_hcm"],
        conference=hcm,
        details=details(DAY(2019, 12, 10)),
        expected_lock_version=hcm.lock_version,
    )
    assert flagged(users["council"], tree) == [hanoi]


def test_pilot_unit_added_to_the_cycle_flags_the_others(tree, users, tiers):
    tree.cycle.pilot_units.clear()
    register_hcm(users, tiers, tree, DAY(2019, 12, 10))
    hanoi = register_hanoi(users, tiers, tree, DAY(2019, 12, 5))
    assert flagged(users["council"], tree) == []
    services.set_pilot_units(actor=users["admin"], cycle=tree.cycle, units=[tree.hcm])
    assert flagged(users["council"], tree) == [hanoi]


def test_a_pilot_held_later_than_planned_flags_the_others(tree, users, tiers):
    ConferenceFactory(
        tier=tiers[2],
        unit=tree.hcm,
        status=Conference.Status.HELD,
        date=DAY(2019, 12, 1),
        held_on=DAY(2019, 12, 12),
        actual_attendance=300,
    )
    hanoi = ConferenceFactory(tier=tiers[2], unit=tree.hanoi, date=DAY(2019, 12, 10))
    assert flagged(users["council"], tree) == [hanoi]


def test_other_tiers_and_later_dates_are_not_flagged(tree, users, tiers):
    register_hcm(users, tiers, tree, DAY(2019, 12, 10))
    register_hanoi(users, tiers, tree, DAY(2019, 12, 10))  # the same day: after the pilots
    ConferenceFactory(tier=tiers[1], unit=tree.hanoi_district, date=DAY(2019, 11, 1))
    assert flagged(users["council"], tree) == []


# -- Until re-dated or accepted -------------------------------------------------------------


@pytest.fixture
def hanoi_before(tree, users, tiers):
    hanoi = register_hanoi(users, tiers, tree, DAY(2019, 12, 5))
    register_hcm(users, tiers, tree, DAY(2019, 12, 10))
    return hanoi


def test_re_dating_after_the_pilots_clears_the_flag(tree, users, tiers, hanoi_before):
    with pytest.raises(ValidationError) as caught:
        services.update_conference(
            actor=users["officer_hanoi"],
            conference=hanoi_before,
            details=details(DAY(2019, 12, 8)),
            expected_lock_version=hanoi_before.lock_version,
        )
    assert caught.value.message_dict == {"date": [pilots_first_message(DAY(2019, 12, 10))]}
    services.update_conference(
        actor=users["officer_hanoi"],
        conference=hanoi_before,
        details=details(DAY(2019, 12, 12)),
        expected_lock_version=hanoi_before.lock_version,
    )
    assert flagged(users["council"], tree) == []


def test_the_councils_acceptance_clears_the_flag_and_is_recorded(tree, users, tiers, hanoi_before):
    accepted = services.accept_before_pilots(
        actor=users["council"],
        conference=hanoi_before,
        reason="Trùng lịch Tết, UBND thành phố đã chốt ngày",
    )
    assert flagged(users["council"], tree) == []
    assert accepted.order_accepted_by == users["council"]
    assert accepted.order_accepted_reason == "Trùng lịch Tết, UBND thành phố đã chốt ngày"
    step = accepted.transitions.get(action=ConferenceTransition.Action.ACCEPT_ORDER)
    assert (step.actor, step.reason, step.from_status, step.to_status) == (
        users["council"],
        "Trùng lịch Tết, UBND thành phố đã chốt ngày",
        "draft",
        "draft",
    )
    # Changing something else keeps the acceptance; a new date drops it.
    services.update_conference(
        actor=users["officer_hanoi"],
        conference=accepted,
        details=details(DAY(2019, 12, 5), venue="Hội trường mới"),
        expected_lock_version=accepted.lock_version,
    )
    accepted.refresh_from_db()
    assert accepted.order_accepted_reason
    with pytest.raises(ValidationError) as caught:
        services.update_conference(
            actor=users["officer_hanoi"],
            conference=accepted,
            details=details(DAY(2019, 12, 6)),
            expected_lock_version=accepted.lock_version,
        )
    assert caught.value.message_dict == {"date": [pilots_first_message(DAY(2019, 12, 10))]}


def test_acceptance_needs_a_reason_and_a_conference_before_the_pilots(tree, users, tiers):
    hcm = register_hcm(users, tiers, tree, DAY(2019, 12, 10))
    hanoi = register_hanoi(users, tiers, tree, DAY(2019, 12, 12))
    with pytest.raises(ValidationError) as caught:
        services.accept_before_pilots(actor=users["council"], conference=hanoi, reason="  ")
    assert caught.value.message_dict == {
        "reason": [_("Give the reason it may come before the pilot units.")]
    }
    for conference in (hcm, hanoi):
        with pytest.raises(ValidationError) as caught:
            services.accept_before_pilots(actor=users["council"], conference=conference, reason="x")
        assert caught.value.messages == [
            _("This conference does not come before the pilot units: there is nothing to accept.")
        ]


def test_stale_acceptance_is_refused(tree, users, tiers, hanoi_before):
    with pytest.raises(StaleEditError):
        services.accept_before_pilots(
            actor=users["council"],
            conference=hanoi_before,
            reason="x",
            expected_lock_version=hanoi_before.lock_version - 1,
        )


@pytest.mark.parametrize("role", ["officer_hanoi", "officer_hcm", "printer", "printer_hcm"])
def test_only_reviewers_accept_before_the_pilots(tree, users, tiers, hanoi_before, role):
    with pytest.raises(PermissionDenied):
        services.accept_before_pilots(actor=users[role], conference=hanoi_before, reason="x")
    assert flagged(users["council"], tree) == [hanoi_before]


# -- Shown where it is acted on -----------------------------------------------------------------

# role → status of the accept POST on Hà Nội's conference
ACCEPT_STATUS = {
    "council": 302,
    "admin": 302,
    "officer_hanoi": 403,
    "printer": 403,
    "officer_hcm": 404,
    "printer_hcm": 404,
}


@pytest.mark.parametrize("role", ACCEPT_STATUS)
def test_accepting_through_the_page_by_role(client, tree, users, tiers, hanoi_before, role):
    client.force_login(users[role])
    response = client.post(
        reverse("congress:conference_accept_order", args=[hanoi_before.pk]),
        {"reason": "Đã thống nhất với Thường trực", "lock_version": hanoi_before.lock_version},
    )
    assert response.status_code == ACCEPT_STATUS[role]
    hanoi_before.refresh_from_db()
    assert bool(hanoi_before.order_accepted_reason) == (ACCEPT_STATUS[role] == 302)


def test_the_conference_page_flags_it_with_the_pilots_date(
    client, tree, users, tiers, hanoi_before
):
    client.force_login(users["officer_hanoi"])
    page = client.get(hanoi_before.get_absolute_url()).text
    assert 'data-testid="before-pilots"' in page
    assert "10/12/2019" in page
    assert 'data-testid="accept-order-form"' not in page  # the council's
    client.force_login(users["council"])
    url = reverse("congress:conference_accept_order", args=[hanoi_before.pk])
    refused = client.post(url, {"reason": "", "lock_version": hanoi_before.lock_version})
    assert refused.status_code == 400
    assert _("Give the reason it may come before the pilot units.") in refused.text
    client.post(url, {"reason": "Lịch của Thành ủy", "lock_version": hanoi_before.lock_version})
    page = client.get(hanoi_before.get_absolute_url()).text
    assert 'data-testid="before-pilots"' not in page
    assert 'data-testid="order-accepted"' in page and "Lịch của Thành ủy" in page
    history = client.get(hanoi_before.get_absolute_url()).context["history"]
    assert [step.action for step in history] == ["register", "accept_order"]


def test_the_officers_home_lists_them(client, tree, users, tiers, hanoi_before):
    client.force_login(users["officer_hanoi"])
    response = client.get(reverse("home"))
    assert response.context["before_pilots"] == [hanoi_before]
    assert 'data-testid="before-pilots-alerts"' in response.text
    client.force_login(users["officer_hcm"])  # Hà Nội is not in its scope
    assert 'data-testid="before-pilots-alerts"' not in client.get(reverse("home")).text


def test_the_board_counts_and_marks_them(client, tree, users, tiers, hanoi_before):
    board = progress.progress_board(
        user=users["council"], tiers=progress.tiers_of_cycle(tree.cycle)
    )
    rows = {row.branch.code: row for row in board.rows}
    assert rows["P01"].funnel.before_pilots == 1
    assert rows["P79"].funnel.before_pilots == 0
    assert board.totals.before_pilots == 1
    client.force_login(users["council"])
    page = client.get(reverse("progress:board"), {"province": "P01"}).text
    assert 'data-testid="mark-before-pilots"' in page
    filtered = client.get(reverse("progress:board"), {"status": "before_pilots"})
    assert [row.branch.code for row in filtered.context["board"].rows] == ["P01"]


# -- Query counts do not grow with the conferences --------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_flagged(tree, tiers, creator, start: int, count: int) -> None:
    """``count`` provinces, each with a tier-2 conference before the pilot
    and a district whose tier-1 conference comes before the pilot
    district's; HCMC gets as many districts, flagged the same way."""
    for number in range(start, start + count):
        province = UnitFactory(
            parent=tree.vss, kind=UnitKind.PROVINCE, code=f"Q{number:02d}", position=number
        )
        district = UnitFactory(parent=province, code=f"Q{number:02d}-D1")
        hcm_district = UnitFactory(parent=tree.hcm, code=f"P79-D{number:02d}")
        ConferenceFactory(tier=tiers[2], unit=province, date=DAY(2019, 12, 1), created_by=creator)
        for unit in (district, hcm_district):
            ConferenceFactory(tier=tiers[1], unit=unit, date=DAY(2019, 11, 1), created_by=creator)


@pytest.mark.parametrize(
    ("role", "url_name"),
    [("council", "progress:board"), ("officer_hcm", "progress:board"), ("officer_hcm", "home")],
)
def test_board_and_home_queries_do_not_grow_with_the_conferences(
    client, tree, users, tiers, role, url_name
):
    creator = UserFactory(role=Role.ADMIN, unit=None, username="creator")
    tree.cycle.pilot_units.add(tree.hcm_district)
    ConferenceFactory(tier=tiers[2], unit=tree.hcm, date=DAY(2019, 12, 10), created_by=creator)
    ConferenceFactory(
        tier=tiers[1], unit=tree.hcm_district, date=DAY(2019, 11, 10), created_by=creator
    )
    add_flagged(tree, tiers, creator, start=1, count=1)
    client.force_login(users[role])
    url = reverse(url_name)
    count_queries(client, url)  # the first request of a session costs more
    one = count_queries(client, url)
    assert len(flagged(users[role], tree)) == (3 if role == "council" else 1)
    add_flagged(tree, tiers, creator, start=2, count=30)
    many = count_queries(client, url)
    assert len(flagged(users[role], tree)) == (93 if role == "council" else 31)
    assert many == one
