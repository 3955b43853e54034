"""The HQ bloc's own composition (CompositionRules), set by VSS: the
categories it has, the official-list lines that give a seat, its maximum
and whether guests count; honoured by the delegate list, the suggestions
and the cap checked under the conference's lock."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegates.models import Category, CompositionRules, Delegate, Rank
from delegates.selectors.delegates import conference_rules, delegate_cap, seats
from delegates.selectors.suggestions import suggest_official_delegates
from delegates.services.delegates import add_delegate, add_official_delegates, set_composition_rules
from tests.factories import ConferenceFactory, DelegateFactory, PersonFactory, UnitFactory
from units.models import Role, UnitKind


@pytest.fixture
def bloc(tree):
    bloc = UnitFactory(parent=tree.vss, kind=UnitKind.HQ_BLOC, code="KCQ", name="Khối cơ quan")
    bloc.office = UnitFactory(
        parent=bloc, kind=UnitKind.VSS_OFFICE, code="KCQ-TDKT", name="Vụ TĐKT"
    )
    return bloc


@pytest.fixture
def bloc_upper(tiers, bloc):
    tiers[2].cap_exceptions.create(unit=bloc, cap=350)
    return ConferenceFactory(tier=tiers[2], unit=bloc)


@pytest.fixture
def vss_officer(tree, make_user):
    return make_user(Role.OFFICER, tree.vss, username="officer-vss")


@pytest.fixture
def bloc_officer(bloc, make_user):
    """An officer held on the HQ bloc: runs its conference, not VSS."""
    return make_user(Role.OFFICER, bloc, username="officer-kcq")


@pytest.fixture
def bloc_people(bloc):
    office = bloc.office
    return {
        "head": PersonFactory(unit=office, full_name="Trần Văn Vụ", rank=Rank.HEAD),
        "deputy": PersonFactory(unit=office, full_name="Trần Thị Phó", rank=Rank.DEPUTY_HEAD),
        "staff_in_charge": PersonFactory(
            unit=office, full_name="Ngô Thị Khen", handles_emulation=True
        ),
        "exemplar": PersonFactory(
            unit=office, full_name="Hứa Văn Gương", exemplar_reason="Xuất sắc"
        ),
    }


def rules_for(conference, actor, **changes):
    values = {
        "categories": list(Category.values),
        "official_lines": [],
        "cap": None,
        "cap_counts_guests": None,
    }
    values.update(changes)
    return set_composition_rules(actor=actor, conference=conference, **values)


def names(suggestions) -> set[str]:
    return {s.person.full_name for s in suggestions}


def test_without_rules_the_hq_bloc_follows_a_province(bloc_upper, bloc_people):
    rules = conference_rules(bloc_upper)
    assert rules.own is None
    assert rules.cap == 350 and rules.cap_counts_guests
    assert rules.categories == tuple(Category.values)
    # A province's list read for the bloc: heads of the units below, the
    # staff in charge of emulation, exemplars.
    assert names(suggest_official_delegates(bloc_upper)) == {
        "Trần Văn Vụ",
        "Ngô Thị Khen",
        "Hứa Văn Gương",
    }


def test_the_chosen_lines_decide_the_suggestions(vss_officer, bloc_upper, bloc_people):
    rules_for(bloc_upper, vss_officer, official_lines=["vss_unit_heads", "exemplars"])
    found = {
        s.person.full_name: [r.key for r in s.reasons]
        for s in suggest_official_delegates(bloc_upper)
    }
    assert found == {"Trần Văn Vụ": ["vss_unit_heads"], "Hứa Văn Gương": ["exemplars"]}


def test_the_own_cap_is_checked_under_the_lock(vss_officer, bloc_upper, bloc_people):
    rules_for(bloc_upper, vss_officer, cap=2)
    assert delegate_cap(bloc_upper) == 2
    assert seats(bloc_upper).cap == 2
    add_delegate(
        actor=vss_officer,
        conference=bloc_upper,
        category=Category.OFFICIAL,
        person=bloc_people["head"],
    )
    with pytest.raises(ValidationError, match="2"):
        add_official_delegates(
            actor=vss_officer,
            conference=bloc_upper,
            people=[bloc_people["deputy"], bloc_people["exemplar"]],
        )
    add_delegate(
        actor=vss_officer, conference=bloc_upper, category=Category.GUEST, guest_name="Khách"
    )
    with pytest.raises(ValidationError):
        add_delegate(
            actor=vss_officer,
            conference=bloc_upper,
            category=Category.OFFICIAL,
            person=bloc_people["deputy"],
        )
    assert Delegate.objects.filter(conference=bloc_upper).count() == 2


def test_guests_left_out_of_the_cap_when_the_rules_say_so(vss_officer, bloc_upper, bloc_people):
    rules_for(bloc_upper, vss_officer, cap=1, cap_counts_guests=False)
    add_delegate(
        actor=vss_officer,
        conference=bloc_upper,
        category=Category.OFFICIAL,
        person=bloc_people["head"],
    )
    # The cap is reached, yet a guest still comes in.
    add_delegate(
        actor=vss_officer, conference=bloc_upper, category=Category.GUEST, guest_name="Khách"
    )
    assert seats(bloc_upper).counted == 1 and seats(bloc_upper).is_full


def test_a_category_left_out_is_refused(vss_officer, bloc_upper, bloc_people):
    rules_for(bloc_upper, vss_officer, categories=[Category.OFFICIAL, Category.ELECTED])
    with pytest.raises(ValidationError) as refused:
        add_delegate(
            actor=vss_officer, conference=bloc_upper, category=Category.GUEST, guest_name="Khách"
        )
    assert "category" in refused.value.error_dict
    rules_for(bloc_upper, vss_officer, categories=[Category.GUEST, Category.ELECTED])
    assert suggest_official_delegates(bloc_upper) == []
    with pytest.raises(ValidationError):
        add_official_delegates(
            actor=vss_officer, conference=bloc_upper, people=[bloc_people["head"]]
        )


def test_rules_must_hold_the_delegates_listed(vss_officer, bloc_upper, bloc_people):
    DelegateFactory(conference=bloc_upper, person=bloc_people["head"])
    DelegateFactory(conference=bloc_upper, person=bloc_people["deputy"])
    with pytest.raises(ValidationError) as low:
        rules_for(bloc_upper, vss_officer, cap=1)
    assert "cap" in low.value.error_dict
    with pytest.raises(ValidationError) as removed:
        rules_for(bloc_upper, vss_officer, categories=[Category.GUEST, Category.ELECTED])
    assert "categories" in removed.value.error_dict
    with pytest.raises(ValidationError):
        rules_for(bloc_upper, vss_officer, official_lines=["good_deed"])
    assert not CompositionRules.objects.exists()


def test_leaving_everything_to_the_tier_removes_the_row(vss_officer, bloc_upper):
    rules_for(bloc_upper, vss_officer, cap=200)
    assert CompositionRules.objects.get().cap == 200
    assert rules_for(bloc_upper, vss_officer) is None
    assert not CompositionRules.objects.exists()


def test_only_the_hq_bloc_has_its_own_composition(vss_officer, hanoi_upper):
    with pytest.raises(ValidationError):
        rules_for(hanoi_upper, vss_officer, cap=10)


@pytest.mark.parametrize("role", ["bloc_officer", "officer_hcm", "council", "printer"])
def test_the_service_needs_the_right_on_the_vss_root(users, bloc_officer, bloc_upper, role):
    actor = bloc_officer if role == "bloc_officer" else users[role]
    with pytest.raises(PermissionDenied):
        rules_for(bloc_upper, actor, cap=10)


# -- The page ----------------------------------------------------------------------


def url(conference):
    return reverse("delegates:composition_rules", args=[conference.pk])


def form(**changes):
    data = {
        "categories": [Category.OFFICIAL, Category.ELECTED],
        "lines_from": "chosen",
        "official_lines": ["leaders", "vss_unit_heads"],
        "cap": "250",
        "cap_counts_guests": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("vss_officer", 200),
        ("admin", 200),
        ("bloc_officer", 403),
        ("council", 403),
        ("printer", 403),
        ("officer_hcm", 404),
        ("printer_hcm", 404),
    ],
)
def test_page_by_role(client, users, vss_officer, bloc_officer, bloc_upper, role, status):
    actor = {"vss_officer": vss_officer, "bloc_officer": bloc_officer}.get(role) or users[role]
    client.force_login(actor)
    assert client.get(url(bloc_upper)).status_code == status
    response = client.post(url(bloc_upper), form())
    assert response.status_code == (302 if status == 200 else status)
    assert CompositionRules.objects.exists() == (status == 200)


def test_anonymous_is_sent_to_login(client, bloc_upper):
    response = client.get(url(bloc_upper))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_page_is_404_for_another_conference(client, vss_officer, hanoi_upper):
    client.force_login(vss_officer)
    assert client.get(url(hanoi_upper)).status_code == 404


def test_vss_officer_sets_the_rules_and_the_list_honours_them(
    client, vss_officer, bloc_upper, bloc_people
):
    client.force_login(vss_officer)
    listing = client.get(reverse("delegates:delegate_list", args=[bloc_upper.pk]))
    assert 'data-testid="composition-rules-link"' in listing.text
    assert 'data-testid="own-composition"' in listing.text
    response = client.post(url(bloc_upper), form())
    assert response.status_code == 302
    rules = CompositionRules.objects.get()
    assert rules.categories == [Category.OFFICIAL, Category.ELECTED]
    assert rules.official_lines == ["leaders", "vss_unit_heads"]
    assert (rules.cap, rules.cap_counts_guests, rules.updated_by) == (250, None, vss_officer)
    listing = client.get(reverse("delegates:delegate_list", args=[bloc_upper.pk]))
    assert listing.context["listing"].seats.cap == 250
    assert reverse("delegates:guest_add", args=[bloc_upper.pk]) not in listing.text
    assert "Thủ trưởng các đơn vị trực thuộc BHXH Việt Nam" in listing.text
    page = client.get(reverse("delegates:official_suggestions", args=[bloc_upper.pk]))
    assert names(page.context["suggestions"]) == {"Trần Văn Vụ"}
    # The page shows what is saved, and goes back to the tier's rules.
    again = client.get(url(bloc_upper))
    assert again.context["form"].initial["official_lines"] == ["leaders", "vss_unit_heads"]
    client.post(url(bloc_upper), {"reset": "1"})
    assert not CompositionRules.objects.exists()


def test_ticking_no_line_is_refused_on_the_field(client, vss_officer, bloc_upper):
    client.force_login(vss_officer)
    response = client.post(url(bloc_upper), form(official_lines=[]))
    assert response.status_code == 400
    assert response.context["form"].errors["official_lines"]
    assert not CompositionRules.objects.exists()


def test_a_service_refusal_is_shown_on_its_field(client, vss_officer, bloc_upper, bloc_people):
    DelegateFactory(conference=bloc_upper, person=bloc_people["head"])
    DelegateFactory(conference=bloc_upper, person=bloc_people["deputy"])
    client.force_login(vss_officer)
    response = client.post(url(bloc_upper), form(cap="1"))
    assert response.status_code == 400
    assert response.context["form"].errors["cap"]


def test_delegate_list_queries_do_not_grow_with_the_register(
    client, vss_officer, bloc, bloc_upper, bloc_people, django_assert_max_num_queries
):
    rules_for(bloc_upper, vss_officer, cap=300)
    client.force_login(vss_officer)
    list_url = reverse("delegates:delegate_list", args=[bloc_upper.pk])
    DelegateFactory(conference=bloc_upper, person=bloc_people["head"])
    with CaptureQueriesContext(connection) as small:
        client.get(list_url)
    for n in range(40):
        DelegateFactory(
            conference=bloc_upper,
            person=PersonFactory(unit=bloc.office, full_name=f"Người {n}", rank=Rank.HEAD),
        )
        PersonFactory(unit=bloc.office, full_name=f"Cán bộ {n}", handles_emulation=True)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(list_url)
    assert len(response.context["listing"].delegates) == 41
