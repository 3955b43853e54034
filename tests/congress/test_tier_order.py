"""The tiers run in order (DOMAIN.md, "Between the tiers"): a conference
comes on or before the one it elects delegates to, the conference above is
recorded as held only once every unit below held its own (or the council
exempted it), and exemptions are the council's, with a reason."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from congress import progress, rules, services
from congress.models import Conference, TierExemption
from congress.rules import Neighbour
from congress.services import ConferenceDetails, register_conference
from tests.factories import ConferenceFactory

S = Conference.Status
DAY = datetime.date
AFTER_ALL = DAY(2020, 10, 1)  # "today" once every tier's window has passed


def short(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def details(day: datetime.date, **changes) -> ConferenceDetails:
    values = {
        "date": day,
        "start_time": datetime.time(8, 0),
        "venue": "Hội trường",
        "length": "half_day",
        "combined_with": "",
        "expected_attendance": 18,
    }
    return ConferenceDetails(**{**values, **changes})


def upper_message(unit: str, tier: str, day: datetime.date) -> str:
    return _(
        "%(unit)s holds the %(tier)s on %(date)s, and this conference elects "
        "delegates to it: choose a date on or before %(date)s."
    ) % {"unit": unit, "tier": tier, "date": short(day)}


def lower_message(unit: str, tier: str, day: datetime.date) -> str:
    return _(
        "%(unit)s holds its %(tier)s on %(date)s, and elects delegates to this "
        "conference: choose a date on or after %(date)s."
    ) % {"unit": unit, "tier": tier, "date": short(day)}


def yet_to_hold_message(tier: str, names: list[str]) -> str:
    return ngettext(
        "%(count)s unit has not held its %(tier)s yet: %(units)s. Record this "
        "conference as held once it has, or once the council exempts a unit that "
        "cannot hold it.",
        "%(count)s units have not held their %(tier)s yet: %(units)s. Record this "
        "conference as held once they have, or once the council exempts a unit that "
        "cannot hold it.",
        len(names),
    ) % {"count": len(names), "tier": tier, "units": ", ".join(names)}


def held(tier, unit, day, **kwargs):
    return ConferenceFactory(
        tier=tier,
        unit=unit,
        status=S.HELD,
        date=day,
        held_on=day,
        actual_attendance=kwargs.pop("actual_attendance", 18),
        **kwargs,
    )


# -- The pure rule -------------------------------------------------------------

UPPER = Neighbour(unit="BHXH TP. Hồ Chí Minh", tier="Cấp trên cơ sở", date=DAY(2020, 1, 10))
LOWER = Neighbour(unit="BHXH Quận 1", tier="Cấp cơ sở", date=DAY(2020, 1, 15))


def test_rule_refuses_a_date_after_the_conference_above_naming_its_date():
    errors = rules.tier_order_errors(date=DAY(2020, 1, 11), upper=UPPER, lower=None)
    assert errors == {"date": upper_message(UPPER.unit, UPPER.tier, UPPER.date)}
    assert "10/01/2020" in errors["date"]
    # The same day is allowed.
    assert rules.tier_order_errors(date=UPPER.date, upper=UPPER, lower=None) == {}


def test_rule_refuses_a_date_before_a_conference_below_naming_its_date():
    errors = rules.tier_order_errors(
        date=DAY(2020, 1, 14), upper=None, lower=LOWER, field="held_on"
    )
    assert errors == {"held_on": lower_message(LOWER.unit, LOWER.tier, LOWER.date)}
    assert rules.tier_order_errors(date=LOWER.date, upper=None, lower=LOWER) == {}
    assert rules.tier_order_errors(date=None, upper=UPPER, lower=LOWER) == {}


def test_rule_names_at_most_ten_units_yet_to_hold():
    names = [f"BHXH huyện {n}" for n in range(12)]
    message = rules.units_yet_to_hold_errors(lower_tier="Cấp cơ sở", units=names)["__all__"]
    more = ngettext("and %(count)s more unit", "and %(count)s more units", 2) % {"count": 2}
    assert message == ngettext(
        "%(count)s unit has not held its %(tier)s yet: %(units)s. Record this "
        "conference as held once it has, or once the council exempts a unit that "
        "cannot hold it.",
        "%(count)s units have not held their %(tier)s yet: %(units)s. Record this "
        "conference as held once they have, or once the council exempts a unit that "
        "cannot hold it.",
        12,
    ) % {"count": 12, "tier": "Cấp cơ sở", "units": ", ".join(names[:10]) + " " + more}
    assert rules.units_yet_to_hold_errors(lower_tier="Cấp cơ sở", units=[]) == {}


# -- Registering and changing, both ways -------------------------------------------


def test_grassroots_dated_after_its_province_is_refused(tree, users, tiers):
    register_conference(
        actor=users["officer_hcm"], tier=tiers[2], unit=tree.hcm, details=details(DAY(2020, 1, 10))
    )
    with pytest.raises(ValidationError) as caught:
        register_conference(
            actor=users["officer_hcm"],
            tier=tiers[1],
            unit=tree.hcm_district,
            details=details(DAY(2020, 1, 15)),
        )
    assert caught.value.message_dict == {
        "date": [upper_message(tree.hcm.name, tiers[2].name, DAY(2020, 1, 10))]
    }
    # The same day, or before, is in order; another province is not concerned.
    register_conference(
        actor=users["officer_hcm"],
        tier=tiers[1],
        unit=tree.hcm_district,
        details=details(DAY(2020, 1, 10)),
    )
    register_conference(
        actor=users["officer_hanoi"],
        tier=tiers[1],
        unit=tree.hanoi_district,
        details=details(DAY(2020, 1, 25)),
    )


def test_province_dated_before_one_of_its_units_is_refused(tree, users, tiers):
    register_conference(
        actor=users["officer_hcm"],
        tier=tiers[1],
        unit=tree.hcm_district,
        details=details(DAY(2020, 1, 15)),
    )
    register_conference(
        actor=users["officer_hcm"],
        tier=tiers[1],
        unit=tree.hcm_department,
        details=details(DAY(2020, 1, 20)),
    )
    with pytest.raises(ValidationError) as caught:
        register_conference(
            actor=users["officer_hcm"],
            tier=tiers[2],
            unit=tree.hcm,
            details=details(DAY(2020, 1, 18)),
        )
    # The latest of its units is named.
    assert caught.value.message_dict == {
        "date": [lower_message(tree.hcm_department.name, tiers[1].name, DAY(2020, 1, 20))]
    }
    assert not Conference.objects.filter(tier=tiers[2]).exists()


def test_re_dating_either_side_out_of_order_is_refused(tree, users, tiers):
    officer = users["officer_hcm"]
    district = register_conference(
        actor=officer, tier=tiers[1], unit=tree.hcm_district, details=details(DAY(2020, 1, 5))
    )
    province = register_conference(
        actor=officer, tier=tiers[2], unit=tree.hcm, details=details(DAY(2020, 1, 10))
    )
    with pytest.raises(ValidationError) as caught:
        services.update_conference(
            actor=officer,
            conference=district,
            details=details(DAY(2020, 1, 12)),
            expected_lock_version=district.lock_version,
        )
    assert caught.value.message_dict["date"] == [
        upper_message(tree.hcm.name, tiers[2].name, DAY(2020, 1, 10))
    ]
    with pytest.raises(ValidationError) as caught:
        services.update_conference(
            actor=officer,
            conference=province,
            details=details(DAY(2020, 1, 3)),
            expected_lock_version=province.lock_version,
        )
    assert caught.value.message_dict["date"] == [
        lower_message(tree.hcm_district.name, tiers[1].name, DAY(2020, 1, 5))
    ]
    # In order, both move.
    services.update_conference(
        actor=officer,
        conference=province,
        details=details(DAY(2020, 1, 20)),
        expected_lock_version=province.lock_version,
    )
    services.update_conference(
        actor=officer,
        conference=district,
        details=details(DAY(2020, 1, 20)),
        expected_lock_version=district.lock_version,
    )


def test_held_date_counts_for_a_held_conference(tree, users, tiers):
    # Planned for 05/01, held on 25/01: the province may not come before 25/01.
    ConferenceFactory(
        tier=tiers[1],
        unit=tree.hcm_district,
        status=S.HELD,
        date=DAY(2020, 1, 5),
        held_on=DAY(2020, 1, 25),
        actual_attendance=18,
    )
    with pytest.raises(ValidationError) as caught:
        register_conference(
            actor=users["officer_hcm"],
            tier=tiers[2],
            unit=tree.hcm,
            details=details(DAY(2020, 1, 20)),
        )
    assert "25/01/2020" in caught.value.message_dict["date"][0]


def test_the_refusal_shows_on_the_form_with_the_typed_values(client, tree, users, tiers):
    ConferenceFactory(tier=tiers[2], unit=tree.hcm, date=DAY(2020, 1, 10))
    client.force_login(users["officer_hcm"])
    response = client.post(
        reverse("congress:conference_register"),
        {
            "organiser": f"{tree.hcm_district.pk}:{tiers[1].pk}",
            "date": "15/01/2020",
            "start_time": "08:00",
            "venue": "Hội trường Quận 1",
            "length": "half_day",
            "combined_with": "",
            "expected_attendance": "18",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [
        upper_message(tree.hcm.name, tiers[2].name, DAY(2020, 1, 10))
    ]
    assert 'value="15/01/2020"' in response.text
    assert 'value="Hội trường Quận 1"' in response.text


# -- Recording as held ---------------------------------------------------------------


@pytest.fixture
def hcm_ready(tree, tiers):
    """HCM's tier-2 conference accepted; Quận 1 held, the Văn phòng not."""
    held(tiers[1], tree.hcm_district, DAY(2020, 1, 15))
    return ConferenceFactory(tier=tiers[2], unit=tree.hcm, status=S.ACCEPTED, date=DAY(2020, 2, 10))


HCM_DAY = DAY(2020, 2, 10)


def hold(conference, actor, day=HCM_DAY, attendance=200, **kwargs):
    return services.transition_conference(
        actor=actor,
        conference=conference,
        name="hold",
        held_on=day,
        actual_attendance=attendance,
        today=AFTER_ALL,
        **kwargs,
    )


def test_hold_is_refused_while_a_unit_below_has_not_held(tree, users, tiers, hcm_ready):
    with pytest.raises(ValidationError) as caught:
        hold(hcm_ready, users["officer_hcm"])
    assert caught.value.message_dict == {
        "__all__": [yet_to_hold_message(tiers[1].name, [tree.hcm_department.name])]
    }
    hcm_ready.refresh_from_db()
    assert hcm_ready.status == S.ACCEPTED


def test_hold_is_allowed_once_the_council_exempts_the_unit(tree, users, tiers, hcm_ready):
    exemption = services.exempt_unit(
        actor=users["council"],
        tier=tiers[1],
        unit=tree.hcm_department,
        reason="Văn phòng sáp nhập, không đủ người tổ chức",
    )
    assert (exemption.recorded_by, exemption.reason) == (
        users["council"],
        "Văn phòng sáp nhập, không đủ người tổ chức",
    )
    conference = hold(hcm_ready, users["officer_hcm"])
    assert conference.status == S.HELD


def test_hold_is_allowed_once_every_unit_below_held(tree, users, tiers, hcm_ready):
    held(tiers[1], tree.hcm_department, DAY(2020, 1, 20))
    assert hold(hcm_ready, users["officer_hcm"]).status == S.HELD


def test_held_date_before_a_unit_below_is_refused(tree, users, tiers, hcm_ready):
    held(tiers[1], tree.hcm_department, DAY(2020, 1, 20))
    with pytest.raises(ValidationError) as caught:
        hold(hcm_ready, users["officer_hcm"], day=DAY(2020, 1, 18))
    assert caught.value.message_dict == {
        "held_on": [lower_message(tree.hcm_department.name, tiers[1].name, DAY(2020, 1, 20))]
    }


def test_grassroots_held_after_its_province_is_refused(tree, users, tiers):
    ConferenceFactory(tier=tiers[2], unit=tree.hcm, date=DAY(2020, 1, 20))
    district = ConferenceFactory(
        tier=tiers[1], unit=tree.hcm_district, status=S.ACCEPTED, date=DAY(2020, 1, 15)
    )
    with pytest.raises(ValidationError) as caught:
        hold(district, users["officer_hcm"], day=DAY(2020, 1, 22), attendance=18)
    assert caught.value.message_dict == {
        "held_on": [upper_message(tree.hcm.name, tiers[2].name, DAY(2020, 1, 20))]
    }


def test_the_congress_waits_for_every_province(tree, users, tiers):
    held(tiers[2], tree.hcm, DAY(2020, 3, 1), actual_attendance=300)
    congress = ConferenceFactory(
        tier=tiers[3], unit=tree.vss, status=S.ACCEPTED, date=DAY(2020, 8, 1)
    )
    with pytest.raises(ValidationError) as caught:
        hold(congress, users["admin"], day=DAY(2020, 8, 1), attendance=480)
    assert caught.value.message_dict == {
        "__all__": [yet_to_hold_message(tiers[2].name, [tree.hanoi.name])]
    }


def test_the_page_lists_the_units_yet_to_hold_near_the_hold_form(
    client, tree, users, tiers, hcm_ready
):
    client.force_login(users["officer_hcm"])
    page = client.get(hcm_ready.get_absolute_url()).text
    section = page[page.index('data-testid="yet-to-hold"') :]
    assert tree.hcm_department.name in section[: section.index("</ul>")]
    assert tree.hcm_district.name not in section[: section.index("</ul>")]
    assert 'data-testid="exempt-form"' not in page  # officers do not exempt
    response = client.post(
        hcm_ready.get_absolute_url(),
        {
            "action": "hold",
            "lock_version": hcm_ready.lock_version,
            "held_on": "10/02/2020",
            "actual_attendance": "200",
        },
    )
    assert response.status_code == 400
    assert yet_to_hold_message(tiers[1].name, [tree.hcm_department.name]) in response.text
    client.force_login(users["council"])
    assert 'data-testid="exempt-form"' in client.get(hcm_ready.get_absolute_url()).text


# -- Exemptions: the council's, with a reason ----------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("council", True),
        ("admin", True),
        ("officer_hcm", False),
        ("officer_hanoi", False),
        ("printer_hcm", False),
        ("printer", False),
    ],
)
def test_only_reviewers_exempt_and_lift(tree, users, tiers, role, allowed):
    if not allowed:
        with pytest.raises(PermissionDenied):
            services.exempt_unit(
                actor=users[role], tier=tiers[1], unit=tree.hcm_department, reason="Lý do"
            )
        assert not TierExemption.objects.exists()
        exemption = services.exempt_unit(
            actor=users["council"], tier=tiers[1], unit=tree.hcm_department, reason="Lý do"
        )
        with pytest.raises(PermissionDenied):
            services.lift_exemption(actor=users[role], exemption=exemption)
        assert TierExemption.objects.exists()
        return
    exemption = services.exempt_unit(
        actor=users[role], tier=tiers[1], unit=tree.hcm_department, reason="Lý do"
    )
    services.lift_exemption(actor=users[role], exemption=exemption)
    assert not TierExemption.objects.exists()


def test_an_exemption_needs_a_reason(tree, users, tiers):
    with pytest.raises(ValidationError) as caught:
        services.exempt_unit(
            actor=users["council"], tier=tiers[1], unit=tree.hcm_department, reason=" "
        )
    assert caught.value.message_dict == {
        "reason": [_("Give the reason the unit cannot hold its conference.")]
    }


def test_a_unit_that_held_or_is_exempted_is_not_exempted_again(tree, users, tiers):
    held(tiers[1], tree.hcm_district, DAY(2020, 1, 15))
    names = {"unit": tree.hcm_district.name, "tier": tiers[1].name}
    with pytest.raises(ValidationError) as caught:
        services.exempt_unit(
            actor=users["council"], tier=tiers[1], unit=tree.hcm_district, reason="x"
        )
    assert caught.value.messages == [
        _("%(unit)s has held its %(tier)s: it needs no exemption.") % names
    ]
    services.exempt_unit(
        actor=users["council"], tier=tiers[1], unit=tree.hcm_department, reason="x"
    )
    with pytest.raises(ValidationError) as caught:
        services.exempt_unit(
            actor=users["council"], tier=tiers[1], unit=tree.hcm_department, reason="x"
        )
    assert caught.value.messages == [
        _("%(unit)s is already exempted from the %(tier)s.")
        % {"unit": tree.hcm_department.name, "tier": tiers[1].name}
    ]


def test_only_an_organiser_of_a_tier_with_one_above_is_exempted(tree, users, tiers):
    with pytest.raises(ValidationError) as caught:
        services.exempt_unit(actor=users["council"], tier=tiers[1], unit=tree.hcm, reason="x")
    assert caught.value.messages == [_("This unit does not organise a conference of this tier.")]
    with pytest.raises(ValidationError) as caught:
        services.exempt_unit(actor=users["council"], tier=tiers[3], unit=tree.vss, reason="x")
    assert caught.value.messages == [
        _("No conference comes after the %(tier)s: there is nothing to exempt it from.")
        % {"tier": tiers[3].name}
    ]


def test_an_exemption_is_not_lifted_once_the_conference_above_is_held(
    tree, users, tiers, hcm_ready
):
    exemption = services.exempt_unit(
        actor=users["council"], tier=tiers[1], unit=tree.hcm_department, reason="Lý do"
    )
    hold(hcm_ready, users["officer_hcm"])
    with pytest.raises(ValidationError) as caught:
        services.lift_exemption(actor=users["council"], exemption=exemption)
    assert caught.value.messages == [
        _(
            "%(unit)s has recorded its %(tier)s as held without this unit: "
            "the exemption can no longer be lifted."
        )
        % {"unit": tree.hcm.name, "tier": tiers[2].name}
    ]
    assert TierExemption.objects.exists()


def test_an_exempted_unit_is_left_out_of_the_order(tree, users, tiers):
    ConferenceFactory(tier=tiers[1], unit=tree.hanoi_district, date=DAY(2020, 1, 25))
    services.exempt_unit(
        actor=users["council"], tier=tiers[1], unit=tree.hanoi_district, reason="Lý do"
    )
    register_conference(
        actor=users["officer_hanoi"],
        tier=tiers[2],
        unit=tree.hanoi,
        details=details(DAY(2020, 1, 20)),
    )


# -- Exemptions through the pages ------------------------------------------------------------

# role → status of the POST exempting HCM's Văn phòng
EXEMPT_STATUS = {
    "council": 302,
    "admin": 302,
    "officer_hcm": 403,
    "printer_hcm": 403,
    "printer": 403,
    "officer_hanoi": 404,  # not in its scope: not told it exists
}


@pytest.mark.parametrize("role", EXEMPT_STATUS)
def test_exempting_through_the_page_by_role(client, tree, users, tiers, role):
    client.force_login(users[role])
    response = client.post(
        reverse("congress:exemption_add"),
        {
            "unit": tree.hcm_department.pk,
            "tier": tiers[1].pk,
            "reason": "Không đủ người",
            "next": reverse("units:unit_detail", args=[tree.hcm_department.pk]),
        },
    )
    assert response.status_code == EXEMPT_STATUS[role]
    assert TierExemption.objects.exists() == (EXEMPT_STATUS[role] == 302)
    if EXEMPT_STATUS[role] == 302:
        assert response["Location"] == reverse("units:unit_detail", args=[tree.hcm_department.pk])


@pytest.mark.parametrize("role", EXEMPT_STATUS)
def test_lifting_through_the_page_by_role(client, tree, users, tiers, role):
    exemption = services.exempt_unit(
        actor=users["council"], tier=tiers[1], unit=tree.hcm_department, reason="Lý do"
    )
    client.force_login(users[role])
    response = client.post(reverse("congress:exemption_lift", args=[exemption.pk]))
    assert response.status_code == EXEMPT_STATUS[role]
    assert TierExemption.objects.exists() == (EXEMPT_STATUS[role] != 302)


def test_a_foreign_next_is_not_followed(client, tree, users, tiers):
    client.force_login(users["council"])
    response = client.post(
        reverse("congress:exemption_add"),
        {
            "unit": tree.hcm_department.pk,
            "tier": tiers[1].pk,
            "reason": "x",
            "next": "https://example.com/",
        },
    )
    assert response["Location"] == reverse("units:unit_detail", args=[tree.hcm_department.pk])


def test_exemption_without_reason_through_the_page_says_why(client, tree, users, tiers):
    client.force_login(users["council"])
    response = client.post(
        reverse("congress:exemption_add"),
        {"unit": tree.hcm_department.pk, "tier": tiers[1].pk, "reason": ""},
        follow=True,
    )
    assert _("Give the reason the unit cannot hold its conference.") in response.text
    assert not TierExemption.objects.exists()


def test_anonymous_is_sent_to_login(client, tree, tiers):
    response = client.post(reverse("congress:exemption_add"), {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_unit_page_shows_its_exemption_and_the_councils_forms(client, tree, users, tiers):
    url = reverse("units:unit_detail", args=[tree.hcm_department.pk])
    client.force_login(users["council"])
    assert 'data-testid="exempt-form"' in client.get(url).text
    services.exempt_unit(
        actor=users["council"], tier=tiers[1], unit=tree.hcm_department, reason="Sáp nhập phòng"
    )
    page = client.get(url).text
    assert 'data-testid="exemption"' in page and "Sáp nhập phòng" in page
    assert reverse("congress:exemption_lift", args=[TierExemption.objects.get().pk]) in page
    client.force_login(users["officer_hcm"])
    page = client.get(url).text
    assert "Sáp nhập phòng" in page
    assert 'data-testid="exempt-form"' not in page
    assert "/lift/" not in page


def test_the_board_marks_and_counts_exempted_units(client, tree, users, tiers):
    services.exempt_unit(
        actor=users["council"], tier=tiers[1], unit=tree.hcm_department, reason="Lý do"
    )
    board = progress.progress_board(
        user=users["council"], tiers=progress.tiers_of_cycle(tree.cycle), today=DAY(2020, 2, 5)
    )
    hcm = next(row for row in board.rows if row.branch.code == "P79")
    assert hcm.by_level[1].exempted == 1
    # Quận 1 is overdue; the exempted Văn phòng is not.
    assert hcm.by_level[1].overdue == 1
    client.force_login(users["officer_hcm"])
    page = client.get(reverse("progress:board")).text
    assert 'data-testid="mark-exempted"' in page
    units = progress.branch_units(
        user=users["council"],
        tiers=progress.tiers_of_cycle(tree.cycle),
        branch="P79",
        status=progress.BoardStatus.EXEMPTED,
    )
    assert [row.unit for row in units] == [tree.hcm_department]


def test_an_exempted_unit_registers_no_conference(client, tree, users, tiers):
    services.exempt_unit(
        actor=users["council"], tier=tiers[1], unit=tree.hcm_department, reason="Lý do"
    )
    with pytest.raises(ValidationError) as caught:
        register_conference(
            actor=users["officer_hcm"],
            tier=tiers[1],
            unit=tree.hcm_department,
            details=details(DAY(2020, 1, 10)),
        )
    assert caught.value.messages == [
        _(
            "The council exempted this unit from the %(tier)s: it registers no conference "
            "of it unless the exemption is lifted."
        )
        % {"tier": tiers[1].name}
    ]
    client.force_login(users["officer_hcm"])
    choices = [
        value
        for _group, options in client.get(reverse("congress:conference_register"))
        .context["form"]
        .fields["organiser"]
        .choices
        for value, _label in options
    ]
    assert f"{tree.hcm_department.pk}:{tiers[1].pk}" not in choices
    assert f"{tree.hcm_district.pk}:{tiers[1].pk}" in choices
