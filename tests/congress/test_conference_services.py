"""Registering conferences and moving them through their life."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from congress import services
from congress.models import Conference, ConferenceDocument
from congress.services import ConferenceDetails, register_conference, transition_conference
from tests.factories import ConferenceFactory
from units.locking import StaleEditError

DETAILS = ConferenceDetails(
    date=datetime.date(2020, 1, 10),
    start_time=datetime.time(8, 0),
    venue="Hội trường BHXH Quận 1",
    length="half_day",
    combined_with="year_end_review",
    expected_attendance=18,  # Quận 1 has 20 staff (plausibility)
)
HELD_DAY = datetime.date(2020, 1, 10)


def register(users, tiers, tree, **changes):
    details = ConferenceDetails(**{**DETAILS.__dict__, **changes})
    return register_conference(
        actor=users["officer_hcm"], tier=tiers[1], unit=tree.hcm_district, details=details
    )


def test_officer_registers_a_district_conference_as_draft(tree, users, tiers):
    conference = register(users, tiers, tree)
    assert conference.status == Conference.Status.DRAFT
    (step,) = conference.transitions.all()
    assert (step.action, step.actor, step.to_status) == ("register", users["officer_hcm"], "draft")


def test_officer_registers_own_province_tier_two_conference(tree, users, tiers):
    details = ConferenceDetails(**{**DETAILS.__dict__, "combined_with": "", "length": "full_day"})
    conference = register_conference(
        actor=users["officer_hcm"], tier=tiers[2], unit=tree.hcm, details=details
    )
    assert conference.unit == tree.hcm


@pytest.mark.parametrize("role", ["officer_hanoi", "council", "printer", "printer_hcm"])
def test_others_may_not_register_for_hcmc(tree, users, tiers, role):
    with pytest.raises(PermissionDenied):
        register_conference(
            actor=users[role], tier=tiers[1], unit=tree.hcm_district, details=DETAILS
        )
    assert not Conference.objects.exists()


def test_unit_must_organise_the_tier(tree, users, tiers):
    with pytest.raises(ValidationError, match="không tổ chức hội nghị cấp này"):
        register_conference(
            actor=users["officer_hcm"], tier=tiers[1], unit=tree.hcm, details=DETAILS
        )


def test_one_conference_per_unit_and_tier(tree, users, tiers):
    register(users, tiers, tree)
    with pytest.raises(ValidationError, match="đã đăng ký"):
        register(users, tiers, tree)
    assert Conference.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date": datetime.date(2020, 2, 1)}, "date"),
        ({"length": "full_day"}, "length"),
        ({"combined_with": "bogus"}, "combined_with"),
    ],
)
def test_each_broken_rule_is_named_on_its_field(tree, users, tiers, changes, field):
    with pytest.raises(ValidationError) as caught:
        register(users, tiers, tree, **changes)
    assert set(caught.value.message_dict) == {field}
    assert not Conference.objects.exists()


def test_cap_exception_applies_to_hcmc(tree, users, tiers):
    details = ConferenceDetails(
        **{**DETAILS.__dict__, "combined_with": "", "expected_attendance": 350}
    )
    register_conference(actor=users["officer_hcm"], tier=tiers[2], unit=tree.hcm, details=details)
    with pytest.raises(ValidationError) as caught:
        register_conference(
            actor=users["officer_hanoi"], tier=tiers[2], unit=tree.hanoi, details=details
        )
    assert "300" in caught.value.message_dict["expected_attendance"][0]


def test_non_pilot_province_goes_after_the_pilot(tree, users, tiers):
    pilot = ConferenceDetails(
        **{**DETAILS.__dict__, "combined_with": "", "date": datetime.date(2019, 12, 20)}
    )
    register_conference(actor=users["officer_hcm"], tier=tiers[2], unit=tree.hcm, details=pilot)
    early = ConferenceDetails(**{**pilot.__dict__, "date": datetime.date(2019, 12, 19)})
    with pytest.raises(ValidationError) as caught:
        register_conference(
            actor=users["officer_hanoi"], tier=tiers[2], unit=tree.hanoi, details=early
        )
    assert "20/12/2019" in caught.value.message_dict["date"][0]


def advance(conference, users, *names):
    actors = {"accept": users["council"], "return": users["council"]}
    for name in names:
        conference = transition_conference(
            actor=actors.get(name, users["officer_hcm"]),
            conference=conference,
            name=name,
            reason="Lý do" if name in ("return", "reopen") else "",
            held_on=HELD_DAY,
            actual_attendance=18,
            today=datetime.date(2020, 2, 1),
        )
    return conference


def test_the_whole_life_is_recorded(tree, users, tiers):
    conference = register(users, tiers, tree)
    conference = advance(conference, users, "submit", "return", "submit", "accept", "hold")
    ConferenceDocument.objects.create(
        conference=conference,
        kind=ConferenceDocument.Kind.MINUTES,
        version=1,
        file="x.pdf",
        original_name="bien-ban.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=users["officer_hcm"],
    )
    conference = advance(conference, users, "close")
    assert conference.status == Conference.Status.CLOSED
    assert (conference.held_on, conference.actual_attendance) == (HELD_DAY, 18)
    assert list(conference.transitions.values_list("action", "from_status", "to_status")) == [
        ("register", "", "draft"),
        ("submit", "draft", "submitted"),
        ("return", "submitted", "draft"),
        ("submit", "draft", "submitted"),
        ("accept", "submitted", "accepted"),
        ("hold", "accepted", "held"),
        ("close", "held", "closed"),
    ]
    assert conference.transitions.get(action="return").reason == "Lý do"


ALLOWED = {(t.source, t.name) for t in services.CONFERENCE_WORKFLOW}
ALL_MOVES = [
    (status, name)
    for status in Conference.Status.values
    for name in services.CONFERENCE_WORKFLOW.moves
    if (status, name) not in ALLOWED
]


@pytest.mark.parametrize(("status", "name"), ALL_MOVES)
def test_every_move_outside_the_table_is_refused(tree, users, tiers, status, name):
    held = status in ("held", "closed")
    conference = ConferenceFactory(
        tier=tiers[1],
        unit=tree.hcm_district,
        status=status,
        held_on=HELD_DAY if held else None,
        actual_attendance=20 if held else None,
    )
    with pytest.raises(ValidationError):
        transition_conference(actor=users["admin"], conference=conference, name=name, reason="x")
    conference.refresh_from_db()
    assert conference.status == status
    assert not conference.transitions.exists()


def test_unknown_action_is_refused(tree, users, tiers):
    conference = ConferenceFactory(tier=tiers[1], unit=tree.hcm_district)
    with pytest.raises(ValidationError):
        transition_conference(actor=users["admin"], conference=conference, name="publish")


def test_officer_cannot_accept_own_conference(tree, users, tiers):
    conference = advance(register(users, tiers, tree), users, "submit")
    with pytest.raises(PermissionDenied):
        transition_conference(actor=users["officer_hcm"], conference=conference, name="accept")


def test_council_cannot_submit_or_hold(tree, users, tiers):
    conference = register(users, tiers, tree)
    with pytest.raises(PermissionDenied):
        transition_conference(actor=users["council"], conference=conference, name="submit")


def test_return_needs_a_reason(tree, users, tiers):
    conference = advance(register(users, tiers, tree), users, "submit")
    with pytest.raises(ValidationError) as caught:
        transition_conference(
            actor=users["council"], conference=conference, name="return", reason=" "
        )
    assert "reason" in caught.value.message_dict
    conference.refresh_from_db()
    assert conference.status == "submitted"


def test_hold_needs_date_and_attendance(tree, users, tiers):
    conference = advance(register(users, tiers, tree), users, "submit", "accept")
    with pytest.raises(ValidationError) as caught:
        transition_conference(actor=users["officer_hcm"], conference=conference, name="hold")
    assert set(caught.value.message_dict) == {"held_on", "actual_attendance"}


def test_close_needs_the_minutes(tree, users, tiers):
    conference = advance(register(users, tiers, tree), users, "submit", "accept", "hold")
    with pytest.raises(ValidationError, match="biên bản"):
        advance(conference, users, "close")


def test_update_of_a_stale_version_is_refused(tree, users, tiers):
    conference = register(users, tiers, tree)
    loaded_by_a = Conference.objects.get(pk=conference.pk)
    loaded_by_b = Conference.objects.get(pk=conference.pk)
    services.update_conference(
        actor=users["officer_hcm"],
        conference=loaded_by_a,
        details=ConferenceDetails(**{**DETAILS.__dict__, "venue": "Phòng họp A"}),
        expected_lock_version=loaded_by_a.lock_version,
    )
    with pytest.raises(StaleEditError):
        services.update_conference(
            actor=users["admin"],
            conference=loaded_by_b,
            details=ConferenceDetails(**{**DETAILS.__dict__, "venue": "Phòng họp B"}),
            expected_lock_version=loaded_by_b.lock_version,
        )
    conference.refresh_from_db()
    assert conference.venue == "Phòng họp A"


def test_only_a_draft_can_be_changed(tree, users, tiers):
    conference = advance(register(users, tiers, tree), users, "submit")
    with pytest.raises(ValidationError):
        services.update_conference(
            actor=users["officer_hcm"],
            conference=conference,
            details=DETAILS,
            expected_lock_version=conference.lock_version,
        )


@pytest.mark.django_db(transaction=True)
def test_two_officers_registering_at_once_make_one_conference(tree, users, tiers):
    """Both pass the existence check; the unique constraint stops the second."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions (PostgreSQL)")
    barrier = threading.Barrier(2)
    results = []

    def attempt():
        try:
            barrier.wait()
            results.append(register(users, tiers, tree))
        except ValidationError as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Conference.objects.count() == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
