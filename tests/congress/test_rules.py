"""The tier rules as plain functions (no database)."""

import datetime

import pytest

from congress.models import Tier
from congress.rules import attendance_errors, schedule_errors

GRASSROOTS = Tier(
    level=1,
    name="Hội nghị cấp cơ sở",
    window_start=datetime.date(2019, 10, 1),
    deadline=datetime.date(2020, 1, 30),
    allows_half_day=True,
    allows_full_day=False,
    may_combine_with_year_end_review=True,
    may_combine_with_staff_conference=True,
)
UPPER = Tier(
    level=2,
    name="Hội nghị cấp trên cơ sở",
    window_start=datetime.date(2019, 10, 1),
    deadline=datetime.date(2020, 4, 30),
    allows_half_day=True,
    allows_full_day=True,
    cap=300,
)


def check(tier=GRASSROOTS, **overrides):
    values = {
        "date": datetime.date(2020, 1, 10),
        "length": "half_day",
        "combined_with": "",
        "expected_attendance": 30,
        "cap": tier.cap,
        "is_pilot": False,
        "pilot_dates": [],
    }
    values.update(overrides)
    return schedule_errors(tier=tier, **values)


def test_a_conference_inside_every_rule_has_no_error():
    assert check() == {}
    assert check(UPPER, length="full_day", date=datetime.date(2020, 4, 30)) == {}


@pytest.mark.parametrize("day", [datetime.date(2019, 9, 30), datetime.date(2020, 1, 31)])
def test_date_outside_the_window_is_refused_with_the_window(day):
    errors = check(date=day)
    assert set(errors) == {"date"}
    assert "01/10/2019" in errors["date"] and "30/01/2020" in errors["date"]


def test_window_bounds_are_inclusive():
    assert check(date=datetime.date(2019, 10, 1)) == {}
    assert check(date=datetime.date(2020, 1, 30)) == {}


def test_grassroots_conference_lasts_half_a_day():
    assert set(check(length="full_day")) == {"length"}


def test_grassroots_may_combine_only_with_listed_conferences():
    assert check(combined_with="year_end_review") == {}
    assert check(combined_with="staff_conference") == {}
    assert set(check(UPPER, combined_with="year_end_review")) == {"combined_with"}


def test_expected_attendance_over_the_cap_is_refused():
    assert check(UPPER, expected_attendance=300) == {}
    errors = check(UPPER, expected_attendance=301)
    assert "300" in errors["expected_attendance"]
    assert check(UPPER, expected_attendance=350, cap=350) == {}


def test_others_go_after_the_pilots():
    pilots = [datetime.date(2019, 12, 5), datetime.date(2019, 12, 12)]
    errors = check(UPPER, date=datetime.date(2019, 12, 10), pilot_dates=pilots)
    assert "12/12/2019" in errors["date"]
    assert check(UPPER, date=datetime.date(2019, 12, 12), pilot_dates=pilots) == {}
    # A pilot itself is not held back by the other pilot.
    assert check(UPPER, date=datetime.date(2019, 12, 1), pilot_dates=pilots, is_pilot=True) == {}


def test_held_conference_needs_a_past_date_and_attendance_within_cap():
    today = datetime.date(2020, 2, 1)
    assert attendance_errors(held_on=today, attendance=25, cap=None, today=today) == {}
    assert set(attendance_errors(held_on=None, attendance=None, cap=None, today=today)) == {
        "held_on",
        "actual_attendance",
    }
    future = attendance_errors(
        held_on=datetime.date(2020, 2, 2), attendance=25, cap=None, today=today
    )
    assert set(future) == {"held_on"}
    assert set(attendance_errors(held_on=today, attendance=301, cap=300, today=today)) == {
        "actual_attendance"
    }
