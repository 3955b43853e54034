"""The composition of a conference's delegates: counts and shares per
dimension against a hand-built set, the cycle's targets and their warnings,
the page and its charts."""

from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import localize
from django.utils.translation import gettext as _

from delegates.composition import (
    DISTRICT_LEVEL,
    PROVINCE_LEVEL,
    VSS_LEVEL,
    Facts,
    StaffShares,
    balance_of,
    bar_chart,
    configured_targets,
    level_of,
    tally,
)
from delegates.models import Category, Delegate, EmulationTitle, Gender, Person
from delegates.selectors.delegates import composition
from tests.factories import ConferenceFactory, DelegateFactory, PersonFactory
from units.models import UnitKind

NATIONAL, SECTOR, GRASSROOTS = EmulationTitle.Title


def delegate(conference, category, unit, name, *, titles=(), **fields):
    person = PersonFactory(unit=unit, full_name=name, **fields)
    for year, title in titles:
        EmulationTitle.objects.create(person=person, year=year, title=title)
    extra = {}
    if category == Category.ELECTED:
        extra = {"elected_at": ConferenceFactory(tier=conference.tier, unit=unit)}
    return DelegateFactory(
        conference=conference, category=category, person=person, unit=unit, **extra
    )


@pytest.fixture
def hand_built(tree, tiers, hcm_upper):
    """Eight delegates of HCMC's tier-2 conference (see each line)."""
    for name in ("Khách Một", "Khách Hai"):  # outside the register
        DelegateFactory(conference=hcm_upper, category=Category.GUEST, person=None, guest_name=name)
    # A guest from the register, at VSS level.
    delegate(hcm_upper, Category.GUEST, tree.vss, "Vương Văn Khách", gender=Gender.MALE)
    delegate(
        hcm_upper,
        Category.OFFICIAL,
        tree.hcm,
        "An Thị Tỉnh",
        gender=Gender.FEMALE,
        field_of_work="finance",
        good_person_good_deed=True,
        titles=[(2019, NATIONAL), (2016, SECTOR)],
    )
    delegate(
        hcm_upper,
        Category.OFFICIAL,
        tree.hcm_district,
        "Nông Văn Tày",
        gender=Gender.MALE,
        ethnicity="Tày",
        titles=[(2014, GRASSROOTS)],  # before the cycle's years
    )
    delegate(
        hcm_upper,
        Category.OFFICIAL,
        tree.hcm_department,
        "Chu Thị Phòng",
        gender=Gender.FEMALE,
        field_of_work="it",
        good_solution=True,
        works_directly=True,
    )
    # Elected by the district (each one its own tier-1 conference here).
    delegate(
        hcm_upper,
        Category.ELECTED,
        tree.hcm_district,
        "Lê Văn Bầu",
        gender=Gender.MALE,
        ethnicity=" kinh ",
        titles=[(2018, GRASSROOTS)],
    )
    return hcm_upper


def rows(figures, key) -> dict[str, tuple[int, float]]:
    dimension = next(d for d in figures.dimensions if d.key == key)
    return {row.key: (row.count, row.percent) for row in dimension.rows}


def test_composition_of_a_hand_built_set(hand_built, tree, tiers):
    # One more elected delegate, from the department, with a title of 2020 (after the years).
    delegate(
        hand_built,
        Category.ELECTED,
        tree.hcm_department,
        "Mã Văn Muộn",
        gender=Gender.MALE,
        field_of_work="other",
        titles=[(2020, SECTOR)],
    )
    figures = composition(hand_built)
    assert (figures.total, figures.in_register) == (8, 6)
    assert rows(figures, "category") == {
        "guest": (3, 37.5),
        "official": (3, 37.5),
        "elected": (2, 25.0),
    }
    assert rows(figures, "gender") == {
        "female": (2, 25.0),
        "male": (4, 50.0),
        "not_in_register": (2, 25.0),
    }
    assert rows(figures, "ethnicity") == {
        "kinh": (5, 62.5),
        "minority": (1, 12.5),
        "not_in_register": (2, 25.0),
    }
    assert rows(figures, "level") == {
        "district": (4, 50.0),
        "province": (1, 12.5),
        "vss": (1, 12.5),
        "not_in_register": (2, 25.0),
    }
    fields = rows(figures, "field_of_work")
    assert fields["collection"] == (3, 37.5)  # the factory's default field
    assert fields["finance"] == fields["it"] == fields["other"] == (1, 12.5)
    assert fields["inspection"] == (0, 0.0)
    assert fields["not_in_register"] == (2, 25.0)
    assert rows(figures, "titles") == {
        "national": (1, 12.5),
        "sector": (1, 12.5),
        "grassroots": (1, 12.5),
    }
    assert rows(figures, "marks") == {
        "good_person_good_deed": (1, 12.5),
        "good_solution": (1, 12.5),
        "works_directly": (1, 12.5),
    }
    # Exclusive tables add up to the total.
    for dimension in figures.dimensions:
        if dimension.exclusive:
            assert sum(row.count for row in dimension.rows) == 8, dimension.key
    # Targets are measured on the delegates of the register: 2/6 women, 1/6 minority.
    women, minorities = figures.targets
    assert (women.count, women.base, women.percent, women.met) == (2, 6, 33.3, True)
    assert (minorities.count, minorities.base, minorities.met) == (1, 6, True)
    assert figures.shortfalls == []


def cycle_with(tree, women=30, minorities=5):
    tree.cycle.women_target_percent = women
    tree.cycle.minority_target_percent = minorities
    return tree.cycle


def people(women: int, men: int, minority: int = 0) -> list[Facts]:
    made = [Facts(Category.OFFICIAL, gender=Gender.FEMALE) for _ in range(women)]
    made += [Facts(Category.OFFICIAL, gender=Gender.MALE) for _ in range(men)]
    return [
        Facts(fact.category, gender=fact.gender, minority=index < minority)
        for index, fact in enumerate(made)
    ]


@pytest.mark.parametrize(
    ("women", "men", "met"),
    [(3, 7, True), (2, 8, False), (299, 701, False), (300, 700, True), (0, 0, True)],
)
def test_women_target_is_exact(tree, women, men, met):
    figures = tally(people(women, men), cycle=cycle_with(tree))
    assert figures.targets[0].met is met
    assert ("women" in [t.key for t in figures.shortfalls]) is (not met)


def test_guests_outside_the_register_are_not_in_the_targets_base(tree):
    facts = [*people(3, 7), Facts(Category.GUEST, in_register=False)]
    women = tally(facts, cycle=cycle_with(tree)).targets[0]
    assert (women.count, women.base, women.met) == (3, 10, True)


@pytest.mark.parametrize(("total", "met"), [(20, True), (21, False)])
def test_minority_target(tree, total, met):
    figures = tally(people(10, total - 10, minority=1), cycle=cycle_with(tree))
    assert figures.targets[1].met is met


def test_targets_come_from_the_cycle(tree):
    figures = tally(people(4, 6), cycle=cycle_with(tree, women=45))
    assert [t.key for t in figures.shortfalls] == ["women", "minorities"]
    assert figures.targets[0].target_percent == 45


def test_bar_chart_geometry(tree):
    figures = tally(people(3, 1), cycle=cycle_with(tree))
    chart = bar_chart(next(d for d in figures.dimensions if d.key == "gender"))
    female, male = chart.bars
    assert (female.width, male.width) == (390, 130)  # 75 % and 25 % of 520
    assert female.target_x == 156 and male.target_x is None  # 30 % of 520
    assert chart.height == 72


# -- Pages ---------------------------------------------------------------


def test_composition_page(client, users, hand_built):
    client.force_login(users["printer_hcm"])
    response = client.get(reverse("delegates:composition", args=[hand_built.pk]))
    assert response.status_code == 200
    text = response.text
    for key in ("category", "gender", "ethnicity", "level", "field_of_work", "titles", "marks"):
        assert f'data-testid="chart-{key}"' in text
    assert "<svg" in text and "<rect" in text
    assert "Ngoài danh sách cán bộ" in text
    assert 'data-testid="target-warning"' not in text


def test_target_warnings_on_the_list_and_the_composition(client, tree, users, hand_built):
    # Two more men from the register: 2 women of 7 (28.6 %) is below 30 %.
    for name in ("Lê Văn Một", "Lê Văn Hai"):
        delegate(hand_built, Category.OFFICIAL, tree.hcm, name, gender=Gender.MALE)
    client.force_login(users["officer_hcm"])
    listing = client.get(reverse("delegates:delegate_list", args=[hand_built.pk]))
    warnings = listing.context["shortfalls"]
    assert [w.key for w in warnings] == ["women"]
    assert "Nữ: 28,6% số đại biểu trong danh sách cán bộ (2/7)" in listing.text
    page = client.get(reverse("delegates:composition", args=[hand_built.pk]))
    assert page.text.count('data-testid="target-warning"') == 1


def test_no_warning_on_an_empty_list(client, users, hcm_upper):
    client.force_login(users["officer_hcm"])
    response = client.get(reverse("delegates:delegate_list", args=[hcm_upper.pk]))
    assert 'data-testid="target-warning"' not in response.text


def test_congress_composition_is_the_tier_three_conference(client, tree, tiers, users):
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    delegate(congress, Category.ELECTED, tree.hcm, "Đinh Thị Đại", gender=Gender.FEMALE)
    client.force_login(users["council"])
    response = client.get(reverse("delegates:composition", args=[congress.pk]))
    assert response.status_code == 200
    figures = response.context["composition"]
    assert rows(figures, "level")["province"] == (1, 100.0)


def test_composition_queries_do_not_grow_with_the_delegates(
    client, tree, users, hand_built, django_assert_max_num_queries
):
    client.force_login(users["council"])
    url = reverse("delegates:composition", args=[hand_built.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    made = Person.objects.bulk_create(
        [
            Person(unit=tree.hcm_district, full_name=f"Người {n}", gender="male", birth_year=1980)
            for n in range(200)
        ]
    )
    EmulationTitle.objects.bulk_create(
        [EmulationTitle(person=p, year=2017, title=SECTOR) for p in made]
    )
    Delegate.objects.bulk_create(
        [
            Delegate(
                conference=hand_built,
                category=Category.OFFICIAL,
                person=p,
                unit=p.unit,
                added_by=users["admin"],
            )
            for p in made
        ]
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["composition"].total == 207


# -- Balance of the elected delegates at the Congress ------------------------------


def test_a_delegates_level_comes_from_the_kind_of_their_unit_then_its_depth():
    assert level_of(UnitKind.DISTRICT, 2) == DISTRICT_LEVEL
    assert level_of(UnitKind.PROVINCE_DEPARTMENT, 2) == DISTRICT_LEVEL
    assert level_of(UnitKind.GRASSROOTS_OFFICE, 2) == DISTRICT_LEVEL
    assert level_of(UnitKind.PROVINCE, 1) == PROVINCE_LEVEL
    assert level_of(UnitKind.SECTOR, 1) == PROVINCE_LEVEL
    # Under the HQ bloc, at depth 2, still VSS level: the kind decides first.
    assert level_of(UnitKind.VSS_OFFICE, 2) == VSS_LEVEL
    assert level_of(UnitKind.HQ_BLOC, 1) == VSS_LEVEL
    # A kind the table does not know: by depth.
    assert [level_of("unknown", depth) for depth in (0, 1, 2, 3)] == [
        VSS_LEVEL,
        PROVINCE_LEVEL,
        DISTRICT_LEVEL,
        DISTRICT_LEVEL,
    ]


def test_configured_targets_keep_known_keys_and_plausible_shares(tree):
    tree.cycle.balance_targets = {
        "levels": {"district": 60, "province": "25.5", "county": 10, "vss": 130},
        "fields": {"it": 5, "finance": "beaucoup", "collection": True},
        "other": {"x": 1},
    }
    assert configured_targets(tree.cycle) == {
        "levels": {"district": Fraction(60), "province": Fraction(51, 2)},
        "fields": {"it": Fraction(5)},
    }


def elected(level, field="collection"):
    return Facts(category=Category.ELECTED, level=level, field_of_work=field, gender="male")


def test_balance_against_the_staff_share_and_the_tolerance(tree):
    cycle = tree.cycle
    cycle.balance_tolerance_points = 10
    staff = StaffShares(levels={"district": 600, "province": 300, "vss": 100}, fields={"it": 10})
    facts = [elected("district")] * 2 + [elected("province")] * 6 + [elected("vss")] * 2
    # Official delegates do not count: the balance is the elected's.
    facts += [Facts(category=Category.OFFICIAL, level="vss")] * 5

    balance = balance_of(facts, cycle, staff)

    levels = {line.key: (line.percent, line.target_percent, line.within) for line in balance.levels}
    # 20 % of the elected at district level against 60 % of the staff: −40.
    # 60 % at province level against 30 %: +30. VSS 20 % against 10 %:
    # exactly at the tolerance of 10 points, not beyond.
    assert levels == {
        "district": (20.0, 60.0, False),
        "province": (60.0, 30.0, False),
        "vss": (20.0, 10.0, True),
    }
    assert [line.key for line in balance.warnings if line.dimension == "levels"] == [
        "district",
        "province",
    ]
    # Every elected delegate works in collection, a field the staff's
    # register has none of: +100 points.
    assert [line.key for line in balance.fields if not line.within] == ["collection", "it"]


def test_a_configured_target_replaces_the_staff_share(tree):
    cycle = tree.cycle
    cycle.balance_targets = {"levels": {"district": 25}, "fields": {"collection": 100}}
    staff = StaffShares(levels={"district": 600, "province": 300, "vss": 100}, fields={})
    facts = [elected("district")] * 2 + [elected("province")] * 6 + [elected("vss")] * 2

    balance = balance_of(facts, cycle, staff)

    district = next(line for line in balance.levels if line.key == "district")
    assert (district.configured, district.target_percent, district.within) == (True, 25.0, True)
    assert next(line for line in balance.fields if line.key == "collection").configured


def test_nothing_to_measure_without_elected_delegates(tree):
    balance = balance_of([Facts(category=Category.OFFICIAL, level="vss")], tree.cycle, None)
    assert balance.base == 0 and balance.warnings == []


@pytest.fixture
def congress_elected(tree, tiers):
    """The Congress with ten elected delegates: two from districts, six
    from provinces, two from VSS; staff 600 / 300 / 100 by level."""
    for unit, headcount in (
        (tree.vss, 100),
        (tree.hcm, 200),
        (tree.hanoi, 100),
        (tree.hcm_district, 300),
        (tree.hcm_department, 100),
        (tree.hanoi_district, 200),
    ):
        unit.headcount = headcount
        unit.save()
    congress = ConferenceFactory(tier=tiers[3], unit=tree.vss)
    source = ConferenceFactory(tier=tiers[2], unit=tree.hcm)
    units = [tree.hcm_district] * 2 + [tree.hcm] * 3 + [tree.hanoi] * 3 + [tree.vss] * 2
    for _n, unit in enumerate(units):
        DelegateFactory(
            conference=congress,
            category=Category.ELECTED,
            person=PersonFactory(unit=unit, field_of_work="collection"),
            unit=tree.hcm,
            elected_at=source,
        )
    return congress


def test_balance_warnings_on_the_congress_composition(client, users, congress_elected):
    client.force_login(users["council"])

    response = client.get(reverse("delegates:composition", args=[congress_elected.pk]))

    balance = response.context["composition"].balance
    district = next(line for line in balance.levels if line.key == "district")
    assert (district.percent, district.target_percent) == (20.0, 60.0)
    expected = _(
        "%(label)s: %(percent)s%% of the elected delegates (%(count)s/%(base)s), against "
        "%(target)s%% of the sector's staff (%(difference)s points)."
    ) % {
        "label": district.label,
        "percent": localize(20.0),
        "count": 2,
        "base": 10,
        "target": localize(60.0),
        "difference": localize(-40.0),
    }
    assert expected in response.text
    assert response.text.count('data-testid="balance-warning"') == len(balance.warnings)


def test_no_balance_below_the_congress(client, users, hand_built):
    client.force_login(users["council"])
    response = client.get(reverse("delegates:composition", args=[hand_built.pk]))
    assert response.context["composition"].balance is None
    assert 'data-testid="balance"' not in response.text


def test_congress_composition_queries_do_not_grow_with_the_elected(
    client, tree, users, congress_elected, django_assert_max_num_queries
):
    client.force_login(users["council"])
    url = reverse("delegates:composition", args=[congress_elected.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    source = Delegate.objects.filter(conference=congress_elected).first().elected_at
    for _n in range(40):
        DelegateFactory(
            conference=congress_elected,
            category=Category.ELECTED,
            person=PersonFactory(unit=tree.hanoi_district),
            unit=tree.hcm,
            elected_at=source,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["composition"].balance.base == 50
