"""A cycle set up in the browser by an administrator: copied from another
(on the same hierarchy or a newer one), its tiers, maxima and pilots
edited, made current; nobody else may."""

import datetime

import pytest
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from congress import services
from congress.models import Cycle, Tier, TierCapException
from tests.factories import (
    ConferenceFactory,
    CycleFactory,
    HierarchyFactory,
    TierFactory,
    UnitFactory,
)
from units.models import UnitKind

OTHER_ROLES = ["council", "officer_hcm", "printer_hcm", "printer"]


def dump(cycle: Cycle) -> str:
    """Every row of a cycle's setup: the cycle, its tiers, their cap
    exceptions and its pilot links."""
    cycle = Cycle.objects.get(pk=cycle.pk)
    rows = [
        cycle,
        *Tier.objects.filter(cycle=cycle).order_by("pk"),
        *TierCapException.objects.filter(tier__cycle=cycle).order_by("pk"),
        *Cycle.pilot_units.through.objects.filter(cycle=cycle).order_by("pk"),
    ]
    return serializers.serialize("json", rows)


def new_cycle_data(source: Cycle, **changes) -> dict:
    data = {
        "source": source.pk,
        "hierarchy": source.hierarchy_id,
        "number": "VI",
        "name": "Chu kỳ thi đua lần thứ VI",
        "congress_name": "Đại hội Thi đua yêu nước ngành BHXH lần thứ VI",
        "period_start_year": "2021",
        "period_end_year": "2025",
        "shift_years": "5",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def tier_data(tier: Tier, exceptions=(), **changes) -> dict:
    """The tier form as the page shows it, with ``changes`` typed over it;
    ``exceptions`` are (code, cap) rows, then one empty row."""
    data = {
        "name": tier.name,
        "organiser_kinds": list(tier.organiser_kinds),
        "lengths": [str(length) for length in tier.allowed_lengths],
        "window_start": tier.window_start.strftime("%d/%m/%Y"),
        "deadline": tier.deadline.strftime("%d/%m/%Y"),
        "cap": "" if tier.cap is None else str(tier.cap),
        "combinable_with": [str(option) for option in tier.combinable_with],
        "papers_half_day": str(tier.papers_half_day),
        "papers_full_day": str(tier.papers_full_day),
        "fingerprint": services.tier_fingerprint(tier),
        "caps-TOTAL_FORMS": str(len(exceptions) + 1),
        "caps-INITIAL_FORMS": str(len(exceptions)),
        "caps-MIN_NUM_FORMS": "0",
        "caps-MAX_NUM_FORMS": "1000",
    }
    if tier.cap_counts_guests:
        data["cap_counts_guests"] = "on"
    for index, (code, cap) in enumerate(exceptions):
        data[f"caps-{index}-code"] = code
        data[f"caps-{index}-cap"] = str(cap)
    data.update(changes)
    return data


def tier_url(tier: Tier) -> str:
    return reverse("cycles:tier_edit", args=[tier.cycle_id, tier.level])


@pytest.fixture
def as_admin(client, users):
    client.force_login(users["admin"])
    return client


@pytest.fixture
def reformed(tree, tiers):
    """A newer hierarchy on the pattern of 2025: VSS and HCMC took over
    their predecessors, Hà Nội has no successor, districts became
    grassroots offices. Hà Nội is a pilot and has a maximum of its own."""
    tree.cycle.pilot_units.add(tree.hanoi)
    tiers[2].cap_exceptions.create(unit=tree.hanoi, cap=340)
    hierarchy = HierarchyFactory(name="BHXH Việt Nam từ 01/07/2025")
    vss = UnitFactory(hierarchy=hierarchy, kind=UnitKind.VSS, code="VSS", name="BHXH Việt Nam")
    hcm = UnitFactory(parent=vss, kind=UnitKind.PROVINCE, code="P79", name="BHXH TP.HCM mới")
    office = UnitFactory(
        parent=hcm, kind=UnitKind.GRASSROOTS_OFFICE, code="C01", name="BHXH cơ sở Sài Gòn"
    )
    department = UnitFactory(
        parent=hcm, kind=UnitKind.PROVINCE_DEPARTMENT, code="P79-VP", name="Văn phòng"
    )
    vss.predecessors.add(tree.vss)
    hcm.predecessors.add(tree.hcm)
    office.predecessors.add(tree.hcm_district)
    department.predecessors.add(tree.hcm_department)
    return {"hierarchy": hierarchy, "vss": vss, "hcm": hcm, "office": office}


# -- Creating a cycle from another -------------------------------------------


def test_create_cycle_from_national_cycle_v_copies_it_and_leaves_it_unchanged(
    client, national_cycle, make_user
):
    admin = make_user("admin", None, username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    before = dump(national_cycle)

    response = client.post(
        reverse("cycles:cycle_create"), new_cycle_data(national_cycle, is_demo="on"), follow=True
    )

    assert response.status_code == 200
    new = Cycle.objects.get(number="VI")
    assert response.redirect_chain[-1][0] == reverse("cycles:cycle_detail", args=[new.pk])
    assert (
        escape(
            _("Cycle %(number)s is set up, copied from %(source)s.")
            % {"number": "VI", "source": national_cycle.name}
        )
        in response.text
    )
    assert dump(national_cycle) == before
    assert new.hierarchy_id == national_cycle.hierarchy_id
    assert new.is_demo and not new.is_current
    assert (new.women_target_percent, new.minority_target_percent) == (30, 5)
    old_tiers = {t.level: t for t in national_cycle.tiers.all()}
    for tier in new.tiers.all():
        old = old_tiers[tier.level]
        assert tier.window_start == old.window_start.replace(year=old.window_start.year + 5)
        assert tier.deadline == old.deadline.replace(year=old.deadline.year + 5)
        assert tier.organiser_kinds == old.organiser_kinds
        assert (tier.cap, tier.cap_counts_guests, tier.allows_full_day) == (
            old.cap,
            old.cap_counts_guests,
            old.allows_full_day,
        )
    assert new.tiers.get(level=1).deadline == datetime.date(2025, 1, 30)
    # The Congress tier takes the new Congress's name.
    assert new.tiers.get(level=3).name == "Đại hội Thi đua yêu nước ngành BHXH lần thứ VI"
    assert sorted(
        TierCapException.objects.filter(tier__cycle=new).values_list("unit__code", "cap")
    ) == [("KCQ", 350), ("P01", 350), ("P79", 350)]
    assert sorted(new.pilot_units.values_list("code", flat=True)) == ["P01", "P79"]
    assert Cycle.objects.filter(is_current=True).get() == national_cycle


def test_create_cycle_on_a_newer_hierarchy_maps_units_to_their_successors(
    as_admin, tree, tiers, reformed
):
    before = dump(tree.cycle)

    response = as_admin.post(
        reverse("cycles:cycle_create"),
        new_cycle_data(tree.cycle, hierarchy=reformed["hierarchy"].pk, shift_years="0"),
        follow=True,
    )

    assert response.status_code == 200
    assert dump(tree.cycle) == before
    new = Cycle.objects.get(number="VI")
    assert new.hierarchy == reformed["hierarchy"]
    assert list(
        TierCapException.objects.filter(tier__cycle=new).values_list("tier__level", "unit", "cap")
    ) == [(2, reformed["hcm"].pk, 350)]
    assert list(new.pilot_units.all()) == [reformed["hcm"]]
    assert new.tiers.get(level=1).organiser_kinds == [
        UnitKind.GRASSROOTS_OFFICE,
        UnitKind.PROVINCE_DEPARTMENT,
    ]
    assert new.tiers.get(level=1).window_start == tiers[1].window_start
    # The page says what could not be carried over, and what was replaced.
    page = response.text
    assert "BHXH TP. Hà Nội (Hội nghị điển hình tiên tiến cấp trên cơ sở: 340)" in page
    assert "BHXH Việt Nam từ 01/07/2025" in page
    messages = [str(m) for m in response.context["messages"]]
    assert sum("BHXH TP. Hà Nội" in m for m in messages) == 2  # its maximum, and as a pilot
    assert (
        _("%(hierarchy)s has no “%(old)s”: the %(tier)s is organised by “%(new)s” instead.")
        % {
            "hierarchy": reformed["hierarchy"],
            "old": UnitKind.DISTRICT.label,
            "tier": tiers[1].name,
            "new": UnitKind.GRASSROOTS_OFFICE.label,
        }
        in messages
    )
    # No unit of the new hierarchy is of the HQ bloc's kind, which organised tier 2.
    assert (
        _(
            "%(hierarchy)s has no unit of the kind “%(kind)s”, which organises the "
            "%(tier)s: check the tier's organisers."
        )
        % {
            "hierarchy": reformed["hierarchy"],
            "kind": UnitKind.HQ_BLOC.label,
            "tier": tiers[2].name,
        }
        in messages
    )
    assert len(messages) == 5  # created; 2 dropped; 1 replaced; 1 missing


def test_successors_are_followed_across_reforms_and_merged_units_keep_the_highest_cap(
    users, tree, tiers, reformed
):
    """HCMC and Hà Nội merged into one unit two reforms later: it takes the
    higher maximum; a split unit's successors all get it."""
    tiers[2].cap_exceptions.filter(unit=tree.hanoi).update(cap=380)
    later = HierarchyFactory(name="BHXH Việt Nam, 2030")
    root = UnitFactory(hierarchy=later, kind=UnitKind.VSS, code="VSS", name="BHXH Việt Nam")
    merged = UnitFactory(parent=root, kind=UnitKind.PROVINCE, code="P99", name="BHXH Hợp nhất")
    merged.predecessors.add(reformed["hcm"], tree.hanoi)
    split_a = UnitFactory(parent=merged, kind=UnitKind.GRASSROOTS_OFFICE, code="C1")
    split_b = UnitFactory(parent=merged, kind=UnitKind.GRASSROOTS_OFFICE, code="C2")
    split_a.predecessors.add(reformed["office"])
    split_b.predecessors.add(reformed["office"])
    TierCapException.objects.create(tier=tiers[1], unit=tree.hcm_district, cap=60)

    cycle = services.create_cycle_from(
        actor=users["admin"],
        source=tree.cycle,
        hierarchy=later,
        number="VII",
        name="Chu kỳ VII",
        congress_name="Đại hội VII",
        period_start_year=2026,
        period_end_year=2030,
        shift_years=10,
    )

    caps = dict(TierCapException.objects.filter(tier__cycle=cycle).values_list("unit__code", "cap"))
    assert caps == {"P99": 380, "C1": 60, "C2": 60}
    assert list(cycle.pilot_units.all()) == [merged]
    assert cycle.setup_report.dropped_pilots == ()
    assert cycle.setup_report.dropped_cap_exceptions == ()


def test_shifted_29_february_becomes_28_february(users, tree):
    TierFactory(
        cycle=tree.cycle,
        level=1,
        window_start=datetime.date(2020, 2, 29),
        deadline=datetime.date(2020, 3, 31),
    )
    cycle = services.create_cycle_from(
        actor=users["admin"],
        source=tree.cycle,
        hierarchy=tree.cycle.hierarchy,
        number="X",
        name="Chu kỳ X",
        congress_name="Đại hội X",
        period_start_year=2017,
        period_end_year=2021,
        shift_years=1,
    )
    tier = cycle.tiers.get()
    assert (tier.window_start, tier.deadline) == (
        datetime.date(2021, 2, 28),
        datetime.date(2021, 3, 31),
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"number": "V"}, "number", ("There is already a cycle numbered %(number)s.", "V")),
        ({"number": "v"}, "number", ("There is already a cycle numbered %(number)s.", "v")),
        (
            {"period_start_year": "2026", "period_end_year": "2021"},
            "period_end_year",
            ("The period cannot end before it starts (%(year)s).", 2026),
        ),
        ({"name": ""}, "name", None),
        ({"shift_years": "500"}, "shift_years", None),
    ],
)
def test_bad_new_cycle_saves_nothing_and_keeps_what_was_typed(
    as_admin, tree, tiers, changes, field, message
):
    before = Cycle.objects.count()
    data = new_cycle_data(tree.cycle, **changes)

    response = as_admin.post(reverse("cycles:cycle_create"), data)

    assert response.status_code == 200
    assert Cycle.objects.count() == before
    form = response.context["form"]
    assert field in form.errors
    if message:
        msgid, value = message
        key = "number" if "number" in msgid else "year"
        expected = _(msgid) % {key: value}
        assert form.errors[field] == [expected]
        assert escape(expected) in response.text
    for key in ("name", "congress_name"):
        if data.get(key):
            assert f'value="{data[key]}"' in response.text


def test_a_source_with_tiers_out_of_order_is_refused_whole(users, tree, tiers):
    Tier.objects.filter(pk=tiers[2].pk).update(deadline=datetime.date(2020, 1, 1))
    with pytest.raises(ValidationError) as caught:
        services.create_cycle_from(
            actor=users["admin"],
            source=tree.cycle,
            hierarchy=tree.cycle.hierarchy,
            number="VI",
            name="VI",
            congress_name="VI",
            period_start_year=2021,
            period_end_year=2025,
        )
    expected = _(
        "This tier may not end before the %(tier)s (%(date)s), "
        "whose conferences elect its delegates."
    ) % {"tier": tiers[1].name, "date": "30/01/2020"}
    assert f"{tiers[2].name}: {expected}" in caught.value.messages
    assert not Cycle.objects.filter(number="VI").exists()
    assert Tier.objects.filter(cycle__number="VI").count() == 0


# -- Editing a tier and its maxima -------------------------------------------


def test_edit_tier_saves_rules_and_cap_exceptions(as_admin, tree, tiers):
    tier = tiers[2]
    data = tier_data(
        tier,
        exceptions=[("P79", 360), ("P01", "345")],
        deadline="15/05/2020",
        cap="320",
        lengths=["full_day"],
        combinable_with=[],
    )
    response = as_admin.post(tier_url(tier), data)

    assert response.status_code == 302
    tier.refresh_from_db()
    assert (tier.deadline, tier.cap) == (datetime.date(2020, 5, 15), 320)
    assert (tier.allows_half_day, tier.allows_full_day) == (False, True)
    assert dict(tier.cap_exceptions.values_list("unit__code", "cap")) == {"P79": 360, "P01": 345}


def test_edit_tier_removes_a_ticked_cap_exception(as_admin, tree, tiers):
    tier = tiers[2]
    data = tier_data(tier, exceptions=[("P79", 350)], **{"caps-0-DELETE": "on"})
    assert as_admin.post(tier_url(tier), data).status_code == 302
    assert not tier.cap_exceptions.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"window_start": "01/03/2020", "deadline": "01/02/2020"},
            "deadline",
            lambda tiers: (
                _("The deadline (%(deadline)s) comes before the window opens (%(start)s).")
                % {"deadline": "01/02/2020", "start": "01/03/2020"}
            ),
        ),
        (
            {"organiser_kinds": ["province", "bogus"]},
            "organiser_kinds",
            lambda tiers: _("Unknown kind of unit: %(value)s.") % {"value": "bogus"},
        ),
        (
            {"organiser_kinds": []},
            "organiser_kinds",
            lambda tiers: _("Choose at least one kind of unit that organises this tier."),
        ),
        (
            {"lengths": []},
            "lengths",
            lambda tiers: _("Allow at least one length: half a day or one day."),
        ),
        # Tier 2 may not end before tier 1 (30/01/2020), nor after the Congress.
        (
            {"deadline": "15/01/2020"},
            "deadline",
            lambda tiers: (
                _(
                    "This tier may not end before the %(tier)s (%(date)s), "
                    "whose conferences elect its delegates."
                )
                % {"tier": tiers[1].name, "date": "30/01/2020"}
            ),
        ),
        (
            {"deadline": "01/10/2020"},
            "deadline",
            lambda tiers: (
                _(
                    "This tier must end by %(date)s, when the %(tier)s ends: "
                    "its conferences elect that tier's delegates."
                )
                % {"tier": tiers[3].name, "date": "30/09/2020"}
            ),
        ),
        ({"cap": "0"}, "cap", None),
    ],
)
def test_bad_tier_saves_nothing_and_keeps_what_was_typed(
    as_admin, tree, tiers, changes, field, message
):
    tier = tiers[2]
    before = dump(tree.cycle)
    data = tier_data(tier, exceptions=[("P79", 350)], name="Cấp trên cơ sở (sửa)", **changes)

    response = as_admin.post(tier_url(tier), data)

    assert response.status_code == 400
    assert dump(tree.cycle) == before
    errors = response.context["form"].errors[field]
    if message:
        assert errors == [message(tiers)]
        assert escape(message(tiers)) in response.text
    assert 'value="Cấp trên cơ sở (sửa)"' in response.text
    for key in ("window_start", "deadline"):
        if key in changes:
            assert f'value="{changes[key]}"' in response.text


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [("P79", 350), ("X404", 300)],
            lambda tree: (
                _("No unit has the code %(code)s in %(hierarchy)s.")
                % {"code": "X404", "hierarchy": tree.cycle.hierarchy}
            ),
        ),
        (
            [("P79", 350), ("P79", 360)],
            lambda tree: _("%(unit)s is listed twice.") % {"unit": tree.hcm.name},
        ),
    ],
)
def test_bad_cap_exception_saves_nothing(as_admin, tree, tiers, rows, message):
    tier = tiers[2]
    before = dump(tree.cycle)
    response = as_admin.post(tier_url(tier), tier_data(tier, exceptions=rows, cap="310"))
    assert response.status_code == 400
    assert escape(message(tree)) in response.text
    assert dump(tree.cycle) == before
    code, cap = rows[1]
    assert f'value="{code}"' in response.text and f'value="{cap}"' in response.text


def test_cap_exception_of_another_hierarchy_is_refused_by_the_service(users, tree, tiers, reformed):
    with pytest.raises(ValidationError) as caught:
        services.set_cap_exceptions(
            actor=users["admin"], tier=tiers[2], exceptions={reformed["hcm"]: 350}
        )
    assert "cap_exceptions" in caught.value.message_dict
    assert set(tiers[2].cap_exceptions.values_list("unit", flat=True)) == {
        tree.hcm.pk,
        tree.hanoi.pk,
    }


def test_tier_changed_meanwhile_is_refused(as_admin, tree, tiers):
    tier = tiers[2]
    data = tier_data(tier, exceptions=[("P79", 350)], cap="310")
    Tier.objects.filter(pk=tier.pk).update(cap=299)  # someone else's change

    response = as_admin.post(tier_url(tier), data, follow=True)

    tier.refresh_from_db()
    assert tier.cap == 299
    assert (
        escape(
            _(
                "Someone else changed this meanwhile; nothing was saved. The page now shows "
                "their version: make your change again."
            )
        )
        in response.text
    )
    assert response.context["form"].initial["cap"] == 299


def test_tier_and_cap_exception_mistakes_are_marked_together(as_admin, tree, tiers):
    tier = tiers[2]
    data = tier_data(tier, exceptions=[("X404", 300)], lengths=[])
    response = as_admin.post(tier_url(tier), data)
    assert response.status_code == 400
    assert response.context["form"].errors["lengths"]
    assert response.context["formset"].forms[0].errors["code"]


def test_cycle_changed_meanwhile_is_refused(as_admin, tree, tiers):
    url = reverse("cycles:cycle_edit", args=[tree.cycle.pk])
    form = as_admin.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and v is not False}
    Cycle.objects.filter(pk=tree.cycle.pk).update(name="Tên do người khác sửa")

    response = as_admin.post(url, {**data, "name": "Tên của tôi"}, follow=True)

    tree.cycle.refresh_from_db()
    assert tree.cycle.name == "Tên do người khác sửa"
    assert response.context["form"].initial["name"] == "Tên do người khác sửa"


def test_pilots_changed_meanwhile_are_refused(as_admin, tree, tiers):
    url = reverse("cycles:cycle_pilots", args=[tree.cycle.pk])
    fingerprint = as_admin.get(url).context["form"].initial["fingerprint"]
    tree.cycle.pilot_units.add(tree.hanoi)

    as_admin.post(url, {"pilot_units": [], "fingerprint": fingerprint})

    assert set(tree.cycle.pilot_units.all()) == {tree.hcm, tree.hanoi}


def test_tier_page_offers_the_tiers_organisers_as_codes(as_admin, tree, tiers):
    response = as_admin.get(tier_url(tiers[2]))
    assert response.status_code == 200
    assert '<option value="P79">BHXH TP. Hồ Chí Minh</option>' in response.text
    assert '<option value="D760">' not in response.text
    assert 'value="P79"' in response.text and 'value="350"' in response.text


# -- The cycle, its pilots, the current one ---------------------------------


def test_edit_cycle(as_admin, tree, tiers):
    url = reverse("cycles:cycle_edit", args=[tree.cycle.pk])
    form = as_admin.get(url).context["form"]
    data = {**form.initial, "name": "Chu kỳ thi đua lần thứ V (sửa)", "is_demo": "on"}
    data = {k: v for k, v in data.items() if v is not None and v is not False}

    assert as_admin.post(url, data).status_code == 302
    tree.cycle.refresh_from_db()
    assert tree.cycle.name == "Chu kỳ thi đua lần thứ V (sửa)" and tree.cycle.is_demo


def test_hierarchy_does_not_change_once_conferences_are_registered(users, tree, tiers, reformed):
    ConferenceFactory(tier=tiers[1], unit=tree.hcm_district)
    details = services.CycleDetails(
        number="V",
        name=tree.cycle.name,
        congress_name=tree.cycle.congress_name,
        period_start_year=2016,
        period_end_year=2020,
        hierarchy=reformed["hierarchy"],
    )
    with pytest.raises(ValidationError) as caught:
        services.update_cycle(actor=users["admin"], cycle=tree.cycle, details=details)
    assert "hierarchy" in caught.value.message_dict
    tree.cycle.refresh_from_db()
    assert tree.cycle.hierarchy_id != reformed["hierarchy"].pk


def test_hierarchy_change_without_conferences_moves_maxima_and_pilots(users, tree, tiers, reformed):
    details = services.CycleDetails(
        number="V",
        name=tree.cycle.name,
        congress_name=tree.cycle.congress_name,
        period_start_year=2016,
        period_end_year=2020,
        hierarchy=reformed["hierarchy"],
    )
    cycle = services.update_cycle(actor=users["admin"], cycle=tree.cycle, details=details)
    assert list(cycle.pilot_units.all()) == [reformed["hcm"]]
    assert [u.name for u in cycle.setup_report.dropped_pilots] == ["BHXH TP. Hà Nội"]
    assert dict(TierCapException.objects.filter(tier__cycle=cycle).values_list("unit", "cap")) == {
        reformed["hcm"].pk: 350
    }


def test_edit_cycle_page_locks_the_hierarchy_once_conferences_exist(as_admin, tree, tiers):
    ConferenceFactory(tier=tiers[1], unit=tree.hcm_district)
    response = as_admin.get(reverse("cycles:cycle_edit", args=[tree.cycle.pk]))
    assert response.context["form"].fields["hierarchy"].disabled


def test_set_pilot_units(as_admin, tree, tiers):
    url = reverse("cycles:cycle_pilots", args=[tree.cycle.pk])
    page = as_admin.get(url)
    choices = {unit.pk for unit in page.context["form"].fields["pilot_units"].queryset}
    assert choices == {tree.hcm.pk, tree.hanoi.pk}  # the organisers of tier 2
    response = as_admin.post(
        url,
        {
            "pilot_units": [tree.hanoi.pk],
            "fingerprint": page.context["form"].initial["fingerprint"],
        },
    )
    assert response.status_code == 302
    assert list(tree.cycle.pilot_units.all()) == [tree.hanoi]


def test_mark_current_leaves_exactly_one_current(as_admin, tree, tiers):
    other = CycleFactory(number="VI", hierarchy=tree.cycle.hierarchy)
    response = as_admin.post(reverse("cycles:cycle_mark_current", args=[other.pk]))
    assert response.status_code == 302
    assert list(Cycle.objects.filter(is_current=True)) == [other]
    as_admin.post(reverse("cycles:cycle_mark_current", args=[tree.cycle.pk]))
    assert list(Cycle.objects.filter(is_current=True)) == [tree.cycle]


# -- Who may ----------------------------------------------------------------


def setup_urls(cycle: Cycle) -> list[tuple[str, str]]:
    return [
        ("get", reverse("cycles:cycle_list")),
        ("get", reverse("cycles:cycle_create")),
        ("get", reverse("cycles:cycle_detail", args=[cycle.pk])),
        ("get", reverse("cycles:cycle_edit", args=[cycle.pk])),
        ("get", reverse("cycles:cycle_pilots", args=[cycle.pk])),
        ("get", reverse("cycles:tier_edit", args=[cycle.pk, 2])),
        ("post", reverse("cycles:cycle_mark_current", args=[cycle.pk])),
        ("post", reverse("cycles:cycle_create")),
    ]


def test_administrator_sees_every_setup_page(as_admin, tree, tiers):
    for method, url in setup_urls(tree.cycle):
        if method == "get":
            assert as_admin.get(url).status_code == 200, url


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused(client, users, tree, tiers, role):
    client.force_login(users[role])
    before = dump(tree.cycle)
    for method, url in setup_urls(tree.cycle):
        response = getattr(client, method)(
            url, new_cycle_data(tree.cycle) if method == "post" else None
        )
        assert response.status_code == 403, (role, url)
    assert dump(tree.cycle) == before
    assert Cycle.objects.count() == 1
    assert 'data-testid="nav-cycles"' not in client.get(reverse("home")).text


def test_anonymous_is_sent_to_login(client, tree, tiers):
    for method, url in setup_urls(tree.cycle):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_services_refuse_other_roles(users, tree, tiers, role):
    actor = users[role]
    details = services.TierDetails(
        name="x",
        organiser_kinds=("province",),
        window_start=tiers[2].window_start,
        deadline=tiers[2].deadline,
    )
    calls = [
        lambda: services.create_cycle_from(
            actor=actor,
            source=tree.cycle,
            hierarchy=tree.cycle.hierarchy,
            number="VI",
            name="VI",
            congress_name="VI",
            period_start_year=2021,
            period_end_year=2025,
        ),
        lambda: services.update_tier(actor=actor, tier=tiers[2], details=details),
        lambda: services.set_cap_exceptions(actor=actor, tier=tiers[2], exceptions={}),
        lambda: services.set_pilot_units(actor=actor, cycle=tree.cycle, units=[]),
        lambda: services.mark_current(actor=actor, cycle=tree.cycle),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()


def test_navbar_links_cycles_for_administrators(as_admin, tree):
    assert 'data-testid="nav-cycles"' in as_admin.get(reverse("home")).text


# -- The list -----------------------------------------------------------------


def test_cycle_list_shows_marks_and_counts(as_admin, tree, tiers):
    demo = CycleFactory(number="VI", hierarchy=tree.cycle.hierarchy, is_demo=True)
    ConferenceFactory(tier=tiers[1], unit=tree.hcm_district)
    response = as_admin.get(reverse("cycles:cycle_list"))
    rows = {c.number: c for c in response.context["cycles_list"]}
    assert (rows["V"].tier_count, rows["V"].conference_count, rows["V"].pilot_count) == (3, 1, 1)
    assert (rows["VI"].tier_count, rows["VI"].conference_count) == (0, 0)
    assert rows["V"].is_current and rows["VI"].is_demo and demo.pk == rows["VI"].pk


def test_cycle_list_queries_do_not_grow_with_cycles(
    as_admin, tree, tiers, django_assert_max_num_queries
):
    url = reverse("cycles:cycle_list")
    with CaptureQueriesContext(connection) as few:
        as_admin.get(url)
    for number in range(20):
        cycle = CycleFactory(number=f"N{number}", hierarchy=tree.cycle.hierarchy)
        TierFactory(cycle=cycle)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = as_admin.get(url)
    assert len(response.context["cycles_list"]) == 21
