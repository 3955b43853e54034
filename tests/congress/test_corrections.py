"""Corrections with a reason, and plausibility: one rule for registering,
changing, recording as held and correcting (``rules.unusual_figures``),
lifted only by a confirmation with a reason, shown on the board."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from congress import progress, rules, services
from congress.models import Conference, ConferenceTransition, Tier
from congress.services import ConferenceDetails, register_conference
from tests.factories import ConferenceFactory, UnitFactory
from units.locking import StaleEditError

S = Conference.Status
DAY = datetime.date
TODAY = DAY(2020, 3, 1)


def attendance_message(figure: str, value: int, limit: int, multiple: str, headcount: int) -> str:
    return _(
        "%(figure)s: %(value)s is more than %(limit)s, %(multiple)s × the %(headcount)s "
        "staff of the unit and the units under it. Check the figure, or confirm it "
        "with a reason."
    ) % {
        "figure": figure,
        "value": value,
        "limit": limit,
        "multiple": multiple,
        "headcount": headcount,
    }


def held_on_message(day: str, tier: Tier) -> str:
    return _(
        "Held on %(date)s, outside the window of the %(tier)s (%(start)s – %(end)s). "
        "Check the date, or confirm it with a reason."
    ) % {"date": day, "tier": tier.name, "start": "01/10/2019", "end": "30/01/2020"}


def details(**changes) -> ConferenceDetails:
    values = {
        "date": DAY(2020, 1, 10),
        "start_time": datetime.time(8, 0),
        "venue": "Hội trường Quận 1",
        "length": "half_day",
        "combined_with": "",
        "expected_attendance": 18,
    }
    return ConferenceDetails(**{**values, **changes})


@pytest.fixture
def held_district(tree, tiers):
    """Quận 1 (20 staff) held its conference on 10/01/2020 with 18."""
    return ConferenceFactory(
        tier=tiers[1],
        unit=tree.hcm_district,
        status=S.HELD,
        date=DAY(2020, 1, 10),
        held_on=DAY(2020, 1, 10),
        actual_attendance=18,
        lock_version=4,
    )


def correct(conference, actor, **changes):
    values = {
        "held_on": conference.held_on,
        "actual_attendance": conference.actual_attendance,
        "reason": "Nhập nhầm số liệu",
        "expected_lock_version": conference.lock_version,
        "today": TODAY,
    }
    return services.correct_held_figures(
        actor=actor, conference=conference, **{**values, **changes}
    )


# -- The plausibility rule, pure -------------------------------------------------------------

GRASSROOTS = Tier(
    name="Hội nghị cấp cơ sở",
    level=1,
    window_start=DAY(2019, 10, 1),
    deadline=DAY(2020, 1, 30),
    cap=None,
)
UPPER = Tier(
    name="Hội nghị cấp trên cơ sở",
    level=2,
    window_start=DAY(2019, 10, 1),
    deadline=DAY(2020, 4, 30),
    cap=300,
)


def unusual(tier=GRASSROOTS, **values):
    arguments = {
        "attendance": 20,
        "attendance_field": "actual_attendance",
        "headcount": 20,
        "multiple": Decimal("1.00"),
        "held_on": None,
    }
    return rules.unusual_figures(tier=tier, **{**arguments, **values})


def test_attendance_within_the_headcount_is_plausible():
    assert unusual() == {}
    assert unusual(attendance=30, multiple=Decimal("1.50")) == {}


def test_attendance_above_the_multiple_of_the_headcount_names_figure_and_limit():
    assert unusual(attendance=21) == {
        "actual_attendance": attendance_message(_("Actual attendance"), 21, 20, "1", 20)
    }
    errors = unusual(
        attendance=31, multiple=Decimal("1.50"), attendance_field="expected_attendance"
    )
    assert errors == {
        "expected_attendance": attendance_message(_("Expected attendance"), 31, 30, "1,5", 20)
    }


def test_a_capped_tier_or_an_unknown_headcount_has_no_headcount_check():
    assert unusual(UPPER, attendance=300) == {}
    assert unusual(attendance=500, headcount=0) == {}


def test_a_held_date_outside_the_window_is_unusual():
    errors = unusual(held_on=DAY(2020, 2, 3))
    assert errors == {"held_on": held_on_message("03/02/2020", GRASSROOTS)}
    assert unusual(held_on=DAY(2020, 1, 30)) == {}
    assert set(unusual(held_on=DAY(2019, 9, 30))) == {"held_on"}


# -- Plausibility where figures are entered ----------------------------------------------------


def test_registering_an_unusual_expected_attendance_needs_a_reason(tree, users, tiers):
    with pytest.raises(ValidationError) as caught:
        register_conference(
            actor=users["officer_hcm"],
            tier=tiers[1],
            unit=tree.hcm_district,
            details=details(expected_attendance=25),
        )
    assert caught.value.message_dict == {
        "expected_attendance": [attendance_message(_("Expected attendance"), 25, 20, "1", 20)]
    }
    assert caught.value.error_dict["expected_attendance"][0].code == rules.UNUSUAL
    conference = register_conference(
        actor=users["officer_hcm"],
        tier=tiers[1],
        unit=tree.hcm_district,
        details=details(expected_attendance=25, unusual_figures_reason=" Mời cả hưu trí "),
    )
    assert conference.unusual_figures_reason == "Mời cả hưu trí"


def test_the_headcount_is_the_units_subtree(tree, users, tiers):
    UnitFactory(parent=tree.hcm_department, code="P79-VP-1", headcount=10)
    conference = register_conference(
        actor=users["officer_hcm"],
        tier=tiers[1],
        unit=tree.hcm_department,
        details=details(expected_attendance=30),
    )
    assert conference.unusual_figures_reason == ""


def test_the_cycles_multiple_sets_the_limit(tree, users, tiers):
    tree.cycle.attendance_headcount_multiple = Decimal("1.25")
    tree.cycle.save()
    register_conference(
        actor=users["officer_hcm"],
        tier=tiers[1],
        unit=tree.hcm_district,
        details=details(expected_attendance=25),
    )


def test_a_reason_for_plausible_figures_is_not_kept(tree, users, tiers):
    conference = register_conference(
        actor=users["officer_hcm"],
        tier=tiers[1],
        unit=tree.hcm_district,
        details=details(unusual_figures_reason="không cần"),
    )
    assert conference.unusual_figures_reason == ""


def test_changing_to_an_unusual_figure_needs_a_reason(tree, users, tiers):
    conference = register_conference(
        actor=users["officer_hcm"], tier=tiers[1], unit=tree.hcm_district, details=details()
    )
    with pytest.raises(ValidationError) as caught:
        services.update_conference(
            actor=users["officer_hcm"],
            conference=conference,
            details=details(expected_attendance=40),
            expected_lock_version=conference.lock_version,
        )
    assert set(caught.value.message_dict) == {"expected_attendance"}


def test_recording_unusual_figures_as_held_needs_a_reason(tree, users, tiers):
    conference = ConferenceFactory(
        tier=tiers[1], unit=tree.hcm_district, status=S.ACCEPTED, date=DAY(2020, 1, 25)
    )

    def hold(**kwargs):
        return services.transition_conference(
            actor=users["officer_hcm"],
            conference=conference,
            name="hold",
            held_on=DAY(2020, 2, 3),
            actual_attendance=24,
            today=TODAY,
            **kwargs,
        )

    with pytest.raises(ValidationError) as caught:
        hold()
    assert caught.value.message_dict == {
        "held_on": [held_on_message("03/02/2020", tiers[1])],
        "actual_attendance": [attendance_message(_("Actual attendance"), 24, 20, "1", 20)],
    }
    held = hold(unusual_figures_reason="Hoãn vì dịch; mời thêm cộng tác viên")
    assert (held.status, held.unusual_figures_reason) == (
        S.HELD,
        "Hoãn vì dịch; mời thêm cộng tác viên",
    )


def test_the_form_asks_for_the_confirmation_and_keeps_what_was_typed(client, tree, users, tiers):
    client.force_login(users["officer_hcm"])
    data = {
        "organiser": f"{tree.hcm_district.pk}:{tiers[1].pk}",
        "date": "15/01/2020",
        "start_time": "08:00",
        "venue": "Hội trường Quận 1",
        "length": "half_day",
        "combined_with": "",
        "expected_attendance": "26",
    }
    before = client.get(reverse("congress:conference_register"))
    assert 'data-testid="confirm-unusual"' not in before.text
    response = client.post(reverse("congress:conference_register"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["expected_attendance"] == [
        attendance_message(_("Expected attendance"), 26, 20, "1", 20)
    ]
    assert 'data-testid="confirm-unusual"' in response.text
    assert 'value="26"' in response.text and 'value="Hội trường Quận 1"' in response.text
    response = client.post(
        reverse("congress:conference_register"),
        {**data, "unusual_figures_reason": "Có 6 cộng tác viên dự"},
    )
    assert response.status_code == 302
    conference = Conference.objects.get()
    assert conference.unusual_figures_reason == "Có 6 cộng tác viên dự"
    edit = client.get(reverse("congress:conference_edit", args=[conference.pk]))
    assert "Có 6 cộng tác viên dự" in edit.text  # shown while it is stored


def test_the_hold_form_asks_for_the_confirmation(client, tree, users, tiers):
    conference = ConferenceFactory(
        tier=tiers[1], unit=tree.hcm_district, status=S.ACCEPTED, date=DAY(2020, 1, 15)
    )
    client.force_login(users["officer_hcm"])
    data = {
        "action": "hold",
        "lock_version": conference.lock_version,
        "held_on": "15/01/2020",
        "actual_attendance": "23",
    }
    response = client.post(conference.get_absolute_url(), data)
    assert response.status_code == 400
    assert 'data-testid="confirm-unusual"' in response.text
    assert 'value="23"' in response.text
    response = client.post(
        conference.get_absolute_url(), {**data, "unusual_figures_reason": "Khách mời"}
    )
    assert response.status_code == 302
    conference.refresh_from_db()
    assert conference.unusual_figures_reason == "Khách mời"


def test_the_board_shows_confirmed_unusual_figures(client, tree, users, tiers):
    ConferenceFactory(
        tier=tiers[1],
        unit=tree.hcm_district,
        status=S.HELD,
        held_on=DAY(2020, 1, 10),
        actual_attendance=30,
        unusual_figures_reason="Mời cả hưu trí",
    )
    board = progress.progress_board(
        user=users["council"], tiers=progress.tiers_of_cycle(tree.cycle)
    )
    rows = {row.branch.code: row for row in board.rows}
    assert rows["P79"].funnel.unusual_figures == 1
    assert rows["P79"].funnel.marks == [
        ("unusual_figures", str(progress.BoardStatus.UNUSUAL_FIGURES.label), 1)
    ]
    client.force_login(users["officer_hcm"])
    page = client.get(reverse("progress:board")).text
    assert 'data-testid="mark-unusual"' in page and 'title="Mời cả hưu trí"' in page
    assert 'data-testid="row-marks"' in page


# -- Corrections ----------------------------------------------------------------------------


def test_a_correction_is_recorded_with_old_and_new_figures(tree, users, tiers, held_district):
    corrected = correct(
        held_district, users["officer_hcm"], held_on=DAY(2020, 1, 11), actual_attendance=19
    )
    assert (corrected.held_on, corrected.actual_attendance) == (DAY(2020, 1, 11), 19)
    assert corrected.lock_version == 5
    step = corrected.transitions.get()
    assert (step.action, step.actor, step.reason) == (
        ConferenceTransition.Action.CORRECT,
        users["officer_hcm"],
        "Nhập nhầm số liệu",
    )
    assert (step.from_status, step.to_status) == ("held", "held")
    assert step.changes == {"held_on": ["10/01/2020", "11/01/2020"], "actual_attendance": [18, 19]}


def test_only_the_changed_figures_are_recorded(tree, users, tiers, held_district):
    step = correct(held_district, users["officer_hcm"], actual_attendance=17).transitions.get()
    assert step.changes == {"actual_attendance": [18, 17]}


def test_the_history_shows_the_correction(client, tree, users, tiers, held_district):
    correct(held_district, users["officer_hcm"], actual_attendance=17)
    client.force_login(users["printer_hcm"])
    page = client.get(held_district.get_absolute_url()).text
    history = page[page.index('data-testid="history"') :]
    assert "Nhập nhầm số liệu" in history
    assert "<del>18</del> → <strong>17</strong>" in history


def test_a_correction_needs_a_reason_and_a_change(tree, users, tiers, held_district):
    with pytest.raises(ValidationError) as caught:
        correct(held_district, users["officer_hcm"], actual_attendance=17, reason=" ")
    assert caught.value.message_dict == {"reason": [_("Give the reason for the correction.")]}
    with pytest.raises(ValidationError) as caught:
        correct(held_district, users["officer_hcm"])
    assert caught.value.messages == [
        _("These are the figures already recorded: nothing to correct.")
    ]
    assert not held_district.transitions.exists()


def test_a_stale_correction_is_refused(tree, users, tiers, held_district):
    with pytest.raises(StaleEditError):
        correct(held_district, users["officer_hcm"], actual_attendance=17, expected_lock_version=3)
    held_district.refresh_from_db()
    assert held_district.actual_attendance == 18


def test_only_a_held_or_closed_conference_is_corrected(tree, users, tiers, held_district):
    draft = ConferenceFactory(tier=tiers[1], unit=tree.hcm_department)
    with pytest.raises(ValidationError) as caught:
        services.correct_held_figures(
            actor=users["officer_hcm"],
            conference=draft,
            held_on=DAY(2020, 1, 10),
            actual_attendance=10,
            reason="x",
            expected_lock_version=draft.lock_version,
        )
    assert caught.value.messages == [_("Only the figures of a held conference can be corrected.")]
    Conference.objects.filter(pk=held_district.pk).update(status=S.CLOSED)
    held_district.refresh_from_db()
    assert correct(held_district, users["officer_hcm"], actual_attendance=17).status == S.CLOSED


def test_a_corrected_figure_keeps_the_hard_rules(tree, users, tiers, held_district):
    with pytest.raises(ValidationError) as caught:
        correct(held_district, users["officer_hcm"], held_on=DAY(2020, 3, 2))
    assert caught.value.message_dict["held_on"] == [
        _("A conference cannot be recorded as held on a future date.")
    ]


def test_an_unusual_correction_needs_a_confirmation(tree, users, tiers, held_district):
    with pytest.raises(ValidationError) as caught:
        correct(held_district, users["officer_hcm"], actual_attendance=25)
    assert caught.value.message_dict == {
        "actual_attendance": [attendance_message(_("Actual attendance"), 25, 20, "1", 20)]
    }
    corrected = correct(
        held_district,
        users["officer_hcm"],
        actual_attendance=25,
        unusual_figures_reason="Có 5 cộng tác viên",
    )
    assert corrected.unusual_figures_reason == "Có 5 cộng tác viên"
    # Back within the range, the confirmation goes.
    assert (
        correct(corrected, users["officer_hcm"], actual_attendance=19).unusual_figures_reason == ""
    )


@pytest.mark.parametrize("role", ["officer_hanoi", "council", "printer", "printer_hcm"])
def test_only_who_may_change_it_corrects(tree, users, tiers, held_district, role):
    with pytest.raises(PermissionDenied):
        correct(held_district, users[role], actual_attendance=17)
    assert not held_district.transitions.exists()


# role → status of the correction POST on Quận 1's conference
CORRECT_STATUS = {
    "officer_hcm": 302,
    "admin": 302,
    "council": 403,
    "printer": 403,
    "printer_hcm": 403,
    "officer_hanoi": 404,
}


@pytest.mark.parametrize("role", CORRECT_STATUS)
def test_correcting_through_the_page_by_role(client, tree, users, tiers, held_district, role):
    client.force_login(users[role])
    response = client.post(
        reverse("congress:conference_correct", args=[held_district.pk]),
        {
            "held_on": "10/01/2020",
            "actual_attendance": "17",
            "reason": "Đếm lại danh sách ký tên",
            "lock_version": held_district.lock_version,
        },
    )
    assert response.status_code == CORRECT_STATUS[role]
    held_district.refresh_from_db()
    assert (held_district.actual_attendance == 17) == (CORRECT_STATUS[role] == 302)


def test_the_page_offers_the_correction_to_who_may_change_it(
    client, tree, users, tiers, held_district
):
    client.force_login(users["officer_hcm"])
    assert 'data-testid="correction"' in client.get(held_district.get_absolute_url()).text
    client.force_login(users["council"])
    assert 'data-testid="correction"' not in client.get(held_district.get_absolute_url()).text


def test_a_refused_correction_keeps_what_was_typed(client, tree, users, tiers, held_district):
    client.force_login(users["officer_hcm"])
    url = reverse("congress:conference_correct", args=[held_district.pk])
    data = {
        "held_on": "10/01/2020",
        "actual_attendance": "27",
        "reason": "Đếm lại",
        "lock_version": held_district.lock_version,
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert attendance_message(_("Actual attendance"), 27, 20, "1", 20) in response.text
    assert 'data-testid="confirm-unusual"' in response.text
    assert 'value="27"' in response.text and "Đếm lại" in response.text
    assert client.post(url, {**data, "unusual_figures_reason": "Có khách"}).status_code == 302


def test_a_stale_correction_through_the_page_says_so(client, tree, users, tiers, held_district):
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("congress:conference_correct", args=[held_district.pk]),
        {"held_on": "10/01/2020", "actual_attendance": "17", "reason": "x", "lock_version": 1},
        follow=True,
    )
    assert (
        _("Someone else changed this conference meanwhile; nothing was done. Check it again.")
        in response.text
    )
    held_district.refresh_from_db()
    assert held_district.actual_attendance == 18


def test_the_correction_page_accepts_only_posts(client, users, held_district):
    client.force_login(users["officer_hcm"])
    url = reverse("congress:conference_correct", args=[held_district.pk])
    assert client.get(url).status_code == 405
